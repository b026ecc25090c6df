import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch } from '../../src/api/apply/json-patch';
import { isApiError } from '../../src/api/errors';
import { kubectlPatch } from './kubectl-local';
import { requireKubectl } from '../oracles';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { app: 'x' } },
  spec: { containers: [{ name: 'a', image: 'nginx', ports: [{ containerPort: 80 }] }] },
};

const CASES: [string, unknown][] = [
  ['replace missing key adds it', [{ op: 'replace', path: '/spec/foo', value: 1 }]],
  ['add below a missing parent', [{ op: 'add', path: '/spec/foo/bar', value: 1 }]],
  ['add at an index past the end', [{ op: 'add', path: '/spec/containers/5', value: 1 }]],
  ['append with -', [{ op: 'add', path: '/spec/containers/-', value: { name: 'b', image: 'x' } }]],
  ['remove a missing key', [{ op: 'remove', path: '/spec/foo' }]],
  ['remove a missing index', [{ op: 'remove', path: '/spec/containers/3' }]],
  ['failed test', [{ op: 'test', path: '/metadata/name', value: 'q' }]],
  ['passing test', [{ op: 'test', path: '/metadata/name', value: 'p' }]],
  ['move', [{ op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/b' }]],
  ['copy from a missing key', [{ op: 'copy', from: '/metadata/labels/zz', path: '/metadata/labels/b' }]],
  ['unknown op', [{ op: 'bogus', path: '/metadata/labels/b' }]],
  ['missing path', [{ op: 'add', value: 1 }]],
  ['relative path', [{ op: 'add', path: 'metadata', value: 1 }]],
  ['add without value', [{ op: 'add', path: '/metadata/labels/x' }]],
  ['not an array', { op: 'add' }],
  ['a string', 'notjson'],
  ['negative index', [{ op: 'add', path: '/spec/containers/-1', value: 1 }]],
  ['non-numeric index', [{ op: 'add', path: '/spec/containers/x', value: 1 }]],
  ['remove -', [{ op: 'remove', path: '/spec/containers/-' }]],
  ['escaped key', [{ op: 'add', path: '/metadata/labels/a~1b', value: '1' }]],
  ['nested replace', [{ op: 'replace', path: '/spec/containers/0/ports/0/containerPort', value: 81 }]],
  ['several ops, the second fails', [{ op: 'add', path: '/metadata/labels/x', value: 'y' }, { op: 'remove', path: '/nope' }]],
];

for (const [name, ops] of CASES) {
  test(`json patch matches kubectl: ${name}`, (t) => {
    requireKubectl();
    const want = kubectlPatch(pod, 'json', ops === 'notjson' ? 'notjson' : ops);
    let got: { obj?: any; error?: string };
    try {
      got = { obj: applyJsonPatch(pod, ops === 'notjson' ? 'notjson' : ops) };
    } catch (e) {
      assert.ok(isApiError(e));
      got = { error: e.message };
    }
    assert.deepEqual(got, want);
  });
}

test('json patch errors carry the right reason and text (no kubectl needed)', () => {
  assert.throws(
    () => applyJsonPatch(pod, [{ op: 'add', path: '/spec/foo/bar', value: 1 }]),
    (e: unknown) => isApiError(e, 'Invalid') && e.message === 'add operation does not apply: doc is missing path: "/spec/foo/bar": missing value',
  );
  assert.throws(
    () => applyJsonPatch(pod, { op: 'add' }),
    (e: unknown) => isApiError(e, 'BadRequest') && e.message === 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
  );
  assert.deepEqual(pod.metadata.labels, { app: 'x' }, 'input untouched');
});
