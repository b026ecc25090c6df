// The event correlator's per-namespace index (src/api/event-names.ts): filled from one list of
// the namespace's events, then kept by the process's own writes, bounded as an LRU. Past its
// bound it used to be dropped whole and re-listed at the next event: at 10,000 pods (50,000
// events in the namespace) every further event listed all of them, and the daemon never came
// to rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventIndex, Lru, eventIdentity } from '../../src/api/event-names';
import type { KObject } from '../../src/api/types';
import { heapGrowth } from '../helpers/heap';

const id = (i: number) => eventIdentity(`uid-${i}`, 'Started', 'Started container c', 'spec.containers{c}', 'kubelet', 'Normal');

test('event index: past its bound it forgets the least recently used identity, and never lists the namespace again', async () => {
  let lists = 0;
  const stored: KObject[] = [{ apiVersion: 'v1', kind: 'Event', metadata: { name: 'p-0.1', namespace: 'default' }, involvedObject: { uid: 'uid-0' }, reason: 'Started', message: 'Started container c', source: { component: 'kubelet' }, type: 'Normal' } as unknown as KObject];
  (stored[0] as any).involvedObject.fieldPath = 'spec.containers{c}';
  const index = new EventIndex(async () => (lists++, stored), () => 0);
  assert.equal(await index.lookup('default', id(0)), 'p-0.1', 'filled from the list');
  const n = 60_000;
  for (let i = 1; i <= n; i++) {
    index.remember('default', id(i), `p-${i}.1`);
    // The first identity is used now and then: recently used, it is kept.
    if (i % 10_000 === 0) assert.equal(await index.lookup('default', id(0)), 'p-0.1');
  }
  assert.equal(await index.lookup('default', id(n)), `p-${n}.1`);
  assert.equal(await index.lookup('default', id(0)), 'p-0.1');
  // The least recently used are forgotten (a repeat of theirs becomes a new event, as client-go's LRU).
  assert.equal(await index.lookup('default', id(1)), undefined);
  assert.equal(lists, 1, 'one list of the namespace for the life of the index');
});

test('the LRU keeps what a Map kept in use order keeps: same entries, same order, same values, under random uses', () => {
  // The reference: the Map that was the cache before (delete, set, drop the first past max).
  const max = 50;
  const ref = new Map<string, number>();
  const lru = new Lru<number>(max);
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let i = 0; i < 20_000; i++) {
    const key = `k${rand(120)}`;
    if (rand(3) === 0) {
      assert.equal(lru.peek(key), ref.get(key), `peek ${key} at ${i}`);
      continue;
    }
    ref.delete(key);
    ref.set(key, i);
    if (ref.size > max) ref.delete(ref.keys().next().value!);
    lru.touch(key, i);
    assert.equal(lru.size, ref.size);
  }
  assert.deepEqual([...lru.keys()], [...ref.keys()], 'oldest to newest');
  for (const [k, v] of ref) assert.equal(lru.peek(k), v);
  assert.equal(lru.peek('k-none'), undefined);
});

test("the index keeps an identity as a digest: what 20,000 identities take, each made of its event's parts as the recorder joins them", async () => {
  const N = 20_000;
  // The parts are the event's own strings (a pod's uid, the kubelet's messages) and the names
  // are the events' own: only what the index itself adds is measured.
  const uids = Array.from({ length: N }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const messages = ['Created container: c', 'Started container c', 'Successfully pulled image "nginx:1.27" in 2.325s (2.325s including waiting). Image size: 72686057 bytes.'];
  const names = uids.map((_, i) => `p-${i}.18eefdd259c6af79`);
  const identity = (i: number) => eventIdentity(uids[i], 'Pulled', messages[i % 3], 'spec.containers{c}', 'kubelet', 'Normal');
  const index = new EventIndex(async () => [], () => 0);
  assert.equal(await index.lookup('default', identity(0)), undefined, 'the namespace listed (empty)');
  let i = 0;
  const grown = heapGrowth(uids, () => {
    index.remember('default', identity(i), names[i]);
    i++;
  });
  // The digest (40 B), the Map's slot and the LRU's entry (56 B): 167 B; the parts joined
  // (flat, ~150 characters) took 293 B.
  assert.ok(grown / N < 200, `${Math.round(grown / N)} B an identity`);
  assert.equal(await index.lookup('default', identity(5)), names[5]);
  assert.equal(await index.lookup('default', eventIdentity(uids[5], 'Pulled', messages[2], 'spec.containers{c}', 'kubelet', 'Normal')), names[5]);
  // Any part different: another identity.
  assert.equal(await index.lookup('default', eventIdentity(uids[5], 'Pulled', messages[2], 'spec.containers{c}', 'kubelet', 'Warning')), undefined);
  assert.equal(await index.lookup('default', eventIdentity(uids[5], 'Pulled', messages[2], '', 'kubelet', 'Normal')), undefined);
});

const nanosOf = (name: string) => BigInt('0x' + name.slice(name.lastIndexOf('.') + 1));

test('event names at one cluster instant: each after every name the namespace held (another process\'s), and after its own', async () => {
  const T = 1_700_000_000_000;
  // Another process recorded at T, near the top of the millisecond; a user's Event has a name
  // past any time (ignored); another namespace's names are not listed here.
  const theirs = (T * 1_000_000 + 999_000).toString(16);
  const listed = (names: string[]) => names.map((name) => ({ apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default' }, involvedObject: { uid: 'u' } }) as unknown as KObject);
  for (let run = 0; run < 20; run++) {
    const index = new EventIndex(async () => listed([`p.${theirs}`, 'mine.ffffffffffffffff', 'no-time-here']), () => T);
    const names = [await index.newName('default', 'p'), await index.newName('default', 'p'), await index.newName('default', 'q')];
    assert.ok(nanosOf(names[0]) > BigInt('0x' + theirs), `${names[0]} after p.${theirs}`);
    assert.ok(nanosOf(names[0]) < nanosOf(names[1]) && nanosOf(names[1]) < nanosOf(names[2]), names.join(' '));
    // Within a millisecond or two of T: the name still says when.
    assert.ok(nanosOf(names[2]) < BigInt(T + 2) * 1_000_000n, names[2]);
    assert.match(names[2], /^q\.[0-9a-f]+$/);
    // The namespace's index is read once: later names come without a promise, still in order.
    const now = index.newName('default', 'r');
    assert.equal(typeof now, 'string');
    assert.ok(nanosOf(now as string) > nanosOf(names[2]), `${now} after ${names[2]}`);
  }
});
