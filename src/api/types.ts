// Generic object shapes shared by every layer. Objects are plain JSON: the API layer
// works on unstructured data (like client-go's unstructured.Unstructured), while typed
// views come from the `kubernetes-types` package where a module wants them.

import { apiCopy, cloneJson } from '../store/clone';
import { goJson } from '../util/go-format';

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
 * JSON's semantics (undefined members dropped, toJSON honoured), except that an exact int64
 * (a bigint read from a manifest: manifest/yaml-compat.ts exactInt) stays one.
 */
export function deepCopy<T>(v: T): T {
  if (v === undefined) return v;
  return hasBigInt(v) ? (JSON.parse(JSON.stringify(v, bigintOut), bigintIn) as T) : cloneJson(v);
}

// A bigint crosses JSON.stringify/parse as a tagged string (no string a manifest holds starts with NUL).
const BIGINT_TAG = '\u0000bigint:';
const bigintOut = (_: string, v: unknown) => (typeof v === 'bigint' ? BIGINT_TAG + v.toString() : v);
const bigintIn = (_: string, v: unknown) => (typeof v === 'string' && v.startsWith(BIGINT_TAG) ? BigInt(v.slice(BIGINT_TAG.length)) : v);

/** Whether a JSON value holds an exact int64 (a bigint) anywhere. */
export function hasBigInt(v: unknown): boolean {
  if (typeof v === 'bigint') return true;
  if (v === null || typeof v !== 'object') return false;
  for (const k in v) if (hasBigInt((v as Record<string, unknown>)[k])) return true;
  return false;
}

/** JSON.stringify of a value, which may hold exact int64s (bigints: their digits, as Go's encoding/json writes an int64). */
export function jsonText(v: unknown): string {
  return hasBigInt(v) ? goJson(v, '', false) : JSON.stringify(v);
}

/**
 * What the API layer stores of a value: exact int64s (bigints) become JSON numbers (float64,
 * as JSON.parse reads a REST body), since the stores and the server's decoding carry only
 * those. Returns `v` itself when it holds no bigint.
 */
export function apiNumbers<T>(v: T): T {
  return hasBigInt(v) ? apiCopy(v) : v;
}
