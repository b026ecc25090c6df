// drain end to end: the pod filters (DaemonSet, unmanaged, emptyDir), evictions honouring
// PodDisruptionBudgets (blocked, then allowed), and kubectl's lines on stdout and stderr.
// Every test starts from its own copy of one cluster running the manifests below.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPerTest } from './helpers';
import { Hosted } from './hosted';

let sb!: Hosted;

const MANIFESTS = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: kube-system
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - name: agent
        image: nginx
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web-pdb
spec:
  minAvailable: 3
  selector:
    matchLabels:
      app: web
`;

/** `namespace/name` of the pods on a node with a label selector. */
async function podsOn(node: string, selector: string, ns = 'default'): Promise<string[]> {
  const out = await sb.ok(['get', 'pods', '-n', ns, '-l', selector, '--field-selector', `spec.nodeName=${node}`, '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}']);
  return out.split('\n').filter(Boolean);
}

// A DaemonSet, a 3-replica Deployment and a budget that allows no disruption.
copyPerTest(
  async (sandbox) => {
    const base = new Hosted(sandbox);
    await base.ok(['apply', '-f', base.file('all.yaml', MANIFESTS)]);
    assert.match(await base.ok(['rollout', 'status', 'deployment/web']), /successfully rolled out/);
    assert.match(await base.ok(['rollout', 'status', 'daemonset/agent', '-n', 'kube-system']), /daemon set "agent" successfully rolled out/);
  },
  (copy) => (sb = new Hosted(copy)),
);

test('DaemonSet-managed pods stop a drain without --ignore-daemonsets (the node stays cordoned)', async () => {
  const agent = await podsOn('node-1', 'app=agent', 'kube-system');
  assert.equal(agent.length, 1);
  const r = await sb.run(['drain', 'node-1']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, 'node/node-1 cordoned\n');
  assert.equal(
    r.stderr,
    `error: unable to drain node "node-1" due to error: cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${agent[0]}, continuing command...\n` +
      'There are pending nodes to be drained:\n node-1\n' +
      `cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${agent[0]}\n`,
  );
  assert.equal(await sb.ok(['get', 'node', 'node-1', '-o', 'jsonpath={.spec.unschedulable}']), 'true');
});

test('a PodDisruptionBudget blocks the eviction until --timeout', async () => {
  await sb.ok(['cordon', 'node-1']);
  const web = await podsOn('node-1', 'app=web');
  assert.equal(web.length, 1, 'one web replica per node');
  const [ns, name] = web[0].split('/');
  const r = await sb.run(['drain', 'node-1', '--ignore-daemonsets', '--timeout=12s']);
  assert.equal(r.code, 1);
  const agent = (await podsOn('node-1', 'app=agent', 'kube-system'))[0];
  // attempts at 0s, 5s, 10s are refused; the one at 15s finds the timeout passed
  assert.equal(r.stdout, 'node/node-1 already cordoned\n' + `evicting pod ${ns}/${name}\n`.repeat(4));
  const refused = `error when evicting pods/"${name}" -n "${ns}" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.\n`;
  const timeout = `error when evicting pods/"${name}" -n "${ns}": global timeout reached: 12s`;
  assert.equal(
    r.stderr,
    `Warning: ignoring DaemonSet-managed Pods: ${agent}\n` +
      refused.repeat(3) +
      `There are pending pods in node "node-1" when an error occurred: ${timeout}\npod/${name}\n` +
      `error: unable to drain node "node-1" due to error: ${timeout}, continuing command...\n` +
      'There are pending nodes to be drained:\n node-1\n' +
      `${timeout}\n`,
  );
  assert.deepEqual(await podsOn('node-1', 'app=web'), web, 'the pod is still there');
});

test('with a budget that allows one disruption, the drain evicts and the replacement runs elsewhere', async () => {
  await sb.ok(['cordon', 'node-1']);
  await sb.ok(['patch', 'pdb', 'web-pdb', '--type=merge', '-p', '{"spec":{"minAvailable":2}}']);
  // The disruption controller's status, as get shows it once it has seen the new generation.
  await sb.ok(['wait', '--for=jsonpath={.status.observedGeneration}=2', 'pdb/web-pdb', '--timeout=10s']);
  assert.match(await sb.ok(['get', 'pdb', 'web-pdb']), /^NAME +MIN AVAILABLE +MAX UNAVAILABLE +ALLOWED DISRUPTIONS +AGE\nweb-pdb +2 +N\/A +1 +\d+s\n$/);
  const [ns, name] = (await podsOn('node-1', 'app=web'))[0].split('/');
  const r = await sb.run(['drain', 'node-1', '--ignore-daemonsets']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `node/node-1 already cordoned\nevicting pod ${ns}/${name}\npod/${name} evicted\nnode/node-1 drained\n`);
  assert.match(r.stderr, /^Warning: ignoring DaemonSet-managed Pods: kube-system\/agent-[a-z0-9]{5}\n$/);
  assert.deepEqual(await podsOn('node-1', 'app=web'), []);
  assert.match(await sb.ok(['rollout', 'status', 'deployment/web']), /successfully rolled out/);
  assert.equal(await sb.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.status.availableReplicas}']), '3');
  assert.equal(await sb.ok(['uncordon', 'node-1']), 'node/node-1 uncordoned\n');
});

test('unmanaged pods need --force; emptyDir pods need --delete-emptydir-data; --dry-run=client changes nothing', async () => {
  const scratch = sb.file('scratch.yaml', `apiVersion: v1
kind: Pod
metadata:
  name: solo
spec:
  nodeName: node-3
  containers:
  - name: c
    image: nginx
---
apiVersion: v1
kind: Pod
metadata:
  name: scratch
spec:
  nodeName: node-3
  containers:
  - name: c
    image: nginx
  volumes:
  - name: tmp
    emptyDir: {}
`);
  await sb.ok(['apply', '-f', scratch]);
  // the budget allows evicting the web replica on node-3 too
  await sb.ok(['patch', 'pdb', 'web-pdb', '--type=merge', '-p', '{"spec":{"minAvailable":2}}']);
  await sb.ok(['wait', '--for=condition=Ready', 'pod/solo', 'pod/scratch']);
  const r = await sb.run(['drain', 'node-3', '--ignore-daemonsets']);
  assert.equal(r.code, 1);
  // one filter verdict per pod: scratch fails on local storage first, solo on having no controller
  assert.match(r.stderr, /^error: unable to drain node "node-3" due to error: \[cannot delete Pods with local storage \(use --delete-emptydir-data to override\): default\/scratch, cannot delete cannot delete Pods that declare no controller \(use --force to override\): default\/solo\], continuing command\.\.\.\n/);
  assert.match(r.stderr, /\ncannot delete Pods with local storage \(use --delete-emptydir-data to override\): default\/scratch\ncannot delete cannot delete Pods that declare no controller \(use --force to override\): default\/solo\n$/);

  const dry = await sb.run(['drain', 'node-3', '--ignore-daemonsets', '--force', '--delete-emptydir-data', '--dry-run=client']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^node\/node-3 already cordoned \(dry run\)\n/);
  assert.match(dry.stdout, /\nevicting pod default\/scratch \(dry run\)\n/);
  assert.match(dry.stdout, /\nevicting pod default\/solo \(dry run\)\n/);
  assert.match(dry.stdout, /\nnode\/node-3 drained \(dry run\)\n$/);
  assert.match(dry.stderr, /Warning: .*deleting Pods that declare no controller: default\/s/);
  assert.equal(await sb.ok(['get', 'pod', 'solo', '-o', 'name']), 'pod/solo\n');

  const real = await sb.run(['drain', 'node-3', '--ignore-daemonsets', '--force', '--delete-emptydir-data', '--grace-period=5']);
  assert.equal(real.code, 0, real.stderr);
  assert.match(real.stdout, /\npod\/solo evicted\n/);
  assert.match(real.stdout, /\npod\/scratch evicted\n/);
  assert.match(real.stdout, /\nnode\/node-3 drained\n$/);
  assert.equal((await sb.run(['get', 'pod', 'solo'])).code, 1);
});

test('drain with no node or a missing node', async () => {
  const none = await sb.run(['drain']);
  assert.equal(none.code, 1);
  assert.equal(none.stderr, "error: USAGE: drain NODE [flags]\nSee 'kubesim drain -h' for help and examples\n");
  const missing = await sb.run(['drain', 'node-9']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'Error from server (NotFound): nodes "node-9" not found\n');
});
