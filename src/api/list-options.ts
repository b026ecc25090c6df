// Label and field selectors given as strings (`-l`, `?labelSelector=`), compiled into the
// list filters the API server applies. One place for the CLI and the REST handler, so both
// refuse a bad selector with kube-apiserver's words.

import { ApiError } from './errors';
import { apiVersionOf, type ResourceType } from './resources';
import type { ListOptions } from './server';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors';

export function selectorListOptions(type: ResourceType, labelSelector: string | undefined, fieldSelector: string | undefined, namespace: string | undefined, version = type.version): ListOptions {
  const opts: ListOptions = { namespace };
  const wrap = (e: unknown): never => {
    const gv = apiVersionOf(type, version);
    const gvr = `${gv.includes('/') ? gv : '/' + gv}, Resource=${type.plural}`;
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
