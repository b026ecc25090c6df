// The throwaway cluster's shape: profile YAML, flags, and --allowed-registries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterProfile, parseClusterConfig, registryAllowed, registryOf } from '../../src/check/cluster-shape';
import { applyOrder } from '../../src/check/apply-order';
import { parseAssumeExists } from '../../src/check/assume-exists';

test('registryOf: docker normalization', () => {
  assert.equal(registryOf('nginx'), 'docker.io');
  assert.equal(registryOf('library/nginx:1'), 'docker.io');
  assert.equal(registryOf('ghcr.io/org/app:1'), 'ghcr.io');
  assert.equal(registryOf('localhost:5000/app'), 'localhost:5000');
  assert.equal(registryOf('localhost/app'), 'localhost');
});

test('registryAllowed: hosts, host/path prefixes, *.domain', () => {
  assert.equal(registryAllowed('nginx:1.27', ['docker.io']), true);
  assert.equal(registryAllowed('nginx:1.27', ['docker.io/library']), true);
  assert.equal(registryAllowed('bitnami/redis', ['docker.io/library']), false);
  assert.equal(registryAllowed('ghcr.io/my-org/app:1', ['ghcr.io/my-org']), true);
  assert.equal(registryAllowed('ghcr.io/my-org-evil/app:1', ['ghcr.io/my-org']), false);
  assert.equal(registryAllowed('eu.registry.example.com/a', ['*.example.com']), true);
  assert.equal(registryAllowed('quay.io/a', ['ghcr.io', 'docker.io']), false);
});

test('clusterProfile: blocked images become unreachable; flags shape the nodes', () => {
  const p = clusterProfile({ nodes: 2, cpu: '2', memory: '4Gi', allowedRegistries: ['quay.io'], images: ['nginx:1', 'quay.io/a:1', 'nginx:1'] });
  assert.deepEqual(p.nodes.map((n) => [n.name, n.cpu, n.memory]), [['node-1', '2', '4Gi'], ['node-2', '2', '4Gi']]);
  assert.deepEqual(p.images.unreachable, ['nginx:1']);
  assert.throws(() => clusterProfile({ cpu: 'lots' }), /invalid --node-cpu "lots"/);
});

test('parseClusterConfig: the README example (count, labels, taints)', () => {
  const p = parseClusterConfig(`nodes:
- {name: worker, count: 3, cpu: 4, memory: 8Gi}
- name: gpu
  cpu: 8
  memory: 32Gi
  labels: {accelerator: nvidia}
  taints: [{key: nvidia.com/gpu, effect: NoSchedule}]
`);
  assert.deepEqual(p.nodes.map((n) => n.name), ['worker-1', 'worker-2', 'worker-3', 'gpu']);
  assert.equal(p.nodes[3].labels.accelerator, 'nvidia');
  assert.equal(p.nodes[3].labels['kubernetes.io/hostname'], 'gpu');
  assert.deepEqual(p.nodes[3].taints, [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }]);
  assert.throws(() => parseClusterConfig('nodes: 3', 'c.yaml'), /c\.yaml: "nodes" must be a list/);
  assert.throws(() => parseClusterConfig('nodes:\n- {cpu: many}', 'c.yaml'), /invalid cpu quantity "many"/);
});

test('applyOrder: namespaces, CRDs, accounts and config before workloads; input order within a rank', () => {
  const objs = ['Deployment/a', 'Service/s', 'ConfigMap/c', 'Namespace/n', 'Widget/w', 'CustomResourceDefinition/x', 'ServiceAccount/sa', 'Deployment/b', 'PodDisruptionBudget/p']
    .map((s) => ({ kind: s.split('/')[0], metadata: { name: s.split('/')[1] } }) as any);
  assert.deepEqual(applyOrder(objs, (o) => o).map((o: any) => `${o.kind}/${o.metadata.name}`),
    ['Namespace/n', 'CustomResourceDefinition/x', 'ServiceAccount/sa', 'ConfigMap/c', 'Service/s', 'Deployment/a', 'Deployment/b', 'PodDisruptionBudget/p', 'Widget/w']);
});

test('parseAssumeExists: kinds by any name kubectl accepts; namespaced form', () => {
  assert.deepEqual(parseAssumeExists(['secret/db', 'sc/fast,ns/prod', 'cm/prod/cfg']).map((a) => [a.kind, a.namespace, a.name]), [
    ['Secret', undefined, 'db'], ['StorageClass', undefined, 'fast'], ['Namespace', undefined, 'prod'], ['ConfigMap', 'prod', 'cfg'],
  ]);
  assert.throws(() => parseAssumeExists(['sc/x/y']), /StorageClass is not namespaced/);
});
