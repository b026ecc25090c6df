// The simulated deploy of `kubesim check`: one test per failure kind, asserting the finding's
// rule id, the cluster's own words, and the workload's file:line (its metadata).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Dir, only, deployment } from './helpers';

const d = new Dir();
after(() => d.cleanup());

const BIG = deployment('big', { replicas: 2, container: '        resources:\n          requests: {cpu: "6"}' });

test('deploy/failed-scheduling: the scheduler\'s message verbatim, at the Deployment\'s metadata', async () => {
  const { file, findings, report } = await d.check('big.yaml', BIG, { timeoutMs: 120_000 });
  const [f] = only(findings, 'deploy/failed-scheduling');
  assert.match(f.message, /^FailedScheduling: 0\/3 nodes are available: 3 Insufficient cpu\. preemption: 0\/3 nodes are available: 3 No preemption victims found for incoming pod\. \(2 pods, e\.g\. big-[a-z0-9]+-[a-z0-9]{5}\)$/);
  assert.deepEqual([f.file, f.line, f.col], [file, 3, 1]);
  assert.equal(f.severity, 'error');
  assert.deepEqual(report.workloads.map((w) => [w.kind, w.name, w.state, w.detail, w.line]), [['Deployment', 'big', 'NotReady', '0/2 ready', 3]]);
});

test('the cluster shape decides: --nodes 1 --node-cpu 16 fits the same Deployment', async () => {
  const { findings, report } = await d.check('big2.yaml', BIG, { nodes: 1, nodeCpu: '16' });
  assert.deepEqual(findings, []);
  assert.deepEqual(report.workloads.map((w) => [w.state, w.detail]), [['Ready', '2/2 ready']]);
  assert.equal(report.settled, true);
});

test('--cluster-config: nodes from a profile YAML (count, cpu, memory)', async () => {
  const { findings } = await d.check('big3.yaml', BIG, { clusterConfig: { file: 'c.yaml', text: 'nodes:\n- {name: small, count: 2, cpu: 2, memory: 4Gi}\n' }, timeoutMs: 60_000 });
  assert.match(only(findings, 'deploy/failed-scheduling')[0].message, /^FailedScheduling: 0\/2 nodes are available: 2 Insufficient cpu\./);
});

test('deploy/progress-deadline: ProgressDeadlineExceeded with the controller\'s message', async () => {
  const { findings } = await d.check('deadline.yaml', BIG.replace('  replicas: 2', '  replicas: 2\n  progressDeadlineSeconds: 60'), { timeoutMs: 300_000 });
  const [f] = only(findings, 'deploy/progress-deadline');
  assert.match(f.message, /^ProgressDeadlineExceeded: ReplicaSet "big-[a-z0-9]+" has timed out progressing\.$/);
  assert.equal(f.line, 3);
});

test('the default window is reconcile --until-stable\'s: a quota-stuck Deployment\'s progress deadline (10m04s in) is seen, and the run settles', async () => {
  const quota = 'apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: pods}\nspec: {hard: {pods: "1"}}\n---\n';
  const { findings, report } = await d.check('quota.yaml', quota + deployment('stuck', { replicas: 2 }));
  const [f] = only(findings, 'deploy/progress-deadline');
  assert.match(f?.message ?? '', /^ProgressDeadlineExceeded: ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/);
  assert.match(only(findings, 'deploy/create-failed')[0]?.message ?? '', /exceeded quota: pods, requested: pods=1, used: pods=1, limited: pods=1$/);
  assert.equal(report.settled, true);
  assert.ok(report.simulatedMs > 600_000 && report.simulatedMs < 1_200_000, `simulated ${report.simulatedMs} ms`);
});

test('deploy/apply-failed: a namespace that does not exist, as kubectl apply says it; --assume-exists namespace/x fixes it', async () => {
  const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: prod\ndata: {a: b}\n`;
  const { file, findings } = await d.check('ns.yaml', yaml);
  const [f] = only(findings, 'deploy/apply-failed');
  assert.equal(f.message, `Error from server (NotFound): error when creating "${file}": namespaces "prod" not found`);
  assert.equal(f.hint, 'define the Namespace in the inputs, or pass --assume-exists namespace/prod if it already exists in the cluster');
  assert.equal(f.line, 3);
  const ok = await d.check('ns2.yaml', yaml, { assumeExists: ['namespace/prod'] });
  assert.deepEqual(ok.findings, []);
  const defined = await d.check('ns3.yaml', `${yaml}---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n`);
  assert.deepEqual(defined.findings, [], 'the Namespace is applied first although it comes last');
});

test('deploy/image-pull: ErrImagePull/ImagePullBackOff with the runtime\'s pull error', async () => {
  const { findings } = await d.check('img.yaml', deployment('web', { image: 'nginx:doesnotexist' }), { timeoutMs: 120_000 });
  const [f] = only(findings, 'deploy/image-pull');
  assert.match(f.message, /^(ImagePullBackOff|ErrImagePull): Failed to pull image "nginx:doesnotexist": failed to pull and unpack image "docker\.io\/library\/nginx:doesnotexist": .*not found \(pod web-/);
  assert.equal(f.line, 3);
});

test('deploy/image-pull: InvalidImageName for an unparsable reference', async () => {
  const { findings } = await d.check('invalid.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\n    image: "nginx@sha256:abc"\n', { timeoutMs: 60_000 });
  const [f] = only(findings, 'deploy/image-pull');
  assert.equal(f.message, 'InvalidImageName: Failed to apply default image tag "nginx@sha256:abc": couldn\'t parse image reference "nginx@sha256:abc": invalid reference format');
});

test('--allowed-registries: images from other registries fail to pull, with a hint naming the registry', async () => {
  const yaml = `${deployment('a', { image: 'nginx:1.27' })}---\n${deployment('b', { image: 'quay.io/org/b:1' })}`;
  const { findings, report } = await d.check('reg.yaml', yaml, { allowedRegistries: ['quay.io'], timeoutMs: 120_000 });
  const fs = only(findings, 'deploy/image-pull');
  assert.equal(fs.length, 1);
  assert.match(fs[0].message, /Failed to pull image "nginx:1\.27"/);
  assert.equal(fs[0].hint, 'the registry docker.io is not in --allowed-registries (quay.io)');
  assert.deepEqual(report.workloads.map((w) => [w.name, w.state]), [['a', 'NotReady'], ['b', 'Ready']]);
});

const CFG = deployment('cfg', { container: '        env:\n        - name: PW\n          valueFrom:\n            secretKeyRef: {name: db-creds, key: password}' });

test('deploy/config-error: CreateContainerConfigError + secret "db-creds" not found; a stand-in from --assume-exists makes it Ready', async () => {
  const { findings } = await d.check('cfg.yaml', CFG, { timeoutMs: 120_000 });
  const [f] = only(findings, 'deploy/config-error');
  assert.match(f.message, /^CreateContainerConfigError: secret "db-creds" not found \(pod cfg-/);
  assert.equal(f.line, 3);
  const ok = await d.check('cfg2.yaml', CFG, { assumeExists: ['secret/db-creds'] });
  assert.deepEqual(ok.findings, []);
  assert.equal(ok.report.workloads[0].state, 'Ready');
});

test('deploy/mount-failed: FailedMount for a missing ConfigMap volume', async () => {
  const { findings } = await d.check('mnt.yaml', deployment('mnt', { pod: '      volumes:\n      - name: c\n        configMap: {name: app-config}' }), { timeoutMs: 120_000 });
  const [f] = only(findings, 'deploy/mount-failed');
  assert.match(f.message, /^FailedMount: MountVolume\.SetUp failed for volume "c" : configmap "app-config" not found \(pod mnt-/);
});

test('deploy/crashloop: CrashLoopBackOff with the exit code', async () => {
  const { findings } = await d.check('crash.yaml', deployment('crash', { image: 'busybox:1.36', container: '        command: [sh, -c, "echo boom; exit 3"]' }), { timeoutMs: 180_000 });
  const [f] = only(findings, 'deploy/crashloop');
  assert.match(f.message, /^CrashLoopBackOff: container "app" keeps exiting with exit code 3 \(Error\) \(pod crash-/);
});

test('deploy/job-failed: BackoffLimitExceeded, and the failing container\'s exit code', async () => {
  const { findings, report } = await d.check('job.yaml', `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: m
        image: busybox:1.36
        command: [sh, -c, "exit 2"]
`);
  assert.equal(only(findings, 'deploy/job-failed')[0].message, 'BackoffLimitExceeded: Job has reached the specified backoff limit');
  assert.match(only(findings, 'deploy/pod-failed')[0].message, /^container "m" terminated with exit code 2 \(Error\) \(2 pods, e\.g\. migrate-/);
  assert.deepEqual(report.workloads.map((w) => [w.state, w.detail]), [['Failed', '0/1 succeeded']]);
});

test('CronJob: one test run of its job template; Complete when it succeeds', async () => {
  const { findings, report } = await d.check('cj.yaml', `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: c
            image: busybox:1.36
            command: [sh, -c, "echo hi"]
`);
  assert.deepEqual(findings, []);
  assert.deepEqual(report.workloads.map((w) => [w.kind, w.state, w.detail]), [['CronJob', 'Complete', 'test run: 1/1 succeeded']]);
});

test('deploy/create-failed: the controller\'s FailedCreate, once per cause', async () => {
  const { findings } = await d.check('pc.yaml', deployment('pc', { pod: '      priorityClassName: high' }), { maxReconciles: 3000 });
  const fs = only(findings, 'deploy/create-failed');
  assert.equal(fs.length, 1);
  assert.match(fs[0].message, /^FailedCreate: Error creating: pods "pc-[a-z0-9]+-" is forbidden: no PriorityClass with name high was found$/);
});

test('a healthy application: every workload Ready, no findings, the cluster settles early', async () => {
  const { findings, report } = await d.check('ok.yaml', `${deployment('web', { replicas: 3 })}---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
`);
  // The only finding: a warning, since the container declares no ports at all.
  assert.deepEqual(findings.map((f) => [f.ruleId, f.severity]), [['lint/service-target-port', 'warning']]);
  assert.deepEqual(report.workloads.map((w) => [w.state, w.detail]), [['Ready', '3/3 ready']]);
  assert.equal(report.settled, true);
  assert.ok(report.simulatedMs < 120_000, `simulated ${report.simulatedMs} ms`);
});
