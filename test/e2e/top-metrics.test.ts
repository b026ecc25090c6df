// `top node|pod` against the simulated metrics-server: kubectl's tables (TAB-terminated
// cells through the tabwriter, so lines keep trailing padding), usage annotations, errors.
// Every test starts from its own copy of one empty cluster.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPerTest } from './helpers';
import { Hosted } from './hosted';
import { formatNodeTop, formatPodTop, goDuration } from '../../src/cli/top';

let sb!: Hosted;
copyPerTest(
  () => {}, // the default cluster, created by copyPerTest's first command
  (copy) => (sb = new Hosted(copy)),
);

const POD = `
apiVersion: v1
kind: Pod
metadata:
  name: busy
  labels: {app: busy}
  annotations: {kubesim.io/cpu-usage: 250m, kubesim.io/memory-usage: 64Mi}
spec:
  containers:
  - name: a
    image: nginx
    resources: {requests: {cpu: 300m, memory: 100Mi}}
  - name: b
    image: nginx
    resources: {requests: {cpu: 200m, memory: 28Mi}}
`;

/** The pod busy, running with its usage annotations. */
async function runBusy(): Promise<void> {
  await sb.ok(['apply', '-f', sb.file('pod.yaml', POD)]);
  await sb.ok(['wait', '--for=condition=Ready', 'pod/busy', '--timeout=120s']);
}

test('no pods: kubectl says so on stderr and exits 0', async () => {
  const r = await sb.run(['top', 'pod']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'No resources found in default namespace.\n');
});

test('pods that are not running yet: metrics not available yet', async () => {
  await sb.ok(['run', 'young', '--image=nginx']);
  const r = await sb.run(['top', 'pod']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: metrics not available yet\n');
  const named = await sb.run(['top', 'pod', 'young']);
  assert.equal(named.stderr, 'Error from server (NotFound): podmetrics.metrics.k8s.io "default/young" not found\n');
});

test('running pods: usage from the annotations, per container with --containers', async () => {
  await runBusy();
  const r = await sb.run(['top', 'pod']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'NAME   CPU(cores)   MEMORY(bytes)   \nbusy   250m         64Mi            \n');
  // split by requests: 300m/200m of cpu, 100Mi/28Mi of memory
  assert.equal(await sb.ok(['top', 'pod', 'busy', '--containers']), 'POD    NAME   CPU(cores)   MEMORY(bytes)   \nbusy   a      150m         50Mi            \nbusy   b      100m         14Mi            \n');
  assert.equal(await sb.ok(['top', 'pod', '-l', 'app=busy', '--no-headers']), 'busy   250m   64Mi   \n');
  const all = await sb.ok(['top', 'pods', '-A']);
  assert.match(all.split('\n')[0], /^NAMESPACE\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s+$/);
  assert.match(all, /\ndefault\s+busy\s+250m\s+64Mi\s+\n/);
});

test('top node: every Ready node with usage and percentages of allocatable', async () => {
  await runBusy();
  const r = await sb.run(['top', 'node']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').slice(0, -1);
  assert.equal(lines[0], 'NAME     CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)   ');
  const nodes = (await sb.ok(['get', 'nodes', '-o', 'name'])).trim().split('\n').map((n) => n.replace('node/', ''));
  assert.equal(lines.length - 1, nodes.length);
  for (const l of lines.slice(1)) assert.match(l, /^node-\d+\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%\s+$/);
  // the node running busy carries its 250m
  const node = await sb.ok(['get', 'pod', 'busy', '-o', 'jsonpath={.spec.nodeName}']);
  const cpu = (n: string) => Number(/^\S+\s+(\d+)m/.exec(lines.find((l) => l.startsWith(n + ' '))!)![1]);
  assert.ok(cpu(node) >= 250 + 40, r.stdout);
  const sorted = (await sb.ok(['top', 'node', '--sort-by=cpu', '--no-headers'])).trim().split('\n');
  assert.equal(sorted[0].split(/\s+/)[0], node);
});

test('errors: bad --sort-by, unknown node and pod, NAME with a selector', async () => {
  let r = await sb.run(['top', 'pod', '--sort-by=disk']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: --sort-by accepts only cpu or memory\n');
  r = await sb.run(['top', 'node', 'nope']);
  assert.equal(r.stderr, 'Error from server (NotFound): nodemetrics.metrics.k8s.io "nope" not found\n');
  r = await sb.run(['top', 'pod', 'nope']);
  assert.equal(r.stderr, 'Error from server (NotFound): podmetrics.metrics.k8s.io "default/nope" not found\n');
  r = await sb.run(['top', 'pod', 'busy', '-l', 'app=busy']);
  assert.equal(r.stderr, 'error: only one of NAME or selector can be provided\n');
});

test('printer: nodes without metrics as <unknown>, --sum totals, sorting', async () => {
  const out = formatNodeTop(
    [
      { name: 'b', usage: { cpuMilli: 500, memBytes: 1024 * 1024 * 1024 }, available: { cpuMilli: 2000, memBytes: 4 * 1024 ** 3 } },
      { name: 'a', usage: { cpuMilli: 100, memBytes: 512 * 1024 * 1024 }, available: { cpuMilli: 2000, memBytes: 4 * 1024 ** 3 } },
      { name: 'c', available: { cpuMilli: 2000, memBytes: 4 * 1024 ** 3 } },
    ],
    { sortBy: 'memory' },
  );
  assert.equal(
    out,
    'NAME   CPU(cores)   CPU(%)      MEMORY(bytes)   MEMORY(%)   \n' +
      'b      500m         25%         1024Mi          25%         \n' +
      'a      100m         5%          512Mi           12%         \n' +
      'c      <unknown>    <unknown>   <unknown>       <unknown>   \n',
  );
  const pods = [
    { namespace: 'default', name: 'x', containers: [{ name: 'c', cpuMilli: 5, memBytes: 3 * 1024 * 1024 }] },
    { namespace: 'default', name: 'y', containers: [{ name: 'c', cpuMilli: 7, memBytes: 10 * 1024 * 1024 }] },
  ];
  assert.equal(formatPodTop(pods, { sum: true, sortBy: 'cpu' }), 'NAME   CPU(cores)   MEMORY(bytes)   \ny      7m           10Mi            \nx      5m           3Mi             \n       ________     ________        \n       12m          13Mi            \n');
  assert.equal(goDuration(183_500), '3m3.5s');
  assert.equal(goDuration(7_200_000), '2h0m0s');
});
