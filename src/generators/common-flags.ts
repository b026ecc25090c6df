// Flags every `create` generator shares with kubectl (handled by the CLI layer, listed here
// so a generator's flag table is complete when registered).

import type { FlagDef } from './types';
import { KUSTOMIZE_HELP } from '../cli/flags/resource-builder-flags';

export const SAVE_CONFIG_FLAG: FlagDef = {
  name: 'save-config',
  type: 'bool',
  default: false,
  help: 'If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future.',
};

export const FIELD_MANAGER_FLAG: FlagDef = { name: 'field-manager', type: 'string', default: 'kubectl-create', help: 'Name of the manager used to track field ownership.' };

export const VALIDATE_FLAG: FlagDef = {
  name: 'validate',
  type: 'string',
  default: 'strict',
  help: 'Must be one of: strict (or true), warn, ignore (or false).',
};

/** Flags the CLI layer consumes before/after calling build (dry-run, output, ...). */
export const CREATE_COMMON_FLAGS: FlagDef[] = [SAVE_CONFIG_FLAG, FIELD_MANAGER_FLAG, VALIDATE_FLAG];

/** FileNameFlags (-f, -k, -R) of the generators that act on existing objects (expose, autoscale). */
export function fileFlags(filenameHelp: string): FlagDef[] {
  return [
    { name: 'filename', shorthand: 'f', type: 'stringSlice', default: [], help: filenameHelp },
    { name: 'kustomize', shorthand: 'k', type: 'string', help: KUSTOMIZE_HELP },
    { name: 'recursive', shorthand: 'R', type: 'bool', default: false, help: 'Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory.' },
  ];
}
