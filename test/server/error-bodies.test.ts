// An error answer whose body is no Status (a proxy's, a load balancer's, an empty body): the
// real kubectl 1.32 and kubesim's REST client against the same small HTTP server, which
// serves just enough discovery for `kubectl get pods NAME` and answers each pod's GET with the
// code and body its name says. kubectl's stderr is the oracle for what kubesim prints
// (client-go's newUnstructuredResponseError: NewGenericServerResponse's words per code).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { RestClient, statusError } from '../../src/client/rest-client';
import { formatError } from '../../src/cli/format-error';
import { KUBECTL, requireKubectl } from './harness';

/** The bodies a case's name picks: `c503-empty`, `c500-text`, `c500-json`, `c404-notfailure`. */
const BODIES: Record<string, { type?: string; body: string }> = {
  empty: { body: '' },
  text: { type: 'text/plain; charset=utf-8', body: 'upstream connect error\n' },
  json: { type: 'application/json', body: '{"kind":"Pod","apiVersion":"v1"}' },
  // a Status that is no Failure, and one sent as text: neither is the server's error
  notfailure: { type: 'application/json', body: '{"kind":"Status","apiVersion":"v1","message":"not a failure","code":404}' },
  textstatus: { type: 'text/plain', body: '{"kind":"Status","apiVersion":"v1","status":"Failure","message":"m","reason":"NotFound","code":404}' },
};

const DISCOVERY: Record<string, unknown> = {
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] },
  '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [] },
  '/api/v1': { kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list', 'create', 'delete'], shortNames: ['po'] }] },
};

const server = http.createServer((req, res) => {
  const path = new URL(req.url!, 'http://x').pathname;
  req.resume();
  const discovery = DISCOVERY[path];
  if (discovery) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(discovery));
    return;
  }
  const m = /\/c(\d{3})-([a-z]+)$/.exec(path);
  const answer = m && BODIES[m[2]];
  if (!m || !answer) {
    res.writeHead(599);
    res.end();
    return;
  }
  res.writeHead(Number(m[1]), answer.type ? { 'content-type': answer.type } : {});
  res.end(answer.body);
});

let dir = '';
let client: RestClient;
before(async () => {
  requireKubectl();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new RestClient(new URL(url), { token: 't' });
  dir = mkdtempSync(join(tmpdir(), 'kubesim-error-bodies-'));
  writeFileSync(
    join(dir, 'kubeconfig'),
    `apiVersion: v1\nkind: Config\nclusters: [{name: stub, cluster: {server: "${url}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: stub, context: {cluster: stub, user: u, namespace: default}}]\ncurrent-context: stub\n`,
  );
  writeFileSync(join(dir, 'pod.json'), '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}');
});
after(() => {
  client?.close();
  server.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** kubectl's exit code and stderr (run asynchronously: the stub answers from this process). */
function kubectl(args: string[]): Promise<[number, string]> {
  return new Promise((resolve) => {
    execFile(KUBECTL, args, { env: { ...process.env, KUBECONFIG: join(dir, 'kubeconfig'), HOME: dir }, timeout: 30_000 }, (err, _stdout, stderr) => {
      resolve([err ? ((err as { code?: number }).code ?? -1) : 0, stderr]);
    });
  });
}

/** What kubesim's CLI prints for the failed request. */
async function kubesimError(request: Promise<unknown>): Promise<string> {
  try {
    const res = await request;
    return formatError(statusError(res as Parameters<typeof statusError>[0]));
  } catch (e) {
    return formatError(e);
  }
}

const CODES = [400, 401, 403, 404, 405, 406, 409, 415, 418, 422, 429, 500, 502, 503, 504];

test('get pods NAME: an empty body gets client-go\'s words for its code and the request after it, as kubectl prints them', async () => {
  for (const code of CODES) {
    const name = `c${code}-empty`;
    const [exit, expected] = await kubectl(['get', 'pods', name]);
    assert.equal(exit, 1, `${code}: ${expected}`);
    assert.equal(await kubesimError(client.getJson(`/api/v1/namespaces/default/pods/${name}`, {})), expected, String(code));
  }
  // the oracle says what it is said to
  assert.equal((await kubectl(['get', 'pods', 'c404-empty']))[1], 'Error from server (NotFound): the server could not find the requested resource (get pods c404-empty)\n');
});

test('a text body is quoted (trimmed) where the code\'s words quote it; any other body is "unknown"; a Status that is no Failure, or sent as text, is no Status', async () => {
  for (const name of ['c500-text', 'c502-text', 'c403-text', 'c415-text', 'c406-json', 'c500-json', 'c503-json', 'c404-notfailure', 'c404-textstatus', 'c500-textstatus']) {
    const [, expected] = await kubectl(['get', 'pods', name]);
    assert.equal(await kubesimError(client.getJson(`/api/v1/namespaces/default/pods/${name}`, {})), expected, name);
  }
});

test('--raw: no request after the words (an absolute path names no resource); a POST\'s 409 is AlreadyExists', async () => {
  for (const name of ['c404-empty', 'c500-text', 'c503-empty', 'c409-empty']) {
    const path = `/api/v1/namespaces/default/pods/${name}`;
    const [, expected] = await kubectl(['get', '--raw', path]);
    assert.equal(await kubesimError(client.rawRequest('GET', path, 'application/json, */*')), expected, name);
  }
  const path = '/api/v1/namespaces/default/pods/c409-empty';
  const [, created] = await kubectl(['create', '--raw', path, '-f', join(dir, 'pod.json')]);
  assert.equal(created, 'Error from server (AlreadyExists): the server reported a conflict\n');
  assert.equal(await kubesimError(client.rawRequest('POST', path, 'application/json, */*', '{}')), created);
});
