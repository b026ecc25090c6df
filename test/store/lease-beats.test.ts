// Node Lease renewals kept out of the object files (src/store/lease-beats.ts): a Lease's file
// is written at its create and at other changes, not at each renewal; `rev` stops just before
// the oldest renewal the files lack, so every reader (another process, a restart after
// kill -9, the watch) sees each Lease as of its newest renewal; a renewal older than
// BEATS_SPAN revisions, or twice the number of beats if more (a stopped node's Lease), is written.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { FileStore } from '../../src/store/file-store';
import { BEATS_SPAN } from '../../src/store/lease-beats';
import type { KObject } from '../../src/api/types';
import { untilTrue } from '../helpers/process';

const STORE = JSON.stringify(join(__dirname, '../../src/store/file-store.ts'));
const LEASE = 'leases/kube-node-lease/node-1';
const CM = 'configmaps/default/c';
const time = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString().replace('Z', '000Z');

const lease = (renew: number): KObject => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: {
    name: 'node-1',
    namespace: 'kube-node-lease',
    managedFields: [{ manager: 'kubelet', operation: 'Update', apiVersion: 'coordination.k8s.io/v1', time: time(renew).slice(0, 19) + 'Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:renewTime': {} } } }],
  },
  spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: time(renew) },
});
const cm = (v: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { v } });
/** A renewal as the kubelet writes it: the stored Lease with renewTime and its manager's time moved. */
const renewed = (cur: KObject, renew: number): KObject => {
  const fresh = lease(renew);
  return { ...cur, spec: { ...cur.spec, renewTime: fresh.spec.renewTime }, metadata: { ...cur.metadata, managedFields: fresh.metadata.managedFields } };
};
const fileOf = (dir: string, key: string) => JSON.parse(readFileSync(join(dir, 'registry', key), 'utf8')) as KObject;
const revOf = (dir: string) => Number(readFileSync(join(dir, 'rev'), 'utf8'));
/** A store in `dir` holding the Lease and a ConfigMap, created in one group. */
function created(dir: string): FileStore {
  const s = new FileStore(dir, { fsync: false });
  s.group(() => {
    s.create(LEASE, lease(0));
    s.create(CM, cm('0'));
  });
  return s;
}

test('a node Lease\'s renewals stay in the journal, not its file; every reader sees the newest; its other changes are written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-beats-'));
  try {
    const s = created(dir);
    const first = fileOf(dir, LEASE);
    assert.equal(first.spec.renewTime, time(0), 'the create is written');
    const ino = statSync(join(dir, 'registry', LEASE)).ino;
    // Ticks: each a group renewing the Lease, beside another object's write.
    for (let i = 1; i <= 20; i++) {
      s.group(() => {
        s.update(LEASE, renewed(s.get(LEASE)!, i));
        s.update(CM, cm(String(i)));
      });
    }
    const newest = s.get(LEASE)!;
    assert.equal(newest.spec.renewTime, time(20));
    assert.equal(statSync(join(dir, 'registry', LEASE)).ino, ino, 'no file written for a renewal');
    assert.equal(fileOf(dir, LEASE).spec.renewTime, time(0));
    // The other object's round waits while `rev` lags less than the beats' span (roundMayWait).
    assert.equal(fileOf(dir, CM).data?.v, '0', 'the other object\'s file waits for a round');
    assert.equal(s.get(CM)?.data?.v, '20');

    // Another process's reads, list and watch.
    const other = new FileStore(dir, { fsync: false });
    assert.equal(other.get(LEASE)?.spec.renewTime, time(20));
    assert.equal(other.get(CM)?.data?.v, '20', 'another reader lays the journal over the waiting file');
    assert.deepEqual(other.list('leases/kube-node-lease').items.map((o) => o.spec.renewTime), [time(20)]);
    const beats = other.changesSince(Number(first.metadata.resourceVersion)).filter((e) => e.key === LEASE);
    assert.deepEqual(beats.map((e) => [e.type, e.object.spec.renewTime]), Array.from({ length: 20 }, (_, i) => ['MODIFIED', time(i + 1)]), 'a MODIFIED event per renewal');
    other.close();

    // A change that is not a renewal is written (with the renewals before it).
    s.group(() => {
      const cur = s.get(LEASE)!;
      s.update(LEASE, { ...cur, metadata: { ...cur.metadata, labels: { zone: 'a' } } });
    });
    assert.deepEqual([fileOf(dir, LEASE).metadata.labels, fileOf(dir, LEASE).spec.renewTime], [{ zone: 'a' }, time(20)]);
    assert.equal(fileOf(dir, CM).data?.v, '20', 'no beat left: nothing waits');
    // fsck --repair's compaction writes every file.
    s.group(() => s.update(LEASE, renewed(s.get(LEASE)!, 21)));
    assert.equal(fileOf(dir, LEASE).spec.renewTime, time(20));
    s.compact();
    assert.equal(fileOf(dir, LEASE).spec.renewTime, time(21));
    assert.equal(revOf(dir), s.currentRev());
    s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('at rest a round waits until `rev` lags by the beats\' span, then writes each file due once and `rev` moves to just before the newest beats', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-beats-'));
  try {
    const s = created(dir);
    const rev0 = revOf(dir);
    const ino = statSync(join(dir, 'registry', CM)).ino;
    // Ticks of 500 other writes to one object and a renewal, as a settled daemon's releases.
    let g = 0;
    for (; s.currentRev() - rev0 <= BEATS_SPAN; g++) {
      assert.equal(revOf(dir), rev0, `\`rev\` waits ${s.currentRev() - rev0} revisions after`);
      assert.equal(statSync(join(dir, 'registry', CM)).ino, ino, 'the file not written meanwhile');
      s.group(() => {
        for (let i = 0; i < 500; i++) s.update(CM, cm(`${g}-${i}`));
        s.update(LEASE, renewed(s.get(LEASE)!, g + 1));
      });
    }
    // The release that found `rev` the span behind ran the round.
    assert.equal(fileOf(dir, CM).data?.v, `${g - 1}-499`, 'the file holds the newest state');
    assert.equal(fileOf(dir, LEASE).spec.renewTime, time(0), 'the fresh renewal stays in the journal');
    assert.equal(revOf(dir), Number(s.get(LEASE)!.metadata.resourceVersion) - 1, '`rev` just before the renewal the file lacks');
    const other = new FileStore(dir, { fsync: false });
    assert.equal(other.get(LEASE)?.spec.renewTime, time(g));
    other.close();
    s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a renewal older than BEATS_SPAN revisions (a stopped node\'s Lease) is written, and `rev` moves past it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-beats-'));
  try {
    const s = created(dir);
    s.group(() => s.update(LEASE, renewed(s.get(LEASE)!, 1)));
    const beat = Number(s.get(LEASE)!.metadata.resourceVersion);
    assert.equal(fileOf(dir, LEASE).spec.renewTime, time(0));
    // Other writes, a group of 1,000 at a time, until the renewal is BEATS_SPAN revisions old.
    for (let g = 0; g * 1000 < BEATS_SPAN + 1000; g++) {
      if (g * 1000 < BEATS_SPAN) assert.equal(fileOf(dir, LEASE).spec.renewTime, time(0), `not written ${g * 1000} revisions after`);
      s.group(() => {
        for (let i = 0; i < 1000; i++) s.update(CM, cm(`${g}-${i}`));
      });
    }
    assert.ok(s.currentRev() - beat > BEATS_SPAN);
    assert.equal(fileOf(dir, LEASE).spec.renewTime, time(1), 'the stale renewal is in its file');
    assert.ok(revOf(dir) > beat, '`rev` past it');
    s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('at 10,500 nodes (a renewal period longer than BEATS_SPAN revisions) the renewals still stay out of the Leases\' files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-beats-'));
  const n = 10_500;
  const keyOf = (i: number) => `leases/kube-node-lease/node-${i}`;
  const nodeLease = (i: number): KObject => {
    const l = lease(0);
    return { ...l, metadata: { ...l.metadata, name: `node-${i}` }, spec: { ...l.spec, holderIdentity: `node-${i}` } };
  };
  try {
    const s = new FileStore(dir, { fsync: false });
    s.group(() => {
      for (let i = 0; i < n; i++) s.create(keyOf(i), nodeLease(i));
    });
    s.compact(); // every created file written (a round of 10,500 files takes several releases)
    const watched = [0, 1, n >> 1, n - 1];
    const inos = watched.map((i) => statSync(join(dir, 'registry', keyOf(i))).ino);
    // Three renewal periods, the kubelets' beats in ticks of 500: each Lease renewed every 10,500 revisions.
    for (let period = 1; period <= 3; period++) {
      for (let from = 0; from < n; from += 500) {
        s.group(() => {
          for (let i = from; i < from + 500; i++) s.update(keyOf(i), renewed(s.get(keyOf(i))!, period));
        });
      }
      for (const [j, i] of watched.entries()) {
        assert.equal(fileOf(dir, keyOf(i)).spec.renewTime, time(0), `node-${i}'s file after period ${period}`);
        assert.equal(statSync(join(dir, 'registry', keyOf(i))).ino, inos[j]);
      }
    }
    // `rev` just before the oldest renewal: the first of the last period.
    const oldest = Number(s.get(keyOf(0))!.metadata.resourceVersion);
    assert.equal(revOf(dir), oldest - 1);
    const other = new FileStore(dir, { fsync: false });
    assert.deepEqual(watched.map((i) => other.get(keyOf(i))!.spec.renewTime), watched.map(() => time(3)));
    other.close();
    s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a renewing process killed with SIGKILL loses no acknowledged renewal: a new reader and a restart see the newest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-beats-'));
  try {
    const s0 = new FileStore(dir, { fsync: true });
    s0.group(() => s0.create(LEASE, lease(0)));
    s0.close();
    // The child renews once a group and prints each renewal once its group is committed.
    const script = `const { FileStore } = require(${STORE}); const s = new FileStore(process.argv[1], { fsync: true });
      const t = (i) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString().replace('Z', '000Z');
      for (let i = 1; ; i++) {
        s.group(() => { const cur = s.get(${JSON.stringify(LEASE)}); s.update(${JSON.stringify(LEASE)}, { ...cur, spec: { ...cur.spec, renewTime: t(i) } }); });
        process.stdout.write(t(i) + '\\n');
      }`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    await untilTrue('the child to acknowledge 30 renewals', () => out.split('\n').length > 30 || child.exitCode !== null, 60_000);
    assert.equal(child.exitCode, null, err);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const acked = out.split('\n').filter((l) => l.endsWith('Z'));
    const last = acked.at(-1)!;
    assert.equal(fileOf(dir, LEASE).spec.renewTime, time(0), 'the renewals were in the journal only');
    const reader = new FileStore(dir, { fsync: false });
    const seen = reader.get(LEASE)!.spec.renewTime as string;
    assert.ok(seen >= last, `a reader sees ${seen}, the last acknowledged being ${last}`);
    reader.close();
    // The next lock holder (a restart) and its compaction keep it.
    const s = new FileStore(dir, { fsync: true });
    s.group(() => s.create(CM, cm('after')));
    assert.equal(s.get(LEASE)!.spec.renewTime, seen);
    s.compact();
    assert.equal(fileOf(dir, LEASE).spec.renewTime, seen);
    s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
