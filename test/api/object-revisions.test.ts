// objectRevisions, the states in-process `wait` and `rollout status` look at one by one: a
// custom resource's earlier states are read as the API server reads them (its CRD's schema
// now prunes and defaults them), like its state now; a `wait --for=jsonpath={.spec.color}=blue`
// sees the earlier state that reads blue.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../../src/api/server';
import { objectRevisions } from '../../src/api/object-revisions';
import { openStore } from '../../src/store/registry';
import { ManualClock } from '../../src/sim/clock';
import { seededRng } from '../../src/sim/rng';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import { crdObject } from '../helpers/crd';

before(async () => loadValidation());

const crd = (color: Record<string, unknown>) =>
  crdObject({ plural: 'widgets', kind: 'Widget', schema: `properties: {spec: {type: object, properties: {size: {type: integer}, color: ${JSON.stringify(color)}}}}` });

test("a custom resource's earlier states are read through its CRD's schema now", async () => {
  const api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-12-05T06:00:00Z')), seededRng(1), apiValidator());
  await api.bootstrap();
  await api.create(crd({ type: 'string' }));
  await api.create({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 } });
  const rt = api.resolve('widgets');
  const revisions = objectRevisions(api, rt, 'default', 'w');
  assert.deepEqual((await revisions.next()).map((o) => o?.spec), [{ size: 1 }]);
  // Stored without a color; then the CRD gets a default for it; then the color is set.
  await api.mutate(rt, 'default', 'w', (o) => void (o.spec.size = 2));
  await api.mutate(api.resolve('crd'), undefined, 'widgets.example.com', (o) => void (o.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.color.default = 'blue'));
  await api.mutate(rt, 'default', 'w', (o) => void (o.spec.color = 'red'));
  assert.deepEqual((await revisions.next()).map((o) => o?.spec), [{ size: 2, color: 'blue' }, { size: 2, color: 'red' }]);
});

test('a state is handed out once: other objects changing add nothing, a deletion is seen once', async () => {
  const api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-12-05T06:00:00Z')), seededRng(1), apiValidator());
  await api.bootstrap();
  const cm = api.resolve('configmaps');
  await api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' }, data: { k: '1' } });
  const revisions = objectRevisions(api, cm, 'default', 'a');
  assert.deepEqual((await revisions.next()).map((o) => o?.data), [{ k: '1' }]);
  // Another object changes: a watch on "a" by name sees no event (rollout status printed its line again).
  await api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'default' } });
  assert.deepEqual(await revisions.next(), []);
  await api.mutate(cm, 'default', 'a', (o) => void (o.data.k = '2'));
  assert.deepEqual((await revisions.next()).map((o) => o?.data), [{ k: '2' }]);
  await api.delete(cm, 'default', 'a');
  assert.deepEqual(await revisions.next(), [undefined]);
  await api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } });
  assert.deepEqual(await revisions.next(), []);
});
