// kubectl's global --as, --as-group and --as-uid: the real kubectl 1.32 against `kubesim serve`
// and kubesim's CLI, in-process (KUBESIM_NO_DAEMON=1) and through the served API, refused or
// allowed alike by RBAC as the impersonated user, byte for byte.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { BIN, type RunResult } from '../e2e/helpers';
import { csrManifest, JANE_READS_PODS, KUBECTL, ServedCluster, sleep } from './harness';

const c = new ServedCluster('asflag');

/** jane (JANE_READS_PODS), the group readers and the service account default:sa may list and get pods in default; the group metrics may read the metrics API and list events; in apps (pod p, pod pend never scheduled, service account robot), podonly reads pods, viewers has view, editors has edit (exec, attach, port-forward); dumpers list nodes and namespaces, and in apps what cluster-info dump lists (not the logs). */
const POLICY = `${JANE_READS_PODS}---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: pod-readers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: readers}
- {kind: ServiceAccount, name: sa, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: metrics-reader}
rules:
- {apiGroups: [metrics.k8s.io], resources: [pods, nodes], verbs: [get, list]}
- {apiGroups: [""], resources: [events], verbs: [list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: metrics-readers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: metrics-reader}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: metrics}
---
apiVersion: v1
kind: Namespace
metadata: {name: apps}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: apps, labels: {app: p}}
spec:
  containers: [{name: c, image: busybox:1.36, command: ["sh", "-c", "echo hello from p; sleep 36000"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pods-only}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: pods-only, namespace: apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pods-only}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: podonly}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewers, namespace: apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: viewers}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: editors, namespace: apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: editors}]
---
apiVersion: v1
kind: Pod
metadata: {name: pend, namespace: apps}
spec:
  nodeSelector: {nowhere: "true"}
  containers: [{name: c, image: busybox:1.36, command: ["sleep", "36000"]}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: robot, namespace: apps}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-lister}
rules: [{apiGroups: [""], resources: [nodes, namespaces], verbs: [list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: dumpers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-lister}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: dumpers}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: lister, namespace: apps}
rules:
- {apiGroups: [""], resources: [events, replicationcontrollers, services, pods], verbs: [list]}
- {apiGroups: [apps], resources: [daemonsets, deployments, replicasets], verbs: [list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dumpers, namespace: apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: lister}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: dumpers}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: fast}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: csr-updater}
rules: [{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests, certificatesigningrequests/approval], verbs: [get, update]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: csr-updaters}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: csr-updater}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: csr-updaters}
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: approvers}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: signer-approver}
rules: [{apiGroups: [certificates.k8s.io], resources: [signers], resourceNames: ["kubernetes.io/*"], verbs: [approve]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: approvers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: signer-approver}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: approvers}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: debugger, namespace: apps}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get]}
- {apiGroups: [""], resources: [pods/ephemeralcontainers], verbs: [patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: debuggers, namespace: apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: debugger}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: debuggers}]
`;

// The server is the cluster's daemon, so that THROUGH_SERVER commands reach it: a server run
// with KUBESIM_NO_DAEMON=1 made the first of them start a second daemon over the same store
// (a third of this file's CPU time).
before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], manifest: POLICY, serveEnv: { KUBESIM_NO_DAEMON: '' } });
});

after(() => c.stop());

const IN_PROCESS = { KUBESIM_NO_DAEMON: '1' };
const THROUGH_SERVER = { KUBESIM_NO_DAEMON: '' };

/** kubectl, then kubesim in-process and through the server: the same stdout, stderr and exit code. */
async function sameAsKubectl(args: string[], expected?: { code: number; stderr: string }): Promise<void> {
  const k = await c.kubectlAsync(args);
  if (expected) assert.deepEqual({ code: k.code, stderr: k.stderr }, expected, `kubectl ${args.join(' ')}`);
  for (const env of [IN_PROCESS, THROUGH_SERVER]) {
    const s = await c.hosted(args, { env });
    assert.deepEqual(s, k, `kubesim ${args.join(' ')} (${env.KUBESIM_NO_DAEMON ? 'in-process' : 'through the server'})`);
  }
}

test('--as a user no binding names: 403 with kube-apiserver\'s text, exit 1', async () => {
  await sameAsKubectl(['get', 'pods', '--as', 'bob'], {
    code: 1,
    stderr: 'Error from server (Forbidden): pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"\n',
  });
  await sameAsKubectl(['get', 'configmap', 'settings', '--as=bob'], {
    code: 1,
    stderr: 'Error from server (Forbidden): configmaps "settings" is forbidden: User "bob" cannot get resource "configmaps" in API group "" in the namespace "default"\n',
  });
  // The flag anywhere on the line, as pflag reads a persistent flag.
  await sameAsKubectl(['--as', 'bob', 'get', 'pods', '-A']);
});

test('--as a user a RoleBinding names: allowed where it binds, refused elsewhere', async () => {
  await sameAsKubectl(['get', 'pods', '--as', 'jane'], { code: 0, stderr: 'No resources found in default namespace.\n' });
  await sameAsKubectl(['get', 'pods', '--as', 'jane', '-n', 'kube-system']);
  await sameAsKubectl(['get', 'pods', '--as', 'jane', '--all-namespaces']);
  await sameAsKubectl(['get', 'pod', 'missing', '--as', 'jane']);
  await sameAsKubectl(['get', 'configmaps', '--as', 'jane']);
  await sameAsKubectl(['create', 'configmap', 'denied', '--from-literal=a=b', '--as', 'jane']);
  await sameAsKubectl(['get', 'pods,configmaps', '--as', 'jane']);
  await sameAsKubectl(['delete', 'configmap', 'settings', '--as', 'jane']);
  await sameAsKubectl(['describe', 'configmap', 'settings', '--as', 'jane']);
  // The admin (no --as) still reads everything: the refused write wrote nothing.
  const left = await c.hosted(['get', 'configmap', 'denied'], { env: IN_PROCESS });
  assert.equal(left.code, 1, left.stdout);
});

test('--as a service account: its RoleBinding subject and the service account groups', async () => {
  await sameAsKubectl(['get', 'pods', '--as', 'system:serviceaccount:default:sa'], { code: 0, stderr: 'No resources found in default namespace.\n' });
  await sameAsKubectl(['get', 'pods', '--as', 'system:serviceaccount:default:other']);
  await sameAsKubectl(['auth', 'whoami', '--as', 'system:serviceaccount:default:sa', '-o', 'jsonpath={.status.userInfo}']);
});

test('--as-group (repeatable) and --as-uid: a group binding allows, groups without a user are refused by the client', async () => {
  await sameAsKubectl(['get', 'pods', '--as', 'carol', '--as-group', 'readers'], { code: 0, stderr: 'No resources found in default namespace.\n' });
  await sameAsKubectl(['get', 'pods', '--as', 'carol', '--as-group', 'writers', '--as-group', 'others']);
  await sameAsKubectl(['get', 'pods', '--as', 'carol', '--as-group=readers', '--as-uid', '1234']);
  await sameAsKubectl(['auth', 'whoami', '--as', 'carol', '--as-group', 'readers', '--as-group', 'x']);
  await sameAsKubectl(['get', 'pods', '--as-group', 'readers']);
});

test('events and top: each request kubectl makes refused as the impersonated user', async () => {
  await sameAsKubectl(['events', '--as', 'bob'], {
    code: 1,
    stderr: 'Error from server (Forbidden): events is forbidden: User "bob" cannot list resource "events" in API group "" in the namespace "default"\n',
  });
  await sameAsKubectl(['events', '-A', '--as', 'jane']);
  await sameAsKubectl(['events', '-A', '--as', 'carol', '--as-group', 'metrics', '-o', 'jsonpath={.items[*].reason}'], { code: 0, stderr: '' });
  await sameAsKubectl(['events', '-w', '--as', 'carol', '--as-group', 'metrics']);
  await sameAsKubectl(['events', '--for', 'pod/x', '-o', 'name', '--as', 'jane']);
  // -w makes only the watch
  await sameAsKubectl(['events', '-w', '--as', 'jane']);
  // what kubectl checks before any request comes first
  await sameAsKubectl(['events', '--for', 'nope/x', '--as', 'bob']);
  await sameAsKubectl(['events', '--types=x', '--as', 'bob']);
  // top: the metrics API first, then the nodes (capacity) or, with no metrics, the pods
  await sameAsKubectl(['top', 'pod', '--as', 'jane'], {
    code: 1,
    stderr: 'Error from server (Forbidden): pods.metrics.k8s.io is forbidden: User "jane" cannot list resource "pods" in API group "metrics.k8s.io" in the namespace "default"\n',
  });
  await sameAsKubectl(['top', 'pod', 'x', '--as', 'bob']);
  await sameAsKubectl(['top', 'pod', '-A', '--as', 'bob']);
  await sameAsKubectl(['top', 'node', '--as', 'bob']);
  await sameAsKubectl(['top', 'node', 'node-1', '--as', 'bob']);
  await sameAsKubectl(['top', 'node', '--as', 'carol', '--as-group', 'metrics'], {
    code: 1,
    stderr: 'Error from server (Forbidden): nodes is forbidden: User "carol" cannot list resource "nodes" in API group "" at the cluster scope\n',
  });
  await sameAsKubectl(['top', 'pod', '-n', 'kube-public', '--as', 'carol', '--as-group', 'metrics']);
  await sameAsKubectl(['top', 'pod', '-n', 'kube-public', '--as', 'jane', '--as-group', 'metrics']);
  await sameAsKubectl(['top', 'pod', '-l', 'a in (b', '--as', 'bob']);
});

test('logs: the pod (or the workload, or the list), then its log, each refused as the impersonated user', async () => {
  await sameAsKubectl(['logs', 'p', '-n', 'apps', '--as', 'bob'], {
    code: 1,
    stderr: 'Error from server (Forbidden): pods "p" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "apps"\n',
  });
  await sameAsKubectl(['logs', 'p', '-n', 'apps', '--as', 'x', '--as-group', 'podonly'], {
    code: 1,
    stderr: 'Error from server (Forbidden): pods "p" is forbidden: User "x" cannot get resource "pods/log" in API group "" in the namespace "apps"\n',
  });
  await sameAsKubectl(['logs', 'p', '-n', 'apps', '--as', 'x', '--as-group', 'viewers'], { code: 0, stderr: '' });
  await sameAsKubectl(['logs', 'deploy/nope', '-n', 'apps', '--as', 'x', '--as-group', 'podonly']);
  await sameAsKubectl(['logs', '-l', 'app=p', '-n', 'apps', '--as', 'bob']);
  await sameAsKubectl(['logs', '-l', 'app=p', '-n', 'apps', '--as', 'x', '--as-group', 'podonly']);
  await sameAsKubectl(['logs', '-l', 'app=p', '-n', 'apps', '--as', 'x', '--as-group', 'viewers']);
});

const PODONLY = ['-n', 'apps', '--as', 'x', '--as-group', 'podonly'];
const EDITORS = ['-n', 'apps', '--as', 'x', '--as-group', 'editors'];
const PROMPT = "If you don't see a command prompt, try pressing enter.\n";

test('exec: the pod (or workload), then pods/exec, each refused as the impersonated user; the server\'s checks after', async () => {
  await sameAsKubectl(['exec', 'p', '-n', 'apps', '--as', 'bob', '--', 'echo', 'hi'], {
    code: 1,
    stderr: 'Error from server (Forbidden): pods "p" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "apps"\n',
  });
  await sameAsKubectl(['exec', 'p', ...PODONLY, '--', 'echo', 'hi'], {
    code: 1,
    stderr: 'Error from server (Forbidden): pods "p" is forbidden: User "x" cannot create resource "pods/exec" in API group "" in the namespace "apps"\n',
  });
  await sameAsKubectl(['exec', 'p', '-n', 'apps', '--as', 'x', '--as-group', 'viewers', '--', 'echo', 'hi']);
  await sameAsKubectl(['exec', 'p', ...EDITORS, '--', 'echo', 'hi'], { code: 0, stderr: '' });
  // 403 comes before the API server's 400s (an unknown container, no host)
  await sameAsKubectl(['exec', 'p', '-c', 'nope', ...PODONLY, '--', 'true']);
  await sameAsKubectl(['exec', 'pend', ...PODONLY, '--', 'true']);
  await sameAsKubectl(['exec', 'pend', ...EDITORS, '--', 'true'], { code: 1, stderr: 'Error from server (BadRequest): pod pend does not have a host assigned\n' });
  await sameAsKubectl(['exec', 'deploy/nope', ...PODONLY, '--', 'true']);
});

test('cp: the local file first, then each exec\'s pod and pods/exec, refused as the impersonated user', async () => {
  const local = c.file('to-copy.txt', 'copied by --as\n');
  await sameAsKubectl(['cp', local, 'apps/p:/tmp/copied.txt', '--as', 'bob'], {
    code: 1,
    stderr: 'Error from server (Forbidden): pods "p" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "apps"\n',
  });
  await sameAsKubectl(['cp', local, 'p:/tmp/copied.txt', ...PODONLY], {
    code: 1,
    stderr: 'Error from server (Forbidden): pods "p" is forbidden: User "x" cannot create resource "pods/exec" in API group "" in the namespace "apps"\n',
  });
  await sameAsKubectl(['cp', 'p:/etc/hostname', `${c.dir}/hostname`, ...PODONLY]);
  await sameAsKubectl(['cp', `${c.dir}/missing`, 'p:/tmp/x', '--as', 'bob', '-n', 'apps'], { code: 1, stderr: `error: ${c.dir}/missing doesn't exist in local filesystem\n` });
  await sameAsKubectl(['cp', local, 'p:/tmp/copied.txt', ...EDITORS], { code: 0, stderr: '' });
  await sameAsKubectl(['exec', 'p', ...EDITORS, '--', 'cat', '/tmp/copied.txt'], { code: 0, stderr: '' });
  await sameAsKubectl(['cp', local, 'p:/tmp/', '-c', 'nope', ...EDITORS]);
});

test('attach: the pod, then (after the prompt) pods/attach, refused as the impersonated user', async () => {
  await sameAsKubectl(['attach', 'p', '-n', 'apps', '--as', 'bob'], {
    code: 1,
    stderr: 'Error from server (Forbidden): pods "p" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "apps"\n',
  });
  await sameAsKubectl(['attach', 'p', ...PODONLY], {
    code: 1,
    stderr: `${PROMPT}Error from server (Forbidden): pods "p" is forbidden: User "x" cannot create resource "pods/attach" in API group "" in the namespace "apps"\n`,
  });
  // kubectl looks for the container itself, before any request
  await sameAsKubectl(['attach', 'p', '-c', 'nope', ...PODONLY], { code: 1, stderr: 'error: cannot attach to the container: container nope not found in pod p\n' });
  await sameAsKubectl(['attach', 'pend', ...PODONLY]);
  await sameAsKubectl(['attach', 'pend', ...EDITORS], { code: 1, stderr: `${PROMPT}Error from server (BadRequest): pod pend does not have a host assigned\n` });
  // allowed: attached until stopped, having printed the prompt alone
  const seen = await whileRunning(['attach', 'p', ...EDITORS], (r) => r.err === PROMPT);
  for (const r of seen.slice(1)) assert.deepEqual(r, seen[0]);
});

test('port-forward: the pod (or service, its pods, then the pod), then the upgrade to pods/portforward, refused as the impersonated user', async () => {
  await sameAsKubectl(['port-forward', 'p', '8080:80', '-n', 'apps', '--as', 'bob'], {
    code: 1,
    stderr: 'Error from server (Forbidden): pods "p" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "apps"\n',
  });
  await sameAsKubectl(['port-forward', 'p', '8080:80', ...PODONLY], {
    code: 1,
    stderr: 'error: error upgrading connection: pods "p" is forbidden: User "x" cannot create resource "pods/portforward" in API group "" in the namespace "apps"\n',
  });
  await sameAsKubectl(['port-forward', 'pend', '8080:80', ...PODONLY]);
  await sameAsKubectl(['port-forward', 'pend', '8080:80', ...EDITORS], { code: 1, stderr: 'error: unable to forward port because pod is not running. Current status=Pending\n' });
  const port = await freePort();
  const line = `Forwarding from 127.0.0.1:${port} -> 80\n`;
  const seen = await whileRunning(['port-forward', 'p', `${port}:80`, ...EDITORS], (r) => r.out.includes(line));
  // [::1]'s line may come a moment later (or never, without IPv6): the IPv4 one, and no error
  for (const r of seen) assert.deepEqual({ first: r.out.slice(0, line.length), err: r.err }, { first: line, err: '' });
});

/** A local port free now (each client in turn listens on it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A command that runs until stopped (attach, port-forward): kubectl, then kubesim in-process
 * and through the server, one at a time, each stopped (SIGTERM) once `ready` holds for what
 * it printed; what each printed by then.
 */
async function whileRunning(args: string[], ready: (r: { out: string; err: string }) => boolean): Promise<Array<{ out: string; err: string }>> {
  const seen: Array<{ out: string; err: string }> = [];
  for (const [argv, env] of [[[KUBECTL, ...args], {}], [[process.execPath, BIN, ...args], IN_PROCESS], [[process.execPath, BIN, ...args], THROUGH_SERVER]] as const) {
    const run = c.started([...argv], c.env(env));
    const printed = () => ({ out: run.out(), err: run.err() });
    try {
      for (const deadline = Date.now() + 40_000; !ready(printed()); await sleep(100)) {
        if (run.child.exitCode !== null || Date.now() > deadline) throw new Error(`${argv.join(' ')}: ${run.child.exitCode !== null ? `exited ${run.child.exitCode}` : 'timed out'}, having printed ${JSON.stringify(printed())}`);
      }
      seen.push(printed());
    } finally {
      run.child.kill('SIGTERM');
      await run.done;
    }
  }
  return seen;
}

test('create token: the TokenRequest (create serviceaccounts/token) refused as the impersonated user, before the server reads the account', async () => {
  await sameAsKubectl(['create', 'token', 'robot', '-n', 'apps', '--as', 'bob'], {
    code: 1,
    stderr: 'error: failed to create token: serviceaccounts "robot" is forbidden: User "bob" cannot create resource "serviceaccounts/token" in API group "" in the namespace "apps"\n',
  });
  await sameAsKubectl(['create', 'token', 'nope', '--duration=1m', '-n', 'apps', '--as', 'x', '--as-group', 'viewers']);
  // allowed: the server's own answers (no such account; then a too short duration)
  await sameAsKubectl(['create', 'token', 'nope', '--duration=1m', ...EDITORS], { code: 1, stderr: 'error: failed to create token: serviceaccounts "nope" not found\n' });
  await sameAsKubectl(['create', 'token', 'robot', '--duration=1m', ...EDITORS]);
  // and a token for the account
  const claims = (r: { stdout: string }) => JSON.parse(Buffer.from(r.stdout.split('.')[1], 'base64url').toString()).sub;
  const k = await c.kubectlAsync(['create', 'token', 'robot', ...EDITORS]);
  assert.deepEqual([k.code, k.stderr, claims(k)], [0, '', 'system:serviceaccount:apps:robot']);
  for (const env of [IN_PROCESS, THROUGH_SERVER]) {
    const s = await c.hosted(['create', 'token', 'robot', ...EDITORS], { env });
    assert.deepEqual([s.code, s.stderr, claims(s)], [0, '', 'system:serviceaccount:apps:robot']);
  }
});

test('cluster-info: the services list, refused after the hint; dump: each list, and each log refused in its file', async () => {
  const HINT = "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n";
  await sameAsKubectl(['cluster-info', '--as', 'bob'], {
    code: 1,
    stderr: 'Error from server (Forbidden): services is forbidden: User "bob" cannot list resource "services" in API group "" in the namespace "kube-system"\n',
  });
  await sameAsKubectl(['cluster-info', '-n', 'apps', '--as', 'x', '--as-group', 'podonly']);
  // allowed: the server's address is each client's own, the rest alike
  const k = await c.kubectlAsync(['cluster-info', '-n', 'apps', '--as', 'x', '--as-group', 'dumpers']);
  assert.deepEqual([k.code, k.stderr, k.stdout.endsWith(HINT)], [0, '', true]);
  for (const env of [IN_PROCESS, THROUGH_SERVER]) {
    const s = await c.hosted(['cluster-info', '-n', 'apps', '--as', 'x', '--as-group', 'dumpers'], { env });
    assert.deepEqual([s.code, s.stderr, s.stdout.endsWith(HINT)], [0, '', true]);
  }
  await sameAsKubectl(['cluster-info', 'dump', '--as', 'bob'], {
    code: 1,
    stderr: 'Error from server (Forbidden): nodes is forbidden: User "bob" cannot list resource "nodes" in API group "" at the cluster scope\n',
  });
  // the nodes (written to their file), then kube-system's events refused
  const partial = ['cluster-info', 'dump', '--output-directory', mkdtempSync(join(c.dir, 'dump-')), '--as', 'x', '--as-group', 'dumpers'];
  await sameAsKubectl(partial, {
    code: 1,
    stderr: 'Error from server (Forbidden): events is forbidden: User "x" cannot list resource "events" in API group "" in the namespace "kube-system"\n',
  });
  await sameAsKubectl([...partial, '--all-namespaces']);
  // every list allowed, the log not: "Request log error" in the pod's logs file (DoRaw's words for a 403's JSON Status); with view, the log
  for (const groups of [['dumpers'], ['dumpers', 'viewers']]) {
    const args = ['cluster-info', 'dump', '--namespaces', 'apps', ...groups.flatMap((g) => ['--as-group', g]), '--as', 'x', '--output-directory'];
    const dir = mkdtempSync(join(c.dir, 'dump-'));
    const k = await c.kubectlAsync([...args, dir]);
    assert.deepEqual([k.code, k.stdout, k.stderr], [0, `Cluster info dumped to ${dir}\n`, '']);
    const logs = logFiles(dir);
    if (groups.length === 1) assert.match(logs['/apps/p/logs.txt'], /^Request log error: unknown \(get pods p\)$/m);
    else assert.match(logs['/apps/p/logs.txt'], /^hello from p$/m);
    for (const env of [IN_PROCESS, THROUGH_SERVER]) {
      const mine = mkdtempSync(join(c.dir, 'dump-'));
      const s = await c.hosted([...args, mine], { env });
      assert.deepEqual([s.code, s.stdout, s.stderr], [0, `Cluster info dumped to ${mine}\n`, '']);
      assert.deepEqual(logFiles(mine), logs, `${groups} ${env.KUBESIM_NO_DAEMON ? 'in-process' : 'through the server'}`);
    }
  }
});

/** The pods' logs files under a dump's `dir`, and their text. */
function logFiles(dir: string): Record<string, string> {
  const all = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name === 'logs.txt');
  return Object.fromEntries(all.map((e) => [join(e.parentPath, e.name).slice(dir.length), readFileSync(join(e.parentPath, e.name), 'utf8')]));
}

/**
 * A write each client makes to its own object: kubectl to NAME-k, kubesim in-process to NAME-in
 * and through the server to NAME-srv, answered alike but for the name; kubectl's answer.
 */
async function eachOnItsOwn(name: string, args: (own: string) => string[], env: Record<string, string> = {}): Promise<RunResult> {
  const k = await c.kubectlAsync(args(`${name}-k`), { env });
  for (const [r, where] of [['in', IN_PROCESS], ['srv', THROUGH_SERVER]] as const) {
    const own = `${name}-${r}`;
    assert.deepEqual(await c.hosted(args(own), { env: { ...where, ...env } }), { ...k, stdout: k.stdout.replaceAll(`${name}-k`, own) }, own);
  }
  return k;
}

test('certificate approve|deny: the GET, then the approval PUT and the signer\'s approve check, as the impersonated user', async () => {
  const runs = ['k', 'in', 'srv'];
  const csrs = runs.flatMap((r) => [`a-${r}`, `d-${r}`]);
  assert.equal(c.kubectl(['create', ...csrs.flatMap((n) => ['-f', c.file(`${n}.yaml`, csrManifest(n, n))])]).code, 0);
  // refused: the GET; then the approval's update; then the CertificateApproval admission (no approve on the signer)
  await sameAsKubectl(['certificate', 'approve', 'a-k', '--as', 'bob'], {
    code: 1,
    stderr: 'Error from server (Forbidden): certificatesigningrequests.certificates.k8s.io "a-k" is forbidden: User "bob" cannot get resource "certificatesigningrequests" in API group "certificates.k8s.io" at the cluster scope\n',
  });
  await sameAsKubectl(['certificate', 'deny', 'd-k', '--as', 'x', '--as-group', 'dumpers']);
  await sameAsKubectl(['certificate', 'approve', 'a-k', '--as', 'x', '--as-group', 'csr-updaters'], {
    code: 1,
    stderr: 'Error from server (Forbidden): certificatesigningrequests.certificates.k8s.io "a-k" is forbidden: user not permitted to approve requests with signerName "kubernetes.io/kube-apiserver-client"\n',
  });
  // Each request's `type/reason` of its conditions, in one kubectl run.
  const states = (prefix: string) => {
    const r = c.kubectl(['get', 'csr', ...runs.map((r) => `${prefix}-${r}`), '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.conditions[*].type}/{.status.conditions[*].reason}{"\\n"}{end}']);
    assert.equal(r.code, 0, r.stderr);
    return Object.fromEntries(r.stdout.trimEnd().split('\n').map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
  };
  assert.deepEqual(states('a'), Object.fromEntries(runs.map((r) => [`a-${r}`, '/'])), 'nothing written when refused');
  // allowed: each client approves (and denies) its own request
  const AS = ['--as', 'x', '--as-group', 'approvers'];
  for (const [verb, prefix, written] of [['approve', 'a', 'Approved/KubectlApprove'], ['deny', 'd', 'Denied/KubectlDeny']] as const) {
    const k = await eachOnItsOwn(prefix, (n) => ['certificate', verb, n, ...AS]);
    assert.deepEqual(k, { code: 0, stdout: `certificatesigningrequest.certificates.k8s.io/${prefix}-k ${verb === 'approve' ? 'approved' : 'denied'}\n`, stderr: '' });
    assert.deepEqual(states(prefix), Object.fromEntries(runs.map((r) => [`${prefix}-${r}`, written])));
  }
  // the opposite decision: kubectl's own error, after an allowed GET
  await sameAsKubectl(['certificate', 'deny', 'a-k', ...AS], { code: 1, stderr: 'error: certificate signing request "a-k" is already Approved\n' });
});

test('apply view-|set-|edit-last-applied: the GET, then the annotation\'s merge PATCH, as the impersonated user', async () => {
  const runs = ['k', 'in', 'srv'];
  const cm = (r: string, mode: string) => c.file(`cm-${r}.yaml`, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-${r}, namespace: apps}\ndata: {mode: ${mode}}\n`);
  assert.equal(c.kubectl(['apply', ...runs.flatMap((r) => ['-f', cm(r, 'fast')])]).code, 0);
  // Each client's object's last-applied annotation, in one kubectl run.
  const lastApplied = (): Record<string, string> => {
    const r = c.kubectl(['get', 'cm', ...runs.map((r) => `cm-${r}`), '-n', 'apps', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    return Object.fromEntries(JSON.parse(r.stdout).items.map((o: any) => [o.metadata.name.slice('cm-'.length), o.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']]));
  };
  // the editor changes the file; each client's temporary file has its own name
  const EDIT = { EDITOR: 'sed -i s/fast/slow/' };
  const tmp = (r: { code: number; stdout: string; stderr: string }) => ({ ...r, stderr: r.stderr.replace(/"[^"]*-edit-\d+\.yaml"/, '"TMP"') });
  const sameEdit = async (args: string[], expected: { code: number; stderr: string }) => {
    const k = tmp(await c.kubectlAsync(args, { env: EDIT }));
    assert.deepEqual({ code: k.code, stderr: k.stderr }, expected, `kubectl ${args.join(' ')}`);
    for (const env of [IN_PROCESS, THROUGH_SERVER]) assert.deepEqual(tmp(await c.hosted(args, { env: { ...env, ...EDIT } })), k, `kubesim ${args.join(' ')} ${env.KUBESIM_NO_DAEMON ? 'in-process' : 'through the server'}`);
  };
  const VIEWERS = ['-n', 'apps', '--as', 'x', '--as-group', 'viewers'];
  await sameEdit(['apply', 'edit-last-applied', 'configmap/settings', '--as', 'bob'], {
    code: 1,
    stderr: 'Error from server (Forbidden): configmaps "settings" is forbidden: User "bob" cannot get resource "configmaps" in API group "" in the namespace "default"\n',
  });
  // read, edited, then the PATCH refused: kubectl keeps the edited file and says where
  const PATCH_REFUSED = 'Error from server (Forbidden): configmaps "cm-k" is forbidden: User "x" cannot patch resource "configmaps" in API group "" in the namespace "apps"\n';
  await sameEdit(['apply', 'edit-last-applied', 'configmap/cm-k', ...VIEWERS], { code: 1, stderr: `A copy of your changes has been stored to "TMP"\n${PATCH_REFUSED}` });
  await sameAsKubectl(['apply', 'set-last-applied', '-f', cm('k', 'set'), ...VIEWERS], { code: 1, stderr: PATCH_REFUSED });
  await sameAsKubectl(['apply', 'view-last-applied', 'configmap/settings', '--as', 'bob'], {
    code: 1,
    stderr: 'Error from server (Forbidden): configmaps "settings" is forbidden: User "bob" cannot get resource "configmaps" in API group "" in the namespace "default"\n',
  });
  await sameAsKubectl(['apply', 'view-last-applied', 'configmap/cm-k', '-o', 'json', ...VIEWERS], { code: 0, stderr: '' });
  const unedited = lastApplied();
  for (const r of runs) assert.match(unedited[r], /"mode":"fast"/, 'nothing written when refused');
  // allowed: each client edits its own object
  const k = await eachOnItsOwn('cm', (n) => ['apply', 'edit-last-applied', `configmap/${n}`, ...EDITORS], EDIT);
  assert.deepEqual(k, { code: 0, stdout: 'configmap/cm-k edited\n', stderr: '' });
  const edited = lastApplied();
  for (const r of runs) assert.equal(edited[r], edited.k.replace('cm-k', `cm-${r}`), r);
  assert.match(edited.k, /"mode":"slow"/);
});

test('debug: the pod, then the ephemeral container\'s PATCH (or the copy\'s POST), as the impersonated user', async () => {
  const DEBUG = ['debug', 'p', '-n', 'apps', '--image', 'busybox:1.36', '--profile', 'general'];
  await sameAsKubectl([...DEBUG, '-c', 'dbg', '--as', 'bob'], {
    code: 1,
    stderr: 'Error from server (Forbidden): pods "p" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "apps"\n',
  });
  await sameAsKubectl([...DEBUG, '-c', 'dbg', '--as', 'x', '--as-group', 'viewers']);
  await sameAsKubectl([...DEBUG, '--copy-to', 'p-copy', '-c', 'dbg', '--as', 'x', '--as-group', 'podonly']);
  const ephemeral = () => c.kubectl(['get', 'pod', 'p', '-n', 'apps', '-o', 'jsonpath={.spec.ephemeralContainers[*].name}']).stdout;
  assert.equal(ephemeral(), '', 'nothing written when refused');
  // allowed: each client adds its own container
  const AS = ['--as', 'x', '--as-group', 'debuggers'];
  assert.deepEqual(await eachOnItsOwn('dbg', (n) => [...DEBUG, '-c', n, ...AS]), { code: 0, stdout: '', stderr: '' });
  assert.equal(ephemeral(), 'dbg-k dbg-in dbg-srv');
});

test('auth reconcile: each object\'s GET, then its create, as the impersonated user', async () => {
  const role = (name: string) => c.file(`${name}.yaml`, `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: ${name}, namespace: apps}\nrules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]\n`);
  await sameAsKubectl(['auth', 'reconcile', '-f', role('rec-k'), '--as', 'bob'], {
    code: 1,
    stderr: 'Error from server (Forbidden): roles.rbac.authorization.k8s.io "rec-k" is forbidden: User "bob" cannot get resource "roles" in API group "rbac.authorization.k8s.io" in the namespace "apps"\n',
  });
  const exists = (name: string) => c.kubectl(['get', 'role', name, '-n', 'apps', '-o', 'name']).code === 0;
  assert.equal(exists('rec-k'), false, 'nothing written when refused');
  // allowed: each client creates its own role
  const AS = ['--as', 'x', '--as-group', 'system:masters'];
  const k = await eachOnItsOwn('rec', (n) => ['auth', 'reconcile', '-f', role(n), ...AS]);
  // kubectl's printResults: the object on stdout, what reconciliation did on stderr
  const DONE = '\treconciliation required create\n\tmissing rules added:\n\t\t{Verbs:[get] APIGroups:[] Resources:[configmaps] ResourceNames:[] NonResourceURLs:[]}\n';
  assert.deepEqual(k, { code: 0, stdout: 'role.rbac.authorization.k8s.io/rec-k reconciled\n', stderr: DONE });
  const all = c.kubectl(['get', 'role', 'rec-k', 'rec-in', 'rec-srv', '-n', 'apps', '-o', 'name']);
  assert.deepEqual([all.code, all.stdout, all.stderr], [0, 'role.rbac.authorization.k8s.io/rec-k\nrole.rbac.authorization.k8s.io/rec-in\nrole.rbac.authorization.k8s.io/rec-srv\n', '']);
});

test('debug and auth reconcile write as the impersonated user: an admission policy on request.userInfo refuses their writes as it refuses kubectl\'s, nothing written', async () => {
  const VETO = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: no-vetoed}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods, pods/ephemeralcontainers]}
    - {apiGroups: [rbac.authorization.k8s.io], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [roles]}
  validations: [{expression: "request.userInfo.username != 'vetoed'", message: vetoed may not write}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: no-vetoed}
spec: {policyName: no-vetoed, validationActions: [Deny]}
`;
  assert.equal((await c.kubectlAsync(['apply', '-f', c.file('veto.yaml', VETO)])).code, 0);
  try {
    // RBAC lets vetoed do all of it; only the policy, which sees who writes, refuses
    const AS = ['-n', 'apps', '--as', 'vetoed', '--as-group', 'system:masters'];
    const DEBUG = ['debug', '--image', 'busybox:1.36', '--profile', 'general', ...AS];
    const denied = (what: string) => ({ code: 1, stderr: `The ${what} is invalid: : ValidatingAdmissionPolicy 'no-vetoed' with binding 'no-vetoed' denied request: vetoed may not write\n` });
    await sameAsKubectl([...DEBUG, 'p', '-c', 'vet'], denied('pods "p"'));
    await sameAsKubectl([...DEBUG, 'p', '--copy-to', 'p-vet', '-c', 'vet'], denied('pods "p-vet"'));
    await sameAsKubectl(['auth', 'reconcile', '-f', c.file('vet-role.yaml', 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: vet, namespace: apps}\nrules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]\n'), ...AS], denied('roles "vet"'));
    // node debug: its pod's name ends in a random suffix
    const node = (await c.kubectlAsync(['get', 'nodes', '-o', 'name'])).stdout.trim().split('\n')[0];
    const suffixless = (r: RunResult) => ({ ...r, stdout: r.stdout.replace(/node-debugger-(\S+)-\w{5}\b/g, 'node-debugger-$1-X'), stderr: r.stderr.replace(/node-debugger-(\S+)-\w{5}\b/g, 'node-debugger-$1-X') });
    const k = suffixless(await c.kubectlAsync([...DEBUG, node]));
    assert.match(k.stderr, /^The pods "node-debugger-.*-X" is invalid: .* denied request: vetoed may not write\n$/);
    for (const env of [IN_PROCESS, THROUGH_SERVER]) assert.deepEqual(suffixless(await c.hosted([...DEBUG, node], { env })), k, `node debug ${env.KUBESIM_NO_DAEMON ? 'in-process' : 'through the server'}`);
    const written = await c.kubectlAsync(['get', 'pods,roles', '-n', 'apps', '-o', 'name']);
    assert.doesNotMatch(written.stdout, /p-vet|node-debugger|role\.rbac\.authorization\.k8s\.io\/vet\b/);
    assert.equal((await c.kubectlAsync(['get', 'pod', 'p', '-n', 'apps', '-o', 'jsonpath={.spec.ephemeralContainers[*].name}'])).stdout.includes('vet'), false);
  } finally {
    await c.kubectlAsync(['delete', '-f', c.file('veto.yaml', VETO)]);
  }
});
