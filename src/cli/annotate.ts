// `kubesim annotate`: label's twin for metadata.annotations (kubectl annotate.go); the
// shared logic lives in label.ts.

import type { Command } from 'commander';
import type { Program } from './root';
import { addPrintFlags } from './flags/print-flags';
import { addDryRunFlag } from './flags/dry-run';
import { addResourceBuilderFlags } from './flags/resource-builder-flags';
import { runKeyValueVerb, type KeyValueFlags } from './label';
import { FIELD_MANAGER_HELP } from './kubectl-help';

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('annotate')
    .description('Update the annotations on a resource')
    .usage('[--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]')
    .argument('[args...]')
    .option('--overwrite', 'If true, allow annotations to be overwritten, otherwise reject annotation updates that overwrite existing annotations.')
    .option('--list', 'If true, display the annotations for a given resource.')
    .option('--resource-version <version>', 'If non-empty, the annotation update will only succeed if this is the current resource-version for the object. Only valid when specifying a single resource.');
  addResourceBuilderFlags(cmd, {
    local: 'If true, annotation will NOT contact api-server but run locally.',
    selector: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints.",
    fieldSelector: true,
    all: 'Select all resources, in the namespace of the specified resource types.',
    allNamespaces: 'If true, check the specified action in all namespaces.',
    filename: 'Filename, directory, or URL to files identifying the resource to update the annotation',
    recursive: true,
  });
  addPrintFlags(addDryRunFlag(cmd));
  cmd
    .option('--field-manager <name>', FIELD_MANAGER_HELP)
    .addHelpText('after', `
Examples:
  # Update pod 'foo' with the annotation 'description' and the value 'my frontend'
  kubesim annotate pods foo description='my frontend'

  # Update pod 'foo' with the annotation 'description' and the value 'my frontend running nginx', overwriting any existing value
  kubesim annotate --overwrite pods foo description='my frontend running nginx'

  # Update all pods in the namespace
  kubesim annotate pods --all description='my frontend running nginx'

  # Update pod 'foo' by removing an annotation named 'description' if it exists
  kubesim annotate pods foo description-`)
    .action(p.action((ctx, args: string[], flags: KeyValueFlags) => runKeyValueVerb(ctx, 'annotation', args, flags)));
}
