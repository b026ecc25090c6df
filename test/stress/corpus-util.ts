// Shared by the stress tests: the corpus of real manifests, a seeded rng, and the CLI to run.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export { CORPUS } from '../corpus';
import { CORPUS } from '../corpus';
/** The CLI under test; KUBESIM_STRESS_BIN points elsewhere (e.g. a private build). */
export const BIN = process.env.KUBESIM_STRESS_BIN ?? join(ROOT, 'bin', 'kubesim');

/** Manifest files of the corpus (sorted, so a seed always means the same inputs). */
export function corpusFiles(dir = CORPUS): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (/\.(ya?ml|json)$/.test(n)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export function readCorpus(files: string[]): { file: string; text: string }[] {
  return files.map((file) => ({ file, text: readFileSync(file, 'utf8').replace(/^\ufeff/, '') }));
}

/** mulberry32: small, seedable, good enough to pick mutations. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

/** The seed of a run: KUBESIM_STRESS_SEED to replay one, otherwise fixed per test. */
export function seedOf(fallback: number): number {
  const s = Number(process.env.KUBESIM_STRESS_SEED);
  return Number.isFinite(s) && s > 0 ? s : fallback;
}
