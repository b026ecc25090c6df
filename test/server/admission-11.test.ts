// Issue #11 (fid11f): the real kubectl 1.32 against `kubesim serve` for LimitRanger and
// ServiceAccount admission and the built-in APIService objects, with kube-apiserver's
// behaviour and messages (plugin/pkg/admission/limitranger, .../serviceaccount,
// kube-aggregator's autoregister and crdregistration controllers).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster, until } from './harness';

const c = new ServedCluster('adm11');

const LIMITS = `apiVersion: v1
kind: Namespace
metadata: {name: lr}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: compute, namespace: lr}
spec: {hard: {requests.cpu: "2", limits.memory: 1Gi}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: limits, namespace: lr}
spec:
  limits:
  - type: Container
    max: {cpu: 500m}
    default: {memory: 128Mi}
    defaultRequest: {cpu: 100m}
  - type: PersistentVolumeClaim
    max: {storage: 1Gi}
`;

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], manifest: LIMITS });
});

after(async () => {
  await c.stop();
});

const kubectl = (args: string[], stdin?: string) => c.kubectl(args, { stdin });

/** A namespaced CRD of group example.com serving v1 (and `moreVersions`). */
const crd = (kind: string, plural: string, moreVersions = '') => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${plural}.example.com}
spec:
  group: example.com
  names: {kind: ${kind}, plural: ${plural}}
  scope: Namespaced
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}
${moreVersions}`;

function pod(name: string, spec: string): string {
  return `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: lr}\nspec:\n${spec}`;
}

test('LimitRanger: a pod without resources gets the LimitRange\'s defaults (max as the default limit), so the quota admits it', () => {
  assert.deepEqual(kubectl(['run', 'bare', '-n', 'lr', '--image=nginx']), { code: 0, stdout: 'pod/bare created\n', stderr: '' });
  const got = kubectl(['get', 'pod', 'bare', '-n', 'lr', '-o', 'jsonpath={.spec.containers[0].resources}{"\\n"}{.metadata.annotations.kubernetes\\.io/limit-ranger}']);
  assert.equal(got.stdout, '{"limits":{"cpu":"500m","memory":"128Mi"},"requests":{"cpu":"100m","memory":"128Mi"}}\nLimitRanger plugin set: cpu, memory request for container bare; cpu, memory limit for container bare');
  // What a container states is kept (a limit without a request was already its request, by
  // the pod's defaulting); init containers are defaulted too.
  const spec = `  initContainers: [{name: init, image: busybox, resources: {requests: {cpu: 50m}}}]\n  containers: [{name: app, image: nginx, resources: {limits: {memory: 64Mi}}}]\n`;
  assert.equal(kubectl(['apply', '-f', '-'], pod('mixed', spec)).stdout, 'pod/mixed created\n');
  const mixed = JSON.parse(kubectl(['get', 'pod', 'mixed', '-n', 'lr', '-o', 'json']).stdout);
  assert.deepEqual(mixed.spec.containers[0].resources, { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '100m', memory: '64Mi' } });
  assert.deepEqual(mixed.spec.initContainers[0].resources, { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '50m', memory: '128Mi' } });
  assert.equal(
    mixed.metadata.annotations['kubernetes.io/limit-ranger'],
    'LimitRanger plugin set: cpu request for container app; cpu limit for container app; memory request for init container init; cpu, memory limit for init container init',
  );
  // The LimitRange as stored: SetDefaults_LimitRangeItem filled default from max and defaultRequest from default.
  assert.equal(
    kubectl(['get', 'limits', 'limits', '-n', 'lr', '-o', 'jsonpath={.spec.limits[0]}']).stdout,
    '{"default":{"cpu":"500m","memory":"128Mi"},"defaultRequest":{"cpu":"100m","memory":"128Mi"},"max":{"cpu":"500m"},"type":"Container"}',
  );
});

test('LimitRanger: what is outside a LimitRange is forbidden with the plugin\'s message (pods on create, PVCs on create and update)', () => {
  assert.deepEqual(kubectl(['run', 'big', '-n', 'lr', '--image=nginx', '--overrides={"spec":{"containers":[{"name":"big","image":"nginx","resources":{"limits":{"cpu":"1"}}}]}}']), {
    code: 1,
    stdout: '',
    stderr: 'Error from server (Forbidden): pods "big" is forbidden: maximum cpu usage per Container is 500m, but limit is 1\n',
  });
  assert.equal(kubectl(['get', 'pod', 'big', '-n', 'lr']).code, 1, 'nothing was stored');
  const claim = (size: string) => `apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: claim, namespace: lr}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: ${size}}}}\n`;
  const r = kubectl(['create', '-f', '-'], claim('5Gi'));
  assert.deepEqual([r.code, r.stderr], [1, 'Error from server (Forbidden): error when creating "STDIN": persistentvolumeclaims "claim" is forbidden: maximum storage usage per PersistentVolumeClaim is 1Gi, but request is 5Gi\n']);
  assert.equal(kubectl(['create', '-f', '-'], claim('1Gi')).stdout, 'persistentvolumeclaim/claim created\n');
  // An update is checked too (LimitRanger validates PVC updates; the LimitRange is what refuses, not resize rules).
  kubectl(['apply', '-f', '-'], `apiVersion: v1\nkind: LimitRange\nmetadata: {name: ratio, namespace: lr}\nspec:\n  limits:\n  - {type: Container, maxLimitRequestRatio: {cpu: "2"}}\n  - {type: Pod, max: {memory: 100Mi}}\n  - {type: PersistentVolumeClaim, min: {storage: 2Gi}}\n`);
  const upd = kubectl(['label', 'pvc', 'claim', '-n', 'lr', 'a=b']);
  assert.deepEqual([upd.code, upd.stderr], [1, 'Error from server (Forbidden): persistentvolumeclaims "claim" is forbidden: minimum storage usage per PersistentVolumeClaim is 2Gi, but request is 1Gi\n']);
  // Several violations of one LimitRange: utilerrors' aggregate, in brackets.
  const two = kubectl(['run', 'two', '-n', 'lr', '--image=nginx']);
  assert.deepEqual([two.code, two.stderr], [
    1,
    'Error from server (Forbidden): pods "two" is forbidden: [cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000, maximum memory usage per Pod is 100Mi, but limit is 128Mi]\n',
  ]);
  kubectl(['delete', 'limits', 'ratio', '-n', 'lr']);
});

test('ServiceAccount: a missing account is forbidden (for a controller\'s pods too, named by generateName); the account\'s automount and pull secrets apply', () => {
  assert.deepEqual(kubectl(['run', 'who', '--image=nginx', '--overrides={"spec":{"serviceAccountName":"nosuch"}}']), {
    code: 1,
    stdout: '',
    stderr: 'Error from server (Forbidden): pods "who" is forbidden: error looking up service account default/nosuch: serviceaccount "nosuch" not found\n',
  });
  kubectl(['apply', '-f', '-'], 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: quiet}\nautomountServiceAccountToken: false\nimagePullSecrets: [{name: regcred}]\n');
  assert.equal(kubectl(['run', 'quiet', '--image=nginx', '--overrides={"spec":{"serviceAccountName":"quiet"}}']).code, 0);
  const quiet = JSON.parse(kubectl(['get', 'pod', 'quiet', '-o', 'json']).stdout);
  assert.deepEqual([quiet.spec.serviceAccountName, quiet.spec.imagePullSecrets, quiet.spec.volumes, quiet.spec.containers[0].volumeMounts], ['quiet', [{ name: 'regcred' }], undefined, undefined]);
  const plain = JSON.parse(kubectl(['run', 'plain', '--image=nginx', '-o', 'json']).stdout);
  assert.equal(plain.spec.serviceAccountName, 'default');
  assert.match(plain.spec.volumes[0].name, /^kube-api-access-[a-z0-9]{5}$/);

  kubectl(['create', 'deployment', 'web', '--image=nginx']);
  kubectl(['set', 'serviceaccount', 'deployment/web', 'ghost']);
  // The loop runs when something waits (the served cluster's commands run without the daemon).
  c.ok(['reconcile', '--until-stable']);
  assert.match(
    kubectl(['get', 'events', '--field-selector', 'reason=FailedCreate']).stdout,
    /Error creating: pods "web-[a-z0-9]+-" is forbidden: error looking up service account default\/ghost: serviceaccount "ghost" not found/,
  );
});

test('APIServices: one per built-in group/version, Local and Available, as kubectl lists them; a CRD\'s group/version registered and removed with it', async () => {
  const list = kubectl(['get', 'apiservices']);
  assert.equal(list.code, 0);
  const rows = list.stdout.trim().split('\n').map((l) => l.split(/\s+/));
  assert.deepEqual(rows[0], ['NAME', 'SERVICE', 'AVAILABLE', 'AGE']);
  const names = rows.slice(1).map((r) => r[0]);
  for (const n of ['v1.', 'v1.apps', 'v2.autoscaling', 'v1.autoscaling', 'v1.authentication.k8s.io', 'v1.apiextensions.k8s.io', 'v1.rbac.authorization.k8s.io']) assert.ok(names.includes(n), `${n} in ${names}`);
  assert.ok(!names.includes('v1.apiregistration.k8s.io'), 'the aggregator does not register its own group');
  assert.ok(rows.slice(1).every((r) => r[1] === 'Local' && r[2] === 'True'), list.stdout);
  const [viaKubectl, viaKubesim] = await c.bothClients(['get', 'apiservices', '-o', 'name']);
  assert.equal(viaKubesim.stdout, viaKubectl.stdout);
  const core = JSON.parse(kubectl(['get', 'apiservice', 'v1.', '-o', 'json']).stdout);
  assert.deepEqual([core.metadata.labels, core.spec], [{ 'kube-aggregator.kubernetes.io/automanaged': 'onstart' }, { groupPriorityMinimum: 18000, version: 'v1', versionPriority: 1 }]);
  assert.deepEqual(
    { ...core.status.conditions[0], lastTransitionTime: 'T' },
    { lastTransitionTime: 'T', message: 'Local APIServices are always available', reason: 'Local', status: 'True', type: 'Available' },
  );
  assert.deepEqual(JSON.parse(kubectl(['get', 'apiservice', 'v1.apps', '-o', 'jsonpath={.spec}']).stdout), { group: 'apps', groupPriorityMinimum: 17800, version: 'v1', versionPriority: 15 });

  kubectl(['apply', '-f', '-'], crd('Widget', 'widgets', '  - {name: v2, served: false, storage: false, schema: {openAPIV3Schema: {type: object}}}\n'));
  const crdOnes = () => kubectl(['get', 'apiservices', '-l', 'kube-aggregator.kubernetes.io/automanaged=true', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.groupPriorityMinimum} {.spec.versionPriority}{"\\n"}{end}']).stdout;
  assert.equal(crdOnes(), 'v1.example.com 1000 100\n');
  kubectl(['delete', 'crd', 'widgets.example.com']);
  let now = '';
  await until(() => `no APIService left for example.com: ${now}`, () => (now = crdOnes()) === '');
  // The name must be version.group (kube-aggregator's validation).
  const bad = kubectl(['create', '-f', '-'], 'apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata: {name: v1.wrong}\nspec: {group: example.org, version: v1, groupPriorityMinimum: 10, versionPriority: 10}\n');
  assert.deepEqual([bad.code, bad.stderr], [1, 'The APIService "v1.wrong" is invalid: metadata.name: Invalid value: "v1.wrong": must be `spec.version+"."+spec.group`: "v1.example.org"\n']);
});

/** Go's %#v of a resource.Quantity ParseQuantity made with the int64 fast path. */
const quantity = (value: number, scale: number, s: string, format = 'DecimalSI') =>
  `resource.Quantity{i:resource.int64Amount{value:${value}, scale:${scale}}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"${s}", Format:"${format}"}`;

test('LimitRange validation: ValidateLimitRange\'s paths and messages through kubectl and kubesim alike (a Quantity shown as Go\'s %#v, as kube-apiserver does)', async () => {
  const range = (limits: string) => `apiVersion: v1\nkind: LimitRange\nmetadata: {name: bad, namespace: lr}\nspec:\n  limits:\n${limits}`;
  // A default above the max; one taken from the max (SetDefaults_LimitRangeItem) holds a defaultRequest above it too.
  await c.refusedAlike(
    ['create', '-f', '-'],
    range('  - {type: Container, max: {cpu: 500m}, default: {cpu: "1"}, defaultRequest: {cpu: 100m}}\n'),
    'The LimitRange "bad" is invalid: spec.limits[0].default[cpu]: Invalid value: ' + quantity(500, -3, '500m') + ': default value 1 is greater than max value 500m\n',
  );
  await c.refusedAlike(
    ['apply', '-f', '-'],
    range('  - {type: Container, min: {memory: 1Gi}, max: {memory: 400Mi}, maxLimitRequestRatio: {cpu: 500m}}\n  - {type: Pod, defaultRequest: {cpu: 1}}\n  - {type: Node}\n  - {type: PersistentVolumeClaim, max: {cpu: 1}}\n'),
    'The LimitRange "bad" is invalid: \n' +
      '* spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: ' + quantity(500, -3, '500m') + ': ratio 500m is less than 1\n' +
      '* spec.limits[0].min[memory]: Invalid value: ' + quantity(1073741824, 0, '1Gi', 'BinarySI') + ': min value 1Gi is greater than max value 400Mi\n' +
      '* spec.limits[0].defaultRequest[memory]: Invalid value: ' + quantity(419430400, 0, '', 'BinarySI') + ': min value 1Gi is greater than default request value 400Mi\n' +
      '* spec.limits[0].default[memory]: Invalid value: ' + quantity(1073741824, 0, '1Gi', 'BinarySI') + ': min value 1Gi is greater than default value 400Mi\n' +
      "* spec.limits[1].defaultRequest: Forbidden: may not be specified when `type` is 'Pod'\n" +
      '* spec.limits[2].type: Invalid value: "Node": must be a standard limit type or fully qualified\n' +
      '* spec.limits[3].limits: Required value: either minimum or maximum storage value is required, but neither was provided\n',
  );
  // A ratio above max/min; a name that is no container resource (in the default and defaultRequest taken from the max too).
  await c.refusedAlike(
    ['create', '-f', '-'],
    range('  - {type: Container, min: {cpu: 100m}, max: {cpu: 200m, pods: "1"}, maxLimitRequestRatio: {cpu: "3"}}\n'),
    'The LimitRange "bad" is invalid: \n' +
      '* spec.limits[0].max[pods]: Invalid value: "pods": must be a standard resource for containers\n' +
      '* spec.limits[0].default[pods]: Invalid value: "pods": must be a standard resource for containers\n' +
      '* spec.limits[0].defaultRequest[pods]: Invalid value: "pods": must be a standard resource for containers\n' +
      '* spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: ' + quantity(3, 0, '3') + ': ratio 3 is greater than max/min = 2.000000\n',
  );
  assert.equal(kubectl(['get', 'limits', 'bad', '-n', 'lr']).code, 1, 'nothing was stored');
});

test('APIServices at every start (autoregister, crdregistration): missing ones re-created, changed specs restored, stale automanaged ones removed, users\' left alone; nothing written when in line', async () => {
  const label = 'kube-aggregator.kubernetes.io/automanaged';
  kubectl(['apply', '-f', '-'], `${crd('Gadget', 'gadgets')}---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.example.org, labels: {${label}: onstart}}
spec: {group: example.org, version: v1beta1, groupPriorityMinimum: 10, versionPriority: 10}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.example.net}
spec: {group: example.net, version: v1, groupPriorityMinimum: 10, versionPriority: 10}
`);
  // As a cluster made before them (or changed by hand) has them.
  assert.equal(kubectl(['delete', 'apiservice', 'v1.apps', 'v1.batch', 'v1.example.com']).code, 0);
  assert.equal(kubectl(['patch', 'apiservice', 'v1.policy', '--type=merge', '-p', '{"spec":{"versionPriority":99}}']).code, 0);
  assert.equal(kubectl(['label', 'apiservice', 'v1.node.k8s.io', `${label}-`]).code, 0);
  assert.equal(kubectl(['patch', 'apiservice', 'v1.node.k8s.io', '--type=merge', '-p', '{"spec":{"versionPriority":7}}']).code, 0);
  // a built-in one relabelled as a CRD's: still desired, so the CRDs' pass leaves it
  assert.equal(kubectl(['label', 'apiservice', 'v1.scheduling.k8s.io', `${label}=true`, '--overwrite']).code, 0);
  await c.terminate();
  await c.serve();
  const spec = (name: string) => kubectl(['get', 'apiservice', name, '-o', 'jsonpath={.spec.versionPriority} {.metadata.labels.kube-aggregator\\.kubernetes\\.io/automanaged}']);
  assert.deepEqual([spec('v1.apps').stdout, spec('v1.batch').stdout, spec('v1.policy').stdout], ['15 onstart', '15 onstart', '15 onstart']);
  assert.equal(spec('v1.example.com').stdout, '100 true', 'the CRD\'s is back');
  assert.equal(spec('v1.node.k8s.io').stdout, '7 ', 'no longer automanaged: the user\'s');
  assert.equal(spec('v1.example.net').code, 0, 'a user\'s APIService is kept');
  assert.equal(spec('v1.scheduling.k8s.io').stdout, '15 true', 'a built-in one labelled `true` is kept');
  assert.equal(spec('v1beta1.example.org').code, 1, 'an onstart one kube no longer serves is removed');
  // In line: a start writes nothing.
  const versions = () => kubectl(['get', 'apiservices', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion} {end}']).stdout;
  const before = versions();
  await c.terminate();
  await c.serve();
  assert.equal(versions(), before);
});

test('ServiceAccount: a deleted `default` is put back, as its controller does while admission asks again, so a pod is admitted with no loop running', () => {
  assert.equal(kubectl(['create', 'namespace', 'nosa']).code, 0);
  assert.equal(kubectl(['delete', 'sa', 'default', '-n', 'nosa']).stdout, 'serviceaccount "default" deleted\n');
  assert.deepEqual(kubectl(['run', 'p', '-n', 'nosa', '--image=nginx']), { code: 0, stdout: 'pod/p created\n', stderr: '' });
  assert.equal(kubectl(['get', 'sa', '-n', 'nosa', '-o', 'name']).stdout, 'serviceaccount/default\n');
  assert.equal(kubectl(['get', 'pod', 'p', '-n', 'nosa', '-o', 'jsonpath={.spec.serviceAccountName}']).stdout, 'default');
  // Another name is looked up once, and not made.
  const r = kubectl(['run', 'q', '-n', 'nosa', '--image=nginx', '--overrides={"spec":{"serviceAccountName":"builder"}}']);
  assert.deepEqual([r.code, r.stderr], [1, 'Error from server (Forbidden): pods "q" is forbidden: error looking up service account nosa/builder: serviceaccount "builder" not found\n']);
});

test('ServiceAccount: a server dry run admits against the `default` its controller would put back, and writes nothing', () => {
  assert.equal(kubectl(['create', 'namespace', 'drysa']).code, 0);
  assert.equal(kubectl(['delete', 'sa', 'default', '-n', 'drysa']).code, 0);
  const r = kubectl(['run', 'p', '-n', 'drysa', '--image=nginx', '--dry-run=server', '-o', 'jsonpath={.spec.serviceAccountName}']);
  assert.deepEqual(r, { code: 0, stdout: 'default', stderr: '' });
  // this server runs no loop (KUBESIM_NO_DAEMON): nothing else would have made it
  assert.deepEqual(kubectl(['get', 'sa', '-n', 'drysa', '-o', 'name']), { code: 0, stdout: '', stderr: '' });
});

test('LimitRange validation: a fraction of a binary suffix is an inf.Dec, %#v-printed by its address (per process in kube, so only its shape is matched), DecimalSI below 1', async () => {
  const range = (limits: string) => `apiVersion: v1\nkind: LimitRange\nmetadata: {name: frac, namespace: lr}\nspec:\n  limits:\n${limits}`;
  const dec = (format: string) => `resource\\.Quantity\\{i:resource\\.int64Amount\\{value:0, scale:0\\}, d:resource\\.infDecAmount\\{Dec:\\(\\*inf\\.Dec\\)\\(0xc[0-9a-f]{9}\\)\\}, s:"", Format:"${format}"\\}`;
  for (const [limits, format, why] of [
    ['  - {type: Container, min: {memory: 1.5Gi}, max: {memory: 1Gi}}\n', 'BinarySI', 'min value 1536Mi is greater than max value 1Gi'],
    ['  - {type: Container, min: {cpu: 0.0005Ki}, max: {cpu: 100m}}\n', 'DecimalSI', 'min value 512m is greater than max value 100m'],
  ]) {
    const [k, s] = await c.bothClients(['create', '-f', '-'], range(limits));
    assert.deepEqual(s, k);
    assert.equal(k.code, 1);
    // (the defaults taken from the max are below the min too: more errors follow)
    assert.match(k.stderr, new RegExp(`^The LimitRange "frac" is invalid: \\n\\* spec\\.limits\\[0\\]\\.min\\[(memory|cpu)\\]: Invalid value: ${dec(format)}: ${why}\\n`), limits);
  }
});
