// The real kubectl 1.32 against `kubesim serve`, for issue #11 (fid11o): a group whose
// APIService is backed by a Service and not Available, as kube-aggregator 1.32 serves it.
// The legacy /apis lists it (handler_apis.go lists every APIService); /apis/<group> answers
// its APIGroup; its group/version and everything under it get the proxy's plain-text 503
// `service unavailable` (handler_proxy.go, proxyError); aggregated discovery lists the
// version with no resources, freshness Stale (handler_discovery.go, syncAPIService). kubectl
// 1.32 reads discovery aggregated, takes the Stale version as failed and leaves the group
// without versions: api-resources and api-versions leave it out and exit 0, `get <resource>`
// finds no such type, `top` says the Metrics API is not available; a raw GET prints
// client-go's ServiceUnavailable. kubesim's CLI prints the same.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ServedCluster, until } from './harness';

const c = new ServedCluster('fid11o');

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], manifest: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: agg}\n' });
});

after(() => c.stop());

const WIDGETS = `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1alpha1.widgets.example.com}
spec: {group: widgets.example.com, version: v1alpha1, groupPriorityMinimum: 1000, versionPriority: 15, insecureSkipTLSVerify: true, service: {namespace: agg, name: widgets-api}}
`;

const METRICS = `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.metrics.k8s.io}
spec: {group: metrics.k8s.io, version: v1beta1, groupPriorityMinimum: 100, versionPriority: 100, insecureSkipTLSVerify: true, service: {namespace: kube-system, name: metrics-server}}
`;

const UNAVAILABLE = 'Error from server (ServiceUnavailable): the server is currently unable to handle the request\n';

/** kubectl's discovery cache emptied (a first run): what it prints then does not hang on what an earlier command cached. */
function freshCache(): void {
  rmSync(join(c.dir, '.kube', 'cache'), { recursive: true, force: true });
}

/** kubectl and kubesim's CLI alike on `args`, kubectl's discovery cache empty: [exit code, stdout, stderr]. */
async function alike(args: string[]): Promise<[number, string, string]> {
  freshCache();
  return c.alike(args);
}

async function waitReason(name: string, reason: string): Promise<void> {
  c.ok(['reconcile', '--until-stable']);
  const read = () => c.kubectl(['get', 'apiservice', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Available")].reason}']).stdout;
  await until(() => `${name} Available ${reason}, last ${read()}`, () => read() === reason);
}

const aggregatedApis = async () => {
  const r = await c.request('GET', '/apis', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } });
  assert.equal(r.status, 200);
  return JSON.parse(r.body).items as { metadata: { name: string }; versions: { version: string; freshness: string; resources?: unknown[] }[] }[];
};

const legacyGroups = async () => {
  const r = await c.request('GET', '/apis', { headers: { accept: 'application/json' } });
  assert.equal(r.status, 200);
  return (JSON.parse(r.body).groups as { name: string; versions: { version: string }[] }[]).map((g) => `${g.name}:${g.versions.map((v) => v.version).join(',')}`);
};

test('a group whose APIService is not Available: listed in /apis, its APIGroup served, its requests a plain-text 503, Stale in aggregated discovery; kubectl and kubesim leave it out alike', async () => {
  // nothing serves the group: the NotFound handler's plain text
  assert.deepEqual(await alike(['get', '--raw', '/apis/widgets.example.com/v1alpha1']), [1, '', 'Error from server (NotFound): the server could not find the requested resource\n']);
  c.ok(['apply', '-f', c.file('widgets.yaml', WIDGETS)]);
  await waitReason('v1alpha1.widgets.example.com', 'ServiceNotFound');

  // the legacy list: every APIService's group, by priority (1000: before metrics-server's 100)
  const groups = await legacyGroups();
  assert.deepEqual(groups.slice(-2), ['widgets.example.com:v1alpha1', 'metrics.k8s.io:v1beta1']);
  const group = await c.request('GET', '/apis/widgets.example.com');
  const gv = { groupVersion: 'widgets.example.com/v1alpha1', version: 'v1alpha1' };
  assert.deepEqual([group.status, JSON.parse(group.body)], [200, { kind: 'APIGroup', apiVersion: 'v1', name: 'widgets.example.com', versions: [gv], preferredVersion: gv }]);
  // the proxy's answer, for the discovery document and any request under it, whatever the verb
  for (const [method, path] of [
    ['GET', '/apis/widgets.example.com/v1alpha1'],
    ['GET', '/apis/widgets.example.com/v1alpha1/namespaces/agg/widgets'],
    ['POST', '/apis/widgets.example.com/v1alpha1/namespaces/agg/widgets'],
    ['DELETE', '/apis/widgets.example.com/v1alpha1/widgets/w'],
  ]) {
    const r = await c.request(method!, path!, method === 'POST' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {});
    assert.deepEqual([r.status, r.headers['content-type'], r.headers['x-content-type-options'], r.body], [503, 'text/plain; charset=utf-8', 'nosniff', 'service unavailable\n'], `${method} ${path}`);
  }
  // another version of the group has no APIService: not proxied
  assert.equal((await c.request('GET', '/apis/widgets.example.com/v1')).status, 404);
  // aggregated: the version without resources, Stale, after the groups of higher priority
  const items = await aggregatedApis();
  assert.deepEqual(items.slice(-2).map((i) => i.metadata.name), ['widgets.example.com', 'metrics.k8s.io']);
  assert.deepEqual(items.at(-2), { metadata: { name: 'widgets.example.com', creationTimestamp: null }, versions: [{ version: 'v1alpha1', freshness: 'Stale' }] });
  // the root lists the proxy's path
  assert.ok(JSON.parse((await c.request('GET', '/')).body).paths.includes('/apis/widgets.example.com/v1alpha1'));

  // kubectl 1.32 (aggregated discovery): the Stale version is a failed one, the group left with no versions
  assert.deepEqual(await alike(['get', '--raw', '/apis/widgets.example.com/v1alpha1']), [1, '', UNAVAILABLE]);
  const [code, out, err] = await alike(['api-versions']);
  assert.deepEqual([code, out.includes('widgets.example.com'), out.includes('apps/v1\n'), err], [0, false, true, '']);
  const resources = await alike(['api-resources']);
  assert.deepEqual([resources[0], resources[1].includes('widgets'), resources[2]], [0, false, '']);
  assert.deepEqual(await alike(['api-resources', '--api-group=widgets.example.com']), [0, 'NAME   SHORTNAMES   APIVERSION   NAMESPACED   KIND\n', '']);
  assert.deepEqual(await alike(['get', 'widgets', '-n', 'agg']), [1, '', 'error: the server doesn\'t have a resource type "widgets"\n']);

  // deleted: the group is gone from discovery, its paths the NotFound handler's again
  c.ok(['delete', 'apiservice', 'v1alpha1.widgets.example.com']);
  assert.ok(!(await legacyGroups()).some((g) => g.startsWith('widgets.example.com:')));
  assert.ok(!(await aggregatedApis()).some((i) => i.metadata.name === 'widgets.example.com'));
  assert.equal((await c.request('GET', '/apis/widgets.example.com/v1alpha1')).status, 404);
});

test('metrics.k8s.io made unavailable by an APIService pointing at a missing Service: `top` says the Metrics API is not available, discovery lists it Stale, its requests a 503; Available again once the Service has ready endpoints', async () => {
  c.ok(['apply', '-f', c.file('metrics.yaml', METRICS)]);
  await waitReason('v1beta1.metrics.k8s.io', 'ServiceNotFound');
  for (const args of [['top', 'pods', '-A'], ['top', 'nodes'], ['top', 'pod', 'nothing', '-n', 'agg'], ['top', 'node', '-l', 'a=b']]) {
    assert.deepEqual(await alike(args), [1, '', 'error: Metrics API not available\n'], args.join(' '));
  }
  // kubectl parses the selector before it asks for the groups
  assert.deepEqual(await alike(['top', 'pod', '-l', '==']), [1, '', "error: found '==', expected: !, identifier, or 'end of string'\n"]);
  assert.deepEqual(await alike(['api-resources', '--api-group=metrics.k8s.io']), [0, 'NAME   SHORTNAMES   APIVERSION   NAMESPACED   KIND\n', '']);
  const versions = await alike(['api-versions']);
  assert.deepEqual([versions[0], versions[1].includes('metrics.k8s.io')], [0, false]);
  assert.deepEqual(await alike(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/agg/pods']), [1, '', UNAVAILABLE]);
  assert.deepEqual((await aggregatedApis()).find((i) => i.metadata.name === 'metrics.k8s.io'), { metadata: { name: 'metrics.k8s.io', creationTimestamp: null }, versions: [{ version: 'v1beta1', freshness: 'Stale' }] });
  assert.ok((await legacyGroups()).includes('metrics.k8s.io:v1beta1'));

  // metrics-server behind the Service, ready: the discovery check passes (kubesim is that server)
  c.ok(['create', 'service', 'clusterip', 'metrics-server', '-n', 'kube-system', '--tcp=443:4443']);
  c.ok(['create', 'deployment', 'metrics-server', '-n', 'kube-system', '--image=registry.k8s.io/metrics-server/metrics-server:v0.7.2', '--port=4443']);
  c.ok(['patch', 'service', 'metrics-server', '-n', 'kube-system', '-p', '{"spec":{"selector":{"app":"metrics-server"}}}']);
  await waitReason('v1beta1.metrics.k8s.io', 'Passed');
  const metrics = (await aggregatedApis()).find((i) => i.metadata.name === 'metrics.k8s.io')!;
  assert.deepEqual([metrics.versions[0]!.freshness, metrics.versions[0]!.resources?.length], ['Current', 2]);
  freshCache();
  const top = c.kubectl(['top', 'nodes']);
  assert.deepEqual([top.code, top.stdout.split('\n')[0], top.stderr], [0, 'NAME     CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)   ', '']);
  assert.equal((await c.hosted(['top', 'nodes'])).stdout.split('\n')[0], top.stdout.split('\n')[0]);
  const resources = await alike(['api-resources', '--api-group=metrics.k8s.io']);
  assert.deepEqual([resources[0], resources[1].split('\n').length], [0, 4]);
});
