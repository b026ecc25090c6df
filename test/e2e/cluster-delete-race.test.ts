// Only `cluster create` makes a cluster's store (issue #12): a command that found the
// cluster and then opens its store, or writes to the store it opened, after `cluster delete`
// removed it fails with the cluster-not-found error, and leaves no empty cluster directory
// behind.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, ROOT, Sandbox } from './helpers';
import { until } from '../helpers/servers';
import { openStore } from '../../src/store/registry';
import { StoreNotFoundError } from '../../src/store/file-store-support';

const stopped = (pid: number) => {
  try {
    return /^\d+ \(.*\) T /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')) || undefined;
  } catch {
    return undefined;
  }
};

/**
 * Runs `args` against cluster x stopped at a store fault point (SIGSTOP), deletes the cluster
 * there, lets the command go on, and checks it says the cluster does not exist, exits 1,
 * prints nothing else and re-creates nothing.
 */
async function deletedAt(point: string, args: string[]): Promise<void> {
  const sb = new Sandbox();
  try {
    sb.ok(['cluster', 'create', 'x']);
    const dir = join(sb.home, 'clusters', 'x');
    const cmd = spawn(process.execPath, [BIN, '--context', 'x', ...args], { cwd: ROOT, env: sb.env({ KUBESIM_STORE_FAULT: `${point}:stop@${dir}` }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    cmd.stdout.on('data', (d) => (out += d));
    cmd.stderr.on('data', (d) => (err += d));
    const done = new Promise<number | null>((r) => cmd.once('exit', (c) => r(c)));
    try {
      await until(`the command to stop at the store's ${point}`, 30_000, () => stopped(cmd.pid!), 20);
      assert.equal(sb.ok(['cluster', 'delete', 'x']), 'cluster "x" deleted\n');
      process.kill(cmd.pid!, 'SIGCONT');
      assert.equal(await done, 1);
      assert.deepEqual([out, err], ['', 'error: cluster "x" does not exist (create it with: kubesim cluster create x)\n']);
      assert.equal(existsSync(dir), false, 'the deleted cluster directory was made again');
      assert.equal(sb.run(['cluster', 'list']).stderr, 'No clusters found. Create one with: kubesim cluster create\n');
    } finally {
      if (cmd.exitCode === null && cmd.signalCode === null) {
        cmd.kill('SIGKILL');
        await done;
      }
    }
  } finally {
    sb.cleanup();
  }
}

test('a command whose cluster is deleted while it opens the store says the cluster does not exist and re-creates nothing', async () => {
  // Stopped at the store's open, after the CLI found the cluster.
  await deletedAt('open', ['get', 'pods']);
});

test('a command whose cluster is deleted after it opened the store, before it writes, fails the same way', async () => {
  // Stopped where the write takes the store's lock: the open succeeded, the cluster is gone.
  await deletedAt('take', ['create', 'configmap', 'a', '--from-literal=k=v']);
});

test('the file:// driver opens only a store that exists unless its URL says create=1', async () => {
  const home = mkdtempSync(join(tmpdir(), 'kubesim-open-'));
  try {
    const gone = join(home, 'gone');
    await assert.rejects(openStore(`file://${gone}`), (e: unknown) => e instanceof StoreNotFoundError && e.message === `no kubesim store in ${gone}`);
    assert.equal(existsSync(gone), false);
    // Half removed (a recursive delete under way): nothing is put back into it.
    const half = join(home, 'half');
    mkdirSync(join(half, 'meta'), { recursive: true });
    await assert.rejects(openStore(`file://${half}`), StoreNotFoundError);
    assert.equal(existsSync(join(half, 'registry')), false);

    const made = join(home, 'made');
    const s = await openStore(`file://${made}?create=1`);
    await s.close();
    const again = await openStore(`file://${made}`);
    await again.close();
    rmSync(made, { recursive: true });
    await assert.rejects(openStore(`file://${made}`), StoreNotFoundError);
    assert.equal(existsSync(made), false);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
