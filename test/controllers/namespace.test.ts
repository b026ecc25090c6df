// The namespace controller's status.conditions while a namespace terminates, as
// kube-controller-manager's deleter sets them: all five types, True with what holds the
// deletion up (resources remaining, their finalizers), False with the "ok" reason otherwise.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness } from './harness';
import { namespaceReconciler } from '../../src/controllers/namespace';

test('a terminating namespace is left alone for 5 s, then reports what remains in it, then goes once it is empty', async () => {
  const h = await Harness.create([namespaceReconciler], { nodes: 1 });
  const api = h.api;
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  // a pod on a node terminates gracefully; a ConfigMap held by a finalizer stays
  await api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { nodeName: h.ctx.profile.nodes[0].name, containers: [{ name: 'c', image: 'nginx' }] } });
  await api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keep', namespace: 'shop', finalizers: ['example.com/hold'] } });
  await h.run(); // the pod runs
  const nsType = h.type('v1', 'Namespace');
  await api.delete(nsType, undefined, 'shop');
  // kube-controller-manager waits 5 s (namespaceDeletionGracePeriod) before the first round,
  // so `delete -f` of a namespace and its objects still finds (and deletes) each object itself
  await h.pass();
  h.clock.advance(4900);
  await h.pass();
  const waiting = await api.get(nsType, undefined, 'shop');
  assert.equal(waiting.status.phase, 'Terminating');
  assert.equal(waiting.status.conditions, undefined);
  assert.equal((await api.get(h.type('v1', 'Pod'), 'shop', 'p')).metadata.deletionTimestamp, undefined);
  await api.delete(h.type('v1', 'ConfigMap'), 'shop', 'keep');
  h.clock.advance(100);
  await h.pass(); // one round of the namespace controller: it deletes what it can and reports the rest
  const ns = await api.get(nsType, undefined, 'shop');
  assert.equal(ns.status.phase, 'Terminating');
  const shown = (n: typeof ns) => n.status.conditions.map((c: any) => [c.type, c.status, c.reason, c.message]);
  assert.deepEqual(shown(ns), [
    ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'],
    ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'],
    ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
    ['NamespaceContentRemaining', 'True', 'SomeResourcesRemain', 'Some resources are remaining: configmaps. has 1 resource instances, pods. has 1 resource instances'],
    ['NamespaceFinalizersRemaining', 'True', 'SomeFinalizersRemain', 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances'],
  ]);
  assert.ok(ns.status.conditions.every((c: any) => c.lastTransitionTime === ns.status.conditions[0].lastTransitionTime));

  // the kubelet finishes the pod: only the ConfigMap remains
  h.clock.advance(5000);
  await h.settle();
  assert.equal(await api.tryGet(h.type('v1', 'Pod'), 'shop', 'p'), undefined);
  const later = await api.get(nsType, undefined, 'shop');
  assert.deepEqual(shown(later)[3], ['NamespaceContentRemaining', 'True', 'SomeResourcesRemain', 'Some resources are remaining: configmaps. has 1 resource instances']);
  // a condition keeps its transition time while its status stays
  assert.equal(later.status.conditions[3].lastTransitionTime, ns.status.conditions[3].lastTransitionTime);
  // its next look (every second while content remains) changes nothing, and writes nothing
  const rev = await api.currentRev();
  await h.run(1000);
  assert.equal(await api.currentRev(), rev);

  // the finalizer released: the namespace is emptied and removed at its next look
  await api.mutate(h.type('v1', 'ConfigMap'), 'shop', 'keep', (o) => void (o.metadata.finalizers = []));
  await h.run(1000);
  assert.equal(await api.tryGet(nsType, undefined, 'shop'), undefined);
});
