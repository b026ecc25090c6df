// `get -w` follows the change journal: rows for objects created, changed and deleted by
// other processes while it runs. Each test has its own cluster, and waits for what the
// watcher prints (with a deadline), never for a fixed time.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Sandbox, BIN, TEST_CACHE_HOME } from './helpers';

interface Watch {
  stdout(): string;
  /** Resolves once `pred(stdout)` holds; rejects with what was printed after `ms`. */
  until(pred: (out: string) => boolean, what: string, ms?: number): Promise<void>;
  /** Resolves with the exit code once the watcher ends by itself. */
  exited(): Promise<number | null>;
  /** Ends the watcher (SIGTERM) unless it has ended; resolves with its exit code. */
  stop(): Promise<number | null>;
}

function watch(sb: Sandbox, args: string[]): Watch {
  const p = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, XDG_CACHE_HOME: TEST_CACHE_HOME, KUBESIM_HOME: sb.home, KUBESIM_NO_DAEMON: '1', NO_COLOR: '1' },
  });
  let out = '';
  let code: number | null | undefined;
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  p.stdout.on('data', (d) => ((out += d), wake()));
  const closed = new Promise<number | null>((resolve) => p.on('close', (c) => ((code = c), wake(), resolve(c))));
  return {
    stdout: () => out,
    until(pred, what, ms = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pred(out)) done(resolve);
          else if (code !== undefined) done(() => reject(new Error(`watcher exited ${code} before ${what}; it printed:\n${out}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${what} within ${ms} ms; the watcher printed:\n${out}`))), ms);
        const done = (f: () => void) => (clearTimeout(timer), waiters.delete(check), f());
        waiters.add(check);
        check();
      });
    },
    exited: () => closed,
    stop() {
      if (code === undefined) p.kill('SIGTERM');
      return closed;
    },
  };
}

const row = (name: string) => new RegExp(`^${name}\\s+1\\s+\\d+s$`, 'm');

test('get -w prints the table, then a row per change', async () => {
  const sb = new Sandbox();
  sb.ok(['create', 'configmap', 'first', '--from-literal=a=1']);
  const w = watch(sb, ['get', 'configmaps', '-w']);
  try {
    // The initial list is printed, then the watcher follows the journal. (It starts from the
    // revision current when it starts following, not the list's resourceVersion as kubectl
    // does: a change in between would be missed. A CLI run here takes far longer than that.)
    await w.until((o) => row('first').test(o), 'row for "first"');
    sb.ok(['create', 'configmap', 'second', '--from-literal=a=1']);
    sb.ok(['delete', 'configmap', 'first']);
    await w.until((o) => row('second').test(o) && o.split('\n').filter((l) => l.startsWith('first')).length >= 2, 'rows for "second" and the deletion of "first"');
    const lines = w.stdout().trim().split('\n');
    assert.match(lines[0], /^NAME\s+DATA\s+AGE$/);
  } finally {
    await w.stop();
    sb.cleanup();
  }
});

test('--watch-only -o name prints only changes', async () => {
  const sb = new Sandbox();
  sb.ok(['create', 'configmap', 'before']);
  const w = watch(sb, ['get', 'configmaps', '--watch-only', '-o', 'name']);
  try {
    // Nothing is printed until something changes: poke until the watcher shows it follows.
    for (let i = 0; ; i++) {
      sb.ok(['create', 'configmap', `probe-${i}`]);
      try {
        await w.until((o) => o.includes(`configmap/probe-${i}\n`), `configmap/probe-${i}`, 2_000 + i * 2_000);
        break;
      } catch (e) {
        if (i === 5) throw e;
      }
    }
    sb.ok(['create', 'configmap', 'third']);
    await w.until((o) => o.endsWith('configmap/third\n'), 'configmap/third');
    assert.deepEqual(w.stdout().split('\n').filter((l) => l && !l.startsWith('configmap/probe-')), ['configmap/third'], 'no table, no existing object');
  } finally {
    await w.stop();
    sb.cleanup();
  }
});

test('--request-timeout ends the watch with exit 0 after the table', async () => {
  const sb = new Sandbox();
  try {
    sb.ok(['create', 'configmap', 'only', '--from-literal=a=1']);
    const w = watch(sb, ['get', 'configmaps', '-w', '--request-timeout=1s']);
    const code = await Promise.race([w.exited(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('still watching 30 s after a 1 s --request-timeout')), 30_000).unref())]);
    assert.equal(code, 0);
    assert.match(w.stdout(), /^NAME\s+DATA\s+AGE\n/);
    assert.match(w.stdout(), row('only'));
  } finally {
    sb.cleanup();
  }
});
