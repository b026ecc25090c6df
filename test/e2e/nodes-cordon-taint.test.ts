// cordon, uncordon and taint end to end: kubectl's lines, errors and exit codes, and
// their effect on the node objects. Every test starts from its own copy of one 3-node cluster.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPerTest } from './helpers';
import { Hosted } from './hosted';

let sb!: Hosted;
copyPerTest(
  () => {}, // the default cluster, created by copyPerTest's first command
  (copy) => (sb = new Hosted(copy)),
);

const taints = (node: string) => sb.ok(['get', 'node', node, '-o', 'jsonpath={.spec.taints}']);

test('cordon / uncordon: messages, already cordoned, dry run, -l', async () => {
  assert.equal(await sb.ok(['cordon', 'node-1']), 'node/node-1 cordoned\n');
  assert.equal(await sb.ok(['get', 'node', 'node-1', '-o', 'jsonpath={.spec.unschedulable}']), 'true');
  assert.match(await sb.ok(['get', 'node', 'node-1']), /\nnode-1\s+Ready,SchedulingDisabled\s/);
  assert.equal(await sb.ok(['cordon', 'node-1']), 'node/node-1 already cordoned\n');
  assert.equal(await sb.ok(['uncordon', 'node-1']), 'node/node-1 uncordoned\n');
  assert.equal(await sb.ok(['get', 'node', 'node-1', '-o', 'jsonpath={.spec.unschedulable}']), '');
  assert.equal(await sb.ok(['uncordon', 'node-1']), 'node/node-1 already uncordoned\n');
  assert.equal(await sb.ok(['cordon', 'node-2', '--dry-run=client']), 'node/node-2 cordoned (dry run)\n');
  assert.equal(await sb.ok(['get', 'node', 'node-2', '-o', 'jsonpath={.spec.unschedulable}']), '');
  await sb.ok(['label', 'node', 'node-3', 'pool=b']);
  assert.equal(await sb.ok(['cordon', '-l', 'pool=b']), 'node/node-3 cordoned\n');
  assert.equal(await sb.ok(['uncordon', '-l', 'pool=b']), 'node/node-3 uncordoned\n');
});

test('cordon errors: no node, both a name and -l, a missing node', async () => {
  const none = await sb.run(['cordon']);
  assert.equal(none.code, 1);
  assert.equal(none.stderr, "error: USAGE: cordon NODE [flags]\nSee 'kubesim cordon -h' for help and examples\n");
  const both = await sb.run(['uncordon', 'node-1', '-l', 'pool=b']);
  assert.equal(both.code, 1);
  assert.equal(both.stderr, "error: cannot specify both a node name and a --selector option\nSee 'kubesim uncordon -h' for help and examples\n");
  const missing = await sb.run(['cordon', 'node-9']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'Error from server (NotFound): nodes "node-9" not found\n');
});

test('taint: add, refuse to overwrite, overwrite, remove by key:effect and by key', async () => {
  assert.equal(await sb.ok(['taint', 'nodes', 'node-2', 'node-role=infra:NoSchedule']), 'node/node-2 tainted\n');
  assert.equal(await taints('node-2'), '[{"effect":"NoSchedule","key":"node-role","value":"infra"}]');
  const again = await sb.run(['taint', 'nodes', 'node-2', 'node-role=db:NoSchedule']);
  assert.equal(again.code, 1);
  assert.equal(again.stderr, 'error: node node-2 already has node-role taint(s) with same effect(s) and --overwrite is false\n');
  assert.equal(await sb.ok(['taint', 'nodes', 'node-2', 'node-role=db:NoSchedule', '--overwrite']), 'node/node-2 modified\n');
  assert.equal(await taints('node-2'), '[{"effect":"NoSchedule","key":"node-role","value":"db"}]');
  // another effect for the same key is a different taint; new taints come first
  assert.equal(await sb.ok(['taint', 'node', 'node-2', 'node-role:NoExecute']), 'node/node-2 tainted\n');
  assert.equal(await taints('node-2'), '[{"effect":"NoExecute","key":"node-role"},{"effect":"NoSchedule","key":"node-role","value":"db"}]');
  assert.equal(await sb.ok(['taint', 'nodes', 'node-2', 'node-role:NoExecute-']), 'node/node-2 untainted\n');
  assert.equal(await sb.ok(['taint', 'nodes', 'node-2', 'node-role-']), 'node/node-2 untainted\n');
  assert.equal(await taints('node-2'), '');
  const gone = await sb.run(['taint', 'nodes', 'node-2', 'node-role-']);
  assert.equal(gone.code, 1);
  assert.equal(gone.stderr, 'error: taint "node-role" not found\n');
});

test('taint: --all, -l, dry run and -o', async () => {
  await sb.ok(['label', 'node', 'node-3', 'pool=b']);
  const all = await sb.ok(['taint', 'nodes', '--all', 'maintenance=soon:PreferNoSchedule']);
  assert.equal(all, 'node/node-1 tainted\nnode/node-2 tainted\nnode/node-3 tainted\n');
  assert.equal(await sb.ok(['taint', 'nodes', '-l', 'pool=b', 'maintenance-']), 'node/node-3 untainted\n');
  // kubectl's taint names no dry run in what it prints
  assert.equal(await sb.ok(['taint', 'nodes', 'node-1', 'x=y:NoSchedule', '--dry-run=client']), 'node/node-1 tainted\n');
  assert.equal(await taints('node-1'), '[{"effect":"PreferNoSchedule","key":"maintenance","value":"soon"}]');
  assert.equal(await sb.ok(['taint', 'nodes', 'node-1', 'maintenance-', '-o', 'name']), 'node/node-1\n');
});

test('taint argument errors', async () => {
  const cases: Array<[string[], string]> = [
    [['taint', 'nodes', 'node-1'], 'error: at least one taint update is required\n'],
    [['taint', 'a=b:NoSchedule'], 'error: one or more resources must be specified as <resource> <name>\n'],
    [['taint', 'nodes', 'k=v:NoSchedule', 'node-1'], 'error: all resources must be specified before taint changes: node-1\n'],
    [['taint', 'nodes', 'node-1', 'k=v:Sometimes'], "error: invalid taint effect: Sometimes, unsupported taint effect\nSee 'kubesim taint -h' for help and examples\n"],
    [['taint', 'nodes', 'node-1', 'k=v'], "error: invalid taint spec: k=v, name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')\nSee 'kubesim taint -h' for help and examples\n"],
    [['taint', 'pods', 'x', 'k=v:NoSchedule'], 'error: invalid resource type pods, only node types are supported\n'],
    [['taint', 'nodes', 'k=v:NoSchedule'], "error: at least one resource name must be specified since 'all' parameter is not set\n"],
    [['taint', 'nodes', 'node-1', 'k=v:NoSchedule', 'k-'], 'error: can not both modify and remove the following taint(s) in the same command: k=\n'],
    [['taint', 'nodes', 'node-9', 'k=v:NoSchedule'], 'Error from server (NotFound): nodes "node-9" not found\n'],
  ];
  for (const [args, stderr] of cases) {
    const r = await sb.run(args);
    assert.equal(r.code, 1, args.join(' '));
    assert.equal(r.stderr, stderr, args.join(' '));
  }
});
