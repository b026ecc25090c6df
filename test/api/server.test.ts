// The API server pipeline on an in-memory store: defaulting, admission, metadata,
// optimistic concurrency, cascading deletion, namespaces, CRDs.

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

before(async () => loadValidation());

async function server(): Promise<ApiServer> {
  const api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-11-22T06:00:00Z')), seededRng(1), apiValidator());
  await api.bootstrap();
  return api;
}

const deployment = (name = 'web'): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } },
  },
});

test('create sets server metadata and defaults', async () => {
  const api = await server();
  const d = await api.create(deployment());
  assert.equal(d.metadata.namespace, 'default');
  assert.equal(d.metadata.generation, 1);
  assert.equal(d.metadata.creationTimestamp, '2026-11-22T06:00:00Z');
  assert.match(d.metadata.uid!, /^[0-9a-f-]{36}$/);
  assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal(d.spec.template.spec.restartPolicy, 'Always');
  assert.deepEqual(d.status, {});
});

test('generation moves on spec changes only; stale resourceVersion is a Conflict', async () => {
  const api = await server();
  const d = await api.create(deployment());
  const labelled = await api.update({ ...d, metadata: { ...d.metadata, labels: { x: 'y' } } });
  assert.equal(labelled.metadata.generation, 1);
  const scaled = await api.update({ ...labelled, spec: { ...labelled.spec, replicas: 5 } });
  assert.equal(scaled.metadata.generation, 2);
  await assert.rejects(
    () => api.update({ ...d, spec: { ...d.spec, replicas: 2 } }),
    (e: unknown) => e instanceof ApiError && e.reason === 'Conflict' && /Operation cannot be fulfilled on deployments.apps "web": the object has been modified/.test(e.message),
  );
});

test('pods get ServiceAccount, tolerations and priority from admission', async () => {
  const api = await server();
  const p = await api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  assert.equal(p.spec.serviceAccountName, 'default');
  assert.equal(p.spec.priority, 0);
  assert.equal(p.spec.enableServiceLinks, true);
  assert.equal(p.status.phase, 'Pending');
  assert.equal(p.status.qosClass, 'BestEffort');
  assert.deepEqual(p.spec.tolerations.map((t: any) => t.key), ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']);
  assert.match(p.spec.volumes[0].name, /^kube-api-access-[a-z0-9]{5}$/);
  assert.equal(p.spec.containers[0].volumeMounts[0].mountPath, '/var/run/secrets/kubernetes.io/serviceaccount');
});

test('invalid objects are rejected with field errors', async () => {
  const api = await server();
  const bad = deployment('Web');
  await assert.rejects(
    () => api.create(bad),
    (e: unknown) => e instanceof ApiError && e.reason === 'Invalid' && e.details.causes!.some((c) => c.field === 'metadata.name'),
  );
  const mismatch = deployment('m');
  mismatch.spec.template.metadata.labels = { app: 'other' };
  await assert.rejects(() => api.create(mismatch), /selector` does not match template `labels`/);
  assert.equal(await api.tryGet(api.resolve('deploy'), 'default', 'm'), undefined);
});

test('user and group ids must fit in 0..2^31-1, pod-wide and per container, as IsValidUserID/IsValidGroupID', async () => {
  const api = await server();
  const pod = (securityContext: any, container: any = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ids', namespace: 'default' }, spec: { securityContext, containers: [{ name: 'c', image: 'nginx', securityContext: container }] } });
  const causes = async (o: any) => {
    try {
      await api.create(o as any);
    } catch (e) {
      assert.ok(e instanceof ApiError, String(e));
      return e.message;
    }
    assert.fail('created');
  };
  assert.equal(
    await causes(pod({ fsGroup: -1, runAsUser: 2147483648, runAsGroup: 5, supplementalGroups: [1, -2] }, { runAsUser: -3, runAsGroup: 9223372036854775807n })),
    'Pod "ids" is invalid: [spec.containers[0].securityContext.runAsUser: Invalid value: -3: must be between 0 and 2147483647, inclusive, ' +
      'spec.containers[0].securityContext.runAsGroup: Invalid value: 9223372036854775807: must be between 0 and 2147483647, inclusive, ' +
      'spec.securityContext.fsGroup: Invalid value: -1: must be between 0 and 2147483647, inclusive, ' +
      'spec.securityContext.runAsUser: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive, ' +
      'spec.securityContext.supplementalGroups[1]: Invalid value: -2: must be between 0 and 2147483647, inclusive]',
  );
  await api.create(pod({ runAsUser: 0, fsGroup: 2147483647 }, { runAsUser: 1000 }) as any);
});

test('unknown fields are a strict decoding error', async () => {
  const api = await server();
  const d = deployment('u');
  d.spec.replica = 3;
  await assert.rejects(() => api.create(d), (e: unknown) => e instanceof ApiError && e.reason === 'BadRequest' && /strict decoding error: unknown field "spec.replica"/.test(e.message));
});

test('objects in a missing namespace are refused; a deleted namespace is Terminating', async () => {
  const api = await server();
  const cm = (ns: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: ns } });
  await assert.rejects(() => api.create(cm('dev')), /namespaces "dev" not found/);
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' } });
  await api.create(cm('dev'));
  assert.ok(await api.tryGet(api.resolve('sa'), 'dev', 'default'), 'default ServiceAccount created');
  // Deletion is graceful: Terminating, no new content; the namespace controller empties it.
  await api.delete(api.resolve('ns'), undefined, 'dev');
  assert.equal((await api.get(api.resolve('ns'), undefined, 'dev')).status.phase, 'Terminating');
  assert.ok(await api.tryGet(api.resolve('cm'), 'dev', 'c'), 'contents stay until the namespace controller runs');
  await assert.rejects(() => api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'd', namespace: 'dev' } }), /being terminated/);
});

test('deleting an owner cascades (background), orphan keeps dependents', async () => {
  const api = await server();
  const owner = await api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' } });
  void owner;
  const rs = await api.create({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'rs' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  });
  const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true };
  await api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1', ownerReferences: [ref] }, spec: { containers: [{ name: 'c', image: 'x' }] } });
  await api.delete(api.resolve('rs'), 'default', 'rs');
  assert.equal(await api.tryGet(api.resolve('po'), 'default', 'p1'), undefined);

  const rs2 = await api.create({ ...rs, metadata: { name: 'rs2' } });
  await api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p2', ownerReferences: [{ ...ref, name: 'rs2', uid: rs2.metadata.uid! }] }, spec: { containers: [{ name: 'c', image: 'x' }] } });
  await api.delete(api.resolve('rs'), 'default', 'rs2', { propagationPolicy: 'Orphan' });
  const orphan = await api.tryGet(api.resolve('po'), 'default', 'p2');
  assert.ok(orphan);
  assert.equal(orphan.metadata.ownerReferences, undefined);
});

test('foreground deletion: a dependent owned by the owner alone goes, one with another owner only loses the reference, then the owner goes', async () => {
  const api = await server();
  const cm = await api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' } });
  const rs = await api.create({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'rs' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  });
  const rsRef = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: rs.metadata.uid! };
  const cmRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'other', uid: cm.metadata.uid! };
  const pod = (name: string, ownerReferences: (typeof rsRef)[]): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, ownerReferences }, spec: { containers: [{ name: 'c', image: 'x' }] } });
  await api.create(pod('alone', [rsRef]));
  await api.create(pod('shared', [rsRef, cmRef]));
  await api.delete(api.resolve('rs'), 'default', 'rs', { propagationPolicy: 'Foreground' });
  assert.equal(await api.tryGet(api.resolve('po'), 'default', 'alone'), undefined);
  assert.deepEqual((await api.get(api.resolve('po'), 'default', 'shared')).metadata.ownerReferences, [cmRef]);
  assert.equal(await api.tryGet(api.resolve('rs'), 'default', 'rs'), undefined);
});

test('a CRD registers its kind; custom resources validate against its schema and go with it', async () => {
  const api = await server();
  await api.create({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      names: { kind: 'Widget', plural: 'widgets', singular: 'widget', shortNames: ['wd'] },
      scope: 'Namespaced',
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
    },
  });
  assert.equal(api.resolve('wd').kind, 'Widget');
  await api.create({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 3 } });
  await assert.rejects(() => api.create({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'bad' }, spec: { size: 'big' } }), ApiError);
  await api.delete(api.resolve('crd'), undefined, 'widgets.example.com');
  assert.throws(() => api.resolve('widgets'), /doesn't have a resource type "widgets"/);
});

test('two clusters in one process validate same-named CRDs at the same resourceVersion each by its own schema', async () => {
  // Two servers built alike reach the same resourceVersion for their CRDs; only the schemas differ.
  const crd = (sizeType: string) => crdObject({ plural: 'widgets', kind: 'Widget', schema: `properties: {spec: {type: object, properties: {size: {type: ${sizeType}}}}}` });
  const [a, b] = [await server(), await server()];
  const [crdA, crdB] = [await a.create(crd('integer')), await b.create(crd('string'))];
  assert.equal(crdA.metadata.resourceVersion, crdB.metadata.resourceVersion);
  const widget = (name: string, size: unknown): KObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name }, spec: { size } });
  await a.create(widget('three', 3));
  await assert.rejects(() => a.create(widget('big', 'big')), /Widget.example.com "big" is invalid: spec\.size: Invalid value: "string": spec\.size in body must be of type integer: "string"/);
  await b.create(widget('big', 'big'));
  await assert.rejects(() => b.create(widget('three', 3)), /Widget.example.com "three" is invalid: spec\.size: Invalid value: "integer": spec\.size in body must be of type string: "integer"/);
});

test('an int64 past 2^53 in a custom resource: an integer to its schema, kept exact, its bounds float64 as kube-openapi reads them', async () => {
  const api = await server();
  await api.create(crdObject({ plural: 'widgets', kind: 'Widget', schema: 'properties: {spec: {type: object, properties: {size: {type: integer, format: int64, maximum: 9007199254740993}}}}' }));
  const widget = (name: string, size: bigint): KObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name }, spec: { size } });
  // 2^53 + 1 is an integer of the schema (it was "must be of type integer"), stored with its digits.
  await api.create(widget('at', 2n ** 53n));
  assert.equal((await api.get(api.resolve('widgets'), 'default', 'at')).spec.size, 2n ** 53n);
  // The maximum is a float64 in kube (9007199254740993 rounds to 2^53): one past it is refused, printed exactly.
  await assert.rejects(() => api.create(widget('over', 2n ** 53n + 1n)), /Widget.example.com "over" is invalid: spec\.size: Invalid value: 9007199254740993: spec\.size in body should be less than or equal to 9007199254740992/);
});

test('services get a cluster IP and node ports', async () => {
  const api = await server();
  const s = await api.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'NodePort', selector: { a: 'b' }, ports: [{ port: 80 }] } });
  assert.match(s.spec.clusterIP, /^10\.96\.\d+\.\d+$/);
  assert.deepEqual(s.spec.clusterIPs, [s.spec.clusterIP]);
  assert.equal(s.spec.ports[0].targetPort, 80);
  assert.ok(s.spec.ports[0].nodePort >= 30000 && s.spec.ports[0].nodePort <= 32767);
  const again = await api.update({ ...s, spec: { ...s.spec, clusterIP: undefined, clusterIPs: undefined } });
  assert.equal(again.spec.clusterIP, s.spec.clusterIP);
});

test('node ports are allocated above the static band (30000-30085) that named ports keep', async () => {
  const api = await server();
  const svc = (name: string, ports: object[]) => api.create({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'NodePort', selector: { a: 'b' }, ports } });
  for (let i = 0; i < 100; i++) {
    const s = await svc(`d${i}`, [{ port: 80 }, { port: 81, name: 'b' }].map((p, j) => ({ ...p, name: `p${j}` })));
    for (const p of s.spec.ports) assert.ok(p.nodePort >= 30086 && p.nodePort <= 32767, `dynamic port ${p.nodePort}`);
  }
  assert.equal((await svc('named', [{ port: 80, nodePort: 30001 }])).spec.ports[0].nodePort, 30001);
  await assert.rejects(() => svc('taken', [{ port: 80, nodePort: 30001 }]), /spec\.ports\[0\]\.nodePort: Invalid value: 30001: provided port is already allocated/);
});

test('an update keeps its own node ports, refuses another Service\'s, and fills new ports with free ones', async () => {
  const api = await server();
  const svc = (name: string, ports: object[]) => api.create({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'NodePort', selector: { a: 'b' }, ports } });
  await svc('one', [{ name: 'a', port: 80, nodePort: 30001 }]);
  const two = await svc('two', [{ name: 'a', port: 80, nodePort: 30002 }]);
  const withPorts = (ports: object[]) => ({ ...two, spec: { ...two.spec, ports } });
  await assert.rejects(() => api.update(withPorts([{ name: 'a', port: 80, nodePort: 30001 }])), /^Error: Service "two" is invalid: spec\.ports\[0\]\.nodePort: Invalid value: 30001: provided port is already allocated$/);
  // An unset port keeps the old port of its name; a new name gets a free one, never 30001 or 30002.
  const moved = await api.update(withPorts([{ name: 'a', port: 8080 }, { name: 'b', port: 81 }]));
  assert.equal(moved.spec.ports[0].nodePort, 30002);
  assert.ok(![30001, 30002].includes(moved.spec.ports[1].nodePort));
  await assert.rejects(() => api.update({ ...moved, spec: { ...moved.spec, ports: [moved.spec.ports[0], { name: 'b', port: 81, nodePort: 30002 }] } }), /spec\.ports\[1\]\.nodePort: Duplicate value: 30002/);
});

test('fields of features v1.32 ships switched off are dropped on write (PodLevelResources, ImageVolume)', async () => {
  const api = await server();
  const pod = (name: string, spec: object) => api.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], ...spec } });
  const p = await pod('p', { resources: { limits: { cpu: '1' } } });
  assert.equal(p.spec.resources, undefined);
  await assert.rejects(() => pod('q', { volumes: [{ name: 'v', image: { reference: 'quay.io/x/y:1' } }] }), /The Pod "q" is invalid: spec\.volumes\[0\]: Required value: must specify a volume type|Pod "q" is invalid: spec\.volumes\[0\]: Required value: must specify a volume type/);
  assert.deepEqual((await pod('r', { volumes: [{ name: 'v' }] })).spec.volumes[0], { name: 'v', emptyDir: {} });
  const d = await api.create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { resources: { requests: { cpu: '1' } }, containers: [{ name: 'c', image: 'nginx:1.27' }] } } } });
  assert.equal(d.spec.template.spec.resources, undefined);
});
