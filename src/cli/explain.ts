// `kubesim explain TYPE[.field.path]`: field documentation from the schemas' descriptions,
// in kubectl v1.32's plaintext layout (src/explain/plaintext.ts).

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import { UnknownResourceError, shortNameWarnings } from '../api/resources';
import type { CliContext } from './context';
import type { Program } from './root';
import { kubectlHelp } from './kubectl-help';
import { PrintedError } from './format-error';

interface ExplainFlags {
  recursive?: boolean;
  apiVersion?: string;
  output?: string;
}

/** kubectl explain's Long, as cobra prints it. */
const EXPLAIN_LONG = `Describe fields and structure of various resources.

 This command describes the fields associated with each supported API resource. Fields are identified via a simple JSONPath identifier:

        <type>.<fieldName>[.<fieldName>]
        
 Information about each field is retrieved from the server in OpenAPI format.

Use "kubectl api-resources" for a complete list of supported resources.`;

const EXPLAIN_EXAMPLE = `  # Get the documentation of the resource and its fields
  kubectl explain pods
  
  # Get all the fields in the resource
  kubectl explain pods --recursive
  
  # Get the explanation for deployment in supported api versions
  kubectl explain deployments --api-version=apps/v1
  
  # Get the documentation of a specific field of a resource
  kubectl explain pods.spec.containers
  
  # Get the documentation of resources in different format
  kubectl explain deployment --output=plaintext-openapiv2`;

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('explain')
    .description('Get documentation for a resource')
    .argument('[resource...]')
    .option('--recursive', 'When true, print the name of all the fields recursively. Otherwise, print the available fields with their description.')
    .option('--api-version <version>', 'Use given api-version (group/version) of the resource.')
    .option('-o, --output <format>', 'Format in which to render the schema. Valid values are: (plaintext, plaintext-openapiv2).', 'plaintext');
  kubectlHelp(cmd, p.name, { long: EXPLAIN_LONG, example: EXPLAIN_EXAMPLE, use: 'explain TYPE [--recursive=FALSE|TRUE] [--api-version=api-version-group] [-o|--output=plaintext|plaintext-openapiv2]' })
    .action(p.action((ctx, args: string[], flags: ExplainFlags) => runExplain(ctx, args, flags)));
}

export async function runExplain(ctx: CliContext, args: string[], flags: ExplainFlags): Promise<number> {
  if (args.length === 0) {
    throw new CliError('You must specify the type of resource to explain. Use "kubectl api-resources" for a complete list of supported resources.');
  }
  if (args.length > 1) throw new CliError('We accept only this format: explain RESOURCE');
  const format = flags.output ?? 'plaintext';
  if (format !== 'plaintext' && format !== 'plaintext-openapiv2') throw new CliError(`unrecognized format: ${format}`);

  const api = await ctx.api({ startDaemon: false });
  const { resolveExplainTarget, explainV3Type } = await import('../explain/resolve-target');
  // the mapper resolves the first segment (a short name may warn), --api-version or not
  for (const text of shortNameWarnings(api.registry.all(), args[0].split('.')[0])) ctx.err(`Warning: ${text}\n`);
  let target;
  try {
    target = resolveExplainTarget(args[0], api.registry, flags.apiVersion);
  } catch (e) {
    // kubectl explain prints the mapper's error bare, without the "error: " prefix.
    if (e instanceof UnknownResourceError) throw new PrintedError(e.message + '\n');
    throw e;
  }
  const crdType = api.registry.forKind('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
  if (format === 'plaintext-openapiv2') {
    // kubectl's first explain, over the /openapi/v2 document the server serves.
    const { openapiV2Document } = await import('../api/rest/openapi');
    const { renderExplainV2, V2ExplainError } = await import('../explain/plaintext-v2');
    const doc = await openapiV2Document(api.registry, (name) => api.tryGet(crdType, undefined, name));
    try {
      ctx.out(renderExplainV2(doc.definitions, { group: target.group, version: target.version, kind: target.type.kind }, target.fieldPath, Boolean(flags.recursive)));
    } catch (e) {
      if (e instanceof V2ExplainError) throw new CliError(e.message);
      throw e;
    }
    return 0;
  }
  const type = explainV3Type(target, api.registry);
  const { version } = target;
  const { loadSchemas, rootKey } = await import('../api/validation/schema-store');
  const { toOpenApiView } = await import('../explain/openapi-view');
  const { renderExplain, FieldNotFoundError } = await import('../explain/plaintext');
  const view = toOpenApiView((await loadSchemas()).doc);
  let root;
  if (type.crd) {
    const { crdRootSchema } = await import('../explain/crd-schema');
    const crd = await api.tryGet(crdType, undefined, type.crd);
    root = crd ? crdRootSchema(crd, version) : undefined;
  } else {
    const name = view.roots[rootKey(type.group, version, type.kind)];
    root = name ? view.schemas[name] : undefined;
  }
  const gvk = { group: type.group, version, kind: type.kind };
  // the template's GVK is the path's x-kubernetes-group-version-kind, a map to Go's %v
  if (!root) throw new CliError(`GVK map[group:${type.group} kind:${type.kind} version:${version}] not found in OpenAPI schema`);
  try {
    ctx.out(renderExplain(view, { gvk, root, fieldPath: target.fieldPath, recursive: Boolean(flags.recursive) }));
  } catch (e) {
    if (e instanceof FieldNotFoundError) {
      ctx.out(e.header);
      throw new CliError(e.message);
    }
    throw e;
  }
  return 0;
}
