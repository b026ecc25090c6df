// decodeProtobuf on hand-encoded bodies: the special apimachinery types, pointer zeros,
// inline (embedded) structs, list wrappers and the envelope's TypeMeta.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtobuf } from '../../src/api/rest/protobuf';

// A minimal protobuf encoder: just enough to write what Kubernetes' gogo marshaller writes.
const varint = (n: bigint): Buffer => {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
};
const num = (no: number, n: number | bigint) => Buffer.concat([varint(BigInt(no << 3)), varint(BigInt(n))]);
const bytes = (no: number, b: Buffer | string) => {
  const buf = typeof b === 'string' ? Buffer.from(b) : b;
  return Buffer.concat([varint(BigInt((no << 3) | 2)), varint(BigInt(buf.length)), buf]);
};
const msg = (no: number, ...parts: Buffer[]) => bytes(no, Buffer.concat(parts));
const entry = (no: number, k: string, v: Buffer | string) => msg(no, bytes(1, k), bytes(2, v));

function envelope(apiVersion: string, kind: string, ...obj: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), msg(1, bytes(1, apiVersion), bytes(2, kind)), msg(2, ...obj)]);
}
// ObjectMeta as gogo writes it: the non-pointer fields are always there, zero or not.
const meta = (name: string, ...more: Buffer[]) => msg(1, bytes(1, name), bytes(2, ''), bytes(3, ''), bytes(4, ''), bytes(5, ''), bytes(6, ''), num(7, 0), msg(8), ...more);

test('a Deployment: pointer zeros kept, omitempty zeros dropped, intstr, zero Time', () => {
  const container = Buffer.concat([bytes(1, 'nginx'), bytes(2, 'nginx'), msg(6, num(3, 80), bytes(4, 'TCP')), msg(8)]);
  const strategy = msg(4, bytes(1, 'RollingUpdate'), msg(2, msg(1, num(1, 1), bytes(3, '25%')), msg(2, num(1, 0), num(2, 2))));
  const body = envelope(
    'apps/v1',
    'Deployment',
    meta('web', entry(11, 'app', 'web')),
    msg(2, num(1, 0), msg(2, entry(1, 'app', 'web')), msg(3, msg(1, bytes(1, ''), msg(8), entry(11, 'app', 'web')), msg(2, msg(2, container))), strategy, num(5, 0), num(7, 0)),
  );
  assert.deepEqual(decodeProtobuf(body), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: {} }] } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 2 } },
    },
  });
});

test('a Secret: bytes are base64, a Time has seconds, negative int64 survives', () => {
  const body = envelope('v1', 'Secret', meta('s', msg(9, num(1, 1700000000)), num(10, -1)), entry(2, 'pw', Buffer.from([0, 255, 1])), bytes(3, 'Opaque'));
  assert.deepEqual(decodeProtobuf(body), {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's', creationTimestamp: null, deletionTimestamp: '2023-11-14T22:13:20Z', deletionGracePeriodSeconds: -1 },
    data: { pw: 'AP8B' },
    type: 'Opaque',
  });
});

test('inline embedded structs (Volume source, Probe handler), Quantity', () => {
  const volume = msg(1, bytes(1, 'cfg'), msg(2, msg(19, msg(1, bytes(1, 'settings')))));
  const resources = msg(8, entry(1, 'cpu', bytes(1, '500m')));
  const probe = msg(10, msg(1, msg(2, bytes(1, '/healthz'), msg(2, num(1, 1), bytes(3, 'http')))), num(4, 5));
  const body = envelope('v1', 'Pod', meta('p'), msg(2, volume, msg(2, bytes(1, 'c'), resources, probe)));
  const pod = decodeProtobuf(body) as { spec: Record<string, unknown> };
  assert.deepEqual(pod.spec, {
    volumes: [{ name: 'cfg', configMap: { name: 'settings' } }],
    containers: [{ name: 'c', resources: { limits: { cpu: '500m' } }, livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 } }],
  });
});

test('list wrappers (ExtraValue) become arrays; the review kinds decode', () => {
  const body = envelope('authorization.k8s.io/v1', 'SubjectAccessReview', meta(''), msg(2, msg(1, bytes(2, 'get'), bytes(5, 'pods')), bytes(3, 'bob'), entry(5, 'scopes', msg(0, bytes(1, 'a'), bytes(1, 'b')).subarray(2))));
  assert.deepEqual(decodeProtobuf(body), {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    metadata: { creationTimestamp: null },
    spec: { resourceAttributes: { verb: 'get', resource: 'pods' }, user: 'bob', extra: { scopes: ['a', 'b'] } },
  });
});

test('unknown kinds and broken bodies are refused', () => {
  assert.throws(() => decodeProtobuf(envelope('example.com/v1', 'Widget', meta('w'))), /not supported/);
  assert.throws(() => decodeProtobuf(Buffer.from('{"kind":"Pod"}')), /not a Kubernetes protobuf/);
  assert.throws(() => decodeProtobuf(Buffer.concat([envelope('v1', 'ConfigMap', meta('x')).subarray(0, 12)])));
});

test('DeleteOptions, sent under the URL group version, is the meta.k8s.io kind', () => {
  assert.deepEqual(decodeProtobuf(envelope('v1', 'DeleteOptions', num(1, 0), bytes(4, 'Background'))), { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, propagationPolicy: 'Background' });
  assert.deepEqual(decodeProtobuf(envelope('apps/v1', 'DeleteOptions')), { apiVersion: 'apps/v1', kind: 'DeleteOptions' });
});

test('a Lease: MicroTime keeps microseconds; a zero MicroTime is null', () => {
  const spec = msg(2, bytes(1, 'node-1'), num(2, 40), msg(3, num(1, 1700000000), num(2, 123456789)), msg(4), num(5, 0));
  assert.deepEqual(decodeProtobuf(envelope('coordination.k8s.io/v1', 'Lease', meta('l'), spec)), {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'l', creationTimestamp: null },
    spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, acquireTime: '2023-11-14T22:13:20.123456Z', renewTime: null, leaseTransitions: 0 },
  });
});

test('repeated int32, unpacked (as gogo writes proto2) or packed', () => {
  const packed = bytes(3, Buffer.concat([varint(3n), varint(300n)]));
  const rule = (values: Buffer) => msg(1, bytes(1, 'FailJob'), msg(2, bytes(2, 'In'), values));
  const job = (values: Buffer) => envelope('batch/v1', 'Job', meta('j'), msg(2, msg(11, rule(values))));
  const want = { action: 'FailJob', onExitCodes: { operator: 'In', values: [3, 300] } };
  for (const values of [Buffer.concat([num(3, 3), num(3, 300)]), packed]) {
    const j = decodeProtobuf(job(values)) as { spec: { podFailurePolicy: { rules: unknown[] } } };
    assert.deepEqual(j.spec.podFailurePolicy.rules, [want]);
  }
});
