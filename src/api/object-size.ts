// What etcd lets kube-apiserver store. etcd refuses a request past --max-request-bytes
// (1.5 MiB by default: kind, minikube and kubeadm clusters keep it) with
// `etcdserver: request is too large`; past 2 MiB the apiserver's etcd client (clientv3's
// default MaxCallSendMsgSize) refuses to send it at all. Neither is an API status, so
// kube-apiserver answers 500 with no reason (responsewriters.ErrorToAPIStatus) and kubectl
// prints `Error from server: <message>`. kubesim's stores have no such limit: the API server
// applies it before every store driver's create and update (server.ts).
//
// The size is the object's JSON and its key (plus etcd's Txn framing), not the protobuf kube
// stores a built-in kind as: for the objects that reach it (a ConfigMap or Secret holding a
// file) the two differ by a few bytes per field.

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

/** Throws the error kube-apiserver answers when etcd would not store `obj` at `key`. */
export function checkStorable(key: string, obj: KObject): void {
  // Nearly every object is far below the limit: its bound says so without serialising it.
  if (jsonBytesAtMost(obj, ETCD_MAX_REQUEST_BYTES) + 3 * 6 * key.length + TXN_OVERHEAD <= ETCD_MAX_REQUEST_BYTES) return;
  const size = Buffer.byteLength(stringifyJson(obj)) + 3 * Buffer.byteLength(key) + TXN_OVERHEAD;
  if (size > CLIENT_MAX_SEND_BYTES) {
    throw new ApiError('', `rpc error: code = ResourceExhausted desc = trying to send message larger than max (${size} vs. ${CLIENT_MAX_SEND_BYTES})`);
  }
  if (size > ETCD_MAX_REQUEST_BYTES) throw new ApiError('', 'etcdserver: request is too large');
}
