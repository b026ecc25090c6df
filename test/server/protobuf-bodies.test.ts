// The real kubectl 1.32's typed clients send `create` bodies as protobuf: each kind it
// creates through the served cluster is stored exactly as kubesim's own `create` stores it
// for the same arguments (apart from identity and bookkeeping fields).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';

const c = new ServedCluster('pb');

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], prepare: [['create', 'namespace', 'viakubectl'], ['create', 'namespace', 'viakubesim']] });
});
after(() => c.stop());

/** The stored object without what differs between two creations (uid, times, status...). */
function normalise(json: string): unknown {
  const o = JSON.parse(json);
  const uid: string = o.metadata.uid;
  const m = o.metadata;
  for (const k of ['uid', 'creationTimestamp', 'resourceVersion', 'generation', 'managedFields', 'namespace', 'selfLink']) delete m[k];
  delete o.status;
  // allocated per Service
  if (o.kind === 'Service') for (const k of ['clusterIP', 'clusterIPs']) delete o.spec[k];
  // a Job's selector and pod labels carry its own uid
  return JSON.parse(JSON.stringify(o).split(uid).join('<uid>'));
}

function viaBoth(resource: string, name: string, args: string[], namespaced = true, sub: string[] = []): void {
  const ns = (n: string) => (namespaced ? ['-n', n] : []);
  const k = c.kubectl(['create', ...ns('viakubectl'), resource, ...sub, name, ...args]);
  assert.equal(k.code, 0, `kubectl create ${resource}: ${k.stdout}${k.stderr}`);
  const kubectlJson = c.kubectl(['get', resource, name, ...ns('viakubectl'), '-o', 'json']);
  assert.equal(kubectlJson.code, 0, kubectlJson.stderr);
  const fromKubectl = normalise(kubectlJson.stdout);
  if (!namespaced) assert.equal(c.kubectl(['delete', resource, name]).code, 0);
  c.ok(['create', ...ns('viakubesim'), resource, ...sub, name, ...args]);
  const fromKubesim = normalise(c.ok(['get', resource, name, ...ns('viakubesim'), '-o', 'json']));
  assert.deepEqual(fromKubectl, fromKubesim);
}

test('create deployment with --replicas and --port', () => viaBoth('deployment', 'web', ['--image=nginx', '--replicas=3', '--port=80']));
test('create deployment with --replicas=0 keeps the zero (a pointer field)', () => viaBoth('deployment', 'none', ['--image=nginx', '--replicas=0']));
test('create rolebinding', () => viaBoth('rolebinding', 'rb', ['--clusterrole=view', '--user=bob', '--serviceaccount=default:sa']));
test('create clusterrolebinding', () => viaBoth('clusterrolebinding', 'crb', ['--clusterrole=view', '--group=devs'], false));
test('create service clusterip', () => viaBoth('service', 's1', ['--tcp=80:8080', '--tcp=443:https'], true, ['clusterip']));
test('create job', () => viaBoth('job', 'j1', ['--image=busybox', '--', 'echo', 'hi']));
test('create cronjob', () => viaBoth('cronjob', 'cj', ['--image=busybox', '--schedule=*/5 * * * *', '--restart=OnFailure']));
test('create secret generic --from-literal (bytes)', () => viaBoth('secret', 'sec', ['--from-literal=user=admin', '--from-literal=pw=s3cr:t'], true, ['generic']));
test('create quota', () => viaBoth('quota', 'q', ['--hard=pods=3,cpu=1,memory=1Gi', '--scopes=NotBestEffort']));
test('create pdb (intstr)', () => viaBoth('pdb', 'p', ['--selector=app=web', '--min-available=50%']));
test('create ingress (inline rule value)', () => viaBoth('ingress', 'ing', ['--rule=foo.com/bar=svc1:8080', '--rule=bar.com/*=svc2:http,tls=my-cert', '--class=nginx']));
test('create priorityclass', () => viaBoth('priorityclass', 'pc', ['--value=1000', '--description=high', '--preemption-policy=Never'], false));
test('create deployment with several images', () => viaBoth('deployment', 'multi', ['--image=nginx', '--image=busybox:1.36']));
test('create role and an aggregated clusterrole', () => {
  viaBoth('role', 'pod-reader', ['--verb=get,list', '--resource=pods,deployments.apps', '--resource-name=a']);
  viaBoth('clusterrole', 'agg', ['--aggregation-rule=rbac.example.com/aggregate=true'], false);
});
test('create secret docker-registry', () => viaBoth('secret', 'regcred', ['--docker-server=reg.example.com', '--docker-username=u', '--docker-password=p'], true, ['docker-registry']));
test('create configmap and serviceaccount still work', () => {
  viaBoth('configmap', 'cm', ['--from-literal=x=y']);
  viaBoth('serviceaccount', 'sa', []);
});
test('auth can-i (SelfSubjectAccessReview) still works', () => {
  const r = c.kubectl(['auth', 'can-i', 'create', 'deployments', '-n', 'viakubectl']);
  assert.equal(r.stdout.trim(), 'yes', r.stderr);
});
