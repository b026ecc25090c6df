// `config` against the real kubectl 1.32, scenario by scenario (kubeconfig-scenarios.ts):
// every step and the files left behind must be the same bytes.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { haveKubectl } from './differential';
import { SCENARIOS, runScenario } from './kubeconfig-scenarios';

const cacheHome = process.env.KUBESIM_TEST_CACHE_HOME ?? mkdtempSync(join(tmpdir(), 'kubesim-kcfid-cache-'));
if (!process.env.KUBESIM_TEST_CACHE_HOME) process.on('exit', () => rmSync(cacheHome, { recursive: true, force: true }));

test('the real kubectl (the oracle) is installed', () => {
  assert.ok(haveKubectl(), 'the real kubectl (/usr/bin/kubectl, v1.32) is the oracle of this test and must be installed');
});

// One test, two scenarios at a time (each step starts a process; the machine has two cores).
test('config, as kubectl 1.32, in every scenario', { timeout: 300_000 }, async () => {
  const results: Array<{ k: string[]; m: string[] }> = new Array(SCENARIOS.length);
  let next = 0;
  const worker = async () => {
    while (next < SCENARIOS.length) {
      const i = next++;
      const [k, m] = await Promise.all([runScenario(SCENARIOS[i], 'kubectl', cacheHome), runScenario(SCENARIOS[i], 'kubesim', cacheHome)]);
      results[i] = { k, m };
    }
  };
  await Promise.all([worker(), worker()]);
  SCENARIOS.forEach((s, i) => {
    const { k, m } = results[i];
    for (let j = 0; j < k.length; j++) assert.equal(m[j], k[j], `${s.name}: ${j < s.steps.length ? `step: ${s.steps[j]}` : 'the kubeconfig files afterwards'}`);
  });
});
