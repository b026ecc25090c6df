// bin/kubesim is CommonJS with no extension: Node decides its format from the nearest
// package.json, so bin/package.json pins "commonjs" and the command keeps working if the
// package itself becomes "type": "module".
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, TEST_CACHE_HOME } from './helpers';

const pkg = mkdtempSync(join(tmpdir(), 'kubesim-esm-package-'));
after(() => rmSync(pkg, { recursive: true, force: true }));
writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'kubesim', type: 'module' }));
for (const dir of ['bin', 'dist', 'generated']) cpSync(join(ROOT, dir), join(pkg, dir), { recursive: true });

const run = (args: string[], stdin = '') =>
  spawnSync(process.execPath, [join(pkg, 'bin', 'kubesim'), ...args], {
    input: stdin,
    encoding: 'utf8',
    env: { ...process.env, KUBESIM_HOME: join(pkg, '.home'), KUBESIM_NO_DAEMON: '1', NO_COLOR: '1', XDG_CACHE_HOME: TEST_CACHE_HOME },
  });

test('bin/kubesim runs in a package of "type": "module"', () => {
  const version = run(['version', '--client']);
  assert.equal(version.stderr, '');
  assert.match(version.stdout, /^Client Version: v1\.\d+\.\d+\n/);
  const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: esm\ndata:\n  a: "1"\n';
  const apply = run(['apply', '-f', '-'], manifest);
  assert.equal(apply.stderr, '');
  assert.equal(apply.stdout, 'configmap/esm created\n');
  const typo = run(['apply', '-f', '-'], manifest.replace('\ndata:', '\ndta:'));
  assert.equal(typo.status, 1);
  assert.match(typo.stderr, /unknown field "dta"/);
});

test('without bin/package.json, Node would load it as an ES module (what the test guards)', () => {
  rmSync(join(pkg, 'bin', 'package.json'));
  const r = run(['version', '--client']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /require is not defined in ES module scope/);
});

test('an install that was never built says so, with no stack trace', () => {
  const unbuilt = mkdtempSync(join(tmpdir(), 'kubesim-unbuilt-'));
  try {
    cpSync(join(ROOT, 'bin'), join(unbuilt, 'bin'), { recursive: true });
    const r = spawnSync(process.execPath, [join(unbuilt, 'bin', 'kubesim'), 'version'], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: TEST_CACHE_HOME } });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `error: kubesim is not built (${join(unbuilt, 'dist', 'main.cjs')} is missing): run "npm install" or "npm run build" in ${unbuilt}\n`);
  } finally {
    rmSync(unbuilt, { recursive: true, force: true });
  }
});
