// The differential suite: every argument set in cases.ts through the real kubectl 1.32 and
// bin/kubesim, stdout, stderr and exit code compared byte for byte (differential.ts says
// what is normalised). The match ratio may only go up: RATCHET is the level reached so far
// (bench/RESULTS.md lists the differences that remain and why).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allCases } from './cases';
import { haveKubectl, runAll, show } from './differential';

const RATCHET = 1.0;

test('kubesim answers as kubectl 1.32 does on the offline argument sets', { timeout: 900_000 }, async () => {
  assert.ok(haveKubectl(), 'the real kubectl (/usr/bin/kubectl, v1.32) is the oracle of this test and must be installed');
  const cases = allCases();
  assert.ok(cases.length >= 600, `only ${cases.length} cases`);
  const results = await runAll(cases);
  const needsServer = results.filter((r) => r.needsServer).map((r) => show(r.args));
  assert.deepEqual(needsServer, [], 'cases that kubectl cannot run offline do not belong in the table');
  assert.deepEqual(results.filter((r) => r.misnamed).map((r) => show(r.args)), [], "kubesim's usage trailers name the program the user typed, never kubectl");
  const matched = results.filter((r) => r.match).length;
  const ratio = matched / results.length;
  // How each differs (the first few), so that a difference seen once can be understood from the log.
  const bad = results.filter((r) => !r.match).map((r, i) => (i < 5 ? `${show(r.args)}\n  kubectl: ${JSON.stringify(r.kubectl)}\n  kubesim: ${JSON.stringify(r.kubesim)}` : show(r.args)));
  console.log(`fidelity: ${matched}/${results.length} match (${(100 * ratio).toFixed(1)} %)`);
  assert.ok(ratio >= RATCHET, `match ratio ${ratio.toFixed(3)} fell below ${RATCHET}; differing:\n${bad.join('\n')}`);
});
