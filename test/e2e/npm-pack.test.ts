// The install path the README gives (`npm pack`, then `npm install -g ./kubesim-*.tgz`):
// the packed tarball, installed into an empty prefix, runs `kubesim version` and
// `kubesim validate` from there. This is the bundle users get (package.json "files"), not
// the sources the other tests load through tsx.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, TEST_CACHE_HOME } from './helpers';
import { requireTool } from '../oracles';

const work = mkdtempSync(join(tmpdir(), 'kubesim-pack-'));
after(() => rmSync(work, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd: string, timeout = 120_000): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, HOME: join(work, 'home'), XDG_CACHE_HOME: TEST_CACHE_HOME, KUBESIM_HOME: join(work, 'state'), npm_config_update_notifier: 'false' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the packed tarball installs into an empty prefix and runs version and validate', { timeout: 300_000 }, () => {
  requireTool('npm', ['--version'], 'npm');
  assert.ok(existsSync(join(ROOT, 'dist', 'main.cjs')), 'dist/main.cjs is missing: run `node scripts/build.mjs` first (npm test does)');
  mkdirSync(join(work, 'home'));
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;

  // --ignore-scripts: pack what was built (the `prepare` build already ran for this suite).
  const pack = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT);
  assert.equal(pack.code, 0, pack.stderr);
  const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  const files = info.files.map((f) => f.path).sort();
  for (const f of ['bin/kubesim', 'bin/package.json', 'dist/main.cjs', 'dist/fast.cjs', 'dist/verb-get.cjs', 'dist/lib/yaml.cjs', 'dist/lib/node-forge.cjs', 'dist/dashboard/index.html', 'dist/dashboard/app.js', 'dist/dashboard/app.css', 'generated/schemas.json', 'generated/validators.cjs', 'package.json']) assert.ok(files.includes(f), `${f} is not in the tarball: ${files.join(', ')}`);
  assert.deepEqual(files.filter((f) => /^(src|test|bench|scripts|node_modules)\//.test(f)), [], 'sources stay out of the tarball');

  const prefix = join(work, 'prefix');
  mkdirSync(prefix);
  const install = run('npm', ['install', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(work, info.filename)], work, 240_000);
  assert.equal(install.code, 0, install.stderr);
  const kubesim = join(prefix, 'node_modules', '.bin', 'kubesim');
  assert.ok(existsSync(kubesim), 'the kubesim bin is not linked');

  const v = run(kubesim, ['version', '--client'], work);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /^Client Version: v1\.32\.\d+\n/);
  assert.match(v.stdout, new RegExp(`kubesim Version: ${version.replace(/\./g, '\\.')} `));

  const dir = join(work, 'k8s');
  mkdirSync(dir);
  writeFileSync(join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  a: "1"\n');
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replica: 1 } }));
  const ok = run(kubesim, ['validate', join(dir, 'cm.yaml')], work);
  assert.deepEqual([ok.code, ok.stdout, ok.stderr], [0, '1 resources: 1 valid, 0 invalid, 0 skipped, 0 errors\n', '']);
  // A glob through the bundled tinyglobby (an ESM package inside the CommonJS bundle).
  const bad = run(kubesim, ['validate', 'k8s/*.{yaml,json}'], work);
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stdout, /^k8s\/bad.json:1:79: error: unknown field "replica" in io.k8s.api.apps.v1.DeploymentSpec/m);
  assert.match(bad.stdout, /^2 resources: 1 valid, 1 invalid/m);
});
