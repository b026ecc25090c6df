import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch } from '../../src/api/apply/strategic-merge';
import { applyJsonMergePatch, createJsonMergePatch } from '../../src/api/apply/json-merge-patch';
import { kubectlPatch } from './kubectl-local';
import { requireKubectl } from '../oracles';

const deploy = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', labels: { app: 'd', tier: 'fe' }, finalizers: ['a/x', 'b/y'] },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'd' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'd' } },
      spec: {
        containers: [
          { name: 'a', image: 'nginx', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }], ports: [{ containerPort: 80, protocol: 'TCP' }] },
          { name: 'b', image: 'busybox', args: ['sleep', '1'] },
        ],
        volumes: [{ name: 'v', emptyDir: {} }],
        tolerations: [{ key: 'k', operator: 'Exists' }],
      },
    },
  },
};

const CASES: [string, object][] = [
  ['nulls delete fields and map keys', { metadata: { labels: { tier: null } }, spec: { replicas: null } }],
  ['retainKeys drops rollingUpdate', { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }],
  ['merge list by name, add and change', { spec: { template: { spec: { containers: [{ name: 'b', image: 'alpine' }, { name: 'c', image: 'c' }] } } } }],
  ['$patch delete in a merge list', { spec: { template: { spec: { containers: [{ name: 'a', $patch: 'delete' }] } } } }],
  ['$patch replace on a merge list', { spec: { template: { spec: { containers: [{ name: 'z', image: 'z' }, { $patch: 'replace' }] } } } }],
  ['$setElementOrder reorders', { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } } } }],
  [
    'nested env merge with order',
    {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
            containers: [{ name: 'a', '$setElementOrder/env': [{ name: 'Z' }, { name: 'X' }], env: [{ name: 'Z', value: '9' }, { name: 'Y', $patch: 'delete' }] }],
          },
        },
      },
    },
  ],
  ['$deleteFromPrimitiveList', { metadata: { '$deleteFromPrimitiveList/finalizers': ['a/x'], finalizers: ['c/z'] } }],
  ['primitive list union', { metadata: { finalizers: ['c/z', 'a/x'] } }],
  ['atomic list replaced', { spec: { template: { spec: { tolerations: [{ key: 'n', operator: 'Exists' }] } } } }],
  ['$patch replace on a map', { spec: { selector: { $patch: 'replace', matchLabels: { app: 'e' } } } }],
  ['$patch delete on a map', { spec: { strategy: { $patch: 'delete' } } }],
  ['new map with nulls inside', { spec: { template: { spec: { nodeSelector: { a: 'b', c: null } } } } }],
  ['volume retainKeys switch', { spec: { template: { spec: { volumes: [{ name: 'v', $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' } }] } } } }],
  ['ports by containerPort', { spec: { template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 443 }] }] } } } }],
];

for (const [name, patch] of CASES) {
  test(`strategic merge patch matches kubectl: ${name}`, (t) => {
    requireKubectl();
    const want = kubectlPatch(deploy, 'strategic', patch);
    assert.equal(want.error, undefined, `kubectl failed: ${want.error}`);
    const got = applyStrategicMergePatch(deploy, patch, 'Deployment', 'apps/v1');
    assert.deepEqual(stripTyped(got), stripTyped(want.obj));
  });
}

// kubectl round-trips through the typed object, which adds empty structs (status,
// resources, strategy) and creationTimestamp: null; drop those on both sides.
function stripTyped(o: any): any {
  const { creationTimestamp, ...metadata } = o.metadata;
  void creationTimestamp;
  const spec = JSON.parse(JSON.stringify(o.spec));
  delete spec.template.metadata.creationTimestamp;
  for (const c of spec.template.spec.containers ?? []) if (c.resources && Object.keys(c.resources).length === 0) delete c.resources;
  if (spec.strategy && Object.keys(spec.strategy).length === 0) delete spec.strategy;
  return { metadata, spec };
}

test('strategic merge patch does not modify its inputs', () => {
  const before = JSON.stringify(deploy);
  const patch = { metadata: { labels: { tier: null } } };
  applyStrategicMergePatch(deploy, patch, 'Deployment', 'apps/v1');
  assert.equal(JSON.stringify(deploy), before);
  assert.deepEqual(patch, { metadata: { labels: { tier: null } } });
});

test('unknown $patch directive in a list is an error', () => {
  assert.throws(() => applyStrategicMergePatch(deploy, { spec: { template: { spec: { containers: [{ name: 'a', $patch: 'merge' }] } } } }, 'Deployment', 'apps/v1'), /merging lists cannot yet be specified in the patch/);
});

test('JSON merge patch: RFC 7386 examples', () => {
  assert.deepEqual(applyJsonMergePatch({ a: 'b', c: { d: 'e', f: 'g' } }, { a: 'z', c: { f: null } }), { a: 'z', c: { d: 'e' } });
  assert.deepEqual(applyJsonMergePatch({ a: [1, 2] }, { a: [3] }), { a: [3] });
  assert.deepEqual(applyJsonMergePatch({ a: 'foo' }, { a: { bb: { ccc: null } } }), { a: { bb: {} } });
  assert.deepEqual(applyJsonMergePatch({ a: 'b' }, ['c']), ['c']);
  assert.deepEqual(createJsonMergePatch({ a: 1, b: { c: 1, d: 2 }, l: [1] }, { a: 1, b: { c: 2 }, l: [1, 2], n: {} }), { b: { c: 2, d: null }, l: [1, 2], n: {} });
});

test('JSON merge patch matches kubectl on lists and nulls', (t) => {
  requireKubectl();
  const patch = { metadata: { labels: { tier: null, x: 'y' } }, spec: { template: { spec: { containers: [{ name: 'only', image: 'i' }] } } } };
  const want = kubectlPatch(deploy, 'merge', patch).obj;
  const got = applyJsonMergePatch(deploy, patch);
  assert.deepEqual(got.metadata.labels, want.metadata.labels);
  assert.deepEqual(got.spec.template.spec.containers, want.spec.template.spec.containers);
});
