// -l and --field-selector, compiled into the list filters the API server applies.

import { ApiError } from '../../api/errors';
import { apiVersionOf, type ResourceType } from '../../api/resources';
import type { ListOptions } from '../../api/server';
import { parseLabelSelector, matchesLabels, parseFieldSelector, matchesFields } from '../../api/selectors';

export function buildListOptions(type: ResourceType, labelSelector: string | undefined, fieldSelector: string | undefined, namespace: string | undefined): ListOptions {
  const opts: ListOptions = { namespace };
  const wrap = (e: unknown): never => {
    const gvr = `${apiVersionOf(type).includes('/') ? apiVersionOf(type) : '/' + apiVersionOf(type)}, Resource=${type.plural}`;
    throw ApiError.badRequest(`Unable to find "${gvr}" that match label selector "${labelSelector ?? ''}", field selector "${fieldSelector ?? ''}": ${(e as Error).message}`);
  };
  if (labelSelector) {
    try {
      const sel = parseLabelSelector(labelSelector);
      opts.labelMatch = (labels) => matchesLabels(sel, labels);
    } catch (e) {
      wrap(e);
    }
  }
  if (fieldSelector) {
    try {
      const sel = parseFieldSelector(type.kind, type.group, fieldSelector);
      opts.fieldMatch = (obj) => matchesFields(sel, obj);
    } catch (e) {
      wrap(e);
    }
  }
  return opts;
}
