// The etcd backend report of `kubesim cluster status`, checked against etcdctl itself on a
// real 3-member cluster: the same tables (plus a REVISION column), and a member that is
// down shows as an unreachable row instead of failing the report.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdCluster } from '../helpers/etcd';
import { endpointStatuses, etcdBackendReport, formatEndpointStatus, humanBytes } from '../../src/store/etcd-status';

let etcd: EtcdCluster | undefined;
after(async () => {
  await etcd?.close();
});

/** A table without one of its columns (by header name). */
function dropColumn(table: string, name: string): string {
  const lines = table.trimEnd().split('\n');
  const header = lines[1].split('|');
  const col = header.findIndex((c) => c.trim() === name);
  assert.ok(col > 0, `column ${name}`);
  return lines.map((l) => splitCells(l).filter((_, i) => i !== col).join(l[0])).join('\n') + '\n';
}

function splitCells(line: string): string[] {
  return line.split(line[0] === '+' ? '+' : '|');
}

test('humanBytes prints sizes as etcdctl does', () => {
  assert.equal(humanBytes(5), '5 B');
  assert.equal(humanBytes(20480), '20 kB');
  assert.equal(humanBytes(24576), '25 kB');
  assert.equal(humanBytes(1_500_000), '1.5 MB');
});

test('cluster status backend report: etcdctl endpoint status and member list, with revisions', async () => {
  etcd = await EtcdCluster.start(3);
  const ours = async () => formatEndpointStatus(await endpointStatuses(etcd!.endpoints));
  // raft indexes move on their own now and then: compare when etcdctl agrees with itself around ours
  let matched = false;
  for (let i = 0; i < 10 && !matched; i++) {
    const first: string = etcd.etcdctl(['endpoint', 'status', '-w', 'table']);
    const mine = await ours();
    const afterwards: string = etcd.etcdctl(['endpoint', 'status', '-w', 'table']);
    if (first !== afterwards) continue;
    assert.equal(dropColumn(mine, 'REVISION'), first);
    matched = true;
  }
  assert.ok(matched, 'etcdctl gave a stable table');
  const report = await etcdBackendReport(etcd.endpoints);
  assert.ok(report.includes(etcd.etcdctl(['member', 'list', '-w', 'table'])), report);
  const statuses = await endpointStatuses(etcd.endpoints);
  assert.equal(statuses.filter((s) => s.leader).length, 1);
  assert.ok(statuses.every((s) => s.revision! >= 1));

  await etcd.stop(1);
  const down = await etcdBackendReport(etcd.endpoints);
  const row = down.split('\n').find((l) => l.includes(etcd!.endpoints[1]) && l.startsWith('| 127'));
  assert.ok(row && row.trimEnd().endsWith('unreachable |'), down);
  assert.match(down, /\| +started \|/);
});
