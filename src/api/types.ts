// Generic object shapes shared by every layer. Objects are plain JSON: the API layer
// works on unstructured data (like client-go's unstructured.Unstructured), while typed
// views come from the `kubernetes-types` package where a module wants them.

import { cloneJson } from '../store/clone';
import { stringifyJson } from '../util/exact-json';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [key: string]: unknown;
}

/** Any Kubernetes object: apiVersion, kind, metadata and free-form fields. */
export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: any;
}

/** namespace + name, the key a reconciler or a store lookup works with. */
export interface ObjectKey {
  namespace?: string;
  name: string;
}

export function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep copy of JSON data (objects read from the store are never mutated in place), with
 * JSON's semantics (undefined members dropped, toJSON honoured); an exact int64 (a bigint:
 * util/exact-json.ts) stays one.
 */
export function deepCopy<T>(v: T): T {
  return cloneJson(v);
}

/** JSON.stringify of a value, which may hold exact int64s (bigints: their digits, as Go's encoding/json writes an int64). */
export function jsonText(v: unknown): string {
  return stringifyJson(v);
}
