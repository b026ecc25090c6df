// KUBESIM_SEED, read apart from the generators (rng.ts, which loads node:crypto): the start-up
// fast path (src/api/fast-read.ts) asks only whether it is set.

/** KUBESIM_SEED as a 32-bit seed, or undefined when unset. */
export function seedFromEnv(): number | undefined {
  const env = process.env.KUBESIM_SEED;
  return env ? Number(env) >>> 0 : undefined;
}
