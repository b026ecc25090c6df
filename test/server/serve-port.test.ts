// `kubesim serve --port N` on a cluster created with another port: the announced context
// reaches the server (its kubeconfig entry follows the port), for kubectl and for a
// later restart without --port.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { freePort } from '../../src/kubeconfig/cluster-entry';
import { ServedCluster, until } from './harness';

const c = new ServedCluster('moved');
after(() => c.stop());

test('serve --port N: kubectl --context kubesim-<name> reaches the server on N', async () => {
  c.ok(['cluster', 'create', c.name, '--nodes', '1']);
  const created = /server: (\S+)/.exec(readFileSync(c.kubeconfig, 'utf8'))![1];
  let port = await freePort();
  while (created.endsWith(`:${port}`)) port = await freePort();
  // the harness fails when the kubeconfig does not point at the address served
  await c.serve(['--port', String(port)]);
  assert.equal(c.url, `https://127.0.0.1:${port}`);
  const r = c.kubectl(['--context', 'kubesim-moved', 'get', 'nodes', '-o', 'name']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'node/node-1\n');
});

/** The server the kubeconfig's kubesim-<name> cluster entry names. */
const inKubeconfig = (c: ServedCluster) => /server: (\S+)/.exec(readFileSync(c.kubeconfig, 'utf8'))![1];

/** Starts the cluster's daemon (this test's own process) and waits until the kubeconfig names a server other than `was`; its pid. */
async function startDaemon(c: ServedCluster, was: string): Promise<number> {
  const r = c.kubesim(['cluster', 'start'], { env: { KUBESIM_NO_DAEMON: '' } });
  assert.equal(r.code, 0, r.stderr);
  const pid = Number(/pid (\d+)/.exec(r.stdout)![1]);
  await until(() => `the kubeconfig to leave ${was} (daemon pid ${pid})`, () => inKubeconfig(c) !== was);
  return pid;
}

/** SIGTERM to a daemon this test started; waits until the process is gone. */
async function stopDaemon(pid: number): Promise<void> {
  process.kill(pid, 'SIGTERM');
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  await until(`daemon pid ${pid} to exit`, () => !alive());
}

test('two servers of one cluster: the kubeconfig names one that answers as each stops, and a new server on the old port', async () => {
  const c2 = new ServedCluster('two');
  const daemons: number[] = [];
  try {
    c2.ok(['cluster', 'create', c2.name, '--nodes', '1']);
    await c2.serve(); // serve only (KUBESIM_NO_DAEMON=1), on the port recorded at create
    const first = c2.url;
    const nodes = () => c2.kubectl(['--context', 'kubesim-two', 'get', 'nodes', '-o', 'name']);
    // A daemon started meanwhile finds that port taken: it serves on another, named by the kubeconfig.
    daemons.push(await startDaemon(c2, first));
    assert.equal(nodes().stdout, 'node/node-1\n');
    // The daemon stops: the entry goes back to the server still running.
    await stopDaemon(daemons[0]);
    assert.equal(inKubeconfig(c2), first);
    let r = nodes();
    assert.deepEqual([r.code, r.stdout], [0, 'node/node-1\n'], r.stderr);
    // Another daemon; then the first server stops, then the daemon: nothing answers, the
    // entry names the daemon's address.
    daemons.push(await startDaemon(c2, first));
    const second = inKubeconfig(c2);
    await c2.terminate();
    assert.equal(inKubeconfig(c2), second);
    await stopDaemon(daemons[1]);
    // A new server takes the recorded port again: the entry follows it (the harness checks
    // that the kubeconfig names the address served), and kubectl reaches it.
    await c2.serve();
    assert.equal(c2.url, first);
    r = nodes();
    assert.deepEqual([r.code, r.stdout], [0, 'node/node-1\n'], r.stderr);
  } finally {
    for (const pid of daemons) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    await c2.stop();
  }
});
