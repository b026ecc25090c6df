// GET on a collection: label and field selectors as strings, limit/continue pagination,
// resourceVersion semantics, and Table / PartialObjectMetadataList representations.

import { selectorListOptions } from '../list-options';
import { isRevisionCompacted } from '../../store/store';
import type { ListOptions } from '../server';
import type { KObject } from '../types';
import { includeObject, type RestHandler, type Target } from './handler';
import { negotiate } from './negotiate';
import { badRequest, gone, RestError } from './status';
import { toTable } from './table';
import type { ApiRequest, ApiResponse } from './types';

/** Compiles ?labelSelector= and ?fieldSelector= into the ApiServer's list filters. */
export function selectorOptions(t: Target, req: ApiRequest): ListOptions {
  return selectorListOptions(t.rt, req.query.get('labelSelector') ?? '', req.query.get('fieldSelector') ?? '', t.namespace, t.version);
}

/** A resourceVersion parameter: '' / undefined (latest), or a positive revision. */
export function parseResourceVersion(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw badRequest(`invalid resource version "${v}"`);
  return Number(v);
}

interface ContinueToken {
  v: 'meta.k8s.io/v1';
  rv: number;
  start: string;
}

const keyOf = (o: KObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function decodeContinue(token: string): ContinueToken {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    if (c.v !== 'meta.k8s.io/v1' || typeof c.rv !== 'number' || typeof c.start !== 'string') throw new Error('bad');
    return c;
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

export async function listObjects(h: RestHandler, req: ApiRequest, t: Target): Promise<ApiResponse> {
  const rep = negotiate(req.headers.accept, { allowTable: true });
  const opts = selectorOptions(t, req);
  const rv = parseResourceVersion(req.query.get('resourceVersion'));
  const limitText = req.query.get('limit');
  const limit = limitText ? Number(limitText) : 0;
  if (limitText && (!/^\d+$/.test(limitText))) throw badRequest(`limit: Invalid value: "${limitText}"`);
  const cont = req.query.get('continue');
  // A paged list (a limit, or a continue token) is read page by page from a store that
  // pages (etcd), as kube-apiserver reads it from etcd: each page costs its own size, and
  // every page is of the revision the first one saw. resourceVersion=0 lists whole.
  if ((limit > 0 && rv !== 0) || cont) {
    const paged = await listPaged(h, req, t, limit, rv, cont);
    if (paged) return paged;
  }
  // A whole list comes from the watch cache when it can serve one (etcd), as kube-apiserver serves it.
  const cached = await h.watchCache?.list(t.rt, opts, rv || undefined);
  const res = cached ?? (await h.api.list(t.rt, opts));
  const current = Number(res.resourceVersion);
  if (rv !== undefined && rv > current) {
    throw new RestError(504, 'Timeout', `Too large resource version: ${rv}, current: ${current}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
  }
  let items = res.items;
  if (cont) {
    const c = decodeContinue(cont);
    if (c.rv > current) throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    items = items.filter((o) => keyOf(o) > c.start);
  }
  let continueToken: string | undefined;
  let remaining: number | undefined;
  // (The watch cache ignores the limit of a resourceVersion=0 list, as kube-apiserver's does.)
  if (limit > 0 && items.length > limit && !cached) {
    remaining = items.length - limit;
    items = items.slice(0, limit);
    const tok: ContinueToken = { v: 'meta.k8s.io/v1', rv: current, start: keyOf(items[items.length - 1]) };
    continueToken = Buffer.from(JSON.stringify(tok)).toString('base64url');
  }
  if (rep === 'table') {
    return h.encode(200, toTable(items, t.rt.kind, t.rt.group, { crd: await h.crdOf(t), now: h.api.clock.now(), include: includeObject(req), resourceVersion: res.resourceVersion, continueToken }), 'json');
  }
  const metadata: Record<string, unknown> = { resourceVersion: res.resourceVersion };
  if (continueToken) metadata.continue = continueToken;
  if (remaining !== undefined) metadata.remainingItemCount = remaining;
  if (rep === 'partial') {
    return h.encode(200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata, items: items.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata })) }, 'json');
  }
  return h.encode(200, { kind: `${t.rt.kind}List`, apiVersion: t.gv, metadata, items: items.map((o) => h.external(t, o)) }, rep);
}

/** A list page from a store that pages; undefined when the store does not. */
async function listPaged(h: RestHandler, req: ApiRequest, t: Target, limit: number, rv: number | undefined, cont: string | null): Promise<ApiResponse | undefined> {
  if (!h.api.store.listPage) return undefined;
  const rep = negotiate(req.headers.accept, { allowTable: true });
  const opts = selectorOptions(t, req);
  const c = cont ? decodeContinue(cont) : undefined;
  let res;
  try {
    res = await h.api.listPage(t.rt, opts, { limit: limit > 0 ? limit : Number.MAX_SAFE_INTEGER, after: c?.start, rev: c?.rv });
  } catch (e) {
    if (c && isRevisionCompacted(e)) throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    throw e;
  }
  if (!res) return undefined;
  const current = Number(res.resourceVersion);
  if (!c && rv !== undefined && rv > current) {
    throw new RestError(504, 'Timeout', `Too large resource version: ${rv}, current: ${current}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
  }
  const continueToken = res.next !== undefined ? Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: current, start: res.next } satisfies ContinueToken)).toString('base64url') : undefined;
  const items = res.items;
  if (rep === 'table') {
    return h.encode(200, toTable(items, t.rt.kind, t.rt.group, { crd: await h.crdOf(t), now: h.api.clock.now(), include: includeObject(req), resourceVersion: res.resourceVersion, continueToken }), 'json');
  }
  const metadata: Record<string, unknown> = { resourceVersion: res.resourceVersion };
  if (continueToken) metadata.continue = continueToken;
  if (continueToken && res.remaining !== undefined) metadata.remainingItemCount = res.remaining;
  if (rep === 'partial') {
    return h.encode(200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata, items: items.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata })) }, 'json');
  }
  return h.encode(200, { kind: `${t.rt.kind}List`, apiVersion: t.gv, metadata, items: items.map((o) => h.external(t, o)) }, rep);
}
