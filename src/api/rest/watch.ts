// Watch as an async stream of JSON lines (metav1.WatchEvent): synthetic ADDED events for
// the current state when no resourceVersion is given (or sendInitialEvents), then the
// store's change feed filtered by type, namespace, name and selectors; BOOKMARKs when
// asked for; an ERROR event with 410 Expired when the resourceVersion is older than the
// change feed still holds; a Table per event for as=Table clients.

import { listPrefix } from '../keys';
import { isRevisionCompacted, type WatchEvent } from '../../store/store';
import type { KObject } from '../types';
import { asDecodedFromStorage } from '../crd';
import { includeObject, parseBool, type RestHandler, type Target } from './handler';
import { historyGone, parseResourceVersion, selectorOptions, validateListOptions } from './list';
import { negotiate } from './negotiate';
import { int64Query, watchTimeoutMs } from '../list-options';
import { badRequest, statusObject } from './status';
import { toTable, type IncludeObject } from './table';
import { encodedOnce, externalJson } from './encoded';
import type { ApiRequest, ApiResponse } from './types';
import { stringifyJson } from '../../util/exact-json';
import { sleep } from '../../util/sleep';

const POLL_MS = 100;
/** kube-apiserver's bookmark frequency: a BOOKMARK roughly every minute... */
const BOOKMARK_MS = 60_000;
/** ...and one this long before the watch's timeout, so a client resumes from close to now. */
const BOOKMARK_BEFORE_TIMEOUT_MS = 2_000;


/**
 * A DELETED event's object: the last state, with the deletion's revision as its
 * resourceVersion (as kube sends it). One frozen copy per event, shared by every watcher of
 * the watch cache's event (its text is then encoded once, not once per watcher).
 */
const deletedCopies = new WeakMap<WatchEvent, KObject>();
function deletedAt(ch: WatchEvent): KObject {
  let copy = deletedCopies.get(ch);
  if (!copy) deletedCopies.set(ch, (copy = Object.freeze({ ...ch.object, metadata: Object.freeze({ ...ch.object.metadata, resourceVersion: String(ch.rev) }) })));
  return copy;
}

/**
 * The bytes of one wake-up's chunk. The watchers of a resource woken by one poll are sent the
 * same events, whose texts are the same strings (encodedOnce): the first encodes the chunk to
 * UTF-8 and the others write that Buffer, rather than joining and encoding it each.
 */
let lastParts: string[] = [];
let lastChunk = Buffer.alloc(0);
function sharedChunk(parts: string[]): Buffer {
  if (parts.length === lastParts.length && parts.every((p, i) => p === lastParts[i])) return lastChunk;
  lastParts = parts;
  lastChunk = Buffer.from(parts.join(''));
  return lastChunk;
}

export async function watchObjects(h: RestHandler, req: ApiRequest, t: Target): Promise<ApiResponse> {
  // The query is decoded (its int64s parsed) before any of it is validated, as kube's ParameterCodec.
  const timeoutMs = watchTimeoutMs(req.query);
  int64Query(req.query, 'limit');
  const rep = negotiate(req.headers.accept, { allowTable: true });
  const asTable = rep === 'table';
  const include = asTable ? includeObject(req) : 'Object';
  const opts = selectorOptions(t, req);
  const rv = parseResourceVersion(req.query.get('resourceVersion'));
  const bookmarks = parseBool(req.query.get('allowWatchBookmarks'));
  validateListOptions(req, true);
  const sendInitial = req.query.get('sendInitialEvents');
  const initial = sendInitial === 'true' || (sendInitial === null && (rv === undefined || rv === 0));
  // A custom resource's CRD: its table columns, and its objects as read from storage (ApiServer.asRead).
  const crd = await h.crdOf(t);
  // No name and no selectors: every object under the prefix matches, and an event's type is
  // the store's (a create ADDED, an update MODIFIED: kube's watch cache says the same without
  // selectors), so the watcher keeps no set of the objects it sees and lists nothing to fill it.
  const everything = t.name === undefined && !opts.labelMatch && !opts.fieldMatch && (!opts.namespace || t.rt.namespaced);
  const matches = (o: KObject) =>
    (t.name === undefined || o.metadata.name === t.name) &&
    (!opts.namespace || o.metadata.namespace === opts.namespace) &&
    (!opts.labelMatch || opts.labelMatch(o.metadata.labels ?? {})) &&
    (!opts.fieldMatch || opts.fieldMatch(o));

  const encode = (type: string, stored: KObject, first: boolean): string => {
    const obj = crd ? asDecodedFromStorage(stored, crd) : stored;
    if (asTable && type !== 'BOOKMARK') {
      const table = toTable([obj], t.rt.kind, t.rt.group, { crd, now: h.api.clock.now(), gv: t.gv, include: include as IncludeObject, resourceVersion: obj.metadata.resourceVersion, noColumns: !first });
      return stringifyJson({ type, object: table }) + '\n';
    }
    // A change is sent to every watcher of its resource: encode it once per event and form
    // (the watch cache's objects, and the store's shared ones, never change).
    return encodedOnce(obj, forms[type] ?? `watch ${type} ${t.gv}`, () => `{"type":${JSON.stringify(type)},"object":${externalJson(obj, t.gv, t.rt.kind)}}\n`);
  };
  // The cache's key of each event type's text, made once per watch rather than once per event.
  const forms: Record<string, string> = { ADDED: `watch ADDED ${t.gv}`, MODIFIED: `watch MODIFIED ${t.gv}`, DELETED: `watch DELETED ${t.gv}` };

  async function* events(): AsyncGenerator<string | Buffer> {
    const prefix = listPrefix(t.rt, opts.namespace) + '/';
    let rev: number;
    let first = true;
    // Objects the watcher currently sees: one that stops matching the selectors is DELETED for it.
    const visible = new Set<string>();
    if (initial) {
      // Shared, frozen objects: only read and encoded here.
      const res = await h.api.list(t.rt, { ...opts, shared: true });
      rev = Number(res.resourceVersion);
      for (const o of res.items) {
        if (!matches(o)) continue;
        if (!everything) visible.add(`${o.metadata.namespace ?? ''}/${o.metadata.name}`);
        yield encode('ADDED', o, first);
        first = false;
      }
      if (sendInitial === 'true') {
        yield JSON.stringify({ type: 'BOOKMARK', object: { kind: t.rt.kind, apiVersion: t.gv, metadata: { resourceVersion: String(rev), annotations: { 'k8s.io/initial-events-end': 'true' } } } }) + '\n';
      }
    } else {
      rev = rv!;
      const current = await h.api.store.currentRev();
      const expired = h.watchCache ? !(await h.watchCache.since(rev)) : rev < current && (await historyGone(h, rev));
      if (expired) {
        yield JSON.stringify({ type: 'ERROR', object: statusObject(410, 'Expired', `too old resource version: ${rev} (${current})`) }) + '\n';
        return;
      }
      if (!everything) {
        // Objects that match now were visible before (best effort for selector transitions).
        const res = await h.api.list(t.rt, { ...opts, shared: true });
        for (const o of res.items) if (matches(o)) visible.add(`${o.metadata.namespace ?? ''}/${o.metadata.name}`);
      }
    }
    const started = Date.now();
    // When the next BOOKMARK is due (kube-apiserver's cacheWatcher.nextBookmarkTime).
    const nextBookmark = (now: number): number => {
      const due = now + BOOKMARK_MS;
      if (!timeoutMs) return due;
      const beforeTimeout = started + timeoutMs - BOOKMARK_BEFORE_TIMEOUT_MS;
      if (beforeTimeout < due) return beforeTimeout > now ? beforeTimeout : Infinity;
      return due;
    };
    let bookmarkAt = nextBookmark(started);
    const sleeper = h.watchCache?.sleeper(req.signal);
    try {
      yield* follow();
    } finally {
      sleeper?.close();
    }

    async function* follow(): AsyncGenerator<string | Buffer> {
      while (!req.signal?.aborted) {
        if (timeoutMs && Date.now() - started >= timeoutMs) return;
        let changes;
        let upTo = rev;
        if (h.watchCache) {
          const got = await h.watchCache.since(rev);
          if (!got) {
            yield JSON.stringify({ type: 'ERROR', object: statusObject(410, 'Expired', `too old resource version: ${rev} (${await h.api.store.currentRev()})`) }) + '\n';
            return;
          }
          changes = got.events;
          upTo = got.upTo;
        } else {
          try {
            changes = await h.api.changesSince(rev);
          } catch (e) {
            if (!isRevisionCompacted(e)) throw e;
            yield JSON.stringify({ type: 'ERROR', object: statusObject(410, 'Expired', `too old resource version: ${rev} (${await h.api.store.currentRev()})`) }) + '\n';
            return;
          }
        }
        // One chunk for what this wake-up found (one write to the socket, not one per event).
        const out: string[] = [];
        for (const ch of changes) {
          if (ch.rev <= rev) continue;
          rev = ch.rev;
          if (!ch.key.startsWith(prefix)) continue;
          const o = ch.object;
          if (!o?.metadata || o.kind !== t.rt.kind) continue;
          if (everything) {
            out.push(encode(ch.type, ch.type === 'DELETED' ? deletedAt(ch) : o, first));
            first = false;
            continue;
          }
          const id = `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
          const now = matches(o);
          if (ch.type === 'DELETED') {
            if (!now && !visible.has(id)) continue;
            visible.delete(id);
            out.push(encode('DELETED', deletedAt(ch), first));
          } else if (now) {
            // A create is ADDED even when the object was already there when the watch began.
            const type = ch.type !== 'ADDED' && visible.has(id) ? 'MODIFIED' : 'ADDED';
            visible.add(id);
            out.push(encode(type, o, first));
          } else if (visible.has(id)) {
            visible.delete(id);
            out.push(encode('DELETED', o, first));
          } else continue;
          first = false;
        }
        if (out.length) yield asTable ? out.join('') : sharedChunk(out);
        rev = Math.max(rev, upTo);
        // The revision every change up to which this watcher has been sent: the watch cache's
        // watermark, which follows the store (etcd's own revision, past writes of other kinds).
        if (bookmarks && Date.now() >= bookmarkAt) {
          bookmarkAt = nextBookmark(Date.now());
          yield JSON.stringify({ type: 'BOOKMARK', object: { kind: t.rt.kind, apiVersion: t.gv, metadata: { resourceVersion: String(rev) } } }) + '\n';
        }
        const until = Math.min(1000, Math.max(0, (bookmarks ? bookmarkAt : Infinity) - Date.now()), timeoutMs ? Math.max(0, started + timeoutMs - Date.now()) : Infinity);
        if (sleeper) await sleeper.wait(until, upTo);
        else await sleep(Math.min(POLL_MS, until), req.signal);
      }
    }
  }

  return { status: 200, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, stream: events() };
}
