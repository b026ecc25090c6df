// The API server stores a built-in object's Quantities as kube-apiserver does: it decodes every
// resource.Quantity field into a Quantity and encodes it again (Quantity.MarshalJSON), so
// `cpu: 1000m` is stored and read back as "1", `memory: 1000` (a number) as "1k". Where each
// kind holds a Quantity comes from its generated schema (generated/quantities.json, written
// by scripts/gen-schemas.mjs from the OpenAPI Quantity refs). Custom resources are stored as
// written, as kube's are.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { goParseQuantity, noteWritten, quantityJson } from './quantity';
import { ApiError } from './errors';
import { generatedDir, rootKey } from './validation/schema-store';
import { splitApiVersion, type ResourceType } from './resources';
import type { KObject } from './types';

/** A member's name (`*`: every item of an array or value of a map) to what is below it; 1: a Quantity. */
type Trie = { [member: string]: Trie | 1 };

let tries: Record<string, Trie> | undefined;

function trieOf(key: string): Trie | undefined {
  if (!tries) {
    const dir = generatedDir();
    if (!dir) throw new Error('the generated schemas are missing: run "node scripts/gen-schemas.mjs" (or the build)');
    tries = JSON.parse(readFileSync(join(dir, 'quantities.json'), 'utf8')) as Record<string, Trie>;
  }
  return Object.prototype.hasOwnProperty.call(tries, key) ? tries[key] : undefined;
}

/** Where a Quantity's UnmarshalJSON fails, the decoder's error: kube refuses the body (400) before validation. */
function undecodable(raw: string, obj: KObject, rt: ResourceType): ApiError {
  const parsed = goParseQuantity(raw.trim());
  const message = 'error' in parsed ? parsed.error : '';
  const version = splitApiVersion(String(obj.apiVersion)).version;
  return ApiError.badRequest(`${rt.kind} in version "${version}" cannot be handled as a ${rt.kind}: ${message}`);
}

function canonicalize(node: unknown, trie: Trie, fail: (raw: string) => ApiError): void {
  if (node === null || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  for (const member of Object.keys(trie)) {
    const below = trie[member];
    const keys = member !== '*' ? (Object.prototype.hasOwnProperty.call(o, member) ? [member] : []) : Array.isArray(o) ? o.keys() : Object.keys(o);
    for (const k of keys as Iterable<string | number>) {
      const v = o[k as string];
      if (below !== 1) canonicalize(v, below, fail);
      else {
        const text = quantityJson(v);
        // Any number is a quantity; other types (and null, a zero Quantity) were the schema decoder's to judge.
        if (text === undefined && typeof v === 'string') throw fail(v);
        if (text === undefined || text === v) continue;
        if (!Array.isArray(o)) noteWritten(o, k as string, v);
        o[k as string] = text;
      }
    }
  }
}

/**
 * Rewrites, in place, every Quantity of a built-in object (only its status: `part`) as the
 * API server encodes it; throws the decoder's BadRequest for a text ParseQuantity refuses.
 * `obj` must be the write's own copy (its status, for a status write).
 */
export function canonicalQuantities(obj: KObject, rt: ResourceType, part?: 'status'): void {
  if (rt.crd || typeof obj.apiVersion !== 'string') return;
  const trie = trieOf(rootKey(rt.group, splitApiVersion(obj.apiVersion).version, rt.kind));
  if (!trie) return;
  const fail = (raw: string) => undecodable(raw, obj, rt);
  if (part !== 'status') return canonicalize(obj, trie, fail);
  if (typeof trie.status === 'object') canonicalize(obj.status, trie.status, fail);
}
