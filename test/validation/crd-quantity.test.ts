import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCrdSchema } from '../../src/api/validation';
import { withCrdDefaults } from '../../src/api/crd';
import { asApproximateFloat64, bytes, cpuMillis, formatQuantity, mustParseQuantity, newQuantity, QUANTITY_FORMAT_ERROR, QUANTITY_SUFFIX_ERROR } from '../../src/api/quantity';
import type { KObject } from '../../src/api/types';

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com', resourceVersion: '1' },
  spec: {
    group: 'example.com', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced',
    versions: [{
      name: 'v1', served: true, storage: true,
      schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', required: ['size'], properties: {
        size: { type: 'string', enum: ['small', 'large'] },
        replicas: { type: 'integer', minimum: 0, default: 1 },
        port: { 'x-kubernetes-int-or-string': true },
        name: { type: 'string', pattern: '(?i)^[a-z]+$', nullable: true },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        tmpl: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: {} },
      } } } } },
    }],
  },
} as unknown as KObject;

const cr = (spec: any) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec }) as KObject;

test('CRD schema: valid objects, unknown fields, enums, types, extensions', () => {
  const v = compileCrdSchema(crd, 'v1');
  assert.deepEqual(v(cr({ size: 'small', port: 'http', name: 'ABC', extra: { any: { thing: 1 } }, tmpl: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } } })), []);
  assert.deepEqual(v(cr({ size: 'small', port: 8080, name: null })), []);
  const bad = v(cr({ size: 'huge', sizes: 1, replicas: 'x', tmpl: {} }));
  const msgs = bad.map((i) => i.decodeMessage);
  assert.ok(msgs.includes('unknown field "spec.sizes"'), msgs.join('\n'));
  assert.ok(msgs.includes('spec.size: Unsupported value: "huge": supported values: "small", "large"'), msgs.join('\n'));
  assert.ok(msgs.includes('spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"'), msgs.join('\n'));
  assert.ok(msgs.some((m) => /spec\.tmpl\.apiVersion: Required value/.test(m!)), msgs.join('\n'));
  assert.equal(bad.find((i) => i.rule === 'schema/unknown-field')?.hint, 'did you mean "size"?');
  assert.equal(compileCrdSchema(crd, 'v1'), v, 'compiled once per CRD revision');
});

test('CRD defaults are applied', () => {
  const o = withCrdDefaults(cr({ size: 'small' }), crd);
  assert.equal(o.spec.replicas, 1);
});

test('quantities', () => {
  const float = (s: unknown) => asApproximateFloat64(mustParseQuantity(s));
  assert.equal(float('500m'), 0.5);
  assert.equal(float('1Gi'), 2 ** 30);
  assert.equal(float('1e3'), 1000);
  assert.equal(float('100M'), 1e8);
  assert.equal(float(1.5), 1.5);
  assert.equal(float(' 2 '), 2, 'trimmed like Quantity.UnmarshalJSON');
  assert.throws(() => mustParseQuantity('1ki'), { message: QUANTITY_SUFFIX_ERROR });
  assert.throws(() => mustParseQuantity('abc'), { message: QUANTITY_FORMAT_ERROR });
  assert.throws(() => cpuMillis({}), { message: QUANTITY_FORMAT_ERROR });
  assert.equal(cpuMillis('0.1'), 100);
  assert.equal(cpuMillis('1n'), 1, 'MilliValue rounds up');
  assert.equal(bytes('1Ki'), 1024);
  assert.equal(bytes('1500m'), 2, 'Value rounds up');
  assert.equal(formatQuantity(mustParseQuantity(0.5)), '500m');
  assert.equal(formatQuantity(newQuantity(1536 * 2 ** 20, 'BinarySI')), '1536Mi');
  assert.equal(formatQuantity(newQuantity(2 ** 30, 'BinarySI')), '1Gi');
  assert.equal(formatQuantity(newQuantity(1000, 'DecimalSI')), '1k');
  assert.equal(formatQuantity(newQuantity(2_000_000, 'BinarySI')), '2000000');
});
