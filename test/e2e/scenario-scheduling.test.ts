// kube-scheduler's FailedScheduling messages through the CLI (taints, node selectors,
// cordoned nodes, several reasons at once), and pending pods scheduled once the cause is
// gone, with no change to the pod: the scheduler retries them (level-triggered).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox } from './helpers';
import { Hosted } from './hosted';

const sandboxes: Sandbox[] = [];
after(() => sandboxes.forEach((s) => s.cleanup()));

async function cluster(nodes: number, cpu = '2'): Promise<Hosted> {
  const sb = new Hosted(new Sandbox());
  sandboxes.push(sb.sb);
  await sb.ok(['cluster', 'create', '--nodes', String(nodes), '--node-cpu', cpu]);
  return sb;
}

function pod(name: string, spec: string): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n${spec}  containers:\n  - name: c\n    image: nginx:1.27\n`;
}

/** The pod's status and node, as `get pod -o wide` shows them. */
async function placement(sb: Hosted, name: string): Promise<[status: string, node: string]> {
  const cells = (await sb.ok(['get', 'pod', name, '-o', 'wide', '--no-headers'])).trim().split(/\s{2,}/);
  return [cells[2], cells[6]];
}

/** The message of the pod's last FailedScheduling event (`events --for`). */
async function failedScheduling(sb: Hosted, name: string): Promise<string> {
  const lines = (await sb.ok(['events', '--for', `pod/${name}`, '--types', 'Warning'])).split('\n').filter((l) => l.includes('FailedScheduling'));
  assert.ok(lines.length > 0, `no FailedScheduling event for ${name}`);
  return lines[lines.length - 1].replace(/^.*FailedScheduling\s+Pod\/\S+\s+/, '');
}

const NOT_HELPFUL = (n: number, of: number) => `preemption: 0/${of} nodes are available: ${n} Preemption is not helpful for scheduling.`;

test('an untolerated taint keeps a pod Pending with the scheduler\'s message; a toleration schedules it', async () => {
  const sb = await cluster(1);
  assert.equal(await sb.ok(['taint', 'nodes', 'node-1', 'dedicated=infra:NoSchedule']), 'node/node-1 tainted\n');
  await sb.ok(['apply', '-f', sb.file('p.yaml', pod('web', ''))]);
  await sb.ok(['reconcile', '--until-stable']);
  assert.deepEqual(await placement(sb, 'web'), ['Pending', '<none>']);
  assert.equal(await failedScheduling(sb, 'web'), `0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: infra}. ${NOT_HELPFUL(1, 1)}`);
  assert.match(await sb.ok(['describe', 'pod', 'web']), /Warning {2}FailedScheduling {2}.*0\/1 nodes are available: 1 node\(s\) had untolerated taint \{dedicated: infra\}\./);

  // A pod's tolerations cannot be changed in place: the user deletes and re-applies it.
  await sb.ok(['delete', 'pod', 'web', '--now']);
  const tolerating = pod('web', '  tolerations:\n  - key: dedicated\n    operator: Equal\n    value: infra\n    effect: NoSchedule\n');
  await sb.ok(['apply', '-f', sb.file('p2.yaml', tolerating)]);
  await sb.ok(['reconcile', '--until-stable']);
  assert.deepEqual(await placement(sb, 'web'), ['Running', 'node-1']);
});

// A node selector and required node affinity are one filter (NodeAffinity), one message.
const NODE_SELECTION: [what: string, spec: string, label: string][] = [
  ['a node selector', '  nodeSelector:\n    disk: ssd\n', 'disk=ssd'],
  ['required node affinity', '  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n        - matchExpressions:\n          - {key: zone, operator: In, values: [a, b]}\n', 'zone=b'],
];
for (const [what, spec, label] of NODE_SELECTION) {
  test(`${what} no node matches: Pending until a node gets the label`, async () => {
    const sb = await cluster(2);
    await sb.ok(['apply', '-f', sb.file('p.yaml', pod('db', spec))]);
    await sb.ok(['reconcile', '--until-stable']);
    assert.deepEqual(await placement(sb, 'db'), ['Pending', '<none>']);
    assert.equal(await failedScheduling(sb, 'db'), `0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. ${NOT_HELPFUL(2, 2)}`);
    await sb.ok(['label', 'node', 'node-2', label]);
    await sb.ok(['reconcile', '--until-stable']);
    assert.deepEqual(await placement(sb, 'db'), ['Running', 'node-2']);
  });
}

test('a cordoned node takes no new pods until it is uncordoned', async () => {
  const sb = await cluster(1);
  assert.equal(await sb.ok(['cordon', 'node-1']), 'node/node-1 cordoned\n');
  assert.match(await sb.ok(['get', 'nodes', '--no-headers']), /^node-1\s+Ready,SchedulingDisabled\s/);
  await sb.ok(['apply', '-f', sb.file('p.yaml', pod('late', ''))]);
  await sb.ok(['reconcile', '--until-stable']);
  assert.deepEqual(await placement(sb, 'late'), ['Pending', '<none>']);
  assert.equal(await failedScheduling(sb, 'late'), `0/1 nodes are available: 1 node(s) were unschedulable. ${NOT_HELPFUL(1, 1)}`);
  assert.equal(await sb.ok(['uncordon', 'node-1']), 'node/node-1 uncordoned\n');
  await sb.ok(['reconcile', '--until-stable']);
  assert.deepEqual(await placement(sb, 'late'), ['Running', 'node-1']);
});

test('several reasons at once: counted per reason, sorted, and preemption says which nodes it could help on', async () => {
  const sb = await cluster(3);
  await sb.ok(['cordon', 'node-1']);
  await sb.ok(['taint', 'nodes', 'node-2', 'dedicated=infra:NoSchedule']);
  const big = pod('big', '').replace('    image: nginx:1.27\n', '    image: nginx:1.27\n    resources:\n      requests: {cpu: "3"}\n');
  await sb.ok(['apply', '-f', sb.file('big.yaml', big)]);
  await sb.ok(['reconcile', '--until-stable']);
  assert.equal(
    await failedScheduling(sb, 'big'),
    '0/3 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: infra}, 1 node(s) were unschedulable. ' +
      'preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.',
  );
  // A bigger node: the pending pod is retried and lands there, with no change to the pod.
  await sb.ok(['node', 'add', 'node-4', '--cpu', '4']);
  await sb.ok(['reconcile', '--until-stable']);
  assert.deepEqual(await placement(sb, 'big'), ['Running', 'node-4']);
  assert.match(await sb.ok(['events', '--for', 'pod/big']), /Normal\s+Scheduled\s+Pod\/big\s+Successfully assigned default\/big to node-4\n/);
});
