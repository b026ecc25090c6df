// The seeded streams are part of what a seed replays (uids, generated names, the scheduler's
// tie-breaks): their draws are pinned here, as the first implementation gave them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultRng, seededRng, uuid } from '../../src/sim/rng';

function draws(rng: () => number, at: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const last = Math.max(...at);
  for (let i = 0; i <= last; i++) {
    const x = rng();
    if (at.includes(i)) out.push([i, x]);
  }
  return out;
}

const AT = [0, 25000, 50000, 75000, 99999];

test('seededRng (mulberry32) draws what it always drew, a seed past 2^31 included', () => {
  assert.deepEqual(draws(seededRng(3000000000), AT), [[0, 0.7568875285796821], [25000, 0.7817533167544752], [50000, 0.15986601426266134], [75000, 0.48770249052904546], [99999, 0.5035703813191503]]);
  assert.equal(uuid(seededRng(42)), '97da2849-d73e-4438-a907-d090402c802d');
});

test('a salted KUBESIM_SEED stream (sfc32) draws what it always drew', () => {
  const saved = process.env.KUBESIM_SEED;
  process.env.KUBESIM_SEED = '42';
  try {
    assert.deepEqual(draws(defaultRng(0x5bd1e995), AT), [[0, 0.9379405677318573], [25000, 0.24954201583750546], [50000, 0.23494468070566654], [75000, 0.4270930925849825], [99999, 0.7728526471182704]]);
  } finally {
    if (saved === undefined) delete process.env.KUBESIM_SEED;
    else process.env.KUBESIM_SEED = saved;
  }
});
