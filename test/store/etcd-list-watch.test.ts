// Lists and watches through the API server over a real etcd member, as kube-apiserver
// serves them: a list with a limit is read from etcd page by page, each page of the
// revision the first one saw (writes in between do not show), with remainingItemCount, and
// a continue token that etcd compacted past is 410 Gone; the real kubectl pages through a
// list with small chunks.

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as https from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdCluster } from '../helpers/etcd';
import { openEtcdStore, type EtcdStore } from '../../src/store/etcd-store';
import { ApiServer } from '../../src/api/server';
import { ManualClock } from '../../src/sim/clock';
import { seededRng } from '../../src/sim/rng';
import { startApiServer, type RunningServer } from '../../src/server/http-server';
import { requireKubectl } from '../oracles';

let etcd: EtcdCluster | undefined;
let store: EtcdStore | undefined;
let server: RunningServer | undefined;
let api: ApiServer;
let other: EtcdStore | undefined;
const dir = mkdtempSync(join(tmpdir(), 'kubesim-etcd-list-'));
after(async () => {
  await server?.close();
  await store?.close();
  await other?.close();
  await etcd?.close();
  rmSync(dir, { recursive: true, force: true });
});

const cm = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels }, data: {} });
const names = (list: { items: { metadata: { name: string } }[] }) => list.items.map((o) => o.metadata.name);
const b64 = (s: string) => Buffer.from(s).toString('base64');
const pad = (i: number) => String(i).padStart(2, '0');

/** One GET as the admin (client certificate over TLS), with its status and JSON body. */
function get(path: string, accept = 'application/json'): Promise<{ status: number; body: any }> {
  const pki = server!.pki;
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, server!.url), { headers: { accept }, ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A watch as the admin: every line with the ms since the request, until the server ends it. */
function watchLines(path: string): Promise<{ at: number; event: any }[]> {
  const pki = server!.pki;
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, server!.url), { ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey, agent: false }, (res) => {
      const out: { at: number; event: any }[] = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          out.push({ at: Date.now() - t0, event: JSON.parse(buf.slice(0, i)) });
          buf = buf.slice(i + 1);
        }
      });
      res.on('end', () => resolve(out));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function run(cmd: string, args: string[], opts: { env: NodeJS.ProcessEnv; timeout: number; encoding: 'utf8' }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, opts, (e, stdout, stderr) => resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

before(async () => {
  etcd = await EtcdCluster.start(1);
  store = await openEtcdStore(etcd.endpoints[0], new URLSearchParams('timeout=10s'));
  api = await ApiServer.open(store, new ManualClock(Date.parse('2026-12-01T00:00:00Z')), seededRng(3));
  await api.bootstrap();
  for (let i = 0; i < 25; i++) await api.create(cm(`cm-${pad(i)}`, { odd: String(i % 2 === 1) }));
  server = await startApiServer({ api, clusterDir: dir });
});

test('a list with a limit pages through etcd at the first page\'s revision, with remainingItemCount', async () => {
  const first = await get('/api/v1/namespaces/default/configmaps?limit=10');
  assert.equal(first.status, 200);
  assert.deepEqual(names(first.body), Array.from({ length: 10 }, (_, i) => `cm-${pad(i)}`));
  assert.equal(first.body.metadata.remainingItemCount, 16); // and kube-root-ca.crt
  const rv = first.body.metadata.resourceVersion;
  assert.ok(first.body.metadata.continue);
  // Writes after the first page: the following pages still show the list as it was.
  await api.create(cm('cm-99'));
  await api.delete(api.registry.forKind('v1', 'ConfigMap'), 'default', 'cm-15');
  const second = await get(`/api/v1/namespaces/default/configmaps?limit=10&continue=${encodeURIComponent(first.body.metadata.continue)}`);
  assert.equal(second.status, 200);
  assert.deepEqual(names(second.body), Array.from({ length: 10 }, (_, i) => `cm-${pad(i + 10)}`));
  assert.equal(second.body.metadata.resourceVersion, rv);
  assert.equal(second.body.metadata.remainingItemCount, 6);
  const third = await get(`/api/v1/namespaces/default/configmaps?limit=10&continue=${encodeURIComponent(second.body.metadata.continue)}`);
  assert.deepEqual(names(third.body), ['cm-20', 'cm-21', 'cm-22', 'cm-23', 'cm-24', 'kube-root-ca.crt']);
  assert.equal(third.body.metadata.continue, undefined);
  assert.equal(third.body.metadata.remainingItemCount, undefined);
  // a new list sees the writes
  const now = await get('/api/v1/namespaces/default/configmaps?limit=100');
  assert.equal(now.body.items.length, 26);
  assert.ok(names(now.body).includes('cm-99') && !names(now.body).includes('cm-15'));
  await api.create(cm('cm-15', { odd: 'true' }));
  await api.delete(api.registry.forKind('v1', 'ConfigMap'), 'default', 'cm-99');

  // with a selector: pages of matching objects (no remainingItemCount, as kube-apiserver)
  const odd = await get('/api/v1/namespaces/default/configmaps?labelSelector=odd%3Dtrue&limit=5');
  assert.deepEqual(names(odd.body), ['cm-01', 'cm-03', 'cm-05', 'cm-07', 'cm-09']);
  assert.equal(odd.body.metadata.remainingItemCount, undefined);
  const odd2 = await get(`/api/v1/namespaces/default/configmaps?labelSelector=odd%3Dtrue&limit=100&continue=${encodeURIComponent(odd.body.metadata.continue)}`);
  assert.deepEqual(names(odd2.body), ['cm-11', 'cm-13', 'cm-15', 'cm-17', 'cm-19', 'cm-21', 'cm-23']);
  // server-side Table pages too
  const table = await get('/api/v1/namespaces/default/configmaps?limit=4', 'application/json;as=Table;v=v1;g=meta.k8s.io');
  assert.equal(table.body.kind, 'Table');
  assert.deepEqual(table.body.rows.map((r: any) => r.cells[0]), ['cm-00', 'cm-01', 'cm-02', 'cm-03']);
  assert.ok(table.body.metadata.continue);
  assert.equal(table.body.metadata.remainingItemCount, 22); // the Table's ListMeta, as the list's
});

test('a list at exactly an earlier revision (Exact, or a revision with a limit) reads etcd at that revision', async () => {
  const rv = Number(await api.currentRev());
  await api.create(cm('cm-later'));
  await api.delete(api.registry.forKind('v1', 'ConfigMap'), 'default', 'cm-00');
  const exact = await get(`/api/v1/namespaces/default/configmaps?resourceVersion=${rv}&resourceVersionMatch=Exact`);
  assert.equal(exact.status, 200);
  assert.equal(exact.body.metadata.resourceVersion, String(rv));
  assert.ok(names(exact.body).includes('cm-00') && !names(exact.body).includes('cm-later'));
  const legacy = await get(`/api/v1/namespaces/default/configmaps?resourceVersion=${rv}&limit=3`);
  assert.deepEqual(names(legacy.body), ['cm-00', 'cm-01', 'cm-02']);
  assert.equal(legacy.body.metadata.resourceVersion, String(rv));
  const ahead = await get(`/api/v1/namespaces/default/configmaps?resourceVersion=${rv + 1000}&resourceVersionMatch=Exact`);
  assert.equal(ahead.status, 504);
  await api.create(cm('cm-00'));
  await api.delete(api.registry.forKind('v1', 'ConfigMap'), 'default', 'cm-later');
});

test('the real kubectl pages through the list in small chunks', async () => {
  requireKubectl();
  // not spawnSync: this process serves the requests
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'c', cluster: { server: server!.url, 'certificate-authority-data': b64(server!.pki.caCert) } }], users: [{ name: 'u', user: { 'client-certificate-data': b64(server!.pki.adminCert), 'client-key-data': b64(server!.pki.adminKey) } }], contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }], 'current-context': 'x' }));
  const r = await run('kubectl', ['get', 'configmaps', '-n', 'default', '--chunk-size=4', '--no-headers', '-o', 'custom-columns=NAME:.metadata.name'], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir }, timeout: 30_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), [...Array.from({ length: 25 }, (_, i) => `cm-${pad(i)}`), 'kube-root-ca.crt'].sort());
});

test('a continue token whose revision etcd compacted is 410 Gone', async () => {
  const first = await get('/api/v1/namespaces/default/configmaps?limit=2');
  await api.create(cm('cm-after'));
  etcd!.etcdctl(['compact', String(await api.currentRev())]);
  const next = await get(`/api/v1/namespaces/default/configmaps?limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`);
  assert.equal(next.status, 410);
  assert.equal(next.body.reason, 'Expired');
  assert.equal(next.body.message, 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
  const exact = await get(`/api/v1/namespaces/default/configmaps?resourceVersion=${first.body.metadata.resourceVersion}&resourceVersionMatch=Exact`);
  assert.equal(exact.status, 410);
  assert.equal(exact.body.reason, 'Expired');
  assert.equal(exact.body.message, 'The resourceVersion for the provided list is too old.');
});

test('a watch with allowWatchBookmarks gets a BOOKMARK 2 s before its timeout, at etcd\'s revision after other writers\' changes', async () => {
  const from = (await get('/api/v1/namespaces/default/configmaps?limit=1')).body.metadata.resourceVersion;
  // Another process's writes move etcd's revision without a ConfigMap event: a Secret and a meta document.
  other = await openEtcdStore(etcd!.endpoints[0], new URLSearchParams('timeout=10s'));
  const writer = await ApiServer.open(other, new ManualClock(Date.parse('2026-12-01T00:00:00Z')), seededRng(9));
  const secret = await writer.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, data: {} });
  await writer.sim.setFlag('bookmark-test');
  const current = await other.currentRev();
  assert.ok(current > Number(secret.metadata.resourceVersion), 'the meta write moved the revision past the Secret');
  const [withBookmarks, without] = await Promise.all([
    watchLines(`/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion=${from}&timeoutSeconds=4`),
    watchLines(`/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${from}&timeoutSeconds=4`),
  ]);
  assert.deepEqual(without.map((l) => l.event.type), [], 'no ConfigMap changed; no bookmark when not asked for');
  const types = withBookmarks.map((l) => l.event.type);
  assert.deepEqual(types, ['BOOKMARK'], JSON.stringify(withBookmarks));
  const bookmark = withBookmarks[0];
  assert.deepEqual(bookmark.event.object, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: String(current) } });
  assert.ok(bookmark.at >= 1900, `sent ${bookmark.at} ms into a 4 s watch: 2 s before its end, not earlier`);
});

test('whole lists (served from the watch cache) are consistent: another process\'s writes show at once, in key order, with selectors', async () => {
  const path = '/api/v1/namespaces/default/configmaps';
  const before = await get(path); // the first list fills the cache for ConfigMaps
  assert.equal(before.status, 200);
  const writer = await ApiServer.open(other!, new ManualClock(Date.parse('2026-12-01T00:00:00Z')), seededRng(10));
  const cmType = api.registry.forKind('v1', 'ConfigMap');
  for (let round = 0; round < 3; round++) {
    await writer.create(cm(`w-${round}`, { round: String(round) }));
    await writer.delete(cmType, 'default', `cm-0${round}`);
    await writer.mutate(cmType, 'default', 'cm-10', (o) => void (o.data = { round: String(round) }));
    const rev = await other!.currentRev();
    const now = await get(path); // no wait: a list right after another process's write sees it
    assert.ok(Number(now.body.metadata.resourceVersion) >= rev, `list at ${now.body.metadata.resourceVersion}, write at ${rev}`);
    const got = names(now.body);
    assert.deepEqual(got, [...got].sort(), 'key order');
    for (let r = 0; r <= round; r++) {
      assert.ok(got.includes(`w-${r}`), `w-${r} created`);
      assert.ok(!got.includes(`cm-0${r}`), `cm-0${r} deleted`);
    }
    assert.deepEqual(now.body.items.find((o: any) => o.metadata.name === 'cm-10').data, { round: String(round) });
  }
  // through this server too, and with selectors and other namespaces
  await get(path).then((r) => assert.ok(!names(r.body).includes('mine')));
  await api.create(cm('mine', { round: '1' }));
  assert.deepEqual(names((await get(`${path}?labelSelector=round%3D1`)).body), ['mine', 'w-1']);
  assert.deepEqual(names((await get('/api/v1/namespaces/kube-system/configmaps')).body).filter((n) => n.startsWith('w-') || n === 'mine'), []);
  const all = await get('/api/v1/configmaps');
  assert.ok(all.body.items.some((o: any) => o.metadata.namespace === 'kube-system'), 'all namespaces');
  // resourceVersion=0 with a limit: the whole list, as kube-apiserver's cache answers it
  const rv0 = await get(`${path}?resourceVersion=0&limit=2`);
  assert.equal(rv0.body.items.length, (await get(path)).body.items.length);
});
