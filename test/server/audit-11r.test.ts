// Round 125's hostile re-audit of session 41's additions, through the REST API of an
// in-process server over the memory store (client certificate over TLS, as kubectl sends):
// etcd's size limits measured on what etcd holds (a built-in kind's protobuf: strings
// unescaped; a custom resource's JSON as encoding/json escapes it), continue tokens as the
// etcd3 store's DecodeContinue refuses them, and a watch's timeoutSeconds past int64
// nanoseconds (time.Duration wraps: the watch ends at once).

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

let server: RunningServer | undefined;
let api: ApiServer;
const dir = mkdtempSync(join(tmpdir(), 'kubesim-audit-11r-'));
after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One request as the admin: its status and the first JSON line of its body ({} when none). */
function send(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: any; text: string }> {
  const pki = server!.pki;
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, server!.url), { method, ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey, agent: false, headers: data ? { 'content-type': contentType } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text.split('\n')[0]) : {}, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

before(async () => {
  api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-12-01T00:00:00Z')), seededRng(11));
  await api.bootstrap();
  await api.create({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'blobs.example.com' },
    spec: {
      group: 'example.com',
      names: { kind: 'Blob', plural: 'blobs', singular: 'blob' },
      scope: 'Namespaced',
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { blob: { type: 'string' } } } } }],
    },
  });
  for (const n of ['a', 'b', 'c']) await api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n, namespace: 'default' }, data: {} });
  server = await startApiServer({ api, clusterDir: dir });
});

const CMS = '/api/v1/namespaces/default/configmaps';
const BLOBS = '/apis/example.com/v1/namespaces/default/blobs';
const TOO_LARGE = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'etcdserver: request is too large', code: 500 };

test('a built-in kind is sized as its protobuf (strings unescaped): a ConfigMap of 1,000,000 `"` or 300,000 control bytes is stored; a custom resource as encoding/json writes it (`<` is 6 bytes)', async () => {
  // JSON would be 2 MB and 1.8 MB: etcd holds the protobuf, 1 MB and 300 kB.
  for (const [name, value] of [['quotes', '"'.repeat(1_000_000)], ['controls', '\u0001'.repeat(300_000)], ['html', '<&>'.repeat(300_000)]]) {
    const r = await send('POST', CMS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: value } });
    assert.equal(r.status, 201, `${name}: ${r.text.slice(0, 200)}`);
    assert.equal((await send('GET', `${CMS}/${name}`)).body.data.k, value);
  }
  // A custom resource is stored as JSON with HTML escaping: 300,000 `<` are 1.8 MB there.
  const blob = (name: string, text: string) => ({ apiVersion: 'example.com/v1', kind: 'Blob', metadata: { name }, blob: text });
  const r = await send('POST', BLOBS, blob('angles', '<'.repeat(300_000)));
  assert.deepEqual([r.status, r.body], [500, TOO_LARGE]);
  assert.equal((await send('GET', `${BLOBS}/angles`)).status, 404, 'nothing written');
  // ...and 1 MB of `a` fits, as 300,000 `"` do (2 bytes each in both writers).
  assert.equal((await send('POST', BLOBS, blob('plain', 'a'.repeat(1_000_000)))).status, 201);
  assert.equal((await send('POST', BLOBS, blob('quoted', '"'.repeat(300_000)))).status, 201);
  // Grown past the limit by a patch: refused, the stored object as it was.
  const grow = await send('PATCH', `${BLOBS}/plain`, { blob: '&'.repeat(300_000) }, 'application/merge-patch+json');
  assert.deepEqual([grow.status, grow.body], [500, TOO_LARGE]);
  assert.equal((await send('GET', `${BLOBS}/plain`)).body.blob, 'a'.repeat(1_000_000));
});

/** A continue token: base64url (no padding) of `json`. */
const token = (json: string) => Buffer.from(json).toString('base64url');

test('continue tokens as the etcd3 store decodes them: a forged or broken one is a 400 `invalid continue token: continue key is not valid...`, a start key that climbs out of the prefix too', async () => {
  const cases: [string, string][] = [
    ['abc$', 'illegal base64 data at input byte 3'],
    [token('{"v":"meta.k8s.io/v1","rv":1,"start":"a"}') + '==', `illegal base64 data at input byte ${token('{"v":"meta.k8s.io/v1","rv":1,"start":"a"}').length}`],
    [token('{"v":"meta.k8s.io/v1","rv":1'), 'unexpected end of JSON input'],
    [token('5'), 'json: cannot unmarshal number into Go value of type storage.continueToken'],
    [token('{"v":"x","rv":1,"start":"a"}'), 'server does not recognize this encoded version x'],
    [token('{"v":1}'), 'json: cannot unmarshal number into Go struct field continueToken.v of type string'],
    [token('{"v":"meta.k8s.io/v1","rv":"5","start":"a"}'), 'json: cannot unmarshal string into Go struct field continueToken.rv of type int64'],
    [token('{"v":"meta.k8s.io/v1","rv":1.5,"start":"a"}'), 'json: cannot unmarshal number 1.5 into Go struct field continueToken.rv of type int64'],
    [token('{"v":"meta.k8s.io/v1","start":"a"}'), 'incorrect encoded start resourceVersion (version meta.k8s.io/v1)'],
    [token('{"v":"meta.k8s.io/v1","rv":1,"start":""}'), 'encoded start key empty (version meta.k8s.io/v1)'],
    [token('{"v":"meta.k8s.io/v1","rv":1,"start":"../../secrets/default/x"}'), '../../secrets/default/x'],
    [token('{"v":"meta.k8s.io/v1","rv":1,"start":"default/./a"}'), 'default/./a'],
  ];
  for (const [cont, why] of cases) {
    const r = await send('GET', `${CMS}?limit=1&continue=${encodeURIComponent(cont)}`);
    assert.deepEqual([r.status, r.body.reason, r.body.message], [400, 'BadRequest', `invalid continue token: continue key is not valid: ${why}`], cont);
  }
  // The token is decoded before a resourceVersion beside it is refused.
  const both = await send('GET', `${CMS}?limit=1&resourceVersion=5&continue=${token('{"v":"x"}')}`);
  assert.equal(both.body.message, 'invalid continue token: continue key is not valid: server does not recognize this encoded version x');
  // A real token goes on from where it stopped; its members match case-insensitively, as encoding/json's.
  const first = await send('GET', `${CMS}?limit=2`);
  const rest = await send('GET', `${CMS}?limit=2&continue=${first.body.metadata.continue}`);
  const decoded = JSON.parse(Buffer.from(first.body.metadata.continue, 'base64url').toString());
  const upper = await send('GET', `${CMS}?limit=2&continue=${token(JSON.stringify({ V: decoded.v, RV: decoded.rv, Start: decoded.start }))}`);
  assert.equal(rest.status, 200);
  assert.deepEqual(upper.body.items.map((o: any) => o.metadata.name), rest.body.items.map((o: any) => o.metadata.name));
  // A cluster-scoped list's pages (its start keys begin with `/`) follow on, one name each.
  const names: string[] = [];
  for (let cont = '', pages = 0; pages < 10; pages++) {
    const page = await send('GET', `/api/v1/namespaces?limit=1${cont ? `&continue=${cont}` : ''}`);
    assert.equal(page.status, 200, page.text.slice(0, 300));
    names.push(...page.body.items.map((o: any) => o.metadata.name));
    if (!(cont = page.body.metadata.continue ?? '')) break;
  }
  const all = await send('GET', '/api/v1/namespaces');
  assert.deepEqual(names, all.body.items.map((o: any) => o.metadata.name));
});

test('a watch whose timeoutSeconds wraps time.Duration (int64 nanoseconds) past zero ends at once, as kube-apiserver\'s', async () => {
  const started = Date.now();
  const r = await send('GET', `${CMS}?watch=1&timeoutSeconds=9223372036854775807&resourceVersion=${Number.MAX_SAFE_INTEGER}`);
  assert.equal(r.status, 200);
  assert.equal(r.text, '');
  assert.ok(Date.now() - started < 20_000, `ended after ${Date.now() - started} ms`);
});

test('pod resources kube-apiserver refuses: hugepages and extended resources not overcommitted, an extended resource whole, hugepages a page multiple and with cpu or memory', async () => {
  const pod = (name: string, resources: unknown) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx', resources }] } });
  const R = 'spec.containers[0].resources';
  const cases: [unknown, string][] = [
    [{ limits: { 'hugepages-2Mi': '4Mi', memory: '1Gi' }, requests: { 'hugepages-2Mi': '2Mi' } }, `${R}.requests: Invalid value: "2Mi": must be equal to hugepages-2Mi limit of 4Mi`],
    // (the request defaulted from the limit is checked too)
    [{ limits: { 'hugepages-2Mi': '3Mi', cpu: '1' } }, `[${R}.limits[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi, ${R}.requests[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi]`],
    [{ limits: { 'hugepages-2Mi': '4Mi' } }, `${R}: Forbidden: HugePages require cpu or memory`],
    [{ limits: { 'example.com/foo': '2' }, requests: { 'example.com/foo': '1' } }, `${R}.requests: Invalid value: "1": must be equal to example.com/foo limit of 2`],
    [{ requests: { 'example.com/foo': '1' } }, `${R}.limits: Required value: Limit must be set for non overcommitable resources`],
    [
      { limits: { 'example.com/foo': '500m' } },
      `[${R}.limits[example.com/foo]: Invalid value: resource.Quantity{i:resource.int64Amount{value:500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"500m", Format:"DecimalSI"}: must be an integer, ` +
        `${R}.requests[example.com/foo]: Invalid value: resource.Quantity{i:resource.int64Amount{value:500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"500m", Format:"DecimalSI"}: must be an integer]`,
    ],
  ];
  let i = 0;
  for (const [resources, message] of cases) {
    const name = `res-${i++}`;
    const r = await send('POST', '/api/v1/namespaces/default/pods', pod(name, resources));
    assert.deepEqual([r.status, r.body.reason, r.body.message], [422, 'Invalid', `Pod "${name}" is invalid: ${message}`], JSON.stringify(resources));
  }
  // What kube accepts: a native resource overcommitted, a whole extended one (its request defaulted from the limit), hugepages with memory.
  for (const resources of [{ limits: { cpu: '2', memory: '1.5' }, requests: { cpu: '1' } }, { limits: { 'example.com/foo': '2' } }, { limits: { 'hugepages-2Mi': '4Mi', memory: '1Gi' } }]) {
    const r = await send('POST', '/api/v1/namespaces/default/pods', pod(`ok-${i++}`, resources));
    assert.equal(r.status, 201, r.text.slice(0, 300));
  }
});
