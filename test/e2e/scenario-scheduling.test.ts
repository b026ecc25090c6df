// kube-scheduler's FailedScheduling messages through the CLI (taints, node selectors,
// cordoned nodes, several reasons at once), and pending pods scheduled once the cause is
// gone, with no change to the pod: the scheduler retries them (level-triggered).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox } from './helpers';

const sandboxes: Sandbox[] = [];
after(() => sandboxes.forEach((s) => s.cleanup()));

function cluster(nodes: number, cpu = '2'): Sandbox {
  const sb = new Sandbox();
  sandboxes.push(sb);
  sb.ok(['cluster', 'create', '--nodes', String(nodes), '--node-cpu', cpu]);
  return sb;
}

function pod(name: string, spec: string): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n${spec}  containers:\n  - name: c\n    image: nginx:1.27\n`;
}

/** The pod's status and node, as `get pod -o wide` shows them. */
function placement(sb: Sandbox, name: string): [status: string, node: string] {
  const cells = sb.ok(['get', 'pod', name, '-o', 'wide', '--no-headers']).trim().split(/\s{2,}/);
  return [cells[2], cells[6]];
}

/** The message of the pod's last FailedScheduling event (`events --for`). */
function failedScheduling(sb: Sandbox, name: string): string {
  const lines = sb.ok(['events', '--for', `pod/${name}`, '--types', 'Warning']).split('\n').filter((l) => l.includes('FailedScheduling'));
  assert.ok(lines.length > 0, `no FailedScheduling event for ${name}`);
  return lines[lines.length - 1].replace(/^.*FailedScheduling\s+Pod\/\S+\s+/, '');
}

const NOT_HELPFUL = (n: number, of: number) => `preemption: 0/${of} nodes are available: ${n} Preemption is not helpful for scheduling.`;

test('an untolerated taint keeps a pod Pending with the scheduler\'s message; a toleration schedules it', () => {
  const sb = cluster(1);
  assert.equal(sb.ok(['taint', 'nodes', 'node-1', 'dedicated=infra:NoSchedule']), 'node/node-1 tainted\n');
  sb.ok(['apply', '-f', sb.file('p.yaml', pod('web', ''))]);
  sb.ok(['reconcile', '--until-stable']);
  assert.deepEqual(placement(sb, 'web'), ['Pending', '<none>']);
  assert.equal(failedScheduling(sb, 'web'), `0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: infra}. ${NOT_HELPFUL(1, 1)}`);
  assert.match(sb.ok(['describe', 'pod', 'web']), /Warning {2}FailedScheduling {2}.*0\/1 nodes are available: 1 node\(s\) had untolerated taint \{dedicated: infra\}\./);

  // A pod's tolerations cannot be changed in place: the user deletes and re-applies it.
  sb.ok(['delete', 'pod', 'web', '--now']);
  const tolerating = pod('web', '  tolerations:\n  - key: dedicated\n    operator: Equal\n    value: infra\n    effect: NoSchedule\n');
  sb.ok(['apply', '-f', sb.file('p2.yaml', tolerating)]);
  sb.ok(['reconcile', '--until-stable']);
  assert.deepEqual(placement(sb, 'web'), ['Running', 'node-1']);
});

// A node selector and required node affinity are one filter (NodeAffinity), one message.
const NODE_SELECTION: [what: string, spec: string, label: string][] = [
  ['a node selector', '  nodeSelector:\n    disk: ssd\n', 'disk=ssd'],
  ['required node affinity', '  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n        - matchExpressions:\n          - {key: zone, operator: In, values: [a, b]}\n', 'zone=b'],
];
for (const [what, spec, label] of NODE_SELECTION) {
  test(`${what} no node matches: Pending until a node gets the label`, () => {
    const sb = cluster(2);
    sb.ok(['apply', '-f', sb.file('p.yaml', pod('db', spec))]);
    sb.ok(['reconcile', '--until-stable']);
    assert.deepEqual(placement(sb, 'db'), ['Pending', '<none>']);
    assert.equal(failedScheduling(sb, 'db'), `0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. ${NOT_HELPFUL(2, 2)}`);
    sb.ok(['label', 'node', 'node-2', label]);
    sb.ok(['reconcile', '--until-stable']);
    assert.deepEqual(placement(sb, 'db'), ['Running', 'node-2']);
  });
}

test('a cordoned node takes no new pods until it is uncordoned', () => {
  const sb = cluster(1);
  assert.equal(sb.ok(['cordon', 'node-1']), 'node/node-1 cordoned\n');
  assert.match(sb.ok(['get', 'nodes', '--no-headers']), /^node-1\s+Ready,SchedulingDisabled\s/);
  sb.ok(['apply', '-f', sb.file('p.yaml', pod('late', ''))]);
  sb.ok(['reconcile', '--until-stable']);
  assert.deepEqual(placement(sb, 'late'), ['Pending', '<none>']);
  assert.equal(failedScheduling(sb, 'late'), `0/1 nodes are available: 1 node(s) were unschedulable. ${NOT_HELPFUL(1, 1)}`);
  assert.equal(sb.ok(['uncordon', 'node-1']), 'node/node-1 uncordoned\n');
  sb.ok(['reconcile', '--until-stable']);
  assert.deepEqual(placement(sb, 'late'), ['Running', 'node-1']);
});

test('several reasons at once: counted per reason, sorted, and preemption says which nodes it could help on', () => {
  const sb = cluster(3);
  sb.ok(['cordon', 'node-1']);
  sb.ok(['taint', 'nodes', 'node-2', 'dedicated=infra:NoSchedule']);
  const big = pod('big', '').replace('    image: nginx:1.27\n', '    image: nginx:1.27\n    resources:\n      requests: {cpu: "3"}\n');
  sb.ok(['apply', '-f', sb.file('big.yaml', big)]);
  sb.ok(['reconcile', '--until-stable']);
  assert.equal(
    failedScheduling(sb, 'big'),
    '0/3 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: infra}, 1 node(s) were unschedulable. ' +
      'preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.',
  );
  // A bigger node: the pending pod is retried and lands there, with no change to the pod.
  sb.ok(['node', 'add', 'node-4', '--cpu', '4']);
  sb.ok(['reconcile', '--until-stable']);
  assert.deepEqual(placement(sb, 'big'), ['Running', 'node-4']);
  assert.match(sb.ok(['events', '--for', 'pod/big']), /Normal\s+Scheduled\s+Pod\/big\s+Successfully assigned default\/big to node-4\n/);
});
