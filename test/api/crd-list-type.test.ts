// x-kubernetes-list-type set and map uniqueness of custom resources, through the API server
// in-process, as apiextensions-apiserver 1.32 words it (pkg/apiserver/schema/listtype/
// validation.go: field.Duplicate at the second appearance, the value printed by
// field.Error's ErrorBody: %q for strings, %v for numbers, %#v for maps; strategy.go:
// checked after the schema, before the CEL rules, and ratcheted on update).

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../../src/api/server';
import { openStore } from '../../src/store/registry';
import { ManualClock } from '../../src/sim/clock';
import { seededRng } from '../../src/sim/rng';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import type { KObject } from '../../src/api/types';
import { crdObject } from '../helpers/crd';

let api: ApiServer;

before(async () => {
  await loadValidation();
  api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-11-22T06:00:00Z')), seededRng(1), apiValidator());
  await api.bootstrap();
  await api.create(
    crdObject({
      plural: 'widgets',
      kind: 'Widget',
      schema: `properties:
  spec:
    type: object
    x-kubernetes-validations:
    - rule: self.tags.size() < 100
    properties:
      tags: {type: array, x-kubernetes-list-type: set, items: {type: string}}
      sizes: {type: array, x-kubernetes-list-type: set, items: {type: integer}}
      pairs:
        type: array
        x-kubernetes-list-type: set
        items: {type: array, items: {type: string}}
      ports:
        type: array
        x-kubernetes-list-type: map
        x-kubernetes-list-map-keys: [name]
        items: {type: object, properties: {name: {type: string}, port: {type: integer}}}
      routes:
        type: array
        x-kubernetes-list-type: map
        x-kubernetes-list-map-keys: [host, port]
        items: {type: object, properties: {host: {type: string}, port: {type: integer}, path: {type: string}}}
      byZone:
        type: object
        additionalProperties: {type: array, x-kubernetes-list-type: set, items: {type: string}}
      plain: {type: array, items: {type: string}}
  status:
    type: object
    properties:
      tags: {type: array, x-kubernetes-list-type: set, items: {type: string}}`,
      versionExtra: 'subresources: {status: {}}',
    }),
  );
});

const widget = (name: string, spec: object, status?: object): KObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'default' }, spec, ...(status ? { status } : {}) });

/** The message of the Invalid error `fn` is refused with. */
async function refusal(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail('accepted');
}

test('a set repeating a value is refused at its second appearance, a third not reported again', async () => {
  const msg = await refusal(() => api.create(widget('w1', { tags: ['a', 'b', 'a', 'b', 'a'], sizes: [1, 2, 1], plain: ['x', 'x'] })));
  assert.equal(
    msg,
    'Widget.example.com "w1" is invalid: [spec.tags[2]: Duplicate value: "a", spec.tags[3]: Duplicate value: "b", spec.sizes[2]: Duplicate value: 1]',
  );
});

test('compound set elements compare as JSON; map lists by their keys, printed as Go maps', async () => {
  assert.equal(
    await refusal(() => api.create(widget('w2', { tags: [], pairs: [['a', 'b'], ['b', 'a'], ['a', 'b']] }))),
    'Widget.example.com "w2" is invalid: spec.pairs[2]: Duplicate value: []interface {}{"a", "b"}',
  );
  assert.equal(
    await refusal(() => api.create(widget('w3', { tags: [], ports: [{ name: 'http', port: 80 }, { port: 1 }, { name: 'http', port: 81 }, { port: 2 }] }))),
    'Widget.example.com "w3" is invalid: [spec.ports[2]: Duplicate value: map[string]interface {}{"name":"http"}, spec.ports[3]: Duplicate value: map[string]interface {}{}]',
  );
  assert.equal(
    await refusal(() => api.create(widget('w4', { tags: [], routes: [{ host: 'a', port: 80, path: '/' }, { host: 'a', port: 81 }, { port: 80, host: 'a', path: '/x' }] }))),
    'Widget.example.com "w4" is invalid: spec.routes[2]: Duplicate value: map[string]interface {}{"host":"a", "port":80}',
  );
  assert.equal(
    await refusal(() => api.create(widget('w5', { tags: [], byZone: { east: ['a', 'a'] } }))),
    'Widget.example.com "w5" is invalid: spec.byZone[east][1]: Duplicate value: "a"',
  );
});

test('distinct values and keys are accepted; a duplicate still lets the CEL rules run', async () => {
  const ok = await api.create(widget('ok', { tags: ['a', 'b'], sizes: [1, 2], pairs: [['a'], ['b']], ports: [{ name: 'a', port: 1 }, { name: 'b', port: 1 }], routes: [{ host: 'a', port: 1 }, { host: 'a', port: 2 }] }));
  assert.deepEqual(ok.spec.tags, ['a', 'b']);
  // Duplicate is no blocking error (hasBlockingErr): the rule runs and fails too.
  const many = Array.from({ length: 100 }, (_, i) => `t${i}`);
  assert.equal(
    await refusal(() => api.create(widget('w6', { tags: [...many, 't0'] }))),
    'Widget.example.com "w6" is invalid: [spec.tags[100]: Duplicate value: "t0", spec: Invalid value: "object": failed rule: self.tags.size() < 100]',
  );
});

test('updates are ratcheted: an object already repeating a value may be changed, else the duplicate is refused', async () => {
  const ok = await api.get(api.typeOf({ apiVersion: 'example.com/v1', kind: 'Widget' }), 'default', 'ok');
  assert.equal(
    await refusal(() => api.update({ ...ok, spec: { ...ok.spec, sizes: [3, 3] } })),
    'Widget.example.com "ok" is invalid: spec.sizes[1]: Duplicate value: 3',
  );
  assert.equal(
    await refusal(() => api.updateStatus({ ...ok, status: { tags: ['s', 's'] } })),
    'Widget.example.com "ok" is invalid: status.tags[1]: Duplicate value: "s"',
  );
});

test('an object stored before its list became a set keeps its duplicates through later updates', async () => {
  const gadgets = (listType: string) => crdObject({ plural: 'gadgets', kind: 'Gadget', schema: `properties: {spec: {type: object, properties: {n: {type: integer}, hosts: {type: array, ${listType}items: {type: string}}}}}` });
  const created = await api.create(gadgets(''));
  const gadget: KObject = { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'default' }, spec: { n: 1, hosts: ['a', 'a'] } };
  const stored = await api.create(gadget);
  const crd = await api.get(api.typeOf(created), undefined, created.metadata.name!);
  await api.update({ ...crd, spec: gadgets('x-kubernetes-list-type: set, ').spec });
  const updated = await api.update({ ...stored, spec: { n: 2, hosts: ['a', 'a', 'b', 'b'] } });
  assert.deepEqual(updated.spec, { n: 2, hosts: ['a', 'a', 'b', 'b'] });
  assert.equal(
    await refusal(() => api.create({ ...gadget, metadata: { name: 'g2', namespace: 'default' } })),
    'Gadget.example.com "g2" is invalid: spec.hosts[1]: Duplicate value: "a"',
  );
});
