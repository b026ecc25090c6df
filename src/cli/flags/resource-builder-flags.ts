// kubectl's ResourceBuilderFlags (genericclioptions/builder_flags.go): which objects a verb
// acts on, declared once. -f/--filename, -k/--kustomize and -R/--recursive (FileNameFlags),
// -l/--selector, --field-selector, --all and -A/--all-namespaces, plus --local for the verbs
// that can run on files alone. Each verb turns on the members it has, with its own wording
// of -f (kubectl passes the usage string: "identifying the resource to update", ...).

import type { Command } from 'commander';
import { collectList } from './collect';

export interface ResourceBuilderSpec {
  /** -f's help: kubectl prints it after "Filename, directory, or URL to files " for most verbs. */
  filename?: string;
  kustomize?: boolean | string;
  recursive?: boolean;
  /** -l: true for the (=, ==, !=) wording, 'set-based' for get's, or a verb's own text. */
  selector?: boolean | 'set-based' | string;
  fieldSelector?: boolean | string;
  all?: string;
  allNamespaces?: string;
  local?: string;
}

/** resource.Builder's error when nothing names the objects to act on. */
export const NO_RESOURCES_MESSAGE = "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'";

export const RECURSIVE_HELP = 'Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory.';
export const KUSTOMIZE_HELP = "Process the kustomization directory. This flag can't be used together with -f or -R.";
export const SELECTOR_HELP = "Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints.";
const SET_SELECTOR_HELP = "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints.";
export const FIELD_SELECTOR_HELP = "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type.";

/** AddFlags of ResourceBuilderFlags: the members `spec` names, in kubectl's wording. */
export function addResourceBuilderFlags(cmd: Command, spec: ResourceBuilderSpec): Command {
  if (spec.filename !== undefined) cmd.option('-f, --filename <file>', spec.filename, collectList, []);
  if (spec.kustomize) cmd.option('-k, --kustomize <dir>', typeof spec.kustomize === 'string' ? spec.kustomize : KUSTOMIZE_HELP);
  if (spec.recursive) cmd.option('-R, --recursive', RECURSIVE_HELP);
  if (spec.selector) {
    const help = spec.selector === true ? SELECTOR_HELP : spec.selector === 'set-based' ? SET_SELECTOR_HELP : spec.selector;
    cmd.option('-l, --selector <selector>', help);
  }
  if (spec.fieldSelector) cmd.option('--field-selector <selector>', typeof spec.fieldSelector === 'string' ? spec.fieldSelector : FIELD_SELECTOR_HELP);
  if (spec.all !== undefined) cmd.option('--all', spec.all);
  if (spec.allNamespaces !== undefined) cmd.option('-A, --all-namespaces', spec.allNamespaces);
  if (spec.local !== undefined) cmd.option('--local', spec.local);
  return cmd;
}

/**
 * The builder's error for no resource and no file (cli-runtime's visitorResult): a selector
 * (-l, --field-selector, --all's "everything") needs a resource type; else its missingResourceError.
 */
export function noResourcesError(flags: { selector?: string; fieldSelector?: string; all?: boolean }): string {
  return flags.selector !== undefined || flags.fieldSelector !== undefined || flags.all ? 'at least one resource must be specified to use a selector' : NO_RESOURCES_MESSAGE;
}
