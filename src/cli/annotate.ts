// `kubesim annotate`: label's twin for metadata.annotations (kubectl annotate.go); the
// shared logic lives in label.ts.

import type { Command } from 'commander';
import type { Program } from './root';
import { printFlagOptions, type PrintFlagValues } from './flags/print-flags';
import { collect } from './flags/collect';
import { runKeyValueVerb, type KeyValueFlags } from './label';

export function register(program: Command, p: Program): void {
  program
    .command('annotate')
    .description('Update the annotations on a resource')
    .usage('[--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N [--resource-version=version]')
    .argument('[args...]')
    .option('--overwrite', 'If true, allow annotations to be overwritten, otherwise reject annotation updates that overwrite existing annotations.')
    .option('--list', 'If true, display the annotations for a given resource.')
    .option('--local', 'If true, annotation will NOT contact api-server but run locally.')
    .option('-l, --selector <selector>', 'Selector (label query) to filter on.')
    .option('--field-selector <selector>', 'Selector (field query) to filter on.')
    .option('--all', 'Select all resources, in the namespace of the specified resource types.')
    .option('-A, --all-namespaces', 'If true, check the specified action in all namespaces.')
    .option('--resource-version <version>', 'If non-empty, the annotation update will only succeed if this is the current resource-version for the object. Only valid when specifying a single resource.')
    .option('-f, --filename <file>', 'Filename, directory, or URL to files identifying the resource to update the annotation', collect, [])
    .option('-R, --recursive', 'Process the directory used in -f, --filename recursively.')
    .option('--dry-run [mode]', 'Must be "none", "server", or "client".')
    .addOption(printFlagOptions()[0])
    .addOption(printFlagOptions()[1])
    .addOption(printFlagOptions()[2])
    .addOption(printFlagOptions()[3])
    .option('--field-manager <name>', 'Accepted for kubectl compatibility.')
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
