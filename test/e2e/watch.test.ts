// `get -w` follows the change journal: rows for objects created, changed and deleted by
// other processes while it runs.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Sandbox, BIN, TEST_CACHE_HOME } from './helpers';

const sb = new Sandbox();
after(() => sb.cleanup());

function watchFor(args: string[], ms: number): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args, `--request-timeout=${ms}ms`], {
      env: { ...process.env, XDG_CACHE_HOME: TEST_CACHE_HOME, KUBESIM_HOME: sb.home, KUBESIM_NO_DAEMON: '1', NO_COLOR: '1' },
    });
    let stdout = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.on('close', (code) => resolve({ stdout, code }));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('get -w prints the table, then a row per change', async () => {
  sb.ok(['create', 'configmap', 'first', '--from-literal=a=1']);
  const watching = watchFor(['get', 'configmaps', '-w'], 2500);
  await sleep(700);
  sb.ok(['create', 'configmap', 'second', '--from-literal=a=1']);
  sb.ok(['delete', 'configmap', 'first']);
  const { stdout, code } = await watching;
  assert.equal(code, 0);
  const lines = stdout.trim().split('\n');
  assert.match(lines[0], /^NAME\s+DATA\s+AGE$/);
  assert.ok(lines.some((l) => /^first\s+1\s+\d+s$/.test(l)), stdout);
  assert.ok(lines.slice(1).some((l) => /^second\s+1\s+\d+s$/.test(l)), `second appears: ${stdout}`);
  assert.ok(lines.filter((l) => l.startsWith('first')).length >= 2, `deletion shows first again: ${stdout}`);
});

test('--watch-only -o name prints only changes', async () => {
  const watching = watchFor(['get', 'configmaps', '--watch-only', '-o', 'name'], 2000);
  await sleep(700);
  sb.ok(['create', 'configmap', 'third']);
  const { stdout } = await watching;
  assert.equal(stdout, 'configmap/third\n');
});
