// A list's and a watch's resourceVersion options as kube-apiserver validates and serves them,
// through the REST API of an in-process server over the memory store: resourceVersionMatch
// combinations it refuses (422 ListOptions), a continue token with a resourceVersion (400),
// and a list at exactly a revision (Exact, or the legacy revision-with-a-limit): served at
// that revision while nothing of the resource changed since, 410 Expired once it did (the
// store keeps no past versions, as etcd after compaction), 504 for a revision not reached.

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/registry';
import { ApiServer } from '../../src/api/server';
import { ManualClock } from '../../src/sim/clock';
import { seededRng } from '../../src/sim/rng';
import { startApiServer, type RunningServer } from '../../src/server/http-server';
import { ROW_METADATA_HEADER } from '../../src/api/rest/types';

let server: RunningServer | undefined;
let api: ApiServer;
const dir = mkdtempSync(join(tmpdir(), 'kubesim-list-options-'));
after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: {} });

/** One GET as the admin (client certificate over TLS): its status and JSON body. */
function get(path: string): Promise<{ status: number; body: any }> {
  const pki = server!.pki;
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, server!.url), { ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text.split('\n')[0]) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-12-01T00:00:00Z')), seededRng(5));
  await api.bootstrap();
  for (const n of ['a', 'b', 'c']) await api.create(cm(n));
  server = await startApiServer({ api, clusterDir: dir });
});

const CMS = '/api/v1/namespaces/default/configmaps';

test('resourceVersionMatch combinations kube-apiserver refuses: 422 ListOptions.meta.k8s.io with field causes', async () => {
  const cases: [string, string][] = [
    ['?resourceVersionMatch=NotOlderThan', 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'],
    ['?resourceVersion=1&resourceVersionMatch=Newest', 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""'],
    ['?resourceVersion=0&resourceVersionMatch=Exact', 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"'],
    ['?sendInitialEvents=true', 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list'],
    ['?watch=1&resourceVersionMatch=NotOlderThan', 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'],
    ['?watch=1&sendInitialEvents=false', 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'],
    [
      '?watch=1&sendInitialEvents=true&resourceVersionMatch=Exact',
      'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"]',
    ],
  ];
  for (const [query, message] of cases) {
    const r = await get(CMS + query);
    assert.equal(r.status, 422, query);
    assert.equal(r.body.kind, 'Status');
    assert.equal(r.body.reason, 'Invalid');
    assert.equal(r.body.message, message, query);
    assert.equal(r.body.details.kind, 'ListOptions');
    assert.equal(r.body.details.group, 'meta.k8s.io');
    assert.equal(r.body.details.causes[0].field, r.body.message.includes('sendInitialEvents: Forbidden') ? 'sendInitialEvents' : 'resourceVersionMatch');
  }
  const first = await get(`${CMS}?limit=1`);
  const cont = await get(`${CMS}?limit=1&resourceVersion=${first.body.metadata.resourceVersion}&continue=${encodeURIComponent(first.body.metadata.continue)}`);
  assert.equal(cont.status, 400);
  assert.equal(cont.body.message, 'specifying resource version is not allowed when using continue');
});

test('a list at exactly a revision: served while the resource is unchanged since, then 410 Expired; a revision not reached is 504', async () => {
  const now = await get(CMS);
  const rv = Number(now.body.metadata.resourceVersion);
  // Another resource's write moves the revision but not the configmaps: still served, at rv.
  await api.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1', namespace: 'default' }, data: {} });
  for (const q of [`?resourceVersion=${rv}&resourceVersionMatch=Exact`, `?resourceVersion=${rv}&limit=2`]) {
    const r = await get(CMS + q);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.metadata.resourceVersion, String(rv), q);
    assert.deepEqual(r.body.items.map((o: any) => o.metadata.name).slice(0, 2), ['a', 'b'], q);
  }
  // NotOlderThan at rv: the current list.
  const newer = await get(`${CMS}?resourceVersion=${rv}&resourceVersionMatch=NotOlderThan`);
  assert.equal(newer.status, 200);
  assert.ok(Number(newer.body.metadata.resourceVersion) > rv);
  await api.create(cm('d'));
  const expired = await get(`${CMS}?resourceVersion=${rv}&resourceVersionMatch=Exact`);
  assert.equal(expired.status, 410);
  assert.equal(expired.body.reason, 'Expired');
  assert.equal(expired.body.message, 'The resourceVersion for the provided list is too old.');
  const future = rv + 1000;
  const ahead = await get(`${CMS}?resourceVersion=${future}&resourceVersionMatch=Exact`);
  assert.equal(ahead.status, 504);
  assert.match(ahead.body.message, new RegExp(`^Too large resource version: ${future}, current: \\d+$`));
});

/** A GET of `path` with `accept`: its status and body text. */
function getText(path: string, accept: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const pki = server!.pki;
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, server!.url), { ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey, agent: false, headers: { ...headers, accept } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

test('pages after the first are the list the first page was cut from (as etcd serves them at its revision), Tables too', async () => {
  for (const n of ['p1', 'p2', 'p3', 'p4']) await api.create(cm(n));
  const names = async (path: string) => {
    const out: string[] = [];
    let rv: string | undefined;
    let cont: string | undefined;
    let changed = false;
    do {
      const r = await get(`${path}${path.includes('?') ? '&' : '?'}limit=2${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      rv ??= r.body.metadata.resourceVersion;
      assert.equal(r.body.metadata.resourceVersion, rv);
      out.push(...(r.body.items ?? r.body.rows.map((x: any) => x.object)).map((o: any) => o.metadata.name));
      cont = r.body.metadata.continue;
      if (!changed) {
        // Between the first page and the next: one object deleted, one created.
        changed = true;
        await api.delete(api.registry.forKind('v1', 'ConfigMap'), 'default', 'p4');
        await api.create(cm('p5'));
      }
    } while (cont);
    return out;
  };
  const before = (await get(`${CMS}?labelSelector=`)).body.items.map((o: any) => o.metadata.name);
  assert.ok(before.includes('p4') && !before.includes('p5'));
  assert.deepEqual(await names(CMS), before);
  // The next list starts from the store as it is now.
  const now = (await get(CMS)).body.items.map((o: any) => o.metadata.name);
  assert.ok(now.includes('p5') && !now.includes('p4'));
  // Table pages: each row with its object's metadata (includeObject=Metadata by default), JSON as kube-apiserver writes it.
  const table = await getText(`${CMS}?limit=2`, 'application/json;as=Table;v=v1;g=meta.k8s.io');
  assert.equal(table.status, 200);
  assert.ok(table.text.endsWith('}\n'));
  const body = JSON.parse(table.text);
  assert.deepEqual(Object.keys(body), ['kind', 'apiVersion', 'metadata', 'columnDefinitions', 'rows']);
  assert.deepEqual(body.rows.map((r: any) => [r.object.kind, r.object.metadata.name, r.cells[0]]), [['PartialObjectMetadata', 'a', 'a'], ['PartialObjectMetadata', 'b', 'b']]);
  assert.equal(typeof body.rows[0].object.metadata.uid, 'string');
  // kubesim's own get names the metadata fields its printer reads: the rows carry those alone.
  const printed = JSON.parse((await getText(`${CMS}?limit=2`, 'application/json;as=Table;v=v1;g=meta.k8s.io', { [ROW_METADATA_HEADER]: 'namespace,labels' })).text);
  assert.deepEqual(printed.rows.map((r: any) => r.object), body.rows.map((r: any) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { namespace: 'default', ...(r.object.metadata.labels ? { labels: r.object.metadata.labels } : {}) } })));
  assert.deepEqual(printed.rows.map((r: any) => r.cells), body.rows.map((r: any) => r.cells));
  // `get -A` without label columns names the namespace alone.
  const namespaced = JSON.parse((await getText(`${CMS}?limit=2`, 'application/json;as=Table;v=v1;g=meta.k8s.io', { [ROW_METADATA_HEADER]: 'namespace' })).text);
  assert.deepEqual(namespaced.rows.map((r: any) => r.object), body.rows.map(() => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { namespace: 'default' } })));
  const next = JSON.parse((await getText(`${CMS}?limit=2&continue=${encodeURIComponent(body.metadata.continue)}&includeObject=None`, 'application/json;as=Table;v=v1;g=meta.k8s.io', { [ROW_METADATA_HEADER]: 'namespace,labels' })).text);
  assert.deepEqual(next.rows.map((r: any) => Object.keys(r)), [['cells'], ['cells']]);
  assert.deepEqual(next.rows.map((r: any) => r.cells[0]), ['c', 'd']);
  const partial = JSON.parse((await getText(`${CMS}?limit=1`, 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io')).text);
  assert.equal(partial.kind, 'PartialObjectMetadataList');
  assert.deepEqual(partial.items.map((o: any) => [o.kind, o.apiVersion, o.metadata.name]), [['PartialObjectMetadata', 'meta.k8s.io/v1', 'a']]);
});

test('a list read again while nothing in its collection changed is served from the last read, at the current revision; any change in it is read', async () => {
  // The REST list's reads of the store (a delete's search for dependents reads it too).
  const reads: string[] = [];
  const store = api.store as unknown as { list: (prefix: string, ...rest: unknown[]) => unknown };
  const list = store.list.bind(store);
  store.list = (prefix: string, ...rest: unknown[]) => (prefix.startsWith('configmaps/') && /listObjects/.test(new Error().stack ?? '') && reads.push(prefix), list(prefix, ...rest));
  try {
    const names = (b: any) => b.items.map((o: any) => `${o.metadata.name}:${o.metadata.labels?.v ?? ''}`);
    await api.create(cm('r0')); // a change in it: the first list below reads the store
    const first = await get(CMS);
    const again = await get(CMS);
    assert.deepEqual(names(again.body), names(first.body));
    assert.equal(again.body.metadata.resourceVersion, first.body.metadata.resourceVersion);
    assert.deepEqual(reads, ['configmaps/default']);
    // A write elsewhere moves the revision, not this collection: the same list, at the new revision.
    const secret = await api.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'elsewhere', namespace: 'default' }, data: {} });
    const elsewhere = await get(CMS);
    assert.deepEqual(names(elsewhere.body), names(first.body));
    assert.equal(elsewhere.body.metadata.resourceVersion, secret.metadata.resourceVersion);
    assert.deepEqual(reads, ['configmaps/default']);
    // Table pages of it too (the first page cut from the same list).
    const table = JSON.parse((await getText(`${CMS}?limit=2`, 'application/json;as=Table;v=v1;g=meta.k8s.io')).text);
    assert.deepEqual(table.rows.map((r: any) => r.cells[0]), names(first.body).slice(0, 2).map((n: string) => n.split(':')[0]));
    assert.deepEqual(reads, ['configmaps/default']);
    // Created, changed, deleted in it: each read again and seen.
    await api.create(cm('q1'));
    assert.ok(names((await get(CMS)).body).includes('q1:'));
    const cmType = api.registry.forKind('v1', 'ConfigMap');
    const q1 = await api.get(cmType, 'default', 'q1');
    await api.update({ ...q1, metadata: { ...q1.metadata, labels: { v: '2' } } });
    assert.ok(names((await get(CMS)).body).includes('q1:2'));
    await api.delete(cmType, 'default', 'q1');
    const after = await get(CMS);
    assert.ok(!names(after.body).some((n: string) => n.startsWith('q1:')));
    assert.deepEqual(names(after.body), names(first.body));
    assert.deepEqual(reads, Array(4).fill('configmaps/default'));
  } finally {
    store.list = list;
  }
});

test('limit and timeoutSeconds are decoded as strconv.ParseInt (int64): past int64 or not a number, 400 with ParseInt\'s error, before the options are validated', async () => {
  const cases: [string, string][] = [
    ['?limit=99999999999999999999', 'strconv.ParseInt: parsing "99999999999999999999": value out of range'],
    ['?limit=9223372036854775808', 'strconv.ParseInt: parsing "9223372036854775808": value out of range'],
    ['?limit=abc', 'strconv.ParseInt: parsing "abc": invalid syntax'],
    ['?limit=', 'strconv.ParseInt: parsing "": invalid syntax'],
    ['?timeoutSeconds=99999999999999999999', 'strconv.ParseInt: parsing "99999999999999999999": value out of range'],
    ['?watch=true&timeoutSeconds=-99999999999999999999', 'strconv.ParseInt: parsing "-99999999999999999999": value out of range'],
    ['?watch=true&limit=1e3', 'strconv.ParseInt: parsing "1e3": invalid syntax'],
    // Decoding comes first: timeoutSeconds (ListOptions' field order), then the validation's 422.
    ['?limit=x&timeoutSeconds=y&resourceVersionMatch=Exact', 'strconv.ParseInt: parsing "y": invalid syntax'],
  ];
  for (const [query, message] of cases) {
    const res = await get(CMS + query);
    assert.equal(res.status, 400, query);
    assert.equal(res.body.reason, 'BadRequest', query);
    assert.equal(res.body.message, message, query);
  }
  // The largest int64 and a signed one are limits ParseInt takes: served.
  for (const query of ['?limit=9223372036854775807', '?limit=%2B2']) {
    const res = await get(CMS + query);
    assert.equal(res.status, 200, query);
    assert.equal(res.body.kind, 'ConfigMapList', query);
  }
  assert.equal((await get(CMS + '?limit=%2B2')).body.items.length, 2);
});
