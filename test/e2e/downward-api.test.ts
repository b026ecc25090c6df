// The downward API as a container sees it, read by the one resolver set env --resolve
// also uses: pod fields and labels/annotations in env, resource values over their divisor
// with the node's allocatable for a missing limit, and a downwardAPI volume's files (a pod's
// labels as key="value" lines).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox } from './helpers';
import { Hosted } from './hosted';

const sb = new Hosted(new Sandbox());
after(() => sb.sb.cleanup());

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: dw
  labels: {tier: front, app: web}
  annotations: {x: "hello world"}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox:1.36
    command: [sh, -c, 'printenv | grep -E "^(ANN|LBL|IP|NODE|HOST|CPU|MEM)[A-Z_]*=" | sort; cat /etc/podinfo/labels; echo; cat /etc/podinfo/cpu']
    resources:
      requests: {cpu: 250m, memory: 64Mi}
      limits: {memory: 128Mi}
    env:
    - {name: ANN, valueFrom: {fieldRef: {fieldPath: "metadata.annotations['x']"}}}
    - {name: LBL, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
    - {name: IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
    - {name: HOST, valueFrom: {fieldRef: {fieldPath: status.hostIP}}}
    - {name: CPU_LIMIT, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}
    - {name: CPU_REQUEST, valueFrom: {resourceFieldRef: {resource: requests.cpu, divisor: 1m}}}
    - {name: MEM_LIMIT, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
    - {name: MEM_REQUEST, valueFrom: {resourceFieldRef: {resource: requests.memory}}}
    volumeMounts: [{name: podinfo, mountPath: /etc/podinfo}]
  volumes:
  - name: podinfo
    downwardAPI:
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: cpu, resourceFieldRef: {containerName: c, resource: limits.cpu}}
`;

test('a container reads pod fields, labels and resources; no cpu limit reads as the node allocatable', async () => {
  await sb.ok(['cluster', 'create', '--nodes', '1']);
  await sb.ok(['create', '-f', sb.file('dw.yaml', POD)]);
  await sb.ok(['clock', 'advance', '30s']);
  const pod = JSON.parse(await sb.ok(['get', 'pod', 'dw', '-o', 'json']));
  assert.equal(pod.status.phase, 'Succeeded', JSON.stringify(pod.status));
  const cpu = JSON.parse(await sb.ok(['get', 'node', pod.spec.nodeName, '-o', 'json'])).status.allocatable.cpu;
  assert.equal(cpu, '4');
  assert.equal(
    await sb.ok(['logs', 'dw']),
    [
      'ANN=hello world',
      'CPU_LIMIT=4000',
      'CPU_REQUEST=250',
      `HOST=${pod.status.hostIP}`,
      'HOSTNAME=dw',
      `IP=${pod.status.podIP}`,
      'LBL=web',
      'MEM_LIMIT=128',
      'MEM_REQUEST=67108864',
      `NODE=${pod.spec.nodeName}`,
      'app="web"',
      'tier="front"',
      '4',
    ].join('\n') + '\n',
  );
});

test('exec sees the same values; set env --resolve reads the listed object (no node defaults)', async () => {
  await sb.ok(['create', 'deployment', 'd', '--image=busybox:1.36', '--', 'sleep', '3600']);
  const env = [
    { name: 'L', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
    { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
    { name: 'BAD', valueFrom: { fieldRef: { fieldPath: "metadata.name['x']" } } },
  ];
  await sb.ok(['patch', 'deploy', 'd', '--type=json', '-p', JSON.stringify([{ op: 'add', path: '/spec/template/spec/containers/0/env', value: env.slice(0, 2) }])]);
  await sb.ok(['clock', 'advance', '30s']);
  assert.equal(await sb.ok(['exec', 'deploy/d', '--', 'sh', '-c', 'echo "$CPU"']), '4000\n');
  // kubectl resolves against the Deployment itself, and its container has no limit: 0
  assert.deepEqual(await sb.run(['set', 'env', 'deploy/d', '--list', '--resolve']), { code: 0, stdout: '# Deployment d, container busybox\nL=d\nCPU=0\n', stderr: '' });
  // a path the API server refuses (see below) still reaches --resolve from a local file
  const dep = JSON.parse(await sb.ok(['get', 'deploy', 'd', '-o', 'json']));
  dep.spec.template.spec.containers[0].env.push(env[2]);
  const r = await sb.run(['set', 'env', '-f', sb.file('d.json', JSON.stringify(dep)), '--local', '--list', '--resolve']);
  assert.deepEqual(
    [r.code, r.stdout, r.stderr],
    [0, '# Deployment d, container busybox\nL=d\nCPU=0\n# BAD from field path metadata.name[\'x\']\n', `error retrieving reference for BAD: fieldPath "metadata.name['x']" does not support subscript\n`],
  );
});

// kube-apiserver v1.32's validateEnvVarValueFrom and validateDownwardAPIVolumeFile: a variable
// takes one value (a whole label map only fits a file), a file takes no node or status fields.
const ENV_PATHS = '"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"';

test('API validation: a bare metadata.labels in env is Unsupported, through create, apply and patch, and nothing is written', async () => {
  const pod = (env: string, volume = '') => `apiVersion: v1
kind: Pod
metadata: {name: bad}
spec:
  containers:
  - name: c
    image: busybox:1.36
    env:
    - {name: OK, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
    - ${env}
${volume}`;
  const file = sb.file('bad.yaml', pod('{name: L, valueFrom: {fieldRef: {fieldPath: metadata.labels}}}'));
  const want = `The Pod "bad" is invalid: spec.containers[0].env[1].valueFrom.fieldRef.fieldPath: Unsupported value: "metadata.labels": supported values: ${ENV_PATHS}\n`;
  for (const verb of ['create', 'apply']) assert.deepEqual(await sb.run([verb, '-f', file]), { code: 1, stdout: '', stderr: want }, verb);
  assert.equal((await sb.run(['get', 'pod', 'bad'])).code, 1, 'nothing was written');

  const patch = [{ op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'S', valueFrom: { fieldRef: { fieldPath: 'status.phase' } } } }];
  const before = await sb.ok(['get', 'deploy', 'd', '-o', 'jsonpath={.metadata.resourceVersion}']);
  assert.deepEqual(await sb.run(['patch', 'deploy', 'd', '--type=json', '-p', JSON.stringify(patch)]), {
    code: 1,
    stdout: '',
    stderr: `The Deployment "d" is invalid: spec.template.spec.containers[0].env[2].valueFrom.fieldRef.fieldPath: Unsupported value: "status.phase": supported values: ${ENV_PATHS}\n`,
  });
  assert.equal(await sb.ok(['get', 'deploy', 'd', '-o', 'jsonpath={.metadata.resourceVersion}']), before);

  // conversion errors, a bad subscript key, resources and divisors, in kube-apiserver's order
  const many = pod(`{name: A, valueFrom: {fieldRef: {fieldPath: spec.foo}}}
    - {name: B, valueFrom: {fieldRef: {fieldPath: "spec.nodeName['x']"}}}
    - {name: C, valueFrom: {fieldRef: {fieldPath: "metadata.labels['a b']"}}}
    - {name: D, valueFrom: {resourceFieldRef: {resource: limits.gpu}}}
    - {name: E, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1Mi}}}
    - {name: F, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1024Ki}}}
    - {name: G, valueFrom: {}}`, `  volumes:
  - name: info
    downwardAPI:
      items:
      - {path: ip, fieldRef: {fieldPath: status.podIP}}
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: cpu, resourceFieldRef: {resource: limits.cpu}}
  - name: proj
    projected:
      sources:
      - downwardAPI: {items: [{path: ../up, fieldRef: {fieldPath: spec.nodeName}}]}
`);
  const r = await sb.run(['create', '-f', sb.file('many.yaml', many)]);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    [
      'The Pod "bad" is invalid: ',
      '* spec.volumes[0].downwardAPI.fieldRef.fieldPath: Unsupported value: "status.podIP": supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"',
      '* spec.volumes[0].downwardAPI.resourceFieldRef.containerName: Required value',
      `* spec.volumes[1].projected.sources[0].downwardAPI.path: Invalid value: "../up": must not contain '..'`,
      '* spec.volumes[1].projected.sources[0].downwardAPI.fieldRef.fieldPath: Unsupported value: "spec.nodeName": supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"',
      '* spec.containers[0].env[1].valueFrom.fieldRef.fieldPath: Invalid value: "spec.foo": error converting fieldPath: field label not supported: spec.foo',
      `* spec.containers[0].env[2].valueFrom.fieldRef.fieldPath: Invalid value: "spec.nodeName['x']": error converting fieldPath: field label does not support subscript: spec.nodeName['x']`,
      `* spec.containers[0].env[3].valueFrom.fieldRef: Invalid value: "a b": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      '* spec.containers[0].env[4].valueFrom.resourceFieldRef.resource: Unsupported value: "limits.gpu": supported values: "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"',
      `* spec.containers[0].env[5].valueFrom.resourceFieldRef.divisor: Invalid value: "limits.cpu": only divisor's values 1m and 1 are supported with the cpu resource`,
      '* spec.containers[0].env[7].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      '',
    ].join('\n'),
  );
});
