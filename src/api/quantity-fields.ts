// The API server stores a built-in object's Quantities as kube-apiserver does: it decodes every
// resource.Quantity field into a Quantity and encodes it again (Quantity.MarshalJSON), so
// `cpu: 1000m` is stored and read back as "1", `memory: 1000` (a number) as "1k". Where each
// kind holds a Quantity comes from its generated schema (generated/quantities.json, written
// by scripts/gen-schemas.mjs from the OpenAPI Quantity refs). Custom resources are stored as
// written, as kube's are. A read decodes too: an object an older kubesim stored as written (or
// one written straight into the store) is made canonical as the store parses it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { goParseQuantity, noteWritten, quantityJson, QUANTITY_FORMAT_ERROR } from './quantity';
import { ApiError } from './errors';
import { generatedDir, rootKey } from './validation/schema-store';
import { splitApiVersion, type ResourceType } from './resources';
import type { KObject } from './types';
import { setStoredObjectDecoder } from '../store/stored-decoder';

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

/** Quantity.UnmarshalJSON's error for a value that is no quantity (a string ParseQuantity refuses, a bool, an object). */
class NoQuantity extends Error {}

function errorOf(text: string): string {
  const parsed = goParseQuantity(text.trim());
  return 'error' in parsed ? parsed.error : QUANTITY_FORMAT_ERROR;
}

/** quantityJson of strings, remembered: the few texts every pod repeats (`500m`, `1Gi`) are parsed once. */
const stringJsons = new Map<string, string | null>();

function stringJson(v: string): string | undefined {
  let text = stringJsons.get(v);
  if (text === undefined) {
    if (stringJsons.size >= 10_000) stringJsons.clear(); // a bound: request texts are not bounded
    stringJsons.set(v, (text = quantityJson(v) ?? null));
  }
  return text ?? undefined;
}

/** Rewrites `node`'s quantities canonical; with `write` false only says whether any would change. */
function canonicalize(node: unknown, trie: Trie, write = true): boolean {
  if (node === null || typeof node !== 'object') return false;
  const o = node as Record<string, unknown>;
  let changed = false;
  for (const member of Object.keys(trie)) {
    const below = trie[member];
    const keys = member !== '*' ? (Object.prototype.hasOwnProperty.call(o, member) ? [member] : []) : Array.isArray(o) ? o.keys() : Object.keys(o);
    for (const k of keys as Iterable<string | number>) {
      const v = o[k as string];
      if (below !== 1) changed = canonicalize(v, below, write) || changed;
      else {
        if (v === null || v === undefined) continue;
        const text = typeof v === 'string' ? stringJson(v) : quantityJson(v);
        // Quantity.UnmarshalJSON's error stops the decoder: kube-apiserver answers 400 before any other check.
        if (text === undefined) throw new NoQuantity(typeof v === 'string' ? errorOf(v) : QUANTITY_FORMAT_ERROR);
        if (text === v) continue;
        changed = true;
        if (!write) continue;
        if (!Array.isArray(o)) noteWritten(o, k as string, v);
        o[k as string] = text;
      }
      if (changed && !write) return true;
    }
  }
  return changed;
}

/**
 * Rewrites, in place, every Quantity of a built-in object (only its status: `part`) as the
 * API server encodes it. `obj` must be the write's own copy (its status, for a status write).
 */
export function canonicalQuantities(obj: KObject, rt: ResourceType, part?: 'status', undecodable?: (message: string) => ApiError): void {
  if (rt.crd || typeof obj.apiVersion !== 'string') return;
  const version = splitApiVersion(obj.apiVersion).version;
  const trie = trieOf(rootKey(rt.group, version, rt.kind));
  if (!trie) return;
  try {
    if (part !== 'status') canonicalize(obj, trie);
    else if (typeof trie.status === 'object') canonicalize(obj.status, trie.status);
  } catch (e) {
    // transformDecodeError: the body's kind and version, the decoder's error as it was (a
    // patch's: `undecodable`, its patcher's error).
    if (e instanceof NoQuantity) throw undecodable ? undecodable(e.message) : ApiError.badRequest(`${rt.kind} in version "${version}" cannot be handled as a ${rt.kind}: ${e.message}`);
    throw e;
  }
}

/**
 * A pod template as kube-apiserver would serve it: its Quantities canonical. An object stored
 * by a kubesim that kept quantities as written (before session 40) holds `1000m` where kube's
 * decode on read gives "1"; controllers compare templates through this, as kube's compare
 * decoded ones. The same object when nothing changes; a value that is no quantity stays.
 */
export function canonicalPodTemplate<T>(template: T): T {
  const trie = (trieOf('apps/v1/Deployment') as any)?.spec?.template as Trie | undefined;
  if (!trie || template === null || typeof template !== 'object') return template;
  try {
    // (a look first: a template stored canonical, every one since session 40, is not copied)
    if (!canonicalize(template, trie, false)) return template;
    const copy = structuredClone(template);
    canonicalize(copy, trie);
    return copy;
  } catch (e) {
    if (!(e instanceof NoQuantity)) throw e;
    return template;
  }
}

/** A trie as the read walks it: named members as pairs, `*` apart (no key lists made per object). */
interface ReadTrie {
  named: [string, ReadTrie | 1][];
  star?: ReadTrie | 1;
}

const readTries = new Map<string, ReadTrie | null>();

function readTrie(t: Trie): ReadTrie {
  const out: ReadTrie = { named: [] };
  for (const [m, below] of Object.entries(t)) {
    const b = below === 1 ? 1 : readTrie(below);
    if (m === '*') out.star = b;
    else out.named.push([m, b]);
  }
  return out;
}

/** canonicalize for a read: values that are no quantity stay, nothing is noted. */
function canonicalizeRead(node: unknown, t: ReadTrie): void {
  if (node === null || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  for (const [m, below] of t.named) if (Object.prototype.hasOwnProperty.call(o, m)) canonicalMember(o, m, below);
  if (t.star === undefined) return;
  if (Array.isArray(node)) for (let i = 0; i < node.length; i++) canonicalMember(node as unknown as Record<number, unknown>, i, t.star);
  else for (const k of Object.keys(o)) canonicalMember(o, k, t.star);
}

function canonicalMember(o: Record<string | number, unknown>, k: string | number, below: ReadTrie | 1): void {
  const v = o[k];
  if (below !== 1) return canonicalizeRead(v, below);
  if (v === null || v === undefined) return;
  const text = typeof v === 'string' ? stringJson(v) : quantityJson(v);
  if (text !== undefined && text !== v) o[k] = text;
}

/**
 * A stored built-in object as kube-apiserver reads it (decoded, encoded again): its
 * Quantities canonical, in place. What the store calls on each object it parses
 * (src/store/stored-decoder.ts), so it costs one walk of the kind's Quantity fields per parse,
 * none per read. A value that is no quantity stays as stored; a kind without Quantities
 * (a custom resource too) is one lookup.
 */
export function canonicalStoredQuantities(obj: KObject): void {
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return;
  const key = `${apiVersion}/${kind}`; // rootKey's form
  let trie = readTries.get(key);
  if (trie === undefined) {
    if (readTries.size >= 1_000) readTries.clear(); // kinds of custom resources are not bounded
    const t = trieOf(key);
    readTries.set(key, (trie = t ? readTrie(t) : null));
  }
  if (trie) canonicalizeRead(obj, trie);
}

setStoredObjectDecoder(canonicalStoredQuantities);
