// The runtime cost of a CRD's rules (crd-cel-runtime-cost.ts): kube-apiserver cancels a rule
// past celconfig.PerCallLimit (1,000,000) and stops an object's rules once they used up
// celconfig.RuntimeCELCostBudget (10,000,000), in apiextensions-apiserver's words
// (schema/cel/validation.go validateExpressions). The rules pass the CRD's static estimate
// (10,000,000 per rule): only the objects' real sizes make them too costly.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../../src/api/server';
import { openStore } from '../../src/store/registry';
import { ManualClock } from '../../src/sim/clock';
import { seededRng } from '../../src/sim/rng';
import { ApiError } from '../../src/api/errors';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import type { KObject } from '../../src/api/types';
import { crdObject } from '../helpers/crd';
import { metered } from '../../src/api/validation/crd-cel-runtime-cost';
import { celEnvironment } from '../../src/api/validation/crd-cel-lib';

// Every pair of a list's items: n * (n * 7 + 3) and a little, as cel-go counts it (7 an inner iteration:
// @not_strictly_false(@result), @result &&, a, b, +, >=).
const PAIRS = 'self.l.all(a, self.l.all(b, a + b >= 0))';
const list = (n: number) => Array.from({ length: n }, (_, i) => i);

let api: ApiServer;
before(async () => {
  await loadValidation();
  api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-12-06T06:00:00Z')), seededRng(1), apiValidator());
  await api.bootstrap();
  await api.create(crdObject({ plural: 'pairs', kind: 'Pair', schema: `properties:
  spec:
    type: object
    properties: {l: {type: array, maxItems: 600, items: {type: integer}}}
    x-kubernetes-validations: [{rule: "${PAIRS}"}, {rule: "size(self.l) < 550", message: not reached once cancelled}]` }));
  // Seventeen rules of about 630,000 each for 300 items: the sixteenth finds too little left.
  const rules = Array.from({ length: 17 }, (_, i) => `{rule: "${PAIRS} && ${i} >= 0"}`).join(', ');
  await api.create(crdObject({ plural: 'budgets', kind: 'Budget', schema: `properties:
  spec:
    type: object
    properties: {l: {type: array, maxItems: 300, items: {type: integer}}}
    x-kubernetes-validations: [${rules}]` }));
});

async function refused(obj: KObject): Promise<string> {
  try {
    await api.create(obj);
  } catch (e) {
    assert.ok(e instanceof ApiError && e.reason === 'Invalid', String(e));
    return e.message;
  }
  assert.fail('the object was accepted');
}

test('the cost of an evaluation as cel-go counts it: identifiers, selections, calls, macros\' iterations, strings by length', () => {
  const cost = (src: string, self: unknown) => metered(1e9, celEnvironment().parse(src), { self }).cost;
  assert.equal(cost('self.a == 1', { a: 1n }), 3); // self, .a, == (the constant is free)
  assert.equal(cost('self.all(x, x > 0)', [1n, 2n, 3n]), 1 + 1 + 3 * (3 + 2)); // the macro's @result, self, 3 iterations of overhead, x and >
  assert.equal(cost('self.startsWith("a")', 'a'.repeat(95)), 1 + 10); // self, then ceil(95 * 0.1)
  assert.equal(cost('self == "x"', 'y'.repeat(50)), 1 + 1); // ceil(min(50, 1) * 0.1)
  assert.equal(cost('[1, 2].size() == 2', null), 10 + 1 + 1); // a list literal 10
});

test('a rule past the per-call limit is cancelled and no further rule runs; the same rule over fewer items passes', async () => {
  const pair = (name: string, n: number): KObject => ({ apiVersion: 'example.com/v1', kind: 'Pair', metadata: { name, namespace: 'default' }, spec: { l: list(n) } });
  assert.equal(await refused(pair('big', 560)), `Pair.example.com "big" is invalid: spec: Invalid value: "object": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${PAIRS}`);
  const r = metered(1e9, celEnvironment().parse(PAIRS), { self: { l: list(560).map(BigInt) } });
  assert.ok(r.cost > 1_000_000 && r.cost < 2_500_000, String(r.cost));
  assert.deepEqual((await api.create(pair('small', 200))).spec.l.length, 200);
});

test('an object\'s rules share one budget: the rule that would pass it fails in its words, and none runs after it', async () => {
  const budget = (name: string, n: number): KObject => ({ apiVersion: 'example.com/v1', kind: 'Budget', metadata: { name, namespace: 'default' }, spec: { l: list(n) } });
  assert.equal(await refused(budget('spent', 300)), 'Budget.example.com "spent" is invalid: spec: Invalid value: "object": validation failed due to running out of cost budget, no further validation rules will be run');
  assert.equal((await api.create(budget('cheap', 100))).metadata.name, 'cheap');
});
