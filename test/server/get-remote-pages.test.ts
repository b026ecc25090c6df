// `get`'s paged list through a server (RemoteGet.listFetched over a real RestClient and HTTP
// server): the next page is asked for as soon as a page arrives, before it is parsed, and the
// pages still come back whole, in order, with the requests kubectl sends.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RestClient } from '../../src/client/rest-client';
import { RemoteGet } from '../../src/cli/get-remote';
import { BUILTIN_RESOURCES } from '../../src/api/resources';

const pods = BUILTIN_RESOURCES.find((t) => t.kind === 'Pod' && t.group === '')!;
const columnDefinitions = [{ name: 'Name', type: 'string', format: 'name', description: '', priority: 0 }];
const row = (name: string) => ({ cells: [name], object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name, namespace: 'ns', managedFields: [{ manager: 'm' }] } } });
/** A Table page as the daemon writes it (kind, apiVersion, metadata first), or with the metadata last. */
const page = (rows: string[], cont: string | undefined, metadataLast = false) => {
  const metadata = { resourceVersion: '7', ...(cont ? { continue: cont } : {}) };
  const body = { columnDefinitions, rows: rows.map(row) };
  return JSON.stringify(metadataLast ? { kind: 'Table', apiVersion: 'meta.k8s.io/v1', ...body, metadata } : { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, ...body });
};

/** What the server answers for each continue token ('' = the first page), and the requests it saw. */
let answers: Record<string, { status?: number; body: string }> = {};
const seen: string[] = [];
/** The row-metadata header of each request (kubesim's own: which metadata fields its rows carry). */
const rowFields: (string | undefined)[] = [];
const server = http.createServer((req, res) => {
  const url = new URL(req.url!, 'http://x');
  seen.push(url.search);
  rowFields.push(req.headers['x-kubesim-row-metadata'] as string | undefined);
  const a = answers[url.searchParams.get('continue') ?? ''] ?? { status: 404, body: '{}' };
  res.writeHead(a.status ?? 200, { 'content-type': 'application/json' });
  res.end(a.body);
});
let client: RestClient;
before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  client = new RestClient(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), { token: 't' });
});
after(() => {
  client.close();
  server.close();
});
const list = () => new RemoteGet(client, true, 'Metadata').listFetched(pods, undefined, undefined, undefined, 2);

test('every page, in order, with the requests kubectl sends; a head without the token pages after the parse', async () => {
  for (const metadataLast of [false, true]) {
    answers = { '': { body: page(['a', 'b'], 'c1', metadataLast) }, c1: { body: page(['c', 'd'], 'c2', metadataLast) }, c2: { body: page(['e'], undefined, metadataLast) } };
    seen.length = 0;
    const f = await list();
    assert.deepEqual(f.items.map((o) => o.metadata.name), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(f.items.map((o) => f.table!.cells.get(o)), [['a'], ['b'], ['c'], ['d'], ['e']]);
    assert.equal(f.items[0].metadata.managedFields, undefined, 'rows kept without their managed fields');
    assert.equal(f.resourceVersion, '7');
    assert.deepEqual(seen, ['?limit=2', '?limit=2&continue=c1', '?limit=2&continue=c2']);
  }
});

test('the next page is asked for before this one is parsed', async () => {
  // The first page's head names the next page, and its rows do not parse: the request for
  // the next page is out before the parse fails.
  answers = { '': { body: page(['a'], 'c1').slice(0, -20) }, c1: { body: page(['b'], undefined) } };
  seen.length = 0;
  await assert.rejects(list(), SyntaxError);
  await new Promise((r) => setTimeout(r, 200)); // the request already sent reaches the server
  assert.deepEqual(seen, ['?limit=2', '?limit=2&continue=c1']);
});

test('a page that fails is the list error kubectl prints', async () => {
  const gone = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.', reason: 'Expired', code: 410 });
  answers = { '': { body: page(['a'], 'c1') }, c1: { status: 410, body: gone } };
  await assert.rejects(list(), (e: Error & { reason?: string }) => e.reason === 'Expired' && /continue parameter is too old/.test(e.message));
});

test('the rows carry the metadata fields the table prints: the namespace alone for -A, the labels with label columns', async () => {
  for (const [fields, header] of [
    [['namespace'], 'namespace'],
    [['labels'], 'labels'],
    [['namespace', 'labels'], 'namespace,labels'],
    [undefined, 'namespace,labels'],
  ] as const) {
    answers = { '': { body: page(['a', 'b'], 'c1') }, c1: { body: page(['c'], undefined) } };
    rowFields.length = 0;
    const f = await new RemoteGet(client, true, 'Metadata', fields).listFetched(pods, undefined, undefined, undefined, 2);
    assert.equal(f.items.length, 3);
    assert.deepEqual(rowFields, [header, header]);
  }
  // Rows of whole objects or none: kube-apiserver's includeObject alone, no header.
  answers = { '': { body: page(['a'], undefined) } };
  rowFields.length = 0;
  await new RemoteGet(client, true, 'None', ['namespace']).listFetched(pods, undefined, undefined, undefined, 2);
  assert.deepEqual(rowFields, [undefined]);
});
