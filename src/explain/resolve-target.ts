// What `kubectl explain pods.spec.containers` names: the resource (the longest dotted
// prefix the registry knows, so `deployments.apps.spec` works) and the field path after it.

import { CliError } from '../api/errors';
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
 * explain.SplitAndParseResourceRequest[WithMatchingPrefix]: the resource is the first dotted
 * segment's (the mapper's order); without --api-version, the first of its resources whose
 * group-resource (`deployments.apps`) begins the input is followed by the field path, else
 * every later segment is a field (`deploy.apps.spec` asks for field apps, as in kubectl).
 */
export function resolveExplainTarget(input: string, registry: ResourceRegistry, apiVersion?: string): ExplainTarget {
  const parts = input.split('.');
  // the mapper knows the create-only reviews too (tokenreviews), /openapi/v3 their schemas
  const found = matchesAmong(explainable(registry), parts[0]);
  if (!found.length) throw new UnknownResourceError(parts[0]);
  let [type, fields] = [found[0], parts.slice(1)];
  for (const t of apiVersion ? [] : found) {
    const prefix = t.group ? `${t.plural}.${t.group}` : t.plural;
    if (input.startsWith(prefix)) {
      [type, fields] = [t, input.slice(prefix.length).split('.')];
      break;
    }
  }
  const gv = apiVersion ? parseGroupVersion(apiVersion) : { group: type.group, version: type.version };
  return { type, ...gv, fieldPath: fields.filter((p) => p !== '') };
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
