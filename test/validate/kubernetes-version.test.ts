// The schemas are those of the Kubernetes v1.32 API, the version kubesim imitates: v1.31 and
// v1.32 fields such as volumes[].image and pod-level resources are known, a field added later
// is unknown, as a v1.32 API server's strict decoding says; --kubernetes-version takes 1.32 as
// kubeconform spells it and refuses a version whose schemas are not bundled; `version` names
// the API.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Dir, ROOT } from './helpers';

const dir = new Dir();
after(() => dir.cleanup());

const v132 = dir.file('v132.yaml', `apiVersion: v1
kind: Pod
metadata: {name: imgvol}
spec:
  resources:
    limits: {cpu: "1", memory: 1Gi}
  containers:
  - name: app
    image: nginx:1.27
    volumeMounts: [{name: data, mountPath: /data}]
  volumes:
  - name: data
    image: {reference: "quay.io/crio/artifact:v1", pullPolicy: IfNotPresent}
`);
const later = dir.file('later.yaml', `apiVersion: v1
kind: Pod
metadata: {name: newer}
spec:
  hostnameOverride: web-0
  containers:
  - name: app
    image: nginx:1.27
`);

test('v1.32 fields are known, a field added after 1.32 is unknown; 1.32 spelled as kubeconform does is accepted', () => {
  for (const flag of [[], ['--kubernetes-version', 'v1.32.4']]) {
    const r = dir.validate([...flag, v132, later]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /later\.yaml:5:3: error: unknown field "hostnameOverride" in io\.k8s\.api\.core\.v1\.PodSpec/);
    assert.doesNotMatch(r.stdout, /v132\.yaml/);
    assert.match(r.stdout, /2 resources: 1 valid, 1 invalid, 0 skipped, 0 errors/);
    assert.equal(r.stderr, '');
  }
});

test('a version whose schemas are not bundled is a usage error, not a silent fallback', () => {
  const r = dir.validate(['--kubernetes-version', '1.29.0', v132]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /--kubernetes-version 1\.29\.0: no schemas for Kubernetes 1\.29 are bundled; kubesim validates against the Kubernetes 1\.32 API/);
  const bad = dir.validate(['--kubernetes-version', 'latest', v132]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--kubernetes-version "latest": not a Kubernetes version/);
});

test('version reports the API version of the schemas', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'kubesim'), 'version', '--client'], { encoding: 'utf8', env: { ...process.env, KUBESIM_NO_DAEMON: '1' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^kubesim Version: \S+ \(API schemas: Kubernetes v1\.32\.\d+; k8s\.io\/api v0\.32\.\d+ fields, kubernetes-models \S+ descriptions\)$/m);
});
