// Hostile request bodies over HTTP, against an in-process server on the memory store: each
// is answered quickly with a Status error (never "Maximum call stack size exceeded" or a
// server that stops answering), nothing is written, and the next request is served.

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as https from 'node:https';
import * as tls from 'node:tls';
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
const dir = mkdtempSync(join(tmpdir(), 'kubesim-hostile-bodies-'));
const BODY_TIMEOUT_MS = 400;
after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

before(async () => {
  api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-12-01T00:00:00Z')), seededRng(5));
  await api.bootstrap();
  server = await startApiServer({ api, clusterDir: dir });
});

const CMS = '/api/v1/namespaces/default/configmaps';

function send(method: string, path: string, body: string, contentType: string): Promise<{ status: number; body: any; ms: number }> {
  const pki = server!.pki;
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, server!.url), { method, ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey, agent: false, headers: { 'content-type': contentType } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), ms: Date.now() - t0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function configMapNames(): Promise<string[]> {
  return (await api.list(api.registry.forKind('v1', 'ConfigMap'), { namespace: 'default' })).items.map((o) => o.metadata.name as string).sort();
}

test('3 MiB of nesting (JSON arrays, JSON objects, YAML flow) is a 400 naming the limit, at once', async () => {
  const before = await configMapNames();
  const n = Math.floor((3 * 1024 * 1024 - 200) / 2);
  const k = Math.floor((3 * 1024 * 1024 - 200) / 6);
  const bodies: [string, string, RegExp][] = [
    [`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":{"a":${'['.repeat(n)}${']'.repeat(n)}}}`, 'application/json', /^couldn't get version\/kind; json parse error: the document exceeds the maximum nesting depth of \d+$/],
    [`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep","annotations":${'{"a":'.repeat(k)}1${'}'.repeat(k)}}}`, 'application/json', /^couldn't get version\/kind; json parse error: the document exceeds the maximum nesting depth of \d+$/],
    [`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: {a: ${'['.repeat(n)}${']'.repeat(n)}}\n`, 'application/yaml', /^error converting YAML to JSON: the document exceeds the maximum nesting depth of \d+$/],
  ];
  for (const [body, ct, message] of bodies) {
    const r = await send('POST', CMS, body, ct);
    assert.equal(r.status, 400, JSON.stringify(r.body).slice(0, 300));
    assert.equal(r.body.reason, 'BadRequest');
    assert.match(r.body.message, message);
    assert.ok(r.ms < 5_000, `${ct}: ${r.ms} ms`);
  }
  // The same through PATCH (merge patch and server-side apply).
  const patch = await send('PATCH', `${CMS}/kube-root-ca.crt`, bodies[1][0], 'application/merge-patch+json');
  assert.equal(patch.status, 400);
  assert.match(patch.body.message, /maximum nesting depth/);
  const apply = await send('PATCH', `${CMS}/deep?fieldManager=t`, bodies[2][0], 'application/apply-patch+yaml');
  assert.equal(apply.status, 400);
  assert.match(apply.body.message, /maximum nesting depth/);
  assert.deepEqual(await configMapNames(), before);
});

test('a YAML alias bomb (billion laughs) is refused, by create and by server-side apply', async () => {
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: bomb}', 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
  lines.push('data: {x: *a9}');
  const body = lines.join('\n') + '\n';
  for (const [method, path, ct] of [['POST', CMS, 'application/yaml'], ['PATCH', `${CMS}/bomb?fieldManager=t`, 'application/apply-patch+yaml']]) {
    const r = await send(method, path, body, ct);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match(r.body.message, /^error converting YAML to JSON: Excessive alias count/);
    assert.ok(r.ms < 5_000, `${r.ms} ms`);
  }
  assert.ok(!(await configMapNames()).includes('bomb'));
});

test('a body dribbled byte by byte (slow loris) ends with 504 and a closed connection; others are served meanwhile', async () => {
  // A server of its own with a short body timeout (3 MiB bodies above may take longer on a loaded machine).
  const slow = await startApiServer({ api, clusterDir: dir, bodyTimeoutMs: BODY_TIMEOUT_MS });
  const pki = slow.pki;
  const s = tls.connect({ host: '127.0.0.1', port: slow.port, ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey, servername: 'localhost' });
  await new Promise((r) => s.once('secureConnect', r));
  let answer = '';
  s.setEncoding('utf8').on('data', (d) => (answer += d));
  const closed = new Promise<number>((r) => s.once('close', () => r(Date.now())));
  const t0 = Date.now();
  s.write(`POST ${CMS} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
  const drip = setInterval(() => s.writable && s.write(' '), 50);
  try {
    const ok = await send('POST', CMS, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'meanwhile' } }), 'application/json');
    assert.equal(ok.status, 201);
    const end = await Promise.race([closed, new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`still open after 10 s: ${answer}`)), 10_000))]);
    assert.ok(end - t0 >= BODY_TIMEOUT_MS, `closed after ${end - t0} ms`);
    assert.match(answer, /^HTTP\/1\.1 504 /);
    assert.match(answer, /"message":"Timeout: request did not complete within requested timeout - context deadline exceeded","reason":"Timeout"/);
  } finally {
    clearInterval(drip);
    s.destroy();
    await slow.close();
  }
});

// JSON.parse reads 1e400 as Infinity and the `yaml` package's core schema did too: a
// ConfigMap's value became null, a Deployment's `replicas: 1e400` null and then the default 1.
test('numbers past float64 and .inf/.nan: refused as Go refuses them, or kept as text where go-yaml keeps them', async () => {
  const before = await configMapNames();
  const json = await send('POST', CMS, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"huge"},"data":{"a":"x"},"binaryData":{},"immutable":false,"x":1e400}', 'application/json');
  assert.equal(json.status, 400, JSON.stringify(json.body));
  assert.equal(json.body.message, 'json: cannot unmarshal number 1e400 into Go value of type float64');
  for (const [v, go] of [['.inf', '+Inf'], ['-.Inf', '-Inf'], ['.nan', 'NaN']]) {
    const r = await send('POST', CMS, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inf}\ndata: {a: ${v}}\n`, 'application/yaml');
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.message, `error converting YAML to JSON: json: unsupported value: ${go}`);
  }
  assert.deepEqual(await configMapNames(), before);
  // go-yaml (sigs.k8s.io/yaml, as kube-apiserver reads YAML) keeps an out-of-range number a
  // string and decodes the first document only.
  const yaml = await send('POST', `${CMS}?dryRun=All`, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: huge}\ndata: {a: 1e400, b: ${'9'.repeat(400)}}\n---\nkind: Other\n`, 'application/yaml');
  assert.equal(yaml.status, 201, JSON.stringify(yaml.body));
  assert.deepEqual(yaml.body.data, { a: '1e400', b: '9'.repeat(400) });
});

// This server's API was opened without a Validator, and took `yes` (a bool to go-yaml, as to
// sigs.k8s.io/yaml) as a ConfigMap's value where `kubesim serve` and kube-apiserver refuse it.
test('a YAML body decodes into the kind\'s types as kube-apiserver decodes it: `yes` is a bool, `"yes"` a string', async () => {
  const before = await configMapNames();
  for (const [v, kind] of [['yes', 'bool'], ['1', 'number']]) {
    const r = await send('POST', CMS, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: yb}\ndata: {a: ${v}}\n`, 'application/yaml');
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.message, `ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal ${kind} into Go struct field ConfigMap.data.a of type string`);
  }
  assert.deepEqual(await configMapNames(), before);
  const quoted = await send('POST', `${CMS}?dryRun=All`, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: yb}\ndata: {a: "yes"}\n', 'application/yaml');
  assert.equal(quoted.status, 201, JSON.stringify(quoted.body));
  assert.deepEqual(quoted.body.data, { a: 'yes' });
});

test('a request line of 100 KB (a long label selector) is served, as kube-apiserver serves up to 1 MiB of headers', async () => {
  const values = Array.from({ length: 20_000 }, (_, i) => `v${i}`).join(',');
  const path = `${CMS}?labelSelector=${encodeURIComponent(`app in (${values})`)}`;
  assert.ok(path.length > 100_000);
  const r = await send('GET', path, '', 'application/json');
  assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
  assert.equal(r.body.kind, 'ConfigMapList');
  assert.deepEqual(r.body.items, []);
});
