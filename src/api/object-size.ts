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

/** Throws the error kube-apiserver answers when etcd would not store `obj` at `key`. */
export function checkStorable(key: string, obj: KObject): void {
  const size = Buffer.byteLength(stringifyJson(obj)) + 3 * Buffer.byteLength(key) + TXN_OVERHEAD;
  if (size > CLIENT_MAX_SEND_BYTES) {
    throw new ApiError('', `rpc error: code = ResourceExhausted desc = trying to send message larger than max (${size} vs. ${CLIENT_MAX_SEND_BYTES})`);
  }
  if (size > ETCD_MAX_REQUEST_BYTES) throw new ApiError('', 'etcdserver: request is too large');
}
