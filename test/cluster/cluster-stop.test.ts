// `kubesim cluster stop` and `cluster delete` with several API servers over one etcd: every
// `kubesim serve` of the cluster stops (the daemon of daemon.pid and the others listed in
// apiservers/), and an entry naming an unrelated process (a stale file whose pid now
// belongs to someone else) never gets that process signalled.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { EtcdCluster } from '../helpers/etcd';
import { alive } from '../helpers/process';
import { EtcdBackedCluster, until, type Server } from '../helpers/servers';

let etcd: EtcdCluster | undefined;
let cluster: EtcdBackedCluster | undefined;
const bystander = spawn('sleep', ['3600'], { stdio: 'ignore' });
after(async () => {
  bystander.kill('SIGKILL');
  await cluster?.close();
  await etcd?.close();
});

const ELECTION = ['--leader-elect-lease-duration', '2s', '--leader-elect-renew-deadline', '1500ms', '--leader-elect-retry-period', '250ms'];

const startTime = (pid: number) => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[19];
const exited = (s: Server) => until(`server pid ${s.proc.pid} to exit`, 20_000, () => (s.exited ? true : undefined));

test('cluster stop stops every kubesim serve of an etcd cluster, and signals no unrelated process', async (t) => {
  etcd = await EtcdCluster.start(1);
  cluster = new EtcdBackedCluster();
  cluster.ok(['cluster', 'create', 'lab', '--store', `${etcd.url}?timeout=10s`, '--nodes', '1']);
  const dir = join(cluster.home, 'clusters', 'lab');
  const entries = () => fs.readdirSync(join(dir, 'apiservers')).sort();

  const a = await cluster.serve(ELECTION);
  const b = await cluster.serve(ELECTION);
  assert.deepEqual(entries(), [a, b].map((s) => `${s.proc.pid}.json`).sort(), 'each server lists itself');
  // Stale entries: an unrelated live process with its true start time, this test process
  // with a wrong one, its parent without one (the old format), and a pid that no longer runs.
  const other = bystander.pid!;
  const stale = (pid: number, body: object) => fs.writeFileSync(join(dir, 'apiservers', `${pid}.json`), JSON.stringify({ url: 'https://127.0.0.1:1', pid, ...body }));
  stale(other, { startTime: startTime(other) });
  stale(process.pid, { startTime: '1' });
  stale(process.ppid, {});
  stale(4194300, { startTime: '1' });

  const r = cluster.kubesim(['cluster', 'stop', 'lab']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines[0], 'daemon stopped', r.stdout);
  assert.deepEqual(
    lines.slice(1).sort(),
    [b].map((s) => `API server at ${s.url} (pid ${s.proc.pid}) stopped`).sort(),
    r.stdout,
  );
  await Promise.all([a, b].map(exited));
  t.diagnostic(`exits: ${[a, b].map((s) => `${s.proc.exitCode}/${s.proc.signalCode}`).join(' ')}`);
  assert.ok(alive(other), 'the unrelated process named by a stale entry still runs');
  assert.deepEqual(entries(), [], 'no entry is left behind');
  assert.equal(fs.existsSync(join(dir, 'daemon.pid')), false);
  assert.equal(cluster.kubesim(['cluster', 'stop', 'lab']).stdout, 'daemon was not running\n');

  // Nothing outlives its cluster: delete stops every server too.
  const d = await cluster.serve(ELECTION);
  const e = await cluster.serve(ELECTION);
  const del = cluster.kubesim(['cluster', 'delete', 'lab']);
  assert.equal(del.code, 0, del.stderr);
  await Promise.all([d, e].map(exited));
  assert.ok(alive(other));
});
