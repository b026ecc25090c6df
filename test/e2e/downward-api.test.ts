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
    { name: 'L', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } },
    { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
    { name: 'BAD', valueFrom: { fieldRef: { fieldPath: "metadata.name['x']" } } },
  ];
  await sb.ok(['patch', 'deploy', 'd', '--type=json', '-p', JSON.stringify([{ op: 'add', path: '/spec/template/spec/containers/0/env', value: env.slice(0, 2) }])]);
  await sb.ok(['clock', 'advance', '30s']);
  assert.equal(await sb.ok(['exec', 'deploy/d', '--', 'sh', '-c', 'echo "$CPU"']), '4000\n');
  await sb.ok(['patch', 'deploy', 'd', '--type=json', '-p', JSON.stringify([{ op: 'add', path: '/spec/template/spec/containers/0/env/-', value: env[2] }])]);
  const r = await sb.run(['set', 'env', 'deploy/d', '--list', '--resolve']);
  // kubectl resolves against the Deployment itself, and its container has no limit: 0
  assert.deepEqual(
    [r.code, r.stdout, r.stderr],
    [0, '# Deployment d, container busybox\nL=app="d"\nCPU=0\n# BAD from field path metadata.name[\'x\']\n', `error retrieving reference for BAD: fieldPath "metadata.name['x']" does not support subscript\n`],
  );
});
