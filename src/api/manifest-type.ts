// The resource type of a manifest's object (apply, create, delete -f), from its apiVersion
// and kind; kept apart from resources.ts, which the build evaluates with no imports.

import { ApiError } from './errors';
import type { ResourceRegistry, ResourceType } from './resources';

export function typeOfManifest(registry: ResourceRegistry, obj: { apiVersion?: unknown; kind?: unknown }): ResourceType {
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
    throw new ApiError('BadRequest', 'Object \'Kind\' is missing');
  }
  return registry.forKind(obj.apiVersion, obj.kind);
}
