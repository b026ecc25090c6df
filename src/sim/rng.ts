// Randomness for the simulation: generated name suffixes, hashes, jitter. Seedable
// (KUBESIM_SEED) so that scenario tests can be reproduced exactly.

import { createHash, randomBytes } from 'node:crypto';
import { seedFromEnv } from './seed';

export { seedFromEnv };

export type Rng = () => number; // uniform in [0, 1)

/** mulberry32: small, fast, good enough for simulation choices. */
export function seededRng(seed: number): Rng {
  // The state in a typed array: a uint32 past 2^30 kept in a closure variable is a new heap
  // number at every draw (the scheduler draws once per tied node, hundreds per pod).
  const s = new Uint32Array(1);
  s[0] = seed >>> 0;
  return () => {
    const a = (s[0] = (s[0] + 0x6d2b79f5) >>> 0);
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The process's randomness: random, or under KUBESIM_SEED a stream derived from the seed and
 * `salt`. Callers salt with where the cluster stands (its revision, and who they are: CLI or
 * daemon), so a scenario replays exactly while two processes never draw the same stream (the
 * same UIDs and generated names) from one seed.
 */
export function defaultRng(salt = 0): Rng {
  const env = seedFromEnv();
  if (env === undefined) {
    // Seeded on the first draw: loading node:crypto was ~5 % of the start-up of a command
    // that never draws (`get`, `describe`).
    let rng: Rng | undefined;
    return () => (rng ??= seededRng(randomBytes(4).readUInt32LE(0)))();
  }
  return salt ? streamRng(`${env}:${salt}`) : seededRng(env);
}

/**
 * sfc32 keyed by 128 bits of SHA-256 of `key`: streams of different keys do not overlap in
 * practice (mulberry32's 32-bit state put every stream on one 2^32 cycle: two processes
 * could replay each other's draws, and so each other's UIDs).
 */
function streamRng(key: string): Rng {
  const d = createHash('sha256').update(key).digest();
  // a, b, c, n in a typed array, as seededRng's state (no heap number per draw).
  const s = Uint32Array.of(d.readUInt32LE(0), d.readUInt32LE(4), d.readUInt32LE(8), d.readUInt32LE(12));
  // Stores wrap modulo 2^32, as the `>>> 0` of each step did.
  return () => {
    const b = s[1];
    const c = s[2];
    const t = (((s[0] + b) >>> 0) + s[3]) >>> 0;
    s[3] = s[3] + 1;
    s[0] = b ^ (b >>> 9);
    s[1] = c + (c << 3);
    s[2] = (((c << 21) | (c >>> 11)) >>> 0) + t;
    return t / 4294967296;
  };
}

/** Salts for defaultRng: the daemon draws apart from CLI processes at the same revision. */
export const RNG_SALT_DAEMON = 0x5bd1e995;

// The alphabet of k8s.io/apimachinery/pkg/util/rand: no vowels, no confusable characters.
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** A 5-character generateName suffix, as the API server appends it. */
export function randomSuffix(rng: Rng, n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUMS[Math.floor(rng() * ALPHANUMS.length)];
  return s;
}

/** Maps a 32-bit hash onto the same alphabet (pod-template-hash, like SafeEncodeString). */
export function safeEncode(n: number): string {
  const digits = String(n >>> 0);
  let out = '';
  for (const ch of digits) out += ALPHANUMS[ch.charCodeAt(0) % ALPHANUMS.length];
  return out;
}

/** A random UUID v4 drawn from the rng (so uids are reproducible under a seed). */
export function uuid(rng: Rng): string {
  // 32 draws, one per hex digit (the same draws as ever: uids stay what a seed gave).
  // Made from char codes in one go: 36 `+=` made a chain of string pieces that every Map
  // keyed by uid had to flatten (copy) before it could hash it.
  const codes = UUID_CODES;
  let at = 0;
  for (let i = 0; i < 32; i++) {
    let d = Math.floor(rng() * 16);
    if (i === 12) d = 4;
    else if (i === 16) d = (d & 0x3) | 0x8;
    if (i === 8 || i === 12 || i === 16 || i === 20) codes[at++] = 45; // '-'
    codes[at++] = HEX.charCodeAt(d);
  }
  return String.fromCharCode.apply(null, codes);
}
const UUID_CODES: number[] = new Array(36).fill(0);
const HEX = '0123456789abcdef';

/** 64 hex digits standing for a seed (container IDs, image digests): stable, and no visible pattern. */
export function hex64(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

/** FNV-1a 32-bit: stable hashes of pod templates. */
export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
