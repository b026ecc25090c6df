// The served API at the HTTP level, as a client library sees it: authentication and
// authorization errors, Status bodies for bad requests (nothing written), pagination,
// dry run, field validation, watch streams, Table responses, and clients that misbehave.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tls from 'node:tls';
import * as https from 'node:https';
import { ServedCluster } from './harness';
import { parseServerTiming } from '../stress/kept-alive';

const c = new ServedCluster('http');

before(async () => {
  await c.setUp({ create: ['--nodes', '1'] });
});
after(() => c.stop());

const JSON_CT = { 'content-type': 'application/json' };
// Each test makes the objects it reads (its own names), so that any one runs alone or in any order.
const cm = (name: string, extra: Record<string, unknown> = {}, labels: Record<string, string> = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { a: '1' }, ...extra });

async function createConfigMap(name: string, labels: Record<string, string> = {}): Promise<void> {
  const r = await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm(name, {}, labels), headers: JSON_CT });
  assert.equal(r.status, 201, r.body);
}

function status(r: { status: number; body: string }): { code: number; reason: string; message: string; kind: string } {
  const s = JSON.parse(r.body);
  assert.equal(s.kind, 'Status', r.body);
  assert.equal(s.code, r.status);
  return s;
}

async function configMapNames(): Promise<string[]> {
  const r = await c.request('GET', '/api/v1/namespaces/default/configmaps');
  return JSON.parse(r.body).items.map((o: any) => o.metadata.name).sort();
}

test('no credentials: 401 (but /readyz, /version are public); a bad token: 401; the token: ok', async () => {
  const anon = await c.request('GET', '/api/v1/pods', { auth: 'none' });
  assert.equal(anon.status, 401);
  assert.equal(status(anon).reason, 'Unauthorized');
  assert.equal((await c.request('GET', '/version', { auth: 'none' })).status, 200);
  const bad = await c.request('GET', '/api/v1/pods', { auth: 'none', headers: { authorization: 'Bearer wrong' } });
  assert.equal(bad.status, 401);
  assert.equal((await c.request('GET', '/api/v1/pods', { auth: 'token' })).status, 200);
});

test('not allowed: 403 with kube-apiserver\'s message; impersonation needs the right to impersonate', async () => {
  const r = await c.request('GET', '/api/v1/namespaces/default/pods', { headers: { 'impersonate-user': 'jane' } });
  assert.equal(r.status, 403);
  assert.equal(status(r).message, 'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"');
  const d = await c.request('DELETE', '/apis/apps/v1/namespaces/default/deployments/web', { headers: { 'impersonate-user': 'jane' } });
  assert.equal(status(d).message, 'deployments.apps "web" is forbidden: User "jane" cannot delete resource "deployments" in API group "apps" in the namespace "default"');
  const n = await c.request('GET', '/api/v1/nodes', { headers: { 'impersonate-user': 'system:serviceaccount:default:default' } });
  assert.equal(status(n).message, 'nodes is forbidden: User "system:serviceaccount:default:default" cannot list resource "nodes" in API group "" at the cluster scope');
});

test('bad requests get a Status error and write nothing', async () => {
  const before = await configMapNames();
  const malformed = await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: '{"apiVersion": "v1", "kind": ', headers: JSON_CT });
  assert.equal(malformed.status, 400);
  assert.equal(status(malformed).reason, 'BadRequest');
  const yaml = await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: 'kind: [unclosed', headers: { 'content-type': 'application/yaml' } });
  assert.equal(yaml.status, 400);
  const wrongType = await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('x1'), headers: { 'content-type': 'text/plain' } });
  assert.equal(wrongType.status, 415);
  assert.equal(status(wrongType).reason, 'UnsupportedMediaType');
  const huge = await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('x2', { data: { big: 'x'.repeat(3 * 1024 * 1024 + 10) } }), headers: JSON_CT });
  assert.equal(huge.status, 413);
  assert.equal(status(huge).message, 'Request entity too large: limit is 3145728');
  const mismatch = await c.request('POST', '/api/v1/namespaces/kube-system/configmaps', { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x3', namespace: 'default' } }), headers: JSON_CT });
  assert.equal(status(mismatch).message, 'the namespace of the provided object does not match the namespace sent on the request');
  const wrongKind = await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x4' } }), headers: JSON_CT });
  assert.equal(wrongKind.status, 400);
  const unknown = await c.request('GET', '/api/v1/namespaces/default/widgets');
  assert.equal(unknown.status, 404);
  assert.equal(status(unknown).message, 'the server could not find the requested resource');
  for (const p of ['/api/v1/namespaces/default/configmaps/../secrets', '/api/v1/namespaces/default%2Fkube-system/configmaps', '/api/v1/namespaces/%2e%2e/configmaps']) {
    const r = await c.rawGet(p);
    assert.equal(r.status, 400, p);
    assert.equal(status(r).reason, 'BadRequest');
  }
  const rv = await c.request('GET', '/api/v1/namespaces/default/configmaps?resourceVersion=abc');
  assert.equal(rv.status, 400);
  const cont = await c.request('GET', '/api/v1/namespaces/default/configmaps?limit=1&continue=garbage');
  assert.equal(cont.status, 400);
  const sel = await c.request('GET', '/api/v1/namespaces/default/configmaps?labelSelector=a%20in%20(');
  assert.equal(sel.status, 400);
  const patch = await c.request('PATCH', '/api/v1/namespaces/default/configmaps/kube-root-ca.crt', { body: '{}', headers: { 'content-type': 'application/xml' } });
  assert.equal(patch.status, 415);
  const notFound = await c.request('GET', '/api/v1/namespaces/default/configmaps/none');
  assert.deepEqual(JSON.parse(notFound.body), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'configmaps "none" not found', reason: 'NotFound', details: { name: 'none', kind: 'configmaps' }, code: 404 });
  assert.deepEqual(await configMapNames(), before);
});

// The daemon's share of each request (how long a user waited where the daemon decides it).
test('every answer carries Server-Timing: queue, lock, handler adding up to total', async () => {
  for (const r of [
    await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('timed'), headers: JSON_CT }),
    await c.request('GET', '/api/v1/namespaces/default/configmaps/timed'),
    await c.request('GET', '/api/v1/namespaces/default/configmaps/none'),
  ]) {
    const t = parseServerTiming(r.headers['server-timing'] as string);
    assert.deepEqual(Object.keys(t), ['queue', 'lock', 'handler', 'total'], String(r.headers['server-timing']));
    assert.ok(Object.values(t).every((v) => v >= 0) && Math.abs(t.queue + t.lock + t.handler - t.total) <= 0.2, JSON.stringify(t));
  }
});

test('limit and continue page through a list', async () => {
  for (const n of ['p1', 'p2', 'p3']) await createConfigMap(n, { set: 'page' });
  const first = JSON.parse((await c.request('GET', '/api/v1/namespaces/default/configmaps?labelSelector=set%3Dpage&limit=2')).body);
  assert.deepEqual(first.items.map((o: any) => o.metadata.name), ['p1', 'p2']);
  // With a selector kube-apiserver leaves the count out (etcd's count includes what the selector drops).
  assert.equal(first.metadata.remainingItemCount, undefined);
  const next = JSON.parse((await c.request('GET', `/api/v1/namespaces/default/configmaps?labelSelector=set%3Dpage&limit=2&continue=${encodeURIComponent(first.metadata.continue)}`)).body);
  assert.deepEqual(next.items.map((o: any) => o.metadata.name), ['p3']);
  assert.equal(next.metadata.continue, undefined);
  // Without one it counts what is left, and a Table page (kubectl get) carries the same ListMeta.
  const all = JSON.parse((await c.request('GET', '/api/v1/namespaces/default/configmaps')).body).items.length;
  const page = JSON.parse((await c.request('GET', '/api/v1/namespaces/default/configmaps?limit=2')).body);
  assert.equal(page.metadata.remainingItemCount, all - 2);
  const TABLE = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' };
  const table = JSON.parse((await c.request('GET', '/api/v1/namespaces/default/configmaps?limit=2', { headers: TABLE })).body);
  assert.equal(table.kind, 'Table');
  assert.deepEqual(table.metadata, page.metadata);
  const rest = JSON.parse((await c.request('GET', `/api/v1/namespaces/default/configmaps?limit=${all}&continue=${encodeURIComponent(table.metadata.continue)}`, { headers: TABLE })).body);
  assert.equal(rest.rows.length, all - 2);
  assert.deepEqual(Object.keys(rest.metadata), ['resourceVersion']);
});

test('dryRun=All validates and answers but stores nothing', async () => {
  const r = await c.request('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', { body: cm('dry'), headers: JSON_CT });
  assert.equal(r.status, 201);
  assert.equal(JSON.parse(r.body).metadata.name, 'dry');
  assert.equal((await c.request('GET', '/api/v1/namespaces/default/configmaps/dry')).status, 404);
  await createConfigMap('dry-kept');
  const del = await c.request('DELETE', '/api/v1/namespaces/default/configmaps/dry-kept?dryRun=All');
  assert.equal(del.status, 200);
  assert.equal((await c.request('GET', '/api/v1/namespaces/default/configmaps/dry-kept')).status, 200);
  const bad = await c.request('POST', '/api/v1/namespaces/default/configmaps?dryRun=Some', { body: cm('dry2'), headers: JSON_CT });
  assert.equal(bad.status, 400);
});

test('fieldValidation: Strict refuses unknown fields, Warn drops them with a warning, Ignore drops them', async () => {
  const body = (n: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n }, data: { a: '1' }, bogus: true });
  const strict = await c.request('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', { body: body('fv1'), headers: JSON_CT });
  assert.equal(strict.status, 400);
  assert.match(status(strict).message, /strict decoding error: unknown field "bogus"/);
  const warn = await c.request('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Warn', { body: body('fv2'), headers: JSON_CT });
  assert.equal(warn.status, 201);
  assert.equal(warn.headers.warning, '299 - "unknown field \\"bogus\\""');
  const ignore = await c.request('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Ignore', { body: body('fv3'), headers: JSON_CT });
  assert.equal(ignore.status, 201);
  assert.equal(ignore.headers.warning, undefined);
  assert.equal(JSON.parse(ignore.body).bogus, undefined);
});

test('watch streams events in order from a resourceVersion, with bookmarks on request', async () => {
  const list = JSON.parse((await c.request('GET', '/api/v1/namespaces/default/configmaps')).body);
  const rv = list.metadata.resourceVersion;
  const watching = c.request('GET', `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}&timeoutSeconds=3&labelSelector=w%3D1`);
  await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'wa', labels: { w: '1' } } }), headers: JSON_CT });
  await c.request('PATCH', '/api/v1/namespaces/default/configmaps/wa', { body: '{"data":{"k":"v"}}', headers: { 'content-type': 'application/merge-patch+json' } });
  await c.request('PATCH', '/api/v1/namespaces/default/configmaps/wa', { body: '{"metadata":{"labels":{"w":"2"}}}', headers: { 'content-type': 'application/strategic-merge-patch+json' } });
  const r = await watching;
  assert.equal(r.status, 200);
  const events = r.body.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED wa', 'MODIFIED wa', 'DELETED wa']);
  const revs = events.map((e) => Number(e.object.metadata.resourceVersion));
  assert.ok(revs.every((v, i) => i === 0 || v > revs[i - 1]), `revisions ascend: ${revs}`);
  const bad = await c.request('GET', '/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=x');
  assert.equal(bad.status, 400);
});

/** The first `n` lines of a watch (as the admin), however long the machine takes to send them (a minute at most). */
function firstLines(path: string, n: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    const done = (e?: Error) => {
      clearTimeout(timer);
      req.destroy();
      if (e) reject(e);
      else resolve(body);
    };
    const req = https.get(new URL(path, c.url), { agent: false, ca: c.pki('ca.crt'), cert: c.pki('admin.crt'), key: c.pki('admin.key') }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
        if (body.split('\n').length > n) done();
      });
    });
    const timer = setTimeout(() => done(new Error(`the watch sent only this in 60 s: ${JSON.stringify(body)}`)), 60_000);
    req.on('error', (e) => {
      if (body.split('\n').length <= n) done(e);
    });
  });
}

test('every revision is served as itself (encoded texts are reused): GET, list and two watchers, after writes through the API and by another process', async () => {
  const rv = JSON.parse((await c.request('GET', '/api/v1/namespaces/default/configmaps')).body).metadata.resourceVersion;
  const watch = () => firstLines(`/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}&fieldSelector=metadata.name%3Drv1`, 3);
  const [w1, w2] = [watch(), watch()];
  const get = async () => JSON.parse((await c.request('GET', '/api/v1/namespaces/default/configmaps/rv1')).body);
  const listed = async () => JSON.parse((await c.request('GET', '/api/v1/namespaces/default/configmaps')).body).items.find((o: any) => o.metadata.name === 'rv1');
  await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rv1' }, data: { v: '1' } }), headers: JSON_CT });
  assert.equal((await get()).data.v, '1');
  assert.equal((await listed()).data.v, '1');
  await c.request('PATCH', '/api/v1/namespaces/default/configmaps/rv1', { body: '{"data":{"v":"2"}}', headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal((await get()).data.v, '2');
  assert.equal((await listed()).data.v, '2');
  c.ok(['label', 'configmap', 'rv1', 'by=cli']); // another process, writing the store itself
  const after = await get();
  assert.deepEqual([after.data.v, after.metadata.labels?.by, after.kind, after.apiVersion], ['2', 'cli', 'ConfigMap', 'v1']);
  assert.equal((await listed()).metadata.labels?.by, 'cli');
  const [a, b] = await Promise.all([w1, w2]);
  assert.equal(a, b, 'both watchers were sent the same lines');
  const events = a.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(events.map((e) => `${e.type} ${e.object.data.v} ${e.object.metadata.labels?.by ?? '-'}`), ['ADDED 1 -', 'MODIFIED 2 -', 'MODIFIED 2 cli']);
});

test('a watch without selectors from an older resourceVersion is sent the store\'s event types: an update of an object deleted since is MODIFIED, then DELETED', async () => {
  // kube-apiserver's cacheWatcher.convertToWatchEvent: with no selector both the object and its
  // previous state pass, so an update is MODIFIED whether or not the object still exists.
  assert.equal((await c.request('POST', '/api/v1/namespaces', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sfw' } }), headers: JSON_CT })).status, 201);
  const base = '/api/v1/namespaces/sfw/configmaps';
  assert.equal((await c.request('POST', base, { body: cm('sf1'), headers: JSON_CT })).status, 201);
  const rv = JSON.parse((await c.request('GET', base)).body).metadata.resourceVersion; // after the create
  assert.equal((await c.request('PATCH', `${base}/sf1`, { body: '{"data":{"a":"2"}}', headers: { 'content-type': 'application/merge-patch+json' } })).status, 200);
  assert.equal((await c.request('DELETE', `${base}/sf1`)).status, 200);
  const after = Number(JSON.parse((await c.request('GET', base)).body).metadata.resourceVersion);
  const [a, b] = await Promise.all([firstLines(`${base}?watch=1&resourceVersion=${rv}`, 2), firstLines(`${base}?watch=1&resourceVersion=${rv}`, 2)]);
  assert.equal(a, b, 'both watchers were sent the same lines');
  const events = a.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name} ${e.object.data.a}`), ['MODIFIED sf1 2', 'DELETED sf1 2']);
  const revs = events.map((e) => Number(e.object.metadata.resourceVersion));
  assert.ok(Number(rv) < revs[0] && revs[0] < revs[1] && revs[1] <= after, `the deletion's own revision, after the update's: ${revs} (from ${rv}, list at ${after})`);
});

test('an RBAC change applies from the next request on', async () => {
  const asReader = () => c.request('GET', '/api/v1/namespaces/default/configmaps', { headers: { 'impersonate-user': 'cm-reader' } });
  assert.equal((await asReader()).status, 403);
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'cm-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }] };
  const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'cm-reader' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'cm-reader' }] };
  assert.equal((await c.request('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', { body: JSON.stringify(role), headers: JSON_CT })).status, 201);
  assert.equal((await asReader()).status, 403, 'a Role alone grants nothing');
  assert.equal((await c.request('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', { body: JSON.stringify(binding), headers: JSON_CT })).status, 201);
  assert.equal((await asReader()).status, 200);
  c.ok(['delete', 'rolebinding', 'cm-reader']); // another process
  assert.equal((await asReader()).status, 403);
  c.ok(['delete', 'role', 'cm-reader']);
});

test('as=Table answers with the get columns; PartialObjectMetadata too', async () => {
  await createConfigMap('tbl');
  const r = await c.request('GET', '/api/v1/namespaces/default/configmaps/tbl', { headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
  const t = JSON.parse(r.body);
  assert.equal(t.kind, 'Table');
  assert.deepEqual(t.columnDefinitions.map((d: any) => d.name), ['Name', 'Data', 'Age']);
  assert.deepEqual(t.rows[0].cells.slice(0, 2), ['tbl', 1]); // printConfigMap's int64
  assert.equal(t.rows[0].object.kind, 'PartialObjectMetadata');
  const p = JSON.parse((await c.request('GET', '/api/v1/namespaces/default/configmaps', { headers: { accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' } })).body);
  assert.equal(p.kind, 'PartialObjectMetadataList');
  const proto = await c.request('GET', '/api/v1/namespaces/default/configmaps', { headers: { accept: 'application/vnd.kubernetes.protobuf' } });
  assert.equal(proto.status, 406);
});

// kube-apiserver's printers (pkg/printers/internalversion, v1.32): each column's type and the
// field doc of the Go type it names (here the v1 types' own texts), cells typed as printed.
const NAME_DOC = 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const AGE_DOC = 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';
const TABLE = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' };

test('Table column definitions carry kube\'s types and descriptions; int64 and bool cells are JSON numbers and booleans', async () => {
  const pc = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'tbl-high' }, value: 1000, preemptionPolicy: 'Never' };
  assert.equal((await c.request('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', { body: JSON.stringify(pc), headers: JSON_CT })).status, 201);
  const t = JSON.parse((await c.request('GET', '/apis/scheduling.k8s.io/v1/priorityclasses/tbl-high', { headers: TABLE })).body);
  assert.deepEqual(t.columnDefinitions, [
    { name: 'Name', type: 'string', format: 'name', description: NAME_DOC, priority: 0 },
    { name: 'Value', type: 'integer', format: '', description: 'value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.', priority: 0 },
    {
      name: 'Global-Default',
      type: 'boolean',
      format: '',
      description: 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority.',
      priority: 0,
    },
    { name: 'Age', type: 'string', format: '', description: AGE_DOC, priority: 0 },
    { name: 'PreemptionPolicy', type: 'string', format: '', description: 'preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.', priority: 1 },
  ]);
  assert.deepEqual([t.rows[0].cells[0], t.rows[0].cells[1], t.rows[0].cells[2], t.rows[0].cells[4]], ['tbl-high', 1000, false, 'Never']);
  // Roles have no printer: the default convertor's Created At is a date.
  const roles = JSON.parse((await c.request('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles?limit=1', { headers: TABLE })).body);
  assert.deepEqual(roles.columnDefinitions[1], { name: 'Created At', type: 'date', format: '', description: AGE_DOC, priority: 0 });
  // The Service printer names ServiceSpec's docs; the v1.32 text of `type` has no enum list.
  const svc = JSON.parse((await c.request('GET', '/api/v1/namespaces/default/services', { headers: TABLE })).body);
  assert.match(svc.columnDefinitions[1].description, /^type determines how the Service is exposed\. .* More info: https:\/\/kubernetes\.io\/docs\/concepts\/services-networking\/service\/#publishing-services-service-types$/);
});

test('a custom resource\'s Table: the CRD\'s column types and descriptions (else the JSONPath), cells typed as the convertor types them, nil when absent (a string column\'s too: printed as nothing by both CLIs)', async () => {
  c.ok(['apply', '-f', c.file('gadgets.yaml', `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size, description: how big}
    - {name: Ok, type: boolean, jsonPath: .spec.ok}
    - {name: Color, type: string, jsonPath: .spec.color}
    - {name: First, type: string, jsonPath: '.spec.parts[0]'}
    schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, x-kubernetes-preserve-unknown-fields: true}}}}
`)]);
  c.ok(['wait', '--for=condition=Established', 'crd/gadgets.example.com', '--timeout=20s']);
  c.ok(['apply', '-f', c.file('g.yaml', `apiVersion: example.com/v1
kind: Gadget
metadata: {name: g1}
spec: {size: 9007199254740993, ok: true, color: red, parts: [{a: 1}]}
---
apiVersion: example.com/v1
kind: Gadget
metadata: {name: g2}
spec: {ok: "not a bool", parts: []}
---
apiVersion: example.com/v1
kind: Gadget
metadata: {name: g3}
spec: {color: ""}
`)]);
  const body = (await c.request('GET', '/apis/example.com/v1/namespaces/default/gadgets', { headers: TABLE })).body;
  const t = JSON.parse(body);
  assert.deepEqual(t.columnDefinitions, [
    { name: 'Name', type: 'string', format: 'name', description: NAME_DOC, priority: 0 },
    { name: 'Size', type: 'integer', format: '', description: 'how big', priority: 0 },
    { name: 'Ok', type: 'boolean', format: '', description: 'Custom resource definition column (in JSONPath format): .spec.ok', priority: 0 },
    { name: 'Color', type: 'string', format: '', description: 'Custom resource definition column (in JSONPath format): .spec.color', priority: 0 },
    { name: 'First', type: 'string', format: '', description: 'Custom resource definition column (in JSONPath format): .spec.parts[0]', priority: 0 },
  ]);
  // an int64 past 2^53 with its own digits, as Go's encoder writes it
  assert.match(body, /"cells":\["g1",9007199254740993,true,"red","{\\"a\\":1}"\]/);
  // A string column's missing key and a JSONPath error (index out of range) are nil, as the
  // convertor appends them; a value found empty is "".
  assert.deepEqual(t.rows[1].cells, ['g2', null, null, null, null]);
  assert.deepEqual(t.rows[2].cells, ['g3', null, null, '', null]);
  const [k, s] = await c.bothClients(['get', 'gadgets']);
  assert.equal(k.code, 0, k.stderr);
  assert.equal(s.stdout, k.stdout);
  assert.equal(k.stdout.split('\n')[2], 'g2                                       ');
});

test('health endpoints as kube-apiserver serves them: ?verbose lists its checks, ?exclude marks them, one check by its path, no other', async () => {
  assert.equal((await c.request('GET', '/readyz')).body, 'ok');
  const ready = (await c.request('GET', '/readyz?verbose')).body.split('\n');
  assert.deepEqual(ready.slice(0, 5), ['[+]ping ok', '[+]log ok', '[+]etcd ok', '[+]etcd-readiness ok', '[+]informer-sync ok']);
  assert.deepEqual(ready.slice(-4), ['[+]poststarthook/apiservice-openapiv3-controller ok', '[+]shutdown ok', 'readyz check passed', '']);
  assert.ok(ready.includes('[+]poststarthook/rbac/bootstrap-roles ok'));
  const live = (await c.request('GET', '/livez?verbose&exclude=etcd&exclude=nope&exclude=a')).body.split('\n');
  assert.deepEqual(live.slice(0, 3), ['[+]ping ok', '[+]log ok', '[+]etcd excluded: ok']);
  assert.deepEqual(live.slice(-3), ['warn: some health checks cannot be excluded: no matches for "a", "nope"', 'livez check passed', '']);
  assert.ok(!live.includes('[+]shutdown ok'), 'shutdown is a readiness check only');
  for (const path of ['/healthz/etcd', '/livez/poststarthook/rbac/bootstrap-roles', '/readyz/shutdown']) assert.deepEqual(await c.request('GET', path).then((r) => [r.status, r.body]), [200, 'ok'], path);
  // a check's path is an exact handler: another falls through to the NotFound handler's plain text
  for (const path of ['/healthz/nope', '/livez/shutdown', '/readyz/poststarthook']) assert.deepEqual(await c.request('GET', path).then((r) => [r.status, r.body]), [404, '404 page not found\n'], path);
});

test('slow, half-closed and vanishing clients do not stop the server', async () => {
  await createConfigMap('steady');
  const opts = { host: '127.0.0.1', port: new URL(c.url).port as unknown as number, ca: c.pki('ca.crt'), cert: c.pki('admin.crt'), key: c.pki('admin.key'), servername: 'localhost' };
  // A body shorter than its Content-Length, then a half-close.
  const s1 = tls.connect({ ...opts, port: Number(opts.port) });
  await new Promise((r) => s1.once('secureConnect', r));
  s1.write('POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiVersion":');
  s1.end();
  // Headers that never finish.
  const s2 = tls.connect({ ...opts, port: Number(opts.port) });
  await new Promise((r) => s2.once('secureConnect', r));
  s2.write('GET /api/v1/pods HTTP/1.1\r\nHost: x\r\n');
  // A watcher that disappears.
  const s3 = tls.connect({ ...opts, port: Number(opts.port) });
  await new Promise((r) => s3.once('secureConnect', r));
  s3.write('GET /api/v1/configmaps?watch=1 HTTP/1.1\r\nHost: x\r\n\r\n');
  s3.destroy();
  const ok = await c.request('GET', '/api/v1/namespaces/default/configmaps/steady');
  assert.equal(ok.status, 200);
  s2.destroy();
  assert.equal((await c.request('GET', '/readyz')).body, 'ok');
});
