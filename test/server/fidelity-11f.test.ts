// The real kubectl 1.32 against `kubesim serve`, for what the fid11f sweep found different
// (issue #11): each command's stdout, stderr and exit code equal kubesim's CLI on the same
// cluster. Ages and generated names are masked where the two runs may straddle a second.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';
import type { RunResult } from '../e2e/helpers';

const c = new ServedCluster('fid11f');

const MANIFEST = `apiVersion: v1
kind: ConfigMap
metadata: {name: one}
data: {a: "1"}
---
apiVersion: v1
kind: Secret
metadata: {name: two}
stringData: {b: "2"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: nginx, resources: {limits: {cpu: 300m}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec:
  schedule: "0 0 1 1 *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: busybox}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, labels: {a: b}}
spec:
  podSelector: {matchExpressions: [{key: app, operator: In, values: [web, db]}]}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - podSelector: {matchLabels: {role: fe}}
      namespaceSelector: {matchLabels: {team: a}}
    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 10.2.0.0/16]}
    ports: [{port: 80}, {protocol: UDP, port: 53}, {port: 8000, endPort: 9000}]
  - {}
  egress:
  - to: [{podSelector: {}}]
    ports: [{port: dns}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: open}
spec: {podSelector: {}, policyTypes: [Egress]}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast, annotations: {tier: gold}}
provisioner: example.com/fast
parameters: {type: ssd, iops: "100"}
allowVolumeExpansion: true
mountOptions: [debug, ro]
reclaimPolicy: Retain
allowedTopologies:
- matchLabelExpressions: [{key: topology.kubernetes.io/zone, values: [a, b]}, {key: rack, values: [r1]}]
- matchLabelExpressions: []
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000000
description: High priority
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx, labels: {team: edge}}
spec:
  controller: k8s.io/ingress-nginx
  parameters: {apiGroup: k8s.example.com, kind: IngressParameters, name: external-lb}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: manual, labels: {kubernetes.io/service-name: manual}}
addressType: IPv4
ports: [{name: http, port: 80, protocol: TCP}, {port: 443, protocol: TCP}]
endpoints:
- {addresses: [10.1.2.3, 10.1.2.4], conditions: {ready: true}, hostname: pod-1, zone: us-a}
- {addresses: [10.1.2.5], conditions: {}}
`;

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], manifest: MANIFEST });
});

after(async () => {
  await c.stop();
});

/** What both print, with ages, uids and timestamps masked, and kubesim's name as kubectl's. */
function masked(r: RunResult): [number, string, string] {
  const mask = (s: string) =>
    s
      .replace(/\bkubesim\b/g, 'kubectl')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UID')
      .replace(/"?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"?/g, 'TIME');
  // a table's AGE cells, and the padding their width sets
  const tables = (s: string) => s.replace(/(?<= )\d+(?:s|m\d*s?|h\d*m?|d\d*h?)(?= |$)/gm, 'AGE').replace(/ +/g, ' ');
  return [r.code, tables(mask(r.stdout)), mask(r.stderr)];
}

/** kubectl and kubesim's in-process CLI, side by side: the same exit code, stdout and stderr. */
async function alike(args: string[]): Promise<[number, string, string]> {
  const [k, s] = await c.bothClients(args);
  assert.deepEqual(masked(s), masked(k), `kubesim ${args.join(' ')}`);
  return masked(k);
}

test('describe networkpolicy|storageclass|priorityclass|ingressclass|endpointslice: kubectl\'s own describers, not the generic field dump', async () => {
  for (const args of [
    ['describe', 'networkpolicy'],
    ['describe', 'storageclass', 'fast'],
    ['describe', 'priorityclass', 'high'],
    ['describe', 'ingressclass'],
    ['describe', 'endpointslice', 'manual'],
  ]) {
    const [code, out] = await alike(args);
    assert.equal(code, 0);
    assert.doesNotMatch(out, /^API Version:/m, args.join(' '));
  }
  const [, np] = await alike(['describe', 'networkpolicy', 'np']);
  assert.match(np, /\nSpec:\n PodSelector: app in \(db,web\)\n Allowing ingress traffic:\n To Port: 80\/TCP\n To Port: 53\/UDP\n To Port Range: 8000-9000\/TCP\n From:\n NamespaceSelector: team=a\n PodSelector: role=fe\n/);
  const [, sc] = await alike(['describe', 'sc', 'fast']);
  assert.match(sc, /^IsDefaultClass: No\n/m);
});

test('describe with nothing found: "No resources found in <ns> namespace." once per command, for cluster-scoped kinds too', async () => {
  for (const args of [['describe', 'pv'], ['describe', 'pv,csr'], ['describe', 'pv,cm'], ['describe', 'pv', '-A']]) await alike(args);
  const [code, out, err] = await alike(['describe', 'pv,csr']);
  assert.deepEqual([code, out, err], [0, '', 'No resources found in default namespace.\n']);
});

test('get: the kind prefix only when the Infos span kinds; --sort-by over several Infos sorts their Tables (a row field fails)', async () => {
  for (const [expected, ...args] of [
    [0, 'get', 'cm/one', 'cm/kube-root-ca.crt'],
    [1, 'get', 'cm/one', 'secret/nosuch'],
    [0, 'get', 'cm/one', 'secret/two'],
    [0, 'get', 'cm,configmap'],
    [1, 'get', 'pod,svc', 'kubernetes'], // no pod kubernetes: one kind's Infos, no prefix
    [0, 'get', 'cm/one', '--sort-by=.metadata.name'],
    [0, 'get', 'cm,secret', '--sort-by=.kind'],
    [1, 'get', 'cm', 'one', 'kube-root-ca.crt', '--sort-by=.data.a'],
  ] as const) {
    const [code] = await alike(args as unknown as string[]);
    assert.equal(code, expected, args.join(' '));
  }
  const [, plain] = await alike(['get', 'cm/one', 'cm/kube-root-ca.crt']);
  assert.match(plain, /^one /m);
  assert.deepEqual(await alike(['get', 'cm,secret', '--sort-by=.metadata.name']), [1, '', 'error: couldn\'t find any field with path "{.metadata.name}" in the list of objects\n']);
});

test('resource/name arguments: the Builder\'s errors for two slashes and empty parts, before any type is resolved', async () => {
  assert.deepEqual(await alike(['get', 'cronjob/cj/x']), [1, '', 'error: arguments in resource/name form may not have more than one slash\n']);
  assert.deepEqual(await alike(['describe', 'nosuch/a/b']), [1, '', 'error: arguments in resource/name form may not have more than one slash\n']);
  for (const args of [['get', 'cronjob/'], ['get', '/cj'], ['label', 'cm/', 'a=b'], ['get', 'pod,svc/x']]) {
    assert.deepEqual(await alike(args), [1, '', 'error: arguments in resource/name form must have a single resource and name\n'], args.join(' '));
  }
});

test('create job --from through the Builder; create token takes none of create\'s flags; server answers print Go\'s zeros', async () => {
  assert.deepEqual(await alike(['create', 'job', 'j', '--from=deploy/web', '--dry-run=server']), [1, '', 'error: unknown object type *v1.Deployment\n']);
  for (const from of ['cronjob', 'cronjob/cj/x', 'cronjob/nosuch', 'nosuch/x']) await alike(['create', 'job', 'j', `--from=${from}`, '--dry-run=server']);
  const [, job] = await alike(['create', 'job', 'j', '--from=cronjob/cj', '--dry-run=server', '-o', 'yaml']);
  assert.match(job, /cronjob.kubernetes.io\/instantiate: manual/);
  const [code, , err] = await alike(['create', 'token', 'default', '--dry-run=server']);
  assert.deepEqual([code, err], [1, "Error: unknown flag: --dry-run\nSee 'kubectl create token --help' for usage.\n"]);
  const [, pdb] = await alike(['create', 'pdb', 'p', '--selector=app=web', '--min-available=1', '--dry-run=server', '-o', 'yaml']);
  assert.match(pdb, /\nstatus:\n currentHealthy: 0\n desiredHealthy: 0\n disruptionsAllowed: 0\n expectedPods: 0\n$/);
  await alike(['create', 'pdb', 'p', '--selector=app=web', '--min-available=1', '--dry-run=server', '-o', 'jsonpath={.status}']);
});

test('set image|resources: a patch the server refuses is wrapped as kubectl wraps it, with the Status message as it is', async () => {
  assert.deepEqual(await alike(['set', 'resources', 'deploy/web', '--requests=cpu=1', '--dry-run=server']), [
    1,
    '',
    'error: failed to patch resources update to pod template Deployment.apps "web" is invalid: spec.template.spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit of 300m\n',
  ]);
  const [code, , err] = await alike(['set', 'image', 'deploy/web', 'nginx= nginx', '--dry-run=server']);
  assert.equal(code, 1);
  assert.match(err, /^error: failed to patch image update to pod template: Deployment\.apps "web" is invalid: /);
});

test('taint: any name of the node resource, kubectl\'s Validate messages, no `(dry run)` in what it prints', async () => {
  for (const args of [
    ['taint', 'no', 'node-1', 'k=v:NoSchedule', '--dry-run=server'],
    ['taint', 'Nodes', 'node-1', 'k=v:NoSchedule', '--dry-run=client'],
    ['taint', 'nodes.v1.', 'node-1', 'k=v:NoSchedule', '--dry-run=server'],
  ]) assert.deepEqual(await alike(args), [0, 'node/node-1 tainted\n', ''], args.join(' '));
  assert.deepEqual(await alike(['taint', 'pods', 'x', 'k=v:NoSchedule']), [1, '', 'error: invalid resource type pods, only node types are supported\n']);
  assert.deepEqual(await alike(['taint', 'node/node-1', 'k=v:NoSchedule']), [1, '', 'the server doesn\'t have a resource type "node/node-1"\n']);
  assert.deepEqual(await alike(['taint', 'nodes', 'node-1', 'k=v:NoSchedule', 'k-']), [1, '', 'error: can not both modify and remove the following taint(s) in the same command: k=\n']);
});

test('label|annotate --list: the changes applied and listed (never written), a header per object on stdout; label refuses -o with --list', async () => {
  for (const args of [['create', 'configmap', 'lone'], ['create', 'secret', 'generic', 'ltwo']]) assert.equal((await c.kubectlAsync(args)).code, 0);
  assert.deepEqual(await alike(['label', 'cm', 'lone', 'a=b', '--list']), [0, 'a=b\n', '']);
  assert.deepEqual(await alike(['label', 'cm/lone', 'secret/ltwo', 'a=b', '--list']), [0, 'Listing labels for ConfigMap./lone:\n a=b\nListing labels for Secret./ltwo:\n a=b\n', '']);
  assert.deepEqual(await alike(['annotate', 'cm/lone', 'secret/ltwo', 'n=1', '--list']), [0, 'Listing annotations for ConfigMap./lone:\n n=1\nListing annotations for Secret./ltwo:\n n=1\n', '']);
  assert.deepEqual(await alike(['label', 'cm', 'lone', '--list', '-o', 'json']), [1, '', 'error: --list and --output may not be specified together\n']);
  assert.deepEqual(await alike(['annotate', 'cm', 'lone', 'n=1', '--list', '-o', 'name']), [0, 'n=1\n', '']);
  assert.deepEqual(await alike(['label', 'cm', 'lone', 'a-', '--list']), [0, '', ''], 'a label not there, removed');
  // nothing was written
  assert.equal((await c.kubectlAsync(['get', 'cm', 'lone', '-o', 'jsonpath={.metadata.labels}{.metadata.annotations}'])).stdout, '');
});

test('delete --all with a selector: the Builder\'s SelectAllParam error, before Validate\'s', async () => {
  assert.deepEqual(await alike(['delete', 'deploy', '--all', '-l', 'a=b']), [1, '', "error: setting 'all' parameter but found a non empty selector. \n"]);
  await alike(['delete', 'deploy', '--all', '--field-selector', 'a=b', '-o', 'json']);
});

test('get -w: --sort-by ignored with kubectl\'s warning, one resource type only, -o name of each watch event\'s object', async () => {
  const w = ['--request-timeout=1s'];
  const [code, out, err] = await alike(['get', 'deploy', 'web', '-w', '--sort-by=.metadata.name', ...w]);
  assert.deepEqual([code, err], [0, 'warning: --watch requested, --sort-by will be ignored for watch events received\n']);
  assert.match(out, /^NAME READY UP-TO-DATE AVAILABLE AGE\nweb /);
  assert.deepEqual(await alike(['get', 'deploy', '--watch-only', '--sort-by=.metadata.name', ...w]), [0, '', 'warning: --watch-only requested, --sort-by will be ignored\n']);
  assert.deepEqual(await alike(['get', 'deploy', '-w', '--output-watch-events', '-o', 'name', ...w]), [0, 'deployment.apps/web\n', '']);
  for (const args of [['get', 'deploy,cm', '-w'], ['get', 'deploy,nosuch', '-w'], ['get', 'all', '-w'], ['get', 'deploy/web', 'cm/one', '-w']]) {
    assert.deepEqual(await alike([...args, ...w]), [1, '', 'error: you may only specify a single resource type\n'], args.join(' '));
  }
});

test('get --raw: Validate\'s refusals of watches, label selectors and -o, and of a path that is no URL', async () => {
  for (const flag of ['-w', '--watch-only', '-l=a=b']) {
    assert.deepEqual(await alike(['get', '--raw', '/version', flag]), [1, '', 'error: --raw may not be specified with other flags that filter the server request or alter the output\n'], flag);
  }
  assert.deepEqual(await alike(['get', '--raw', '/version', '-o', 'json']), [1, '', 'error: --raw and --output are mutually exclusive\n']);
  assert.deepEqual(await alike(['get', '--raw', 'version']), [1, '', 'error: --raw must be a valid URL path: parse "version": invalid URI for request\n']);
  const [code, out] = await alike(['get', '--raw', '/version', '--field-selector=a=b']);
  assert.equal(code, 0);
  assert.match(out, /"minor":"32"/);
});
