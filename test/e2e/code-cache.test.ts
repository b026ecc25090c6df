// bin/kubesim runs the bundle with V8's code cache under $XDG_CACHE_HOME/kubesim: private,
// replaced atomically, and never a reason for a command to fail or print anything else.
import { test, afterEach, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sandbox } from './helpers';
import { crdYaml } from '../helpers/crd';

// Each test has its own state directory and an empty cache directory of its own.
let sb!: Sandbox;
let cacheHome = '';
let cacheDir = '';
beforeEach(() => {
  sb = new Sandbox();
  cacheHome = mkdtempSync(join(tmpdir(), 'kubesim-cache-test-'));
  cacheDir = join(cacheHome, 'kubesim');
});
afterEach(() => {
  sb.cleanup();
  rmSync(cacheHome, { recursive: true, force: true });
});

// `version --client` with a global flag in front: a command line the start-up fast path
// (dist/fast.cjs, test/e2e/fast-path.test.ts) leaves to the bundle, whose cache this tests.
const VERSION = ['-n', 'default', 'version', '--client'];
const run = (args: string[], xdg = cacheHome, stdin?: string) => sb.run(args, { env: { XDG_CACHE_HOME: xdg }, stdin });
/** Cache files (of the bundle, main.cjs, unless another file's name is given). */
const cacheFiles = (of = 'main') => readdirSync(cacheDir).filter((f) => f.startsWith(of) && f.endsWith('.v8cache'));

test('the first run writes a private cache; later runs use it without rewriting it', () => {
  const first = run(VERSION);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^Client Version: v1\.32\.\d+\n/);
  assert.equal(first.stderr, '');
  const [file] = cacheFiles();
  assert.ok(file, 'a cache file was written');
  assert.equal(statSync(cacheDir).mode & 0o777, 0o700);
  assert.equal(statSync(join(cacheDir, file)).mode & 0o777, 0o600);
  const before = statSync(join(cacheDir, file));
  const second = run(VERSION);
  assert.equal(second.stdout, first.stdout);
  const afterRun = statSync(join(cacheDir, file));
  assert.equal(afterRun.ino, before.ino, 'an accepted cache is not rewritten');
  assert.equal(afterRun.mtimeMs, before.mtimeMs);
});

test('a corrupt or truncated cache is ignored and replaced', () => {
  run(VERSION);
  const [file] = cacheFiles();
  const path = join(cacheDir, file);
  for (const damage of [Buffer.from('not a V8 code cache at all'), readFileSync(path).subarray(0, 100)]) {
    writeFileSync(path, damage);
    const r = run(VERSION);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Client Version: /);
    assert.equal(r.stderr, '');
    assert.ok(statSync(path).size > damage.length, 'replaced by a real cache');
  }
  const bad = run(['get', 'nosuchkind']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^error: the server doesn't have a resource type "nosuchkind"\n$/);
});

test('commands that load the validators and the YAML parser work from the cache', () => {
  const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cached\ndata:\n  a: "1"\n';
  for (let i = 0; i < 2; i++) {
    const v = run(['validate', '-'], cacheHome, manifest);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    const a = run(['apply', '-f', '-'], cacheHome, manifest);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /^configmap\/cached (created|unchanged)\n$/);
    const typo = run(['apply', '-f', '-'], cacheHome, manifest.replace('\ndata:', '\ndta:'));
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /unknown field "dta"/);
  }
  // The generated validators (1 MB of code) are compiled with a cache of their own.
  assert.equal(cacheFiles('validators.cjs').length, 1);
});

test('a long validate rewrites, once, as -long the caches a short one wrote; every later validate reads them; other verbs keep theirs', () => {
  // KUBESIM_CACHE_LONG_RUN_MS: what counts as a long run (bin/kubesim's longRun), fixed here
  // so that neither run's class depends on this machine's speed or load.
  const validate = (limitMs: string, stdin: string) => sb.run(['validate', '-'], { env: { XDG_CACHE_HOME: cacheHome, KUBESIM_CACHE_LONG_RUN_MS: limitMs }, stdin });
  const SHORT = '100000000';
  const LONG = '1';
  const small = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n';
  // A CRD, its custom resource (found invalid) and a Deployment: code the ConfigMap never ran.
  const large = [
    crdYaml({ plural: 'widgets', kind: 'Widget', schema: 'properties:\n  spec:\n    type: object\n    properties:\n      size: {type: integer, minimum: 1}' }),
    'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 0}\n',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: nginx}]}\n',
  ].join('---\n');
  const bundleCaches = () => cacheFiles('verb-validate.cjs');
  const at = (f: string) => statSync(join(cacheDir, f));

  assert.equal(validate(SHORT, small).code, 0);
  const [first] = bundleCaches();
  assert.doesNotMatch(first, /-long\.v8cache$/);
  const firstSize = at(first).size;
  assert.equal(cacheFiles('common.cjs').length, 1, 'the validators\' shared chunk has a cache');

  const long = validate(LONG, large);
  assert.equal(long.code, 1, long.stdout + long.stderr);
  assert.match(long.stdout, /spec\.size: Invalid value: 0/);
  const rewritten = bundleCaches();
  assert.deepEqual(rewritten, [first.replace(/\.v8cache$/, '-long.v8cache')], 'the short run\'s cache was replaced');
  assert.ok(at(rewritten[0]).size > firstSize, `holds what the long run compiled too (${at(rewritten[0]).size} > ${firstSize} bytes)`);
  assert.deepEqual(cacheFiles('common.cjs').map((f) => f.endsWith('-long.v8cache')), [true], 'the chunks the short run cached, too');

  // Read as they are by a later long run and by a short one (which writes no cache of its own).
  const before = at(rewritten[0]);
  assert.deepEqual(validate(LONG, large), long);
  assert.equal(validate(SHORT, small).code, 0);
  assert.deepEqual(bundleCaches(), rewritten);
  assert.equal(at(rewritten[0]).ino, before.ino);
  assert.equal(at(rewritten[0]).mtimeMs, before.mtimeMs);

  // Another verb's cache is its first run's, however long the runs.
  for (let i = 0; i < 2; i++) assert.equal(sb.run(VERSION, { env: { XDG_CACHE_HOME: cacheHome, KUBESIM_CACHE_LONG_RUN_MS: i ? LONG : SHORT } }).code, 0);
  assert.equal(cacheFiles().length, 1);
  assert.doesNotMatch(cacheFiles()[0], /-long\.v8cache$/);
});

test('the caches of earlier builds are removed when a new one is written, other installs\' are kept', () => {
  assert.equal(run(VERSION).code, 0);
  const [file] = cacheFiles();
  const prefix = file.slice(0, file.indexOf(`-v${process.versions.node}-`));
  const earlierBuild = join(cacheDir, `${prefix}-v0.0.0-x64-1-1.v8cache`);
  const otherInstall = join(cacheDir, 'main-otherinstall-v0.0.0-x64-1-1.v8cache');
  writeFileSync(earlierBuild, 'old');
  writeFileSync(otherInstall, 'other');
  rmSync(join(cacheDir, file));
  assert.equal(run(VERSION).code, 0);
  assert.deepEqual(cacheFiles().sort(), [file, 'main-otherinstall-v0.0.0-x64-1-1.v8cache'].sort());
});

test('each verb keeps a cache of its own; a new build removes every verb\'s earlier caches', () => {
  const fresh = mkdtempSync(join(sb.home, 'xdg-'));
  const files = () => readdirSync(join(fresh, 'kubesim')).filter((f) => f.startsWith('main') && f.endsWith('.v8cache')).sort();
  // Verbs without a bundle of their own (dist/verb-<verb>.cjs) run dist/main.cjs.
  assert.equal(run(['label', 'nosuchkind', 'x', 'a=b'], fresh).code, 1);
  assert.equal(run(['config', 'view', '-o', 'json'], fresh).code, 0);
  assert.equal(run(VERSION, fresh).code, 0); // a global flag first: the shared cache
  const written = files();
  assert.deepEqual(written.map((f) => f.replace(/^.*-/, '')), ['config.v8cache', 'label.v8cache', 'other.v8cache']);
  // label's cache holds the functions label compiled: a second label uses it as it is.
  const labelCache = join(fresh, 'kubesim', written[1]);
  const before = statSync(labelCache);
  assert.equal(run(['label', 'nosuchkind', 'x', 'a=b'], fresh).code, 1);
  assert.equal(statSync(labelCache).mtimeMs, before.mtimeMs);
  // Caches of an earlier build, of any verb, go when this build writes one.
  const prefix = written[0].slice(0, written[0].indexOf(`-v${process.versions.node}-`));
  for (const old of [`${prefix}-v0.0.0-x64-1-1-label.v8cache`, `${prefix}-v0.0.0-x64-1-1-apply.v8cache`]) writeFileSync(join(fresh, 'kubesim', old), 'old');
  rmSync(join(fresh, 'kubesim', written[0]));
  assert.equal(run(['config', 'view', '-o', 'json'], fresh).code, 0);
  assert.deepEqual(files(), written);
});

test('get, create, apply and the other verbs built alone run their own bundle, with a cache of its own', () => {
  const fresh = mkdtempSync(join(sb.home, 'xdg-'));
  const files = () => readdirSync(join(fresh, 'kubesim')).filter((f) => f.endsWith('.v8cache')).sort();
  const alone = run(['get', 'nosuchkind'], fresh);
  assert.deepEqual(files().map((f) => f.slice(0, f.indexOf('.cjs-') + 4)), ['verb-get.cjs'], 'get read dist/verb-get.cjs, not dist/main.cjs');
  // The same command through the whole bundle (a global flag first) prints the same.
  const whole = run(['-n', 'default', 'get', 'nosuchkind'], fresh);
  assert.deepEqual(alone, whole);
  assert.equal(alone.code, 1);
  assert.match(alone.stderr, /^error: the server doesn't have a resource type "nosuchkind"\n$/);
  // Packages a command may not use are files of their own: get reads none of them...
  assert.ok(!files().some((f) => /^(node-forge|re2js|tinyglobby)\.cjs-/.test(f)), files().join(', '));
  // ...and apply reads the YAML parser's file, with its own cache, when it needs it (an
  // alias: the fast reader of src/manifest/fast-yaml.ts leaves those to the package).
  const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: &n alone\n  labels:\n    x: *n\n';
  const applied = run(['apply', '-f', '-'], fresh, manifest);
  assert.equal(applied.code, 0, applied.stderr);
  assert.equal(applied.stdout, 'configmap/alone created\n');
  assert.ok(files().some((f) => f.startsWith('verb-apply.cjs-')), files().join(', '));
  assert.ok(files().some((f) => f.startsWith('yaml.cjs-')), files().join(', '));
});

test('an unusable cache location is no error', () => {
  const notADir = join(sb.home, 'cache-is-a-file');
  writeFileSync(notADir, '');
  const r = run(VERSION, notADir);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^Client Version: /);
});
