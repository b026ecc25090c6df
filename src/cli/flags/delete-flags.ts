// kubectl's DeleteFlags (cmd/delete/delete_flags.go), declared once for delete and replace
// --force: --cascade (NoOptDefVal "background", see flags/pflag.ts), --grace-period, --now,
// --force, --timeout, --wait, and ToOptions' checks of how they combine.

import type { Command } from 'commander';
import { CliError } from '../../api/errors';
import type { PropagationPolicy } from '../../api/server';
import { declareFlagTypes, parseGoBool } from './pflag';

export interface DeleteFlagValues {
  cascade?: string | boolean;
  gracePeriod?: string;
  now?: boolean;
  force?: boolean;
  wait?: boolean | string;
  timeout?: string;
}

export interface DeleteFlagsSpec {
  /** --wait's default: true for delete, false for replace. */
  waitDefault: boolean;
  /** delete has --now; replace has not. */
  now?: boolean;
  timeoutHelp?: string;
  /** delete's own -o (only "name" means anything: DeleteFlags.Output). */
  output?: boolean;
}

const FORCE_HELP = 'If true, immediately remove resources from API and bypass graceful deletion. Note that immediate deletion of some resources may result in inconsistency or data loss and requires confirmation.';
const CASCADE_HELP = 'Must be "background", "orphan", or "foreground". Selects the deletion cascading strategy for the dependents (e.g. Pods created by a ReplicationController). Defaults to background.';
const GRACE_HELP = 'Period of time in seconds given to the resource to terminate gracefully. Ignored if negative. Set to 1 for immediate shutdown. Can only be set to 0 when --force is true (force deletion).';

/** AddFlags of DeleteFlags (the deletion members; the builder flags come from resource-builder-flags). */
/** pflag's DefValue of the group's int and duration flags, as kubectl's help prints them (kubectlHelp's `shown`). */
export const DELETE_FLAGS_SHOWN = { 'grace-period': '-1', timeout: '0s' };

export function addDeleteFlags(cmd: Command, spec: DeleteFlagsSpec): Command {
  cmd
    .option('--cascade [mode]', CASCADE_HELP, 'background')
    .option('--force', FORCE_HELP)
    .option('--grace-period <seconds>', GRACE_HELP, '-1');
  if (spec.now) cmd.option('--now', 'If true, resources are signaled for immediate shutdown (same as --grace-period=1).');
  if (spec.output) cmd.option('-o, --output <format>', 'Output mode. Use "-o name" for shorter output (resource/name).');
  // pflag's IntVar and DurationVar: `--grace-period=x` and `--timeout=5` are flag errors.
  declareFlagTypes(cmd, { 'grace-period': 'int', timeout: 'duration' });
  return cmd
    .option('--timeout <duration>', spec.timeoutHelp ?? 'The length of time to wait before giving up on a delete, zero means determine a timeout from the size of the object', '0s')
    .option('--wait [bool]', 'If true, wait for resources to be gone before returning. This waits for finalizers.', spec.waitDefault);
}

export interface DeletionOptions {
  policy: PropagationPolicy;
  /** -1: the object's own grace period. */
  gracePeriod: number;
  force: boolean;
  wait: boolean;
}

/**
 * parseCascadingFlag: the old boolean spellings (any strconv.ParseBool one) still work, with
 * kubectl's deprecation warning through `warn`.
 */
export function cascadePolicy(v: string | boolean | undefined, warn?: (line: string) => void): PropagationPolicy {
  if (v === undefined || v === 'background') return 'Background';
  if (v === 'foreground') return 'Foreground';
  if (v === 'orphan') return 'Orphan';
  const b = typeof v === 'boolean' ? v : parseGoBool(v);
  if (b === undefined) throw new CliError(`invalid cascade value (${v}). Must be "background", "foreground", or "orphan"`);
  warn?.(`warning: --cascade=${v} is deprecated (boolean value) and can be replaced with --cascade=${b ? 'background' : 'orphan'}.\n`);
  return b ? 'Background' : 'Orphan';
}

/** DeleteFlags.ToOptions with DeleteOptions.Complete's grace-period rules. */
export function deletionOptions(f: DeleteFlagValues, warn?: (line: string) => void): DeletionOptions {
  const policy = cascadePolicy(f.cascade, warn);
  let grace = Number(f.gracePeriod ?? -1);
  if (f.now) {
    if (grace !== -1) throw new CliError('--now and --grace-period cannot be specified together');
    grace = 1;
  }
  if (f.force && grace === -1) grace = 0;
  return { policy, gracePeriod: grace, force: Boolean(f.force), wait: f.wait !== false && f.wait !== 'false' };
}
