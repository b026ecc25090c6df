// The one downward API reader (src/api/fieldpath.ts): fieldpath.ExtractFieldPathAsString's
// values and errors, ExtractContainerResourceValue's rounding, and the node-allocatable
// defaults the kubelet gives a container without a limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractContainerResourceValue, extractFieldPathAsString, formatMap, withAllocatableLimits } from '../../src/api/fieldpath';
import type { KObject } from '../../src/api/types';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', uid: 'u-1', labels: { tier: 'front', app: 'web' }, annotations: { x: 'a\u00a0b\u0001', 'Big/Key': 'v' } },
} as unknown as KObject;

test('field paths: whole maps as key="value" lines in key order, quoted as Go %q; subscripts and metadata', () => {
  assert.equal(extractFieldPathAsString(pod, 'metadata.labels'), 'app="web"\ntier="front"');
  // Go quotes U+00A0 and control characters, where JSON would not
  assert.equal(extractFieldPathAsString(pod, 'metadata.annotations'), 'Big/Key="v"\nx="a\\u00a0b\\x01"');
  assert.equal(extractFieldPathAsString(pod, "metadata.annotations['x']"), 'a\u00a0b\u0001');
  assert.equal(extractFieldPathAsString(pod, "metadata.labels['missing']"), '');
  assert.equal(extractFieldPathAsString(pod, 'metadata.uid'), 'u-1');
  assert.equal(formatMap(undefined), '');
});

test('field path errors carry Kubernetes words', () => {
  assert.throws(() => extractFieldPathAsString(pod, "metadata.name['x']"), { message: `fieldPath "metadata.name['x']" does not support subscript` });
  assert.throws(() => extractFieldPathAsString(pod, 'spec.nodeName'), { message: 'unsupported fieldPath: spec.nodeName' });
  // annotation keys are checked lower-cased, label keys as they are
  assert.equal(extractFieldPathAsString(pod, "metadata.annotations['Big/Key']"), 'v');
  assert.throws(() => extractFieldPathAsString(pod, "metadata.labels['a b']"), /^Error: invalid key subscript in metadata\.labels\['a b'\]: name part must consist of/);
});

test('resource values: over the divisor, rounded up; node allocatable for a missing or zero limit only', () => {
  const c = { name: 'c', resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { memory: '0' } } };
  assert.equal(extractContainerResourceValue({ resource: 'requests.cpu', divisor: '1m' }, c), '250');
  assert.equal(extractContainerResourceValue({ resource: 'requests.cpu' }, c), '1');
  assert.equal(extractContainerResourceValue({ resource: 'requests.memory', divisor: '1Mi' }, c), '64');
  assert.equal(extractContainerResourceValue({ resource: 'limits.cpu', divisor: '1m' }, c), '0');
  const defaulted = withAllocatableLimits(c, { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi', pods: '110' });
  assert.equal(extractContainerResourceValue({ resource: 'limits.cpu', divisor: '1m' }, defaulted), '4000');
  assert.equal(extractContainerResourceValue({ resource: 'limits.memory', divisor: '1Gi' }, defaulted), '8');
  assert.equal(extractContainerResourceValue({ resource: 'limits.ephemeral-storage', divisor: '1Gi' }, defaulted), '100');
  assert.equal(c.resources.limits.memory, '0', 'the pod spec itself is not changed');
  const own = withAllocatableLimits({ resources: { limits: { cpu: '500m' } } }, { cpu: '4' });
  assert.equal(extractContainerResourceValue({ resource: 'limits.cpu', divisor: '1m' }, own), '500');
  assert.throws(() => extractContainerResourceValue({ resource: 'limits.gpu' }, c), { message: 'Unsupported container resource : limits.gpu' });
});
