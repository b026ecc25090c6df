// GET on a collection: label and field selectors as strings, limit/continue pagination,
// resourceVersion semantics, and Table / PartialObjectMetadataList representations.

import { ApiError, type FieldError } from '../errors';
import { int64Query, selectorListOptions } from '../list-options';
import { isRevisionCompacted } from '../../store/store';
import type { ListOptions } from '../server';
import type { KObject } from '../types';
import { listPrefix } from '../keys';
import { includeObject, type RestHandler, type Target } from './handler';
import { negotiate, type Representation } from './negotiate';
import { externalJson, listJson } from './encoded';
import { badRequest, gone, RestError } from './status';
import { toTable } from './table';
import { lowerBound } from '../../util/sorted';
import { goJsonKind, goJsonNumber, goUnmarshalTypeError, parseGoJson } from '../../util/go-format';
import { isJsonNumber } from '../../util/exact-json';
import { posix } from 'node:path';
import type { ApiRequest, ApiResponse } from './types';

/** Compiles ?labelSelector= and ?fieldSelector= into the ApiServer's list filters. */
export function selectorOptions(t: Target, req: ApiRequest): ListOptions {
  return selectorListOptions(t.rt, req.query.get('labelSelector') ?? '', req.query.get('fieldSelector') ?? '', t.namespace);
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

/** The continue token of a page ending at key `start` of the list at revision `rv`. */
function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start } satisfies ContinueToken)).toString('base64url');
}

/**
 * A continue token as kube-apiserver's etcd3 store decodes it (storage.DecodeContinue:
 * base64.RawURLEncoding, encoding/json into {v, rv int64, start}): a bad one is a BadRequest
 * `invalid continue token: continue key is not valid...`; a start key path.Clean changes
 * (`../`) is refused, so no token reaches past the listed prefix.
 */
function decodeContinue(token: string): ContinueToken {
  const invalid = (why: string): never => {
    throw badRequest(`invalid continue token: continue key is not valid${why}`);
  };
  const bad = /[^A-Za-z0-9_-]/.exec(token);
  if (bad) invalid(`: illegal base64 data at input byte ${bad.index}`);
  if (token.length % 4 === 1) invalid(`: illegal base64 data at input byte ${token.length - 1}`);
  const parsed = parseGoJson(Buffer.from(token, 'base64url').toString('utf8'));
  if ('error' in parsed) return invalid(`: ${parsed.error}`);
  const v = parsed.value;
  if (v !== null && (typeof v !== 'object' || Array.isArray(v))) invalid(`: ${goUnmarshalTypeError(goJsonKind(v), 'storage.continueToken')}`);
  // encoding/json matches a member to a field case-insensitively; a null leaves the field as it was.
  const member = (name: string): unknown => {
    const o = (v ?? {}) as Record<string, unknown>;
    const key = name in o ? name : Object.keys(o).reverse().find((k) => k.toLowerCase() === name);
    return key === undefined ? null : o[key];
  };
  const field = (name: 'v' | 'start'): string => {
    const x = member(name);
    if (x !== null && typeof x !== 'string') invalid(`: ${goUnmarshalTypeError(goJsonKind(x), 'string', 'continueToken', name)}`);
    return (x as string | null) ?? '';
  };
  const version = field('v');
  const rvValue = member('rv');
  let rv = 0;
  if (rvValue !== null) {
    const inInt64 = typeof rvValue === 'bigint' || (typeof rvValue === 'number' && Number.isInteger(rvValue) && Math.abs(rvValue) < 2 ** 63);
    if (!inInt64) invalid(`: ${goUnmarshalTypeError(isJsonNumber(rvValue) ? `number ${goJsonNumber(rvValue as number)}` : goJsonKind(rvValue), 'int64', 'continueToken', 'rv')}`);
    rv = Number(rvValue);
  }
  const start = field('start');
  if (version !== 'meta.k8s.io/v1') invalid(`: server does not recognize this encoded version ${version}`);
  if (rv === 0) invalid(': incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (!start) invalid(': encoded start key empty (version meta.k8s.io/v1)');
  const key = start.startsWith('/') ? start : '/' + start;
  if (posix.normalize(key).replace(/(.)\/+$/, '$1') !== key) invalid(`: ${start}`);
  return { v: 'meta.k8s.io/v1', rv, start };
}

/**
 * ValidateListOptions (apimachinery's internalversion validation, WatchList on as in v1.32):
 * resourceVersionMatch, sendInitialEvents and continue together, for a list or a watch.
 * kube-apiserver answers 422 `ListOptions.meta.k8s.io "" is invalid: ...`.
 */
export function validateListOptions(req: ApiRequest, watch: boolean): void {
  const q = req.query;
  const match = q.get('resourceVersionMatch') ?? '';
  const cont = q.get('continue') ?? '';
  const sendInitial = q.get('sendInitialEvents');
  const errs: FieldError[] = [];
  const forbidden = (field: string, detail: string) => errs.push({ field, type: 'Forbidden', detail });
  const unsupported = (supported: string[]) =>
    errs.push({ field: 'resourceVersionMatch', type: 'Unsupported value', value: JSON.stringify(match), detail: `supported values: ${supported.map((v) => JSON.stringify(v)).join(', ')}` });
  if (watch) {
    if (sendInitial !== null && match !== 'NotOlderThan') forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    if (match) {
      if (sendInitial === null) forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
      if (match !== 'NotOlderThan') unsupported(['NotOlderThan']);
      if (cont) forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
    }
  } else {
    if (match) {
      if (!q.get('resourceVersion')) forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided');
      if (cont) forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
      if (match !== 'Exact' && match !== 'NotOlderThan') unsupported(['Exact', 'NotOlderThan', '']);
      if (match === 'Exact' && q.get('resourceVersion') === '0') forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    }
    if (sendInitial !== null) forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list');
  }
  if (errs.length) throw ApiError.invalid('ListOptions', 'meta.k8s.io', '', errs);
}

const tooLarge = (rv: number, current: number) =>
  new RestError(504, 'Timeout', `Too large resource version: ${rv}, current: ${current}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
/** etcd3 store's answer to a list at a revision it compacted away (errors.NewResourceExpired). */
const listExpired = () => gone('The resourceVersion for the provided list is too old.');

/**
 * Whether the store no longer holds the changes after `rev` (etcd compacted them, or the file
 * or memory journal starts after it): a watch from there is 410 Gone.
 */
export async function historyGone(h: RestHandler, rev: number): Promise<boolean> {
  let next;
  try {
    next = await h.api.changesSince(rev);
  } catch (e) {
    if (isRevisionCompacted(e)) return true; // etcd: "mvcc: required revision has been compacted"
    throw e;
  }
  if (!next.length || next[0].rev <= rev + 1) return false;
  // A gap: confirm against the whole feed (revisions are contiguous along the journal).
  const all = await h.api.changesSince(0);
  return !all.length || all[0].rev > rev + 1;
}

export async function listObjects(h: RestHandler, req: ApiRequest, t: Target): Promise<ApiResponse> {
  // The query is decoded (its int64s parsed) before any of it is validated, as kube's ParameterCodec.
  int64Query(req.query, 'timeoutSeconds');
  const limit = int64Query(req.query, 'limit') ?? 0;
  validateListOptions(req, false);
  const rep = negotiate(req.headers.accept, { allowTable: true });
  const opts = selectorOptions(t, req);
  const rvText = req.query.get('resourceVersion');
  const rv = parseResourceVersion(rvText);
  const cont = req.query.get('continue');
  // The token is decoded before the resourceVersion beside it is refused (etcd3 store's GetList).
  if (cont) decodeContinue(cont);
  if (cont && rv) throw badRequest('specifying resource version is not allowed when using continue');
  const match = req.query.get('resourceVersionMatch') ?? '';
  // A list at exactly `rv`: asked for, or (the legacy form) a revision with a limit.
  const exact = rv !== undefined && rv > 0 && (match === 'Exact' || (match === '' && limit > 0));
  if (exact) {
    const current = Number(await h.api.store.currentRev());
    if (rv > current) throw tooLarge(rv, current);
    if (!h.api.store.listPage && rv < current && (await changedSince(h, t, rv))) throw listExpired();
  }
  // A paged list (a limit, a continue token, or a list at an exact revision) is read page by
  // page from a store that pages (etcd), as kube-apiserver reads it from etcd: each page
  // costs its own size, and every page is of the revision the first one saw.
  // resourceVersion=0 lists whole.
  if ((limit > 0 && rv !== 0) || cont || exact) {
    const paged = await listPaged(h, req, t, limit, exact ? rv : undefined, cont);
    if (paged) return paged;
  }
  // A continued list from a store that does not page: the rest of the list its first page
  // was cut from (what etcd would list at the token's revision), without listing again.
  const scope = scopeOf(req, t);
  const kept = cont ? keptList(h, scope, decodeContinue(cont).rv) : undefined;
  // A whole list comes from the watch cache when it can serve one (etcd), as kube-apiserver serves it.
  const fromCache = exact || kept ? undefined : await h.watchCache?.list(t.rt, opts, rv || undefined);
  const cached = fromCache && { ...fromCache, items: await h.api.asRead(t.rt, fromCache.items) };
  // The newest list: the last one read of this collection, while nothing in it changed since.
  const recent = exact || kept || cached || cont || rv !== undefined ? undefined : await recentList(h, t, scope);
  // Shared, frozen objects: this path only reads and encodes them.
  const listed = kept ?? cached ?? recent ?? (await h.api.list(t.rt, { ...opts, shared: true }));
  if (listed !== kept && listed !== cached && listed !== recent) rememberList(h, t, scope, listed);
  // A list at exactly `rv` from a store without past versions: nothing of it changed since (above).
  const res = exact ? { ...listed, resourceVersion: String(rv) } : listed;
  const current = Number(res.resourceVersion);
  if (rv !== undefined && rv > current) throw tooLarge(rv, current);
  let items = res.items;
  let from = 0; // where the page starts in `items`: not sliced off, a page of a kept list copies only itself
  if (cont) {
    const c = decodeContinue(cont);
    if (c.rv > current) throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    from = lowerBound(items.length, (i) => keyOf(items[i]) <= c.start); // items are in key order
  }
  let continueToken: string | undefined;
  let remaining: number | undefined;
  // (The watch cache ignores the limit of a resourceVersion=0 list, as kube-apiserver's does.)
  if (limit > 0 && items.length - from > limit && !cached) {
    // Only an unfiltered list counts what is left, as kube-apiserver's etcd store (a count
    // of the keys after the page would count objects the selectors leave out).
    if (!req.query.get('labelSelector') && !req.query.get('fieldSelector')) remaining = items.length - from - limit;
    items = items.slice(from, from + limit);
    continueToken = encodeContinue(current, keyOf(items[items.length - 1]));
    keepList(h, scope, current, res);
  } else {
    if (from) items = items.slice(from);
    if (kept) forgetList(h, scope, current);
  }
  return listResponse(h, req, t, rep, items, { resourceVersion: res.resourceVersion, continueToken, remaining });
}

/**
 * Lists whose first pages were served with a continue token, by revision and request, while
 * their clients may still ask for the next page: a list of 100,000 pods in pages of 500 is
 * one list, not 200. Dropped after the last page or KEEP_MS without a page; a token whose
 * list is no longer kept lists again (as before).
 */
const keptLists = new WeakMap<RestHandler, Map<string, { list: { items: KObject[]; resourceVersion: string }; expires: number }>>();
const KEEP_MS = 60_000;
const MAX_KEPT = 64;

/**
 * The last list read of each collection (by scope), for the next list of it: when no object
 * under its prefix changed since (the watch cache holds every change, or the store's revision
 * did not move), that list is the list now, and 10,000 pods need not be read again (a file
 * store checks every file). Custom resources are read again: their CRD's schema shapes them.
 * The objects are the store's shared ones; entries go KEEP_MS after their last use.
 */
const recentLists = new WeakMap<RestHandler, Map<string, { rev: number; items: KObject[]; expires: number }>>();
const MAX_RECENT = 16;

async function recentList(h: RestHandler, t: Target, scope: string): Promise<{ items: KObject[]; resourceVersion: string } | undefined> {
  const m = recentLists.get(h);
  const e = m?.get(scope);
  if (!m || !e || t.rt.crd) return undefined;
  const current = Number(await h.api.store.currentRev());
  const same = e.rev === current || (!!h.watchCache && (await h.watchCache.unchangedSince(listPrefix(t.rt, t.namespace), e.rev, current)));
  if (!same || e.expires < Date.now()) {
    m.delete(scope);
    return undefined;
  }
  e.expires = Date.now() + KEEP_MS;
  return { items: e.items, resourceVersion: String(current) };
}

function rememberList(h: RestHandler, t: Target, scope: string, list: { items: KObject[]; resourceVersion: string }): void {
  if (t.rt.crd) return;
  let m = recentLists.get(h);
  if (!m) recentLists.set(h, (m = new Map()));
  const now = Date.now();
  m.delete(scope);
  for (const [k, e] of m) if (e.expires < now || m.size >= MAX_RECENT) m.delete(k); // oldest first
  m.set(scope, { rev: Number(list.resourceVersion), items: list.items, expires: now + KEEP_MS });
  // Gone once expired even if nothing lists again: an idle daemon keeps no old objects alive.
  if (!sweeping.has(m)) {
    sweeping.add(m);
    const sweep = () => {
      const at = Date.now();
      for (const [k, e] of m) if (e.expires < at) m.delete(k);
      if (m.size) setTimeout(sweep, KEEP_MS).unref();
      else sweeping.delete(m);
    };
    setTimeout(sweep, KEEP_MS).unref();
  }
}
const sweeping = new WeakSet<Map<string, unknown>>();

/** What identifies a paged list besides its revision: the collection and its selectors. */
const scopeOf = (req: ApiRequest, t: Target) => [t.gv, t.rt.plural, t.namespace ?? '', req.query.get('labelSelector') ?? '', req.query.get('fieldSelector') ?? ''].join('\n');

function keptList(h: RestHandler, scope: string, rv: number) {
  const e = keptLists.get(h)?.get(`${rv}\n${scope}`);
  if (!e || e.expires < Date.now()) return undefined;
  e.expires = Date.now() + KEEP_MS;
  return e.list;
}

function keepList(h: RestHandler, scope: string, rv: number, list: { items: KObject[]; resourceVersion: string }): void {
  let m = keptLists.get(h);
  if (!m) keptLists.set(h, (m = new Map()));
  const now = Date.now();
  for (const [k, e] of m) if (e.expires < now || m.size >= MAX_KEPT) m.delete(k); // oldest first
  m.set(`${rv}\n${scope}`, { list: { items: list.items, resourceVersion: list.resourceVersion }, expires: now + KEEP_MS });
}

function forgetList(h: RestHandler, scope: string, rv: number): void {
  keptLists.get(h)?.delete(`${rv}\n${scope}`);
}

/**
 * Whether objects of this resource changed after `rv`, or the store's journal no longer
 * reaches back to it. A store without versions of the past (file, memory) can serve a list
 * "at exactly rv" only when nothing of the resource changed since; otherwise it answers as
 * etcd does once compaction took that revision.
 */
async function changedSince(h: RestHandler, t: Target, rv: number): Promise<boolean> {
  if (await historyGone(h, rv)) return true;
  const prefix = listPrefix(t.rt, undefined) + '/';
  return (await h.api.changesSince(rv)).some((c) => c.rev > rv && c.key.startsWith(prefix));
}

/** A list page from a store that pages; undefined when the store does not. `exactRv`: the first page's revision. */
async function listPaged(h: RestHandler, req: ApiRequest, t: Target, limit: number, exactRv: number | undefined, cont: string | null): Promise<ApiResponse | undefined> {
  if (!h.api.store.listPage) return undefined;
  const rep = negotiate(req.headers.accept, { allowTable: true });
  const opts = selectorOptions(t, req);
  const c = cont ? decodeContinue(cont) : undefined;
  let res;
  try {
    // A token's negative revision is the latest (the etcd3 store's resolveGetListRev).
    res = await h.api.listPage(t.rt, opts, { limit: limit > 0 ? limit : Number.MAX_SAFE_INTEGER, after: c?.start, rev: c ? (c.rv > 0 ? c.rv : undefined) : exactRv });
  } catch (e) {
    if (c && isRevisionCompacted(e)) throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    if (isRevisionCompacted(e)) throw listExpired();
    throw e;
  }
  if (!res) return undefined;
  const current = Number(res.resourceVersion);
  const continueToken = res.next !== undefined ? encodeContinue(current, res.next) : undefined;
  const items = res.items;
  const remaining = continueToken ? res.remaining : undefined;
  return listResponse(h, req, t, rep, items, { resourceVersion: res.resourceVersion, continueToken, remaining });
}

/**
 * A list page in the representation asked for: a Table, PartialObjectMetadata, or the list
 * as JSON (each item's text from the cache of encoded objects) or YAML.
 */
async function listResponse(h: RestHandler, req: ApiRequest, t: Target, rep: Representation, items: KObject[], page: { resourceVersion: string; continueToken?: string; remaining?: number }): Promise<ApiResponse> {
  const { resourceVersion, continueToken, remaining } = page;
  if (rep === 'table') {
    return h.encode(200, toTable(items, t.rt.kind, t.rt.group, { crd: await h.crdOf(t), now: h.api.clock.now(), gv: t.gv, include: includeObject(req), resourceVersion, continueToken, remainingItemCount: remaining }), 'json');
  }
  const metadata: Record<string, unknown> = { resourceVersion };
  if (continueToken) metadata.continue = continueToken;
  if (remaining !== undefined) metadata.remainingItemCount = remaining;
  if (rep === 'partial') {
    return h.encode(200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata, items: items.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata })) }, 'json');
  }
  const head = { kind: `${t.rt.kind}List`, apiVersion: t.gv, metadata };
  if (rep !== 'json') return h.encode(200, { ...head, items: items.map((o) => h.external(t, o)) }, rep);
  return { status: 200, headers: { 'content-type': 'application/json' }, body: listJson(head, items.map((o) => externalJson(o, t.gv, t.rt.kind))) + '\n' };
}
