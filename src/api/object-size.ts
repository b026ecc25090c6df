// What etcd lets kube-apiserver store. etcd refuses a request past --max-request-bytes
// (1.5 MiB by default: kind, minikube and kubeadm clusters keep it) with
// `etcdserver: request is too large`; past 2 MiB the apiserver's etcd client (clientv3's
// default MaxCallSendMsgSize) refuses to send it at all. Neither is an API status, so
// kube-apiserver answers 500 with no reason (responsewriters.ErrorToAPIStatus) and kubectl
// prints `Error from server: <message>`. kubesim's stores have no such limit: the API server
// applies it before every store driver's create and update (server.ts).
//
// The size is the object as etcd holds it and its key (plus etcd's Txn framing). A custom
// resource is stored as encoding/json writes it: `<`, `>`, `&`, U+2028/9 and control bytes
// escaped. A built-in kind is stored as protobuf: its strings as their UTF-8 bytes, nothing
// escaped (a ConfigMap of 1 MiB of `"` is 1 MiB, not JSON's 2), sized here as its JSON
// structure around unescaped strings: the two differ by a few bytes per field.

import { ApiError } from './errors';
import { stringifyJson } from '../util/exact-json';
import type { KObject } from './types';

/** etcd's default --max-request-bytes. */
export const ETCD_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
/** clientv3's default MaxCallSendMsgSize (kube-apiserver sets none). */
const CLIENT_MAX_SEND_BYTES = 2 * 1024 * 1024;
/** A Txn's framing around its key (compared, put, read back on failure) and value. */
const TXN_OVERHEAD = 32;

/**
 * An upper bound of `JSON.stringify(v)`'s UTF-8 bytes, without making the text (a sixth of
 * its cost on a pod): a UTF-16 unit is at most 6 bytes (`\u001f`, a lone surrogate's
 * escape), a number, boolean or null at most 24. Stops once past `limit`.
 */
function jsonBytesAtMost(v: unknown, limit: number): number {
  if (typeof v === 'string') return 6 * v.length + 2;
  if (v === null || typeof v !== 'object') return 24;
  let n = 2;
  if (Array.isArray(v)) {
    for (const x of v) if ((n += jsonBytesAtMost(x, limit) + 1) > limit) return n;
    return n;
  }
  for (const k in v) if ((n += 6 * k.length + 4 + jsonBytesAtMost((v as Record<string, unknown>)[k], limit)) > limit) return n;
  return n;
}

/**
 * The bytes of `v` as protobuf holds it, about: JSON's structure (protobuf has about as many
 * bytes of framing) around its strings' UTF-8 bytes, nothing escaped.
 */
function unescapedBytes(v: unknown): number {
  if (typeof v === 'string') return 2 + Buffer.byteLength(v);
  if (typeof v === 'bigint') return String(v).length;
  if (v === null || typeof v !== 'object') return v === undefined ? 4 : String(JSON.stringify(v)).length;
  let n = 1;
  if (Array.isArray(v)) {
    for (const x of v) n += unescapedBytes(x) + 1;
    return Math.max(n, 2);
  }
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined || typeof x === 'function') continue;
    n += unescapedBytes(k) + 2 + unescapedBytes(x);
  }
  return Math.max(n, 2);
}

/** What encoding/json adds to JSON.stringify's `text`: `<`, `>`, `&` as \u003c (6 bytes for 1), U+2028/9 as \u2028 (6 for 3). */
function goJsonExtraBytes(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3c || c === 0x3e || c === 0x26) n += 5;
    else if (c === 0x2028 || c === 0x2029) n += 3;
  }
  return n;
}

/** The bytes etcd would hold for `obj`: encoding/json's text for a custom resource (`json`), else its protobuf's. */
function storedBytes(obj: KObject, json: boolean): number {
  const text = stringifyJson(obj);
  // (Those characters stand only inside strings.)
  if (json) return Buffer.byteLength(text) + goJsonExtraBytes(text);
  // Protobuf escapes nothing: without a backslash the text has no escape to take off.
  return text.includes('\\') ? unescapedBytes(obj) : Buffer.byteLength(text);
}

/**
 * Throws the error kube-apiserver answers when etcd would not store `obj` at `key`. `json`:
 * the object is a custom resource (stored as JSON), else a built-in kind (protobuf).
 */
export function checkStorable(key: string, obj: KObject, json = false): void {
  // Nearly every object is far below the limit: its bound says so without serialising it.
  if (jsonBytesAtMost(obj, ETCD_MAX_REQUEST_BYTES) + 3 * 6 * key.length + TXN_OVERHEAD <= ETCD_MAX_REQUEST_BYTES) return;
  const size = storedBytes(obj, json) + 3 * Buffer.byteLength(key) + TXN_OVERHEAD;
  if (size > CLIENT_MAX_SEND_BYTES) {
    throw new ApiError('', `rpc error: code = ResourceExhausted desc = trying to send message larger than max (${size} vs. ${CLIENT_MAX_SEND_BYTES})`);
  }
  if (size > ETCD_MAX_REQUEST_BYTES) throw new ApiError('', 'etcdserver: request is too large');
}
