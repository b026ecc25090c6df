// The stores' copies: cloneJson has JSON's semantics; frozenCopy is the same copy, deep-frozen
// (what a store keeps of a write and hands out shared).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cloneJson, deepFreeze, frozenCopy } from '../../src/store/clone';
import { MemoryStore } from '../../src/store/memory-store';
import { heapGrowth } from '../helpers/heap';

const tricky = () => ({
  a: [1, undefined, () => 1, NaN, { b: 'x', c: undefined }],
  d: new Date(0),
  e: null,
  f: { g: { h: [[], {}] } },
  i: Infinity,
  s: new String('boxed'),
});

function allFrozen(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return true;
  return Object.isFrozen(v) && Object.values(v).every(allFrozen);
}

test('cloneJson and frozenCopy give what JSON.parse(JSON.stringify(v)) gives', () => {
  const want = JSON.parse(JSON.stringify(tricky()));
  assert.deepEqual(cloneJson(tricky()), want);
  assert.deepEqual(frozenCopy(tricky()), want);
  assert.equal(frozenCopy(undefined), undefined);
});

test('frozenCopy is frozen all the way down and shares nothing with its input', () => {
  const input = tricky();
  const copy = frozenCopy(input);
  assert.ok(allFrozen(copy));
  assert.ok(!Object.isFrozen(input) && !Object.isFrozen(input.f.g));
  input.f.g.h.push([]);
  assert.equal(copy.f.g.h.length, 2);
  assert.throws(() => {
    (copy.f.g.h as unknown[]).push(1);
  }, TypeError);
  // A copy of the frozen copy is an ordinary, changeable object.
  const again = cloneJson(copy);
  again.f.g.h.push([]);
  assert.equal(again.f.g.h.length, 3);
});

test('frozenCopy shares the frozen parts of its input (what a store made) and copies the rest', () => {
  const stored = frozenCopy({ metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [{ name: 'c' }] }, status: {} });
  // A binding's write: the stored pod with a new spec level and status.
  const next = { ...stored, spec: { ...stored.spec, nodeName: 'n1' }, status: { conditions: [{ type: 'PodScheduled' }] } };
  const kept = frozenCopy(next);
  assert.ok(allFrozen(kept));
  assert.equal(kept.metadata, stored.metadata);
  assert.equal(kept.spec.containers, stored.spec.containers);
  assert.notEqual(kept.spec, next.spec);
  assert.notEqual(kept.status, next.status);
  assert.deepEqual(kept, JSON.parse(JSON.stringify(next)));
  // cloneJson still copies everything (its result is the caller's to change).
  assert.notEqual(cloneJson(kept).metadata, stored.metadata);
});

test('memory store: what it keeps is frozen (shared reads) and copied for everyone else', () => {
  const s = new MemoryStore();
  const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' }, data: { k: 'v' } };
  const back = s.create('configmaps/default/a', obj);
  back.data.k = 'changed by the caller';
  const shared = s.get('configmaps/default/a', { shared: true })!;
  assert.ok(allFrozen(shared));
  assert.equal(shared.data.k, 'v');
  const mine = s.get('configmaps/default/a')!;
  mine.data.k = 'mine';
  assert.equal(s.get('configmaps/default/a', { shared: true })!.data.k, 'v');
  s.writeMeta('doc', { ips: { '10.0.0.2': 'uid' } });
  const doc = s.readMeta<{ ips: Record<string, string> }>('doc')!;
  doc.ips['10.0.0.3'] = 'other';
  assert.deepEqual(s.readMeta('doc'), { ips: { '10.0.0.2': 'uid' } });
});

test('an exact int64 (a bigint) is copied as the bigint it is, by cloneJson and frozenCopy alike', () => {
  const v = { spec: { activeDeadlineSeconds: 9007199254740993n, list: [-9223372036854775808n, 'a'] } };
  assert.deepEqual(cloneJson(v), v);
  assert.deepEqual(frozenCopy(v), v);
  assert.equal(frozenCopy(v).spec.activeDeadlineSeconds, 9007199254740993n);
});

// Two pods of one template, as the kubelet and kubectl wrote them: only names and times differ.
const podOf = (name: string, time: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1","kind":"Pod","spec":{"containers":[{"image":"nginx:1.27","name":"c"}]}}\n' },
    managedFields: [{ manager: 'kubelet', operation: 'Update', time, subresource: 'status', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': { 'f:phase': {}, 'f:podIP': {} } } }],
  },
  spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], tolerations: [{ key: 'k', operator: 'Exists' }], nodeName: name },
});

test('kept copies share the members that repeat across objects (empty field-set leaves, containers, last-applied), and stay equal to their input', () => {
  for (const keep of [frozenCopy, (v: unknown) => deepFreeze(JSON.parse(JSON.stringify(v)))]) {
    const a = keep(podOf('a', '2026-01-01T00:00:00Z')) as ReturnType<typeof podOf>;
    const b = keep(podOf('b', '2026-01-01T00:00:01Z')) as ReturnType<typeof podOf>;
    assert.deepEqual(a, podOf('a', '2026-01-01T00:00:00Z'));
    assert.deepEqual(b, podOf('b', '2026-01-01T00:00:01Z'));
    assert.ok(allFrozen(a) && allFrozen(b));
    assert.equal(a.spec.containers, b.spec.containers);
    assert.equal(a.spec.tolerations, b.spec.tolerations);
    assert.notEqual(a.metadata.managedFields[0], b.metadata.managedFields[0]); // times differ
    // Empty leaves of field sets are one object.
    const [fa, fb] = [a.metadata.managedFields[0].fieldsV1['f:status'] as any, b.metadata.managedFields[0].fieldsV1['f:status'] as any];
    assert.equal(fa['f:phase'], fb['f:podIP']);
    assert.deepEqual(fa['f:phase'], {});
    // A value that differs is its own.
    const c = keep({ ...podOf('c', 't'), spec: { containers: [{ name: 'c', image: 'nginx:1.28' }] } }) as ReturnType<typeof podOf>;
    assert.notEqual(c.spec.containers, a.spec.containers);
    assert.equal(c.spec.containers[0].image, 'nginx:1.28');
    // Copies handed out are the callers' own.
    const mine = cloneJson(a);
    mine.spec.containers[0].image = 'changed';
    assert.equal(b.spec.containers[0].image, 'nginx:1.27');
  }
});

test("kept pods' conditions are one instance per distinct array (pods settled in the same seconds); a node's, with their heartbeats, are not remembered", () => {
  const conditions = (t: string) => [
    { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-12-07T10:56:47Z' },
    { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: t },
  ];
  const pod = (name: string, t: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, status: { phase: 'Running', conditions: conditions(t) } });
  for (const keep of [frozenCopy, (v: unknown) => deepFreeze(JSON.parse(JSON.stringify(v)))]) {
    const a = keep(pod('a', '2026-12-07T10:57:55Z')) as any;
    const b = keep(pod('b', '2026-12-07T10:57:55Z')) as any;
    const c = keep(pod('c', '2026-12-07T10:57:56Z')) as any;
    assert.deepEqual(a, pod('a', '2026-12-07T10:57:55Z'));
    assert.deepEqual(c, pod('c', '2026-12-07T10:57:56Z'));
    assert.ok(allFrozen(a) && allFrozen(c));
    assert.equal(a.status.conditions, b.status.conditions);
    assert.notEqual(a.status.conditions, c.status.conditions);
    assert.equal(c.status.conditions[1].lastTransitionTime, '2026-12-07T10:57:56Z');
    const node = (name: string) => ({ kind: 'Node', metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-12-07T10:57:55Z' }] } });
    const [n1, n2] = [keep(node('n1')), keep(node('n2'))] as any[];
    assert.deepEqual(n2, node('n2'));
    assert.notEqual(n1.status.conditions, n2.status.conditions);
  }
});

test("a projected volume, hostIPs and ownerReferences are one instance in every kept pod (each pod's volume named its own); runtime records' containers, each with its container ID, are neither shared nor remembered", () => {
  const projected = () => ({
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } },
      { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
    ],
  });
  const owners = () => [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f', uid: '7c1e2a4e-0f39-4c57-9d0e-3a2b1c0d9e8f', controller: true, blockOwnerDeletion: true }];
  const pod = (name: string) => ({
    kind: 'Pod',
    metadata: { name, ownerReferences: owners() },
    spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], volumes: [{ name: `kube-api-access-${name}`, projected: projected() }] },
    status: { hostIPs: [{ ip: '172.18.0.3' }] },
  });
  const record = (i: number) => ({ uid: `u-${i}`, containers: [{ name: 'c', phase: 'running', containerID: `containerd://${i}` }] });
  for (const keep of [frozenCopy, (v: unknown) => deepFreeze(JSON.parse(JSON.stringify(v)))]) {
    const a = keep(pod('a')) as any;
    // More records than the table of shared values holds: none of them takes a place in it,
    // so the pods kept after them still share what the pods before them hold.
    const records = Array.from({ length: 10_000 }, (_, i) => keep(record(i)) as any);
    const b = keep(pod('b')) as any;
    assert.deepEqual(b, pod('b'));
    assert.ok(allFrozen(a) && allFrozen(b));
    assert.equal(b.spec.volumes[0].projected, a.spec.volumes[0].projected);
    assert.equal(b.spec.volumes[0].name, 'kube-api-access-b');
    assert.equal(b.spec.containers, a.spec.containers);
    assert.equal(b.status.hostIPs, a.status.hostIPs);
    assert.equal(b.metadata.ownerReferences, a.metadata.ownerReferences);
    assert.deepEqual(records[9_999], record(9_999));
    const again = keep(record(9_999)) as any;
    assert.notEqual(again.containers, records[9_999].containers);
  }
});

test('field sets are one instance per distinct subtree (hash-consed), equal to their input, and told apart by every name and leaf', () => {
  const set = (ip: string) => ({
    'f:status': {
      'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:status': {}, 'f:type': {} } },
      'f:podIPs': { '.': {}, [`k:{"ip":"${ip}"}`]: { '.': {}, 'f:ip': {} } },
    },
  });
  const entry = (ip: string) => ({ metadata: { managedFields: [{ manager: 'kubelet', fieldsType: 'FieldsV1', fieldsV1: set(ip) }] } });
  for (const keep of [frozenCopy, (v: unknown) => deepFreeze(JSON.parse(JSON.stringify(v)))]) {
    const a = keep(entry('10.0.0.1')) as any;
    const b = keep(entry('10.0.0.2')) as any;
    const a2 = keep(entry('10.0.0.1')) as any;
    assert.deepEqual(a, entry('10.0.0.1'));
    assert.deepEqual(b, entry('10.0.0.2'));
    assert.ok(allFrozen(a) && allFrozen(b));
    const fa = a.metadata.managedFields[0].fieldsV1;
    const fb = b.metadata.managedFields[0].fieldsV1;
    // Same IP: the whole set is one instance; another IP: only the path to it differs.
    assert.equal(a2.metadata.managedFields[0].fieldsV1, fa);
    assert.notEqual(fb, fa);
    assert.equal(fb['f:status']['f:conditions'], fa['f:status']['f:conditions']);
    assert.notEqual(fb['f:status']['f:podIPs'], fa['f:status']['f:podIPs']);
    // A name that embeds what another's boundary would look like is still told apart.
    const tricky = keep({ fieldsV1: { 'a#0;1:b': {} } }) as any;
    const plain = keep({ fieldsV1: { a: {}, b: {} } }) as any;
    assert.notEqual(tricky.fieldsV1, plain.fieldsV1);
    assert.deepEqual(Object.keys(tricky.fieldsV1), ['a#0;1:b']);
  }
  // A kept set re-kept (a write built from a stored object) is taken as it is.
  const stored = frozenCopy(entry('10.0.0.3')) as any;
  assert.equal((frozenCopy({ ...stored }) as any).metadata.managedFields[0].fieldsV1, stored.metadata.managedFields[0].fieldsV1);
});

test('kept copies hold one instance of each short string value repeated across objects (what the heap holds)', () => {
  const N = 4000;
  // Eight 120-character values, the same in every object (an image digest, a manager...), parsed
  // apart as a store reads each object's file: ~1 KB of strings per object, unless shared.
  const same = (c: string) => c.repeat(120);
  const texts = Array.from({ length: N }, (_, i) =>
    JSON.stringify({
      metadata: { name: `p-${i}`, uid: `u-${i}`, a: same('a'), b: same('b') },
      spec: { c: same('c'), d: same('d'), e: same('e') },
      status: { f: same('f'), g: same('g'), h: same('h') },
    }),
  );
  const grownBy = (keep: (text: string) => unknown) => heapGrowth(texts, keep);
  const parsed = grownBy((t) => JSON.parse(t));
  for (const [what, keep] of [
    ['deepFreeze', (t: string) => deepFreeze(JSON.parse(t))],
    ['frozenCopy', (t: string) => frozenCopy(JSON.parse(t))],
  ] as const) {
    const grown = grownBy(keep);
    assert.ok(parsed - grown > N * 500, `${what}: ${grown} bytes kept for ${N} objects, parsed ones take ${parsed}: the repeated values were not shared`);
    assert.deepEqual(keep(texts[7]), JSON.parse(texts[7]));
  }
});

test('a field set\'s hash-consing key is kept as one flat string, not the rope its parts were joined into', () => {
  const N = 3000;
  // A set of 40 members, different in every object (as the kubelet's is by the pod's IP): one key each.
  const texts = Array.from({ length: N }, (_, i) => JSON.stringify({ metadata: { managedFields: [{ manager: 'm', fieldsV1: Object.fromEntries(Array.from({ length: 40 }, (_, j) => [`f:field-${j}`, j === 0 ? { [`k:${i}`]: {} } : {}])) }] } }));
  const grownBy = (keep: (text: string) => unknown) => heapGrowth(texts, keep);
  const parsed = grownBy((t) => JSON.parse(t));
  const frozen = grownBy((t) => deepFreeze(JSON.parse(t)));
  // Flat, a key is its ~600 characters; as a rope, ~100 nodes of 32 bytes and their parts.
  assert.ok(frozen - parsed < N * 1500, `${frozen - parsed} bytes more than the parsed objects for ${N} distinct sets`);
});

test('a kept copy takes no more heap than the same object parsed: objects of 5 to 40 members laid out as JSON.parse lays them out', () => {
  const N = 4000;
  // Members of every count a stored object has: metadata (6), a 12-member spec, a 20-member
  // map, a 40-member one; values unique per object and numbers (short strings would go through
  // the interning table, whose growth is not the objects').
  const members = (n: number, i: number) => Object.fromEntries(Array.from({ length: n }, (_, j) => [`m${j}`, i * 100 + j]));
  const texts = Array.from({ length: N }, (_, i) =>
    JSON.stringify({
      metadata: { uid: `u-${i}`, generation: i, a: i + 1, b: i + 2, c: i + 3, labels: members(5, i) },
      spec: members(12, i),
      status: members(20, i),
      data: members(40, i),
    }),
  );
  // The input as a writer builds it: members added one by one to `{}`.
  const built = texts.map((t) => JSON.parse(t, (_k, v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.assign({}, v) : v)));
  let i = 0;
  const kept = heapGrowth(texts, () => frozenCopy(built[i++]));
  const parsed = heapGrowth(texts, (t) => deepFreeze(JSON.parse(t)));
  // Base (`{}` per copy): a property array per object past four members and a hash table past
  // ~17, ~1,300 B more an object than parsed.
  assert.ok(kept <= parsed + N * 32, `kept copies ${Math.round(kept / N)} B each, the same objects parsed ${Math.round(parsed / N)} B`);
  const one = frozenCopy(built[3]) as any;
  assert.deepEqual(one, JSON.parse(texts[3]));
  for (const o of [one, one.metadata, one.spec, one.status, one.data]) {
    assert.equal(Object.getPrototypeOf(o), Object.prototype);
    assert.equal(o.constructor, Object);
    assert.ok(Object.isFrozen(o));
  }
  assert.equal(JSON.stringify(one), texts[3]);
  // Counts past the sized layouts, and a member named __proto__, copied as before.
  const wide = members(300, 1);
  assert.deepEqual(cloneJson(wide), wide);
  assert.deepEqual(frozenCopy(wide), wide);
  const proto = JSON.parse('{"a":1,"b":2,"c":3,"d":4,"e":5,"__proto__":{"x":1}}');
  const copied = frozenCopy(proto) as any;
  assert.equal(Object.getPrototypeOf(copied), Object.prototype);
  assert.deepEqual(Object.keys(copied), ['a', 'b', 'c', 'd', 'e', '__proto__']);
  assert.equal(JSON.stringify(copied), JSON.stringify(proto));
});
