// The recorders' Events are handed over to the API server's create (not deep-copied first):
// each attempt gets a fresh top level and metadata, so an attempt refused because another
// process took the name (the same simulated instant) leaves nothing of itself in the next.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryCluster } from '../../src/cluster/memory-cluster';
import { defaultProfile } from '../../src/sim/profile';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import { KeyExistsError } from '../../src/store/store';
import type { KObject } from '../../src/api/types';

before(async () => {
  await loadValidation();
});

/** The stored Event without what differs between two creates (name, uid, revision). */
function comparable(e: KObject): unknown {
  const { name: _n, uid: _u, resourceVersion: _r, ...meta } = e.metadata;
  return { ...e, metadata: meta };
}

test('an Event whose first name is taken is created under the next, whole, as one created at once', async () => {
  const c = await createMemoryCluster(defaultProfile('t', { nodes: 1 }), { validator: apiValidator() });
  const cm = await c.api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } } as KObject);
  const evType = c.api.registry.forKind('v1', 'Event');
  const events = async () => (await c.api.list(evType, { namespace: 'default' })).items.filter((e) => e.involvedObject?.name === 'x');

  await c.api.recordEvent(cm, 'Normal', 'First', 'at once', { component: 'test', host: 'h' }, 'spec');
  const [once] = await events();

  // The next Event's first name is taken (another process, the same instant): its create is refused once.
  const store = c.api.store as unknown as { create: (key: string, obj: KObject) => Promise<KObject> };
  const orig = store.create.bind(store);
  const refused: string[] = [];
  store.create = async (key, obj) => {
    if (key.startsWith('events/') && refused.length === 0) {
      refused.push(obj.metadata.name!);
      throw new KeyExistsError(key);
    }
    return orig(key, obj);
  };
  await c.api.recordEvent(cm, 'Normal', 'Second', 'after a retry', { component: 'test', host: 'h' }, 'spec');
  store.create = orig;

  const retried = (await events()).find((e) => e.reason === 'Second')!;
  assert.equal(refused.length, 1);
  assert.ok(retried && retried.metadata.name !== refused[0] && retried.metadata.name! > refused[0], `${retried?.metadata.name} after ${refused[0]}`);
  // Everything but the reason and message as the Event created at once: a fresh uid, the
  // same metadata otherwise, defaults and references.
  assert.notEqual(retried.metadata.uid, once.metadata.uid);
  assert.deepEqual(comparable({ ...retried, reason: 'First', message: 'at once' } as KObject), comparable(once));
  assert.deepEqual(once.involvedObject, { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', namespace: 'default', uid: cm.metadata.uid, resourceVersion: cm.metadata.resourceVersion, fieldPath: 'spec' });
});

test('the scheduler\'s Event object is not changed by its create', async () => {
  const c = await createMemoryCluster(defaultProfile('t', { nodes: 1 }), { validator: apiValidator() });
  const event = {
    apiVersion: 'v1', kind: 'Event', metadata: { name: '', namespace: 'default' },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'default', uid: 'u' },
    reason: 'Scheduled', message: 'm', source: {}, type: 'Normal', reportingComponent: 'default-scheduler', reportingInstance: 'i',
  } as unknown as KObject;
  const before = structuredClone(event);
  const name = await c.api.createEvent(event);
  assert.match(name ?? '', /^p\.[0-9a-f]+$/);
  assert.deepEqual(event, before);
  assert.equal((await c.api.get(c.api.registry.forKind('v1', 'Event'), 'default', name!)).reason, 'Scheduled');
});
