// A daemon is known by its pid AND its start time (and its command line): a stale pid file
// never makes `cluster stop` signal someone else's process. A daemon whose state directory
// is removed or replaced stops by itself within seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { envFor, removeHome, run, start, stateDir, tempHome } from '../stress/cli';
import { alive } from '../helpers/process';
import { recordedServerRuns, serverIdentity, type ServerRecord } from '../../src/kubeconfig/server-record';


async function until(what: string, cond: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a stale pid file naming an unrelated live process: cluster stop signals nobody', async () => {
  const home = tempHome('kubesim-pid-');
  // Long enough to outlive the test on a loaded machine; killed in the finally block.
  const bystander = spawn('sleep', ['3600'], { stdio: 'ignore' });
  try {
    assert.equal(run(home, ['cluster', 'create']).code, 0);
    const pidFile = join(stateDir(home), 'daemon.pid');
    const startTime = fs.readFileSync(`/proc/${bystander.pid}/stat`, 'utf8').split(') ')[1].split(' ')[19];
    // The old format (pid only), a wrong start time, and even the right start time: none is a kubesim daemon.
    for (const content of [String(bystander.pid), `${bystander.pid} 1`, `${bystander.pid} ${startTime}`, 'garbage', '-1', '0']) {
      fs.writeFileSync(pidFile, content);
      const r = run(home, ['cluster', 'stop']);
      assert.equal(r.stdout, 'daemon was not running\n', content);
      assert.ok(alive(bystander.pid!), `bystander killed by a pid file holding ${content}`);
      assert.match(run(home, ['cluster', 'status']).stdout, /Daemon:\s+stopped/);
    }
  } finally {
    bystander.kill('SIGKILL');
    removeHome(home);
  }
});

test('server.json names its server by pid and start time: a recycled pid is not the server', () => {
  const bystander = spawn('sleep', ['3600'], { stdio: 'ignore' });
  try {
    const startTime = fs.readFileSync(`/proc/${bystander.pid}/stat`, 'utf8').split(') ')[1].split(' ')[19];
    const rec: ServerRecord = { port: 1, url: 'https://127.0.0.1:1', pid: bystander.pid };
    // The old form (pid only) and another process's start time name nobody.
    assert.equal(recordedServerRuns(rec), false, 'a record without start time');
    assert.equal(recordedServerRuns({ ...rec, startTime: String(Number(startTime) + 1) }), false, 'a recycled pid');
    assert.equal(recordedServerRuns({ ...rec, startTime }), true, 'the very process');
    assert.equal(recordedServerRuns({ port: 1, url: 'https://127.0.0.1:1', ...serverIdentity() }), true, 'this process as a server');
    assert.equal(recordedServerRuns({ port: 1, pid: bystander.pid, startTime }), false, 'no URL: not serving');
  } finally {
    bystander.kill('SIGKILL');
  }
});

for (const how of ['removed', 'replaced'] as const) {
  test(`a daemon whose state directory is ${how} stops within seconds`, async () => {
    const home = tempHome('kubesim-gone-');
    let pid = 0;
    try {
      assert.equal(run(home, ['cluster', 'create']).code, 0);
      const s = run(home, ['cluster', 'start']);
      assert.equal(s.code, 0, s.stderr);
      pid = Number(/pid (\d+)/.exec(s.stdout)![1]);
      assert.ok(alive(pid));
      const dir = stateDir(home);
      fs.renameSync(dir, dir + '.old');
      if (how === 'removed') fs.rmSync(dir + '.old', { recursive: true, force: true, maxRetries: 5 });
      else {
        // Another directory with the same content, put in place at once: copied beside it
        // (the daemon may still be writing in the old one), then renamed, so the rename fails
        // if anything re-created the removed path in the meantime. The daemon's socket
        // (pki/api.sock) is no file to copy: a new directory has none until a daemon listens.
        fs.cpSync(dir + '.old', dir + '.new', { recursive: true, filter: (src) => !fs.lstatSync(src).isSocket() });
        fs.renameSync(dir + '.new', dir);
      }
      await until(`daemon ${pid} to exit`, () => !alive(pid), 20_000); // seconds, on a loaded 2-core runner
    } finally {
      if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
      removeHome(home);
    }
  });
}

// On a loaded machine (CI on 2 cores) the daemon can take seconds to load before it claims its
// pid file; `cluster start` waits for it as long as it runs, not a fixed 5 s.
test('a daemon slow to start (6 s before its first step) is waited for: cluster start succeeds', { timeout: 60_000 }, async () => {
  const home = tempHome('kubesim-slowstart-');
  const slow = join(home, 'slow-daemon.cjs');
  fs.writeFileSync(slow, "if (process.argv.includes('__daemon')) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 6000);\n");
  try {
    assert.equal(run(home, ['cluster', 'create']).code, 0);
    const r = await start(home, ['cluster', 'start'], '', { ...envFor(home), NODE_OPTIONS: `--require ${slow}` }).done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^daemon running \(pid \d+\)\n$/);
    assert.ok(r.ms >= 6000, `started in ${r.ms} ms: the slow start was not exercised`);
    assert.equal(run(home, ['cluster', 'stop']).stdout, 'daemon stopped\n');
  } finally {
    const pidFile = join(home, 'clusters', 'kubesim', 'daemon.pid');
    const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').split(' ')[0]) : 0;
    if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    removeHome(home);
  }
});
