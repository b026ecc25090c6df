// Issue 3's required scenarios, as a user sees them through get / describe / events, on the
// virtual clock (KUBESIM_NO_DAEMON=1: time moves only with reconcile and clock advance).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox } from './helpers';
import { Hosted } from './hosted';

const sandboxes: Sandbox[] = [];
after(() => sandboxes.forEach((s) => s.cleanup()));

async function cluster(nodes: number, cpu = '4'): Promise<Hosted> {
  const sb = new Hosted(new Sandbox());
  sandboxes.push(sb.sb);
  await sb.ok(['cluster', 'create', '--nodes', String(nodes), '--node-cpu', cpu]);
  return sb;
}

/** `get pods --no-headers` as rows of cells. */
async function pods(sb: Hosted, ...args: string[]): Promise<string[][]> {
  return (await sb.ok(['get', 'pods', '--no-headers', ...args]))
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(/\s{2,}/));
}

const ANTI = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: spread
spec:
  replicas: 3
  selector:
    matchLabels: {app: spread}
  template:
    metadata:
      labels: {app: spread}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchLabels: {app: spread}
            topologyKey: kubernetes.io/hostname
      containers:
      - name: app
        image: nginx:1.27
`;

test('required anti-affinity on hostname, 3 replicas on 2 nodes: exactly one Pending, with the scheduler\'s message', async () => {
  const sb = await cluster(2);
  await sb.ok(['apply', '-f', sb.file('anti.yaml', ANTI)]);
  // The Deployment never completes: it settles only after its 600 s progress deadline.
  await sb.ok(['reconcile', '--until-stable', '--timeout', '15m']);
  const rows = await pods(sb, '-o', 'wide');
  assert.equal(rows.length, 3);
  const pending = rows.filter((r) => r[2] === 'Pending');
  const running = rows.filter((r) => r[2] === 'Running');
  assert.equal(pending.length, 1, JSON.stringify(rows));
  assert.deepEqual(running.map((r) => r[6]).sort(), ['node-1', 'node-2']);
  assert.match(await sb.ok(['get', 'deploy', 'spread', '--no-headers']), /^spread\s+2\/3\s+3\s+2\s+/);

  const msg = "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.";
  const describe = await sb.ok(['describe', 'pod', pending[0][0]]);
  assert.match(describe, /\n {2}PodScheduled {3}False \n/);
  assert.match(describe, /\nNode: {13}<none>\n/);
  assert.ok(describe.includes(`Warning  FailedScheduling  `) && describe.includes(`default-scheduler  ${msg}`), describe);
  const events = await sb.ok(['events', '--for', `pod/${pending[0][0]}`]);
  assert.match(events, new RegExp(`Warning\\s+FailedScheduling\\s+Pod/${pending[0][0]}\\s+${msg.replace(/[().]/g, '\\$&')}\\n`));
});

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        readinessProbe:
          httpGet: {path: /, port: 80}
          initialDelaySeconds: 5
          periodSeconds: 5
`;

test('deleting a pod of a Deployment brings a new one (SuccessfulCreate), and the Deployment is whole again', async () => {
  const sb = await cluster(3);
  await sb.ok(['apply', '-f', sb.file('web.yaml', WEB)]);
  await sb.ok(['reconcile', '--until-stable']);
  const before = (await pods(sb, '-l', 'app=web')).map((r) => r[0]);
  assert.equal(before.length, 3);
  assert.equal(await sb.ok(['delete', 'pod', before[0], '--wait=false']), `pod "${before[0]}" deleted\n`);
  await sb.ok(['reconcile', '--until-stable']);
  const afterRows = await pods(sb, '-l', 'app=web');
  const names = afterRows.map((r) => r[0]);
  assert.equal(names.length, 3);
  assert.ok(!names.includes(before[0]), 'the deleted pod is gone');
  const fresh = names.filter((n) => !before.includes(n));
  assert.equal(fresh.length, 1);
  assert.ok(afterRows.every((r) => r[1] === '1/1' && r[2] === 'Running'), JSON.stringify(afterRows));
  const rs = (await sb.ok(['get', 'rs', '-l', 'app=web', '-o', 'name'])).trim().replace('replicaset.apps/', '');
  assert.match(await sb.ok(['events', '--for', `replicaset/${rs}`]), new RegExp(`Normal\\s+SuccessfulCreate\\s+ReplicaSet/${rs}\\s+Created pod: ${fresh[0]}\\n`));
  assert.match(await sb.ok(['get', 'deploy', 'web', '--no-headers']), /^web\s+3\/3\s+3\s+3\s+/);
});

test('set image rolls out: two ReplicaSets mid-way, then the old one at 0, two revisions in history', async () => {
  const sb = await cluster(3);
  await sb.ok(['apply', '-f', sb.file('web.yaml', WEB)]);
  await sb.ok(['reconcile', '--until-stable']);
  const oldRs = (await sb.ok(['get', 'rs', '-l', 'app=web', '-o', 'name'])).trim().replace('replicaset.apps/', '');
  assert.equal(await sb.ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.28']), 'deployment.apps/web image updated\n');

  // Step the clock: with readiness taking ~5 s per new pod, some moment shows both ReplicaSets with pods.
  let midway = '';
  for (let i = 0; i < 30 && !midway; i++) {
    await sb.ok(['clock', 'advance', '1s']);
    const rows = (await sb.ok(['get', 'rs', '-l', 'app=web', '--no-headers']))
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(/\s+/));
    if (rows.length === 2 && rows.every((r) => Number(r[1]) > 0)) midway = rows.map((r) => r.join(' ')).join('\n');
  }
  assert.ok(midway, 'two ReplicaSets both with desired pods at some point of the rollout');

  await sb.ok(['reconcile', '--until-stable']);
  const rows = (await sb.ok(['get', 'rs', '-l', 'app=web', '--no-headers'])).split('\n').filter(Boolean);
  assert.equal(rows.length, 2);
  assert.match(rows.find((r) => r.startsWith(oldRs))!, new RegExp(`^${oldRs}\\s+0\\s+0\\s+0\\s+`));
  assert.match(rows.find((r) => !r.startsWith(oldRs))!, /\s+3\s+3\s+3\s+/);
  assert.ok((await pods(sb, '-l', 'app=web')).every((r) => r[2] === 'Running'));
  assert.equal(await sb.ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.containers[0].image}']), 'nginx:1.28 nginx:1.28 nginx:1.28');
  assert.match(await sb.ok(['rollout', 'history', 'deployment/web']), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
  const events = await sb.ok(['events', '--for', 'deployment/web']);
  assert.match(events, new RegExp(`ScalingReplicaSet\\s+Deployment/web\\s+Scaled down replica set ${oldRs} from 3 to 2`));
});

test('stopping a node: NotReady, its pods evicted after 300 s and replaced on other nodes; starting it brings it back', async () => {
  const sb = await cluster(3);
  await sb.ok(['apply', '-f', sb.file('web.yaml', WEB)]);
  await sb.ok(['reconcile', '--until-stable']);
  const victimNode = (await pods(sb, '-o', 'wide'))[0][6];
  const onVictim = (await pods(sb, '-o', 'wide')).filter((r) => r[6] === victimNode).map((r) => r[0]);
  assert.ok(onVictim.length >= 1);

  await sb.ok(['node', 'stop', victimNode]);
  await sb.ok(['clock', 'advance', '60s']);
  assert.match(await sb.ok(['get', 'node', victimNode, '--no-headers']), new RegExp(`^${victimNode}\\s+NotReady\\s+`));
  assert.match(await sb.ok(['events', '-A', '--for', `node/${victimNode}`]), /NodeNotReady\s+Node\/node-\d\s+Node node-\d status is now: NodeNotReady/);
  assert.match(await sb.ok(['describe', 'node', victimNode]), /Taints: {13}node\.kubernetes\.io\/unreachable:NoExecute\n {20}node\.kubernetes\.io\/unreachable:NoSchedule\n/);
  // The pods' 300 s toleration of unreachable has not run out yet.
  assert.equal((await pods(sb, '-o', 'wide')).filter((r) => r[6] === victimNode).length, onVictim.length);

  await sb.ok(['clock', 'advance', '5m']);
  await sb.ok(['reconcile', '--until-stable']);
  const rows = await pods(sb, '-o', 'wide');
  const live = rows.filter((r) => r[2] === 'Running');
  assert.equal(live.length, 3, JSON.stringify(rows));
  assert.ok(live.every((r) => r[6] !== victimNode), 'replacements run on the other nodes');
  assert.match(await sb.ok(['events']), /TaintManagerEviction\s+Pod\/\S+\s+Marking for deletion Pod default\/\S+/);

  await sb.ok(['node', 'start', victimNode]);
  await sb.ok(['reconcile', '--until-stable']);
  assert.match(await sb.ok(['get', 'node', victimNode, '--no-headers']), new RegExp(`^${victimNode}\\s+Ready\\s+`));
  const now = await pods(sb);
  assert.ok(onVictim.every((n) => !now.some((r) => r[0] === n)), 'the evicted pods are gone once their kubelet is back');
});
