// `kubesim annotate`: label's twin for metadata.annotations (kubectl annotate.go); the
// shared logic lives in label.ts.

import type { Command } from 'commander';
import type { Program } from './root';
import { addPrintFlags } from './flags/print-flags';
import { addDryRunFlag } from './flags/dry-run';
import { addResourceBuilderFlags } from './flags/resource-builder-flags';
import { runKeyValueVerb, type KeyValueFlags } from './label';
import { FIELD_MANAGER_HELP, kubectlHelp } from './kubectl-help';

/** kubectl annotate's Long, as cobra prints it. */
const ANNOTATE_LONG = `Update the annotations on one or more resources.

 All Kubernetes objects support the ability to store additional data with the object as annotations. Annotations are key/value pairs that can be larger than labels and include arbitrary string values such as structured JSON. Tools and system extensions may use annotations to store their own data.

 Attempting to set an annotation that already exists will fail unless --overwrite is set. If --resource-version is specified and does not match the current resource version on the server the command will fail.

Use "kubectl api-resources" for a complete list of supported resources.`;

const ANNOTATE_EXAMPLE = `  # Update pod 'foo' with the annotation 'description' and the value 'my frontend'
  # If the same annotation is set multiple times, only the last value will be applied
  kubectl annotate pods foo description='my frontend'
  
  # Update a pod identified by type and name in "pod.json"
  kubectl annotate -f pod.json description='my frontend'
  
  # Update pod 'foo' with the annotation 'description' and the value 'my frontend running nginx', overwriting any existing value
  kubectl annotate --overwrite pods foo description='my frontend running nginx'
  
  # Update all pods in the namespace
  kubectl annotate pods --all description='my frontend running nginx'
  
  # Update pod 'foo' only if the resource is unchanged from version 1
  kubectl annotate pods foo description='my frontend running nginx' --resource-version=1
  
  # Update pod 'foo' by removing an annotation named 'description' if it exists
  # Does not require the --overwrite flag
  kubectl annotate pods foo description-`;


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
    selector: true,
    fieldSelector: true,
    all: 'Select all resources, in the namespace of the specified resource types.',
    allNamespaces: 'If true, check the specified action in all namespaces.',
    filename: 'Filename, directory, or URL to files identifying the resource to update the annotation',
    kustomize: true,
    recursive: true,
  });
  addPrintFlags(addDryRunFlag(cmd));
  cmd.option('--field-manager <name>', FIELD_MANAGER_HELP);
  kubectlHelp(cmd, p.name, { long: ANNOTATE_LONG, example: ANNOTATE_EXAMPLE, use: cmd.name() + ' ' + cmd.usage() }, { 'field-manager': "'kubectl-annotate'" })
    .action(p.action((ctx, args: string[], flags: KeyValueFlags) => runKeyValueVerb(ctx, 'annotation', args, flags)));
}
