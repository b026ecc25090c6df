// managedFields of what the cluster's own components write, read with the real kubectl
// against `kubesim serve` (controllers and kubelets running): each write carries its
// component's field manager, as kube-controller-manager's, kube-scheduler's and the
// kubelet's do on a real cluster.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster, sleep } from './harness';

const c = new ServedCluster('mf');

before(async () => {
  // The daemon in the foreground: controllers and kubelets run.
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], serveEnv: { KUBESIM_NO_DAEMON: '' } });
});
after(() => c.stop());

interface Entry {
  manager: string;
  operation: string;
  apiVersion: string;
  subresource?: string;
  fieldsType: string;
  fieldsV1: Record<string, any>;
  time: string;
}

const managed = (args: string[]): Entry[] => {
  const r = c.kubectl(['get', ...args, '-o', 'json', '--show-managed-fields']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).metadata.managedFields ?? [];
};
const summary = (es: Entry[]) => es.map((e) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ''}`).sort();

test('controllers, the scheduler and kubelets write with their own field managers', async () => {
  assert.equal(c.kubectl(['create', 'deployment', 'web', '--image', 'nginx:1.27', '--replicas', '1']).code, 0);
  const deadline = Date.now() + 60_000;
  let pod = '';
  for (;;) {
    const r = c.kubectl(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.phase}{"\\n"}{end}']);
    const running = r.stdout.split('\n').find((l) => l.endsWith(' Running'));
    if (running) {
      pod = running.split(' ')[0];
      break;
    }
    if (Date.now() > deadline) throw new Error(`the pod never ran: ${r.stdout}${r.stderr}`);
    await sleep(250);
  }
  const podFields = managed(['pod', pod]);
  assert.deepEqual(summary(podFields), ['kube-controller-manager/Update', 'kubelet/Update/status']);
  const kcm = podFields.find((e) => e.manager === 'kube-controller-manager')!;
  assert.equal(kcm.apiVersion, 'v1');
  assert.equal(kcm.fieldsType, 'FieldsV1');
  assert.ok(kcm.fieldsV1['f:metadata']['f:ownerReferences'], 'the ReplicaSet controller set the owner reference');
  assert.ok(kcm.fieldsV1['f:spec']['f:containers']['k:{"name":"nginx"}']['f:image']);
  assert.equal(kcm.fieldsV1['f:status'], undefined, 'status is the status subresource\'s');
  const kubelet = podFields.find((e) => e.manager === 'kubelet')!;
  assert.ok(kubelet.fieldsV1['f:status']['f:containerStatuses'] && kubelet.fieldsV1['f:status']['f:podIP'] !== undefined);
  assert.deepEqual(Object.keys(kubelet.fieldsV1), ['f:status']);

  const rs = c.kubectl(['get', 'rs', '-l', 'app=web', '-o', 'name']).stdout.trim();
  assert.deepEqual(summary(managed([rs])), ['kube-controller-manager/Update', 'kube-controller-manager/Update/status']);
  // The deployment controller's revision annotation (main resource) and its status, as on a real cluster.
  await waitFor(() => summary(managed(['deployment', 'web'])).join(',') === 'kube-controller-manager/Update,kube-controller-manager/Update/status,kubectl-create/Update');
  const revision = managed(['deployment', 'web']).find((e) => e.manager === 'kube-controller-manager' && !e.subresource)!;
  assert.deepEqual(revision.fieldsV1, { 'f:metadata': { 'f:annotations': { '.': {}, 'f:deployment.kubernetes.io/revision': {} } } });

  // kubectl leaves them out unless asked.
  const plain = c.kubectl(['get', 'pod', pod, '-o', 'yaml']);
  assert.doesNotMatch(plain.stdout, /managedFields/);
  assert.match(c.kubectl(['get', 'pod', pod, '-o', 'yaml', '--show-managed-fields']).stdout, /^  managedFields:\n  - apiVersion: v1\n    fieldsType: FieldsV1/m);
});

async function waitFor(ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`condition not met in time: ${summary(managed(['deployment', 'web']))}`);
    await sleep(250);
  }
}
