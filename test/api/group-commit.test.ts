// The REST handler's group commit on the file store: write requests that arrive together
// are written as one store group (one lock hold, one journal fsync) and each is answered
// only after that group is committed; a failing request fails alone; everything answered
// is there when the store is opened again.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../src/api/server';
import { RestHandler } from '../../src/api/rest/handler';
import { openStore, fileStoreUrl } from '../../src/store/registry';
import { ManualClock } from '../../src/sim/clock';
import { seededRng } from '../../src/sim/rng';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';

const dir = mkdtempSync(join(tmpdir(), 'kubesim-group-commit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const post = (name: string) => ({
  method: 'POST',
  path: '/api/v1/namespaces/default/configmaps',
  query: new URLSearchParams(),
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: name } })),
});

test('twenty writes sent at once share one or two groups, each answered after its group committed; a conflict fails alone', async () => {
  await loadValidation();
  const api = await ApiServer.open(await openStore(fileStoreUrl(dir) + '?create=1'), new ManualClock(Date.parse('2026-12-01T00:00:00Z')), seededRng(2), apiValidator());
  await api.bootstrap();
  const h = new RestHandler(api);
  // Count the groups and when each one is committed (its promise settles after the lock is given up).
  const committed: number[] = [];
  const group = api.group.bind(api);
  api.group = async <T>(fn: () => Promise<T> | T): Promise<T> => {
    const r = await group(fn);
    committed.push(performance.now());
    return r;
  };
  const answeredAt: number[] = [];
  const names = Array.from({ length: 20 }, (_, i) => `cm-${i}`);
  const responses = await Promise.all(
    [...names, 'cm-3'].map((n, i) =>
      h.handle(post(n)).then((r) => {
        answeredAt[i] = performance.now();
        return r;
      }),
    ),
  );
  assert.deepEqual(responses.slice(0, 20).map((r) => r.status), Array(20).fill(201));
  assert.equal(responses[20].status, 409);
  assert.equal(JSON.parse(String(responses[20].body)).message, 'configmaps "cm-3" already exists');
  assert.ok(committed.length >= 1 && committed.length <= 2, `${committed.length} groups for 21 requests sent at once`);
  for (const t of answeredAt) assert.ok(t >= committed[0], 'a request was answered before any group committed');
  const rvs = responses.slice(0, 20).map((r) => Number(JSON.parse(String(r.body)).metadata.resourceVersion));
  assert.equal(new Set(rvs).size, 20);
  await api.store.close();

  // A fresh store over the same directory holds every acknowledged object.
  const again = await ApiServer.open(await openStore(fileStoreUrl(dir)), new ManualClock(Date.parse('2026-12-01T00:00:00Z')), seededRng(3), apiValidator());
  const listed = await again.list(again.registry.forKind('v1', 'ConfigMap'), { namespace: 'default' });
  for (const n of names) assert.ok(listed.items.some((o) => o.metadata.name === n && o.data?.k === n), `${n} missing after reopening`);
  await again.store.close();
});

test("a write sent while the controllers' group holds the lock is answered only once its journal line is synced", async () => {
  await loadValidation();
  const d = mkdtempSync(join(tmpdir(), 'kubesim-group-commit-'));
  const store = await openStore(fileStoreUrl(d) + '?create=1');
  const api = await ApiServer.open(store, new ManualClock(Date.parse('2026-12-01T00:00:00Z')), seededRng(4), apiValidator());
  // The journal's syncs, by any descriptor of it (the CommonJS module object the store reads through).
  const mod = require('node:fs') as Record<string, any>;
  const orig = { sync: mod.fdatasyncSync, async: mod.fdatasync };
  const journal = join(d, 'journal.log');
  const isJournal = (fd: number) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === journal;
    } catch {
      return false;
    }
  };
  let syncs = 0;
  mod.fdatasyncSync = (fd: number) => (isJournal(fd) && syncs++, orig.sync(fd));
  mod.fdatasync = (fd: number, cb: (e: Error | null) => void) => (isJournal(fd) && syncs++, orig.async(fd, cb));
  let endPass!: () => void;
  try {
    await api.bootstrap();
    const h = new RestHandler(api);
    // The controllers' pass: a group with a write of its own, open across awaits.
    const pass = api.group(async () => {
      await api.store.create('configmaps/default/controller', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'controller', namespace: 'default' } });
      await new Promise<void>((r) => (endPass = r));
    });
    await new Promise((r) => setImmediate(r));
    const before = syncs;
    const r = await h.handle(post('user'));
    assert.equal(r.status, 201);
    assert.ok(syncs > before, 'the write was answered before the journal was synced (the pass keeps the lock)');
    endPass();
    await pass;
  } finally {
    Object.assign(mod, { fdatasyncSync: orig.sync, fdatasync: orig.async });
    await api.store.close();
    rmSync(d, { recursive: true, force: true });
  }
});
