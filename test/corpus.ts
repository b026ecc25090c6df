// Where the shared corpus of real-world manifests lives: `../shared/corpus` next to the clone,
// or wherever KUBESIM_CORPUS points (bench/run.mjs follows the same rule). Tests that read it
// fail when it is missing: a missing corpus must not turn into a silent pass.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
export const CORPUS = process.env.KUBESIM_CORPUS ? resolve(process.env.KUBESIM_CORPUS) : join(ROOT, '..', 'shared', 'corpus');

/** Fails the calling test unless the corpus (or `sub` inside it) is present; returns its path. */
export function requireCorpus(sub = ''): string {
  const dir = join(CORPUS, sub);
  assert.ok(existsSync(dir), `this test reads the shared corpus, which is not at ${dir} (put it at ../shared/corpus next to the clone or set KUBESIM_CORPUS)`);
  return dir;
}
