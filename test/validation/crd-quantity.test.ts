import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCrdSchema } from '../../src/api/validation';
import { withCrdDefaults } from '../../src/api/crd';
import { parseQuantity, formatQuantity, cpuMillis, bytes, QUANTITY_REGEX_MESSAGE } from '../../src/api/quantity';
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
  assert.equal(parseQuantity('500m'), 0.5);
  assert.equal(parseQuantity('1Gi'), 2 ** 30);
  assert.equal(parseQuantity('1e3'), 1000);
  assert.equal(parseQuantity('100M'), 1e8);
  assert.equal(parseQuantity(1.5), 1.5);
  assert.throws(() => parseQuantity('1ki'), { message: QUANTITY_REGEX_MESSAGE });
  assert.throws(() => parseQuantity('abc'), { message: QUANTITY_REGEX_MESSAGE });
  assert.equal(cpuMillis('0.1'), 100);
  assert.equal(bytes('1Ki'), 1024);
  assert.equal(formatQuantity(0.5), '500m');
  assert.equal(formatQuantity(1536 * 2 ** 20, 'BinarySI'), '1536Mi');
  assert.equal(formatQuantity(2 ** 30, 'BinarySI'), '1Gi');
  assert.equal(formatQuantity(1000), '1k');
});
