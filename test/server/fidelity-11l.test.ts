// The real kubectl 1.32 against `kubesim serve`, for issue #11 (fid11l): kube-aggregator's
// availability of a Service-backed APIService (ServiceNotFound, EndpointsNotFound,
// MissingEndpoints, then the discovery check kubesim cannot pass for a group it does not
// serve); etcd's limits on what kube-apiserver stores (1.5 MiB: `etcdserver: request is too
// large`; past 2 MiB the etcd client's own refusal), a 500 without a reason; a Quantity that
// does not parse, refused by kube's decoder (400 "cannot be handled as a Pod") before any
// other check. kubectl's stdout, stderr and exit code equal kubesim's CLI on the same cluster.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster, asKubectl, until } from './harness';
import { crdYaml } from '../helpers/crd';

const c = new ServedCluster('fid11l');

before(async () => {
  const crd = crdYaml({ plural: 'blobs', kind: 'Blob', schema: 'x-kubernetes-preserve-unknown-fields: true' });
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], manifest: `apiVersion: v1\nkind: Namespace\nmetadata: {name: agg}\n---\n${crd}` });
});

after(() => c.stop());

const NAME = 'v1alpha1.widgets.example.com';
const APISERVICE = `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: ${NAME}}
spec: {group: widgets.example.com, version: v1alpha1, groupPriorityMinimum: 1000, versionPriority: 15, insecureSkipTLSVerify: true, service: {namespace: agg, name: widgets-api}}
`;

/** The Available condition as kubectl reads it: [status, reason, message]. */
function available(): [string, string, string] {
  const r = c.kubectl(['get', 'apiservice', NAME, '-o', 'jsonpath={range .status.conditions[?(@.type=="Available")]}{.status}|{.reason}|{.message}{end}']);
  const [status = '', reason = '', message = ''] = r.stdout.split('|');
  return [status, reason, message];
}

async function waitAvailable(reason: string): Promise<[string, string, string]> {
  // the server runs no loop of its own (KUBESIM_NO_DAEMON=1): the cluster moves when a command waits
  c.ok(['reconcile', '--until-stable']);
  let seen: [string, string, string] = ['', '', ''];
  await until(() => `${NAME} Available ${reason}, last ${JSON.stringify(seen)}`, () => (seen = available())[1] === reason);
  // the table's AVAILABLE column, kubectl's and kubesim's alike (AGE aside: the cluster's clock)
  const k = c.kubectl(['get', 'apiservice', NAME, '-o', 'custom-columns=X:.metadata.name', '--no-headers']);
  assert.equal(k.stdout, `${NAME}\n`);
  const table = c.kubectl(['get', 'apiservice', NAME]).stdout.split('\n');
  assert.match(table[1], new RegExp(`^${NAME.replace(/\./g, '\\.')}\\s+agg/widgets-api\\s+${seen[0]} \\(${reason}\\)\\s+`));
  const ours = (await c.hosted(['get', 'apiservice', NAME])).stdout.split('\n');
  assert.equal(ours[1].replace(/\S+$/, ''), table[1].replace(/\S+$/, ''));
  return seen;
}

test('a Service-backed APIService: Available=False for a missing Service, its missing Endpoints, no ready address, then the discovery check; a local one Available', async () => {
  c.ok(['apply', '-f', c.file('apiservice.yaml', APISERVICE)]);
  assert.deepEqual(await waitAvailable('ServiceNotFound'), ['False', 'ServiceNotFound', 'service/widgets-api in "agg" is not present']);
  // a Service without a selector: no Endpoints (nothing makes them)
  c.ok(['apply', '-f', c.file('svc.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: widgets-api, namespace: agg}\nspec: {ports: [{name: 443-8443, port: 443, targetPort: 8443}]}\n')]);
  assert.deepEqual(await waitAvailable('EndpointsNotFound'), ['False', 'EndpointsNotFound', 'cannot find endpoints for service/widgets-api in "agg"']);
  // a selector no ready pod matches: Endpoints without addresses
  c.ok(['patch', 'service', 'widgets-api', '-n', 'agg', '-p', '{"spec":{"selector":{"app":"widgets-api"}}}']);
  assert.deepEqual(await waitAvailable('MissingEndpoints'), ['False', 'MissingEndpoints', 'endpoints for service/widgets-api in "agg" have no addresses with port name "443-8443"']);
  // ready pods behind it: kubesim runs no aggregated server, so nothing answers the discovery GET
  c.ok(['create', 'deployment', 'widgets-api', '-n', 'agg', '--image=registry.example/widgets-api:1', '--port=8443']);
  c.ok(['reconcile', '--until-stable']);
  const ip = c.kubectl(['get', 'service', 'widgets-api', '-n', 'agg', '-o', 'jsonpath={.spec.clusterIP}']).stdout;
  assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
  const url = `https://${ip}:443/apis/widgets.example.com/v1alpha1`;
  assert.deepEqual(await waitAvailable('FailedDiscoveryCheck'), ['False', 'FailedDiscoveryCheck', `failing or missing response from ${url}: Get "${url}": dial tcp ${ip}:443: connect: connection refused`]);
  // a port the Service does not listen on
  c.ok(['patch', 'apiservice', NAME, '--type=merge', '-p', '{"spec":{"service":{"port":444}}}']);
  assert.deepEqual(await waitAvailable('ServicePortError'), ['False', 'ServicePortError', 'service/widgets-api in "agg" is not listening on port 444']);
  // no service: served locally, Available (the transition time moves with the status)
  c.ok(['patch', 'apiservice', NAME, '--type=json', '-p', '[{"op":"remove","path":"/spec/service"},{"op":"remove","path":"/spec/insecureSkipTLSVerify"}]']);
  c.ok(['reconcile', '--until-stable']);
  await until('Local', () => available()[1] === 'Local');
  assert.deepEqual(available(), ['True', 'Local', 'Local APIServices are always available']);
  assert.match(c.kubectl(['get', 'apiservice', NAME]).stdout.split('\n')[1], /^\S+\s+Local\s+True\s+/);
  // the built-in ones stay as they were
  assert.match(c.kubectl(['get', 'apiservice', 'v1.apps']).stdout.split('\n')[1], /^v1\.apps\s+Local\s+True\s+/);
});

// a custom resource (kube stores it as JSON, as kubesim sizes it); a ConfigMap's data stops at 1 MiB first
const bigObject = (name: string, bytes: number) => JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Blob', metadata: { name, namespace: 'agg' }, blob: 'x'.repeat(bytes) });

test('an object etcd would not store: `etcdserver: request is too large` past 1.5 MiB, the etcd client\'s ResourceExhausted past 2 MiB, a 500 without a reason; a dry run and 1.4 MiB are stored', async () => {
  const tooLarge = c.file('too-large.json', bigObject('too-large', 1_600_000));
  const huge = c.file('huge.json', bigObject('huge', 2_500_000));
  const fits = c.file('fits.json', bigObject('fits', 1_400_000));
  for (const [file, err] of [
    [tooLarge, `Error from server: error when creating "${tooLarge}": etcdserver: request is too large\n`],
    [huge, new RegExp(`^Error from server: error when creating "${huge}": rpc error: code = ResourceExhausted desc = trying to send message larger than max \\(25\\d{5} vs\\. 2097152\\)\\n$`)],
  ] as const) {
    const [k, s] = await c.bothClients(['create', '-f', file]);
    assert.equal(k.code, 1, k.stderr);
    if (typeof err === 'string') assert.equal(k.stderr, err);
    else assert.match(k.stderr, err);
    assert.deepEqual(asKubectl(s), asKubectl(k), `kubesim create -f ${file}`);
  }
  // nothing stored; the REST answer is kube's Status: 500, no reason
  assert.deepEqual(await c.alike(['get', 'blobs', '-n', 'agg', '-o', 'name']), [0, '', '']);
  const r = await c.request('POST', '/apis/example.com/v1/namespaces/agg/blobs', { body: bigObject('too-large', 1_600_000), headers: { 'content-type': 'application/json' } });
  assert.deepEqual([r.status, JSON.parse(r.body)], [500, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'etcdserver: request is too large', code: 500 }]);
  // a server dry run never reaches etcd; 1.4 MiB fits
  assert.deepEqual(asKubectl(c.kubectl(['create', '-f', tooLarge, '--dry-run=server'])), [0, 'blob.example.com/too-large created (server dry run)\n', '']);
  assert.deepEqual(asKubectl(await c.hosted(['create', '-f', fits])), [0, 'blob.example.com/fits created\n', '']);
  // an update past the limit is refused alike, the stored object unchanged
  const rv = () => c.kubectl(['get', 'blob', 'fits', '-n', 'agg', '-o', 'jsonpath={.metadata.resourceVersion}']).stdout;
  const before = rv();
  const grown = c.file('fits-grown.json', bigObject('fits', 1_600_000));
  const [k, s] = await c.bothClients(['replace', '-f', grown]);
  assert.deepEqual([k.code, k.stderr], [1, `Error from server: error when replacing "${grown}": etcdserver: request is too large\n`]);
  assert.deepEqual(asKubectl(s), asKubectl(k));
  assert.deepEqual([before.length > 0, rv()], [true, before]);
});

const QUANTITY = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

test('a Quantity that does not parse: kube\'s decoder refuses the body (400, "cannot be handled as a Pod") before strict decoding and validation, for create, apply and replace', async () => {
  const pod = c.file('bad-pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad, namespace: agg}\nspec:\n  bogus: 1\n  containers: [{name: c, image: "", resources: {requests: {cpu: abc}}}]\n');
  for (const verb of ['create', 'apply']) {
    await c.refusedAlike([verb, '-f', pod], '', `Error from server (BadRequest): error when creating "${pod}": Pod in version "v1" cannot be handled as a Pod: ${QUANTITY}\n`);
  }
  const suffix = c.file('bad-suffix.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad, namespace: agg}\nspec:\n  containers: [{name: c, image: nginx, resources: {limits: {memory: 5kk}}}]\n');
  await c.refusedAlike(['create', '-f', suffix], '', `Error from server (BadRequest): error when creating "${suffix}": Pod in version "v1" cannot be handled as a Pod: unable to parse quantity's suffix\n`);
  // an update (PUT) decodes its body alike
  c.ok(['create', 'deployment', 'q', '-n', 'agg', '--image=nginx']);
  const deploy = c.kubectl(['get', 'deploy', 'q', '-n', 'agg', '-o', 'json']).stdout.replace('"resources": {}', '"resources": {"limits": {"cpu": true}}');
  const replace = c.file('bad-deploy.json', deploy);
  await c.refusedAlike(['replace', '-f', replace], '', `Error from server (BadRequest): error when replacing "${replace}": Deployment in version "v1" cannot be handled as a Deployment: ${QUANTITY}\n`);
  // the REST answer
  const r = await c.request('POST', '/api/v1/namespaces/agg/pods', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad' }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: 'abc' } } }] } }), headers: { 'content-type': 'application/json' } });
  assert.deepEqual([r.status, JSON.parse(r.body)], [400, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Pod in version "v1" cannot be handled as a Pod: ${QUANTITY}`, reason: 'BadRequest', code: 400 }]);
  assert.deepEqual(await c.alike(['get', 'pod', 'bad', '-n', 'agg', '-o', 'name']), [1, '', 'Error from server (NotFound): pods "bad" not found\n']);
});
