// `reconcile --until-stable` judges stability over its window: a running container whose own
// command ends long after the window (`sleep 3600`) is steady state (the run settles, as with
// nginx), while one that ends inside it is followed (a Job completes, a short sleep restarts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPerTest } from './helpers';
import { Hosted } from './hosted';

let sb!: Hosted;
copyPerTest(
  (base) => new Hosted(base).ok(['cluster', 'create', '--nodes', '2']),
  (copy) => (sb = new Hosted(copy)),
);

const template = (app: string, seconds: number) => `
  selector: {matchLabels: {app: ${app}}}
  template:
    metadata: {labels: {app: ${app}}}
    spec:
      containers:
      - {name: c, image: busybox, command: [sleep, "${seconds}"]}`;

const workloads = (seconds: number) => `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 2${template('web', seconds)}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds}
spec:${template('ds', seconds)}
`;

async function podRows(): Promise<string[][]> {
  return (await sb.ok(['get', 'pods', '--no-headers'])).trim().split('\n').map((l) => l.split(/\s+/));
}

test('a StatefulSet and a DaemonSet running sleep 3600 settle: the command ends after the window', async () => {
  await sb.ok(['apply', '-f', sb.file('w.yaml', workloads(3600))]);
  const r = await sb.run(['reconcile', '--until-stable']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^cluster is stable \(simulated time advanced \d+s\)\n$/);
  const rows = await podRows();
  assert.deepEqual(rows.map((c) => c[0].replace(/^ds-\w+$/, 'ds-*')).sort(), ['ds-*', 'ds-*', 'web-0', 'web-1']);
  for (const c of rows) assert.deepEqual(c.slice(1, 4), ['1/1', 'Running', '0'], c.join(' '));
  // The command still ends when its hour is up, and the container restarts (restartPolicy Always).
  await sb.ok(['clock', 'advance', '61m']);
  for (const c of await podRows()) assert.equal(c[3], '1', `restarted once: ${c.join(' ')}`);
});

test('a command that ends inside the window is followed: a Job completes, a short sleep in a pod restarts and stays unsettled', async () => {
  await sb.ok(['create', 'job', 'j', '--image=busybox', '--', 'sleep', '60']);
  const job = await sb.run(['reconcile', '--until-stable']);
  assert.equal(job.code, 0, job.stdout + job.stderr);
  assert.match(await sb.ok(['get', 'job', 'j', '--no-headers']), /^j\s+Complete\s+1\/1\s/);

  await sb.ok(['run', 'loop', '--image=busybox', '--', 'sleep', '300']);
  const loop = await sb.run(['reconcile', '--until-stable']);
  assert.equal(loop.code, 1);
  assert.match(loop.stdout, /^cluster is not stable after \d+m\d*s? of simulated time\n$/);
  assert.match(await sb.ok(['get', 'pod', 'loop', '--no-headers']), /^loop\s+\S+\s+\S+\s+[12] \(/);
});
