// What `kubectl explain pods.spec.containers` names: the resource (the longest dotted
// prefix the registry knows, so `deployments.apps.spec` works) and the field path after it.

import { CliError } from '../api/errors';
import { JsonPathError, explainPathNodes } from '../printers/jsonpath';
import { REVIEW_RESOURCES, UnknownResourceError, matchesAmong, splitApiVersion, type ResourceRegistry, type ResourceType } from '../api/resources';

export interface ExplainTarget {
  /** The type the name resolves to (the mapper's, --api-version aside). */
  type: ResourceType;
  /** The group and version to explain: --api-version's when given, else the type's. */
  group: string;
  version: string;
  fieldPath: string[];
}

/**
 * explain.SplitAndParseResourceRequest[WithMatchingPrefix]: the input parsed as the JSONPath
 * `{.input}`, whose first node must be a field, the resource (the mapper's order); without
 * --api-version, the first of its resources whose group-resource (`deployments.apps`) begins
 * the input is followed by the field path, else every later node is a field
 * (`deploy.apps.spec` asks for field apps, as in kubectl). A `..` is a node of its own.
 */
export function resolveExplainTarget(input: string, registry: ResourceRegistry, apiVersion?: string): ExplainTarget {
  const nodes = pathNodes(input);
  if (nodes[0] === null) throw new CliError('invalid jsonpath syntax, first node must be field node');
  // the mapper's refusal of an empty GroupVersionResource, as Go prints it
  if (nodes[0] === '') throw new CliError('a resource must be present, got: /, Resource=');
  // the mapper knows the create-only reviews too (tokenreviews), /openapi/v3 their schemas
  const found = matchesAmong(explainable(registry), nodes[0]);
  if (!found.length) throw new UnknownResourceError(nodes[0]);
  let [type, fields] = [found[0], nodes.slice(1)];
  for (const t of apiVersion ? [] : found) {
    const prefix = t.group ? `${t.plural}.${t.group}` : t.plural;
    if (input.startsWith(prefix)) {
      // the rest parsed alone: `{..spec}`, its leading descent skipped
      [type, fields] = [t, input.length > prefix.length ? pathNodes(input.slice(prefix.length)).slice(1) : []];
      break;
    }
  }
  // SplitAndParseResourceRequest (--api-version) words it differently
  if (fields.includes(null)) throw new CliError(`invalid jsonpath syntax, ${apiVersion ? 'all nodes must be field nodes' : 'first node must be field node'}`);
  const gv = apiVersion ? parseGroupVersion(apiVersion) : { group: type.group, version: type.version };
  return { type, ...gv, fieldPath: fields as string[] };
}

/** explainPathNodes, its parse errors kubectl's `error: ...`. */
function pathNodes(input: string): (string | null)[] {
  try {
    return explainPathNodes(input);
  } catch (e) {
    if (e instanceof JsonPathError) throw new CliError(e.message);
    throw e;
  }
}

const explainable = (registry: ResourceRegistry): ResourceType[] => [...registry.all(), ...REVIEW_RESOURCES];

/** schema.ParseGroupVersion: more than one slash is an error, `/` the empty GroupVersion. */
function parseGroupVersion(gv: string): { group: string; version: string } {
  if (gv === '/') return { group: '', version: '' };
  if (gv.split('/').length > 2) throw new CliError(`unexpected GroupVersion string: ${gv}`);
  return splitApiVersion(gv);
}

/**
 * The type explain's OpenAPI v3 template finds for `target` (a path of the resource under
 * its group-version), or kubectl's error naming the GroupVersionResource as Go prints it
 * (`/v1, Resource=pods`): no such group-version in /openapi/v3, or no such resource in it.
 */
export function explainV3Type(target: ExplainTarget, registry: ResourceRegistry): ResourceType {
  const { group, version, type } = target;
  const all = explainable(registry);
  const found = all.find((t) => t.group === group && t.plural === type.plural && t.versions.includes(version));
  if (found) return found;
  const gvr = `${group}/${version}, Resource=${type.plural}`;
  if (!all.some((t) => t.group === group && t.versions.includes(version))) throw new CliError(`couldn't find resource for "${gvr}"`);
  throw new CliError(`GVR (${gvr}) not found in OpenAPI schema`);
}
