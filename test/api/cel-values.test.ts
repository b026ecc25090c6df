// Objects as CEL sees them (crd-cel.ts toCel, used by CRD rules with a schema and by admission
// policies without one): ints are CEL ints, and a key whose value is undefined is absent, as in
// the JSON kube-apiserver decodes, so `has()` is false for it on in-process objects too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { celValidator } from '../../src/api/validation/crd-cel';
import { compileExpression, evaluate, toCelValue } from '../../src/api/admission/policy-cel';

test('a CRD rule: has() is false for a field whose value is undefined, true for one set (even to null)', () => {
  const check = celValidator({
    type: 'object',
    properties: { size: { type: 'integer', nullable: true } },
    'x-kubernetes-validations': [{ rule: '!has(self.size)' }],
  })!;
  assert.deepEqual(check({ size: undefined }, undefined), []);
  assert.deepEqual(check({}, undefined), []);
  assert.deepEqual(check({ size: 3 }, undefined).map((e) => `${e.field}: ${e.detail}`), ['<nil>: failed rule: !has(self.size)']);
  assert.equal(check({ size: null }, undefined).length, 1);
});

test('an admission expression: the same values without a schema (ints are CEL ints, undefined keys absent)', () => {
  const run = (source: string, object: unknown) => evaluate(compileExpression(source, 'any', false), { object: toCelValue(object) });
  assert.deepEqual(run('has(object.spec.replicas)', { spec: { replicas: undefined } }), { value: false });
  assert.deepEqual(run('has(object.spec.replicas)', { spec: { replicas: 2 } }), { value: true });
  assert.deepEqual(run('object.spec.replicas', { spec: { replicas: 2 } }), { value: 2n });
  assert.deepEqual(run('object.spec.ratio', { spec: { ratio: 0.5 } }), { value: 0.5 });
  assert.deepEqual(run('object.spec.items', { spec: { items: [1, 'a', null, undefined] } }), { value: [1n, 'a', null, null] });
  assert.deepEqual(run('object', undefined), { value: null });
});
