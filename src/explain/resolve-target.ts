// What `kubectl explain pods.spec.containers` names: the resource (the longest dotted
// prefix the registry knows, so `deployments.apps.spec` works) and the field path after it.

import { CliError } from '../api/errors';
import { UnknownResourceError, splitApiVersion, type ResourceRegistry, type ResourceType } from '../api/resources';

export interface ExplainTarget {
  type: ResourceType;
  version: string;
  fieldPath: string[];
}

export function resolveExplainTarget(input: string, registry: ResourceRegistry, apiVersion?: string): ExplainTarget {
  const parts = input.split('.');
  let type: ResourceType | undefined;
  let used = 0;
  for (let n = parts.length; n >= 1 && !type; n--) {
    try {
      type = registry.resolve(parts.slice(0, n).join('.'));
      used = n;
    } catch (e) {
      if (!(e instanceof UnknownResourceError)) throw e;
    }
  }
  if (!type) throw new UnknownResourceError(parts[0]);
  let version = type.version;
  if (apiVersion) {
    const gv = splitApiVersion(apiVersion);
    const inGroup = registry.all().find((t) => t.group === gv.group && t.plural === type!.plural && t.versions.includes(gv.version));
    if (!inGroup) throw new CliError(`couldn't find resource for "${gv.group ? gv.group + '/' : ''}${gv.version}, Resource=${type.plural}"`);
    type = inGroup;
    version = gv.version;
  }
  return { type, version, fieldPath: parts.slice(used).filter((p) => p !== '') };
}
