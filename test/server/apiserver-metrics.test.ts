// kube-apiserver's /metrics on `kubesim serve`: the real kubectl 1.32 `get --raw /metrics`
// reads Prometheus text (format 0.0.4) whose every sample belongs to a family with HELP and
// TYPE lines, counting the requests kubectl made with kube's labels; only subjects granted
// the /metrics non-resource URL may read it (403 otherwise). Also Status bodies whose
// details kube writes even when empty.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { JANE_READS_PODS, ServedCluster } from './harness';

const c = new ServedCluster('prom');
before(() => c.setUp({ kubectl: true, create: ['--nodes', '1'], manifest: JANE_READS_PODS }));
after(() => c.stop());

interface Family {
  help?: string;
  type?: string;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

/** Parses the text format strictly: a sample outside a family announced by HELP and TYPE fails. */
function parse(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\w+) (.*)$/.exec(line);
    if (meta) {
      const f = families.get(meta[2]) ?? families.set(meta[2], { samples: [] }).get(meta[2])!;
      if (meta[1] === 'HELP') f.help = meta[3];
      else f.type = meta[3];
      current = meta[2];
      continue;
    }
    const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const family = current && (m[1] === current || (families.get(current)?.type === 'histogram' && /^(.*)_(bucket|sum|count)$/.exec(m[1])?.[1] === current)) ? current : undefined;
    assert.ok(family, `${m[1]} has no HELP and TYPE before it`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    families.get(family)!.samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  for (const [name, f] of families) assert.ok(f.help && f.type, `${name}: HELP ${f.help} TYPE ${f.type}`);
  return families;
}

const requests = (f: Map<string, Family>, labels: Record<string, string>) =>
  f.get('apiserver_request_total')!.samples.filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);

test('kubectl get --raw /metrics: the requests kubectl made, stored objects and the process, each family with HELP and TYPE', async () => {
  const got = c.kubectl(['get', 'pods', '-n', 'kube-system']);
  assert.equal(got.code, 0, got.stderr);
  c.kubectl(['get', 'configmap', 'nope', '-n', 'default']);
  const r = c.kubectl(['get', '--raw', '/metrics']);
  assert.equal(r.code, 0, r.stderr);
  const f = parse(r.stdout);
  assert.deepEqual([...f.keys()], ['apiserver_request_duration_seconds', 'apiserver_request_total', 'apiserver_storage_objects', 'process_resident_memory_bytes', 'process_start_time_seconds']);
  assert.equal(f.get('apiserver_request_total')!.help, '[STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.');
  assert.deepEqual([...f].map(([n, x]) => [n, x.type]), [['apiserver_request_duration_seconds', 'histogram'], ['apiserver_request_total', 'counter'], ['apiserver_storage_objects', 'gauge'], ['process_resident_memory_bytes', 'gauge'], ['process_start_time_seconds', 'gauge']]);
  // kubectl's list of pods in a namespace, and its GET of a ConfigMap that is not there
  const list = { code: '200', component: 'apiserver', dry_run: '', group: '', resource: 'pods', scope: 'namespace', subresource: '', verb: 'LIST', version: 'v1' };
  assert.ok(requests(f, list) >= 1, r.stdout);
  assert.equal(requests(f, { code: '404', resource: 'configmaps', scope: 'resource', verb: 'GET' }), 1);
  // the harness's /readyz polls: instrumented with the path as subresource and no component
  assert.ok(requests(f, { code: '200', component: '', resource: '', subresource: '/readyz', verb: 'GET' }) >= 1);
  // a histogram's buckets are kube's, cumulative, +Inf equal to the count
  const series = f.get('apiserver_request_duration_seconds')!.samples.filter((s) => s.labels.resource === 'pods' && s.labels.verb === 'LIST' && s.labels.scope === 'namespace');
  const les = series.filter((s) => s.name.endsWith('_bucket')).map((s) => s.labels.le);
  assert.deepEqual(les, ['0.005', '0.025', '0.05', '0.1', '0.2', '0.4', '0.6', '0.8', '1', '1.25', '1.5', '2', '3', '4', '5', '6', '8', '10', '15', '20', '30', '45', '60', '+Inf']);
  const counts = series.filter((s) => s.name.endsWith('_bucket')).map((s) => s.value);
  assert.deepEqual(counts, [...counts].sort((a, b) => a - b));
  assert.equal(counts.at(-1), series.find((s) => s.name.endsWith('_count'))!.value);
  // stored objects: the node and the four namespaces of a new cluster; nothing that is not stored
  const stored = Object.fromEntries(f.get('apiserver_storage_objects')!.samples.map((s) => [s.labels.resource, s.value]));
  assert.equal(stored.nodes, 1);
  assert.equal(stored.namespaces, 4);
  assert.equal(stored['roles.rbac.authorization.k8s.io'], 1);
  assert.equal(stored.bindings, undefined);
  const start = f.get('process_start_time_seconds')!.samples[0].value;
  assert.ok(start > Date.now() / 1000 - 3600 && start <= Date.now() / 1000, String(start));
  assert.ok(f.get('process_resident_memory_bytes')!.samples[0].value > 1e6);
});

test('/metrics needs the /metrics non-resource URL: 403 for a user without it, as kube-apiserver words it', () => {
  const r = c.kubectl(['get', '--raw', '/metrics', '--as', 'jane']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', 'Error from server (Forbidden): forbidden: User "jane" cannot get path "/metrics"\n']);
  const monitor = c.kubectl(['get', '--raw', '/metrics', '--as', 'prometheus', '--as-group', 'system:monitoring']);
  assert.equal(monitor.code, 0, monitor.stderr);
  assert.match(monitor.stdout, /^# HELP apiserver_request_duration_seconds /);
});

test('Status bodies: a failing JSON patch operation and an unknown path carry empty details, as kube-apiserver writes them', async () => {
  c.ok(['create', 'configmap', 'jp', '-n', 'default']);
  const patched = await c.request('PATCH', '/api/v1/namespaces/default/configmaps/jp', { body: '[{"op":"remove","path":"/data/x"}]', headers: { 'content-type': 'application/json-patch+json' } });
  assert.equal(patched.status, 422);
  assert.equal(patched.body, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server rejected our request due to an error in our request","reason":"Invalid","details":{},"code":422}\n');
  const k = c.kubectl(['patch', 'configmap', 'jp', '-n', 'default', '--type=json', '-p', '[{"op":"remove","path":"/data/x"}]']);
  assert.deepEqual([k.code, k.stderr], [1, 'The request is invalid: the server rejected our request due to an error in our request\n']);
  // a path no route of a built-in group's web service matches (go-restful's error; an unknown group is the NotFound handler's plain text)
  const unknown = await c.request('GET', '/apis/apps/v1/things');
  assert.equal(unknown.body, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}\n');
  // an object that is not there names it (details of NewNotFound)
  const missing = await c.request('GET', '/api/v1/namespaces/default/configmaps/nope');
  assert.equal(JSON.parse(missing.body).details.name, 'nope');
});
