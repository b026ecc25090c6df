// The start-up fast path (dist/fast.cjs): the command lines it answers print exactly what
// the full CLI (dist/main.cjs) prints for them, it never reads the bundle when it answers,
// and without it — missing, from another build, or broken — bin/kubesim runs the bundle
// with the same result.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers';
import { fastGetNamespace, mayNamePods } from '../../src/fast-get-form';

// A copy of the package whose dist/fast.cjs each test may remove or replace.
const pkg = mkdtempSync(join(tmpdir(), 'kubesim-fast-path-'));
after(() => rmSync(pkg, { recursive: true, force: true }));
for (const dir of ['bin', 'dist', 'generated']) cpSync(join(ROOT, dir), join(pkg, dir), { recursive: true });
cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
const fast = join(pkg, 'dist', 'fast.cjs');
const fastSource = join(ROOT, 'dist', 'fast.cjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Whether a bundle (main.cjs or a verb's own) ran: it writes its code cache when it has none. */
  bundleRan: boolean;
  /** Which: `main`, or `verb-get` for dist/verb-get.cjs. */
  ran: string[];
}

/** One command with an empty code-cache directory of its own. */
function run(args: string[]): Run {
  return runWith(args, {});
}

/** The same with more environment; with `warmCache`, a code-cache directory kept between runs (then `bundleRan` means nothing). */
function runWith(args: string[], env: Record<string, string>, warmCache?: string): Run {
  const cache = warmCache ?? mkdtempSync(join(tmpdir(), 'kubesim-fast-path-cache-'));
  try {
    const r = spawnSync(process.execPath, [join(pkg, 'bin', 'kubesim'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, KUBESIM_HOME: join(pkg, '.home'), KUBECONFIG: join(pkg, 'kubeconfig'), KUBESIM_NO_DAEMON: '1', NO_COLOR: '1', XDG_CACHE_HOME: cache, ...env },
    });
    const dir = join(cache, 'kubesim');
    const ran = existsSync(dir) ? readdirSync(dir).flatMap((f) => /^(main|verb-[a-z-]+)\.cjs-/.exec(f)?.[1] ?? []) : [];
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, bundleRan: ran.length > 0, ran };
  } finally {
    if (!warmCache) rmSync(cache, { recursive: true, force: true });
  }
}

const FAST_FORMS = [
  ['version', '--client'],
  ['version', '--client=true'],
];

/** Each fast form run with whatever dist/fast.cjs is now, and by the bundle alone (no fast.cjs). */
function compareWithBundle(expectFast: boolean): void {
  const withFast = FAST_FORMS.map(run);
  const saved = join(pkg, 'fast.cjs.saved');
  cpSync(fast, saved);
  rmSync(fast);
  try {
    FAST_FORMS.forEach((args, i) => {
      const full = run(args);
      assert.equal(full.bundleRan, true, `${args.join(' ')}: the bundle ran without fast.cjs`);
      assert.equal(withFast[i].bundleRan, !expectFast, `${args.join(' ')}: the bundle ${expectFast ? 'was not' : 'was'} read`);
      assert.deepEqual({ ...withFast[i], bundleRan: undefined, ran: undefined }, { ...full, bundleRan: undefined, ran: undefined }, args.join(' '));
      assert.equal(full.code, 0);
      assert.equal(full.stderr, '');
      assert.match(full.stdout, /^Client Version: v1\.32\.\d+\nKustomize Version: v5\.5\.0\nkubesim Version: \S+ \(API schemas: Kubernetes v1\.32\.\d+; /);
    });
  } finally {
    cpSync(saved, fast);
    rmSync(saved);
  }
}

test('the fast path prints exactly what the bundle prints, without reading the bundle', () => {
  compareWithBundle(true);
});

test('other command lines, even close ones, run the bundle', () => {
  for (const args of [['version'], ['version', '--client', '-o', 'json'], ['version', '--client=false'], ['-n', 'default', 'version', '--client'], ['version', '--client', 'extra']]) {
    const r = run(args);
    assert.equal(r.bundleRan, true, args.join(' '));
  }
  const json = run(['version', '--client', '-o', 'json']);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(Object.keys(JSON.parse(json.stdout)), ['clientVersion', 'kustomizeVersion', 'kubesimVersion', 'schemaVersion']);
  // kubectl ignores an argument after `version --client`: so does the bundle.
  assert.equal(run(['version', '--client', 'extra']).stdout, run(['version', '--client']).stdout);
});

test('a fast path from another build, or one that does not load, is not used', () => {
  // Another build's: it names a bundle of another size.
  cpSync(fastSource, fast);
  appendFileSync(fast, 'module.exports.bundleBytes=1;\n');
  try {
    compareWithBundle(false);
    writeFileSync(fast, 'this is not JavaScript (');
    compareWithBundle(false);
  } finally {
    cpSync(fastSource, fast);
  }
  compareWithBundle(true);
});

test('a verb\'s own bundle runs only beside the fast path\'s file of its build', () => {
  const verbBundle = join(pkg, 'dist', 'verb-get.cjs');
  const own = run(['get', 'nosuchkind']);
  assert.deepEqual(own.ran, ['verb-get']);
  assert.equal(own.code, 1);
  assert.equal(own.stderr, 'error: the server doesn\'t have a resource type "nosuchkind"\n');
  // Another build's verb-get.cjs (another size than fast.cjs records): the whole bundle runs.
  const saved = join(pkg, 'verb-get.cjs.saved');
  cpSync(verbBundle, saved);
  appendFileSync(verbBundle, '\nthrow new Error("another build");\n');
  try {
    const other = run(['get', 'nosuchkind']);
    assert.deepEqual(other.ran, ['main']);
    assert.deepEqual({ ...other, ran: undefined }, { ...own, ran: undefined });
    // Without fast.cjs nothing vouches for it either.
    cpSync(saved, verbBundle);
    rmSync(fast);
    assert.deepEqual(run(['get', 'nosuchkind']).ran, ['main']);
  } finally {
    cpSync(saved, verbBundle);
    cpSync(fastSource, fast);
    rmSync(saved);
  }
});

test('validate runs its own bundle, with the report and exit code of the whole bundle', () => {
  const manifest = join(pkg, 'bad-configmap.yaml');
  writeFileSync(manifest, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: y\n');
  const verbBundle = join(pkg, 'dist', 'verb-validate.cjs');
  const own = run(['validate', manifest]);
  assert.deepEqual(own.ran, ['verb-validate']);
  assert.equal(own.code, 1);
  assert.match(own.stdout, /bad-configmap\.yaml:6:3: error: invalid type for io\.k8s\.api\.core\.v1\.ConfigMap\.data: got "boolean", expected "string"/);
  // Without it (an install from before it existed), dist/main.cjs prints the same.
  const saved = join(pkg, 'verb-validate.cjs.saved');
  cpSync(verbBundle, saved);
  rmSync(verbBundle);
  try {
    const whole = run(['validate', manifest]);
    assert.deepEqual(whole.ran, ['main']);
    assert.deepEqual({ ...whole, ran: undefined }, { ...own, ran: undefined });
  } finally {
    cpSync(saved, verbBundle);
    rmSync(saved);
  }
});

test('the `get` fast path takes TYPE NAME with at most one namespace flag after them, naming a namespace', () => {
  assert.equal(fastGetNamespace(['get', 'pod', 'x']), '');
  assert.equal(fastGetNamespace(['get', 'pod', 'x', '-n', 'kube-system']), 'kube-system');
  assert.equal(fastGetNamespace(['get', 'pod', 'x', '--namespace', 'a1']), 'a1');
  assert.equal(fastGetNamespace(['get', 'pod', 'x', '--namespace=a1']), 'a1');
  // The rest is the CLI's: other flags and spellings, a value no namespace can have, lists, TYPE/NAME, all.
  for (const argv of [
    ['get', 'pod', 'x', '-n'],
    ['get', 'pod', 'x', '-nkube-system'],
    ['get', 'pod', 'x', '-n=a'],
    ['get', 'pod', 'x', '-o', 'wide'],
    ['get', 'pod', 'x', '-n', 'a', '-o', 'wide'],
    ['get', '-n', 'a', 'pod', 'x'],
    ['-n', 'a', 'get', 'pod', 'x'],
    ['get', 'pod', 'x', '--namespace='],
    ['get', 'pod', 'x', '-n', 'Default'],
    ['get', 'pod', 'x', '-n', 'a/b'],
    ['get', 'pod', 'x', '-n', '-a'],
    ['get', 'pod', 'x', '-n', 'a'.repeat(64)],
    ['get', 'pod', 'x', 'y'],
    ['get', 'pod/x', 'y'],
    ['get', 'pod,svc', 'x'],
    ['get', 'all', 'x'],
    ['get', 'pod', '..'],
    ['describe', 'pod', 'x'],
  ]) assert.equal(fastGetNamespace(argv), undefined, argv.join(' '));
});

test('get pod NAME on the CLI\'s own store (KUBESIM_NO_DAEMON=1) is answered without the bundle, as the bundle prints it, errors too', () => {
  // The cluster as the bundle makes it: a Running pod in default, a restarting one in `other`, ages from the frozen clock.
  // The bundle's runs share a warm code cache (a cold one costs seconds a run on a loaded machine).
  const warm = join(pkg, '.warm-cache');
  const viaBundle = (args: string[]) => runWith(args, {}, warm);
  const made = [['get', 'pods'], ['create', 'namespace', 'other'], ['run', 'x-0', '--image=nginx'], ['run', 'y-0', '--image=busybox', '-n', 'other', '--', 'sleep', '1'], ['clock', 'advance', '95s']].map(viaBundle);
  for (const r of made) assert.equal(r.code, 0, r.stderr);
  const storeFile = join(pkg, 'dist', 'fast-get-store.cjs');
  const forms = [
    ['get', 'pod', 'x-0'],
    ['get', 'po', 'x-0', '-n', 'default'],
    ['get', 'Pods', 'x-0', '--namespace=default'],
    ['get', 'pods', 'y-0', '--namespace', 'other'],
    ['get', 'pod', 'nope'],
    ['get', 'pod', 'Bad_Name'],
    ['get', 'pod', 'a%2e'],
    ['get', 'pod', 'x-0', '-n', 'other'],
    ['get', 'pod', 'x-0', '-n', 'nons'],
    ['get', 'pod', 'y-0', '-n', 'kube-system'],
  ];
  const fast = forms.map(run);
  const saved = join(pkg, 'fast-get-store.cjs.saved');
  cpSync(storeFile, saved);
  rmSync(storeFile);
  let full: Run[];
  try {
    full = forms.map(viaBundle);
  } finally {
    cpSync(saved, storeFile);
    rmSync(saved);
  }
  forms.forEach((args, i) => {
    assert.equal(fast[i].bundleRan, false, `${args.join(' ')}: the bundle ran`);
    assert.deepEqual({ ...fast[i], bundleRan: undefined, ran: undefined }, { ...full[i], bundleRan: undefined, ran: undefined }, args.join(' '));
  });
  assert.match(fast[0].stdout, /^NAME +READY +STATUS +RESTARTS +AGE\nx-0 +1\/1 +Running +0 +95s\n$/);
  assert.match(fast[3].stdout, /^NAME +READY +STATUS +RESTARTS +AGE\ny-0 +0\/1 +\S+ +\d+ \(\d+s ago\) +95s\n$/);
  assert.deepEqual([fast[4].code, fast[4].stderr], [1, 'Error from server (NotFound): pods "nope" not found\n']);
  assert.deepEqual([fast[8].code, fast[8].stderr], [1, 'Error from server (NotFound): namespaces "nons" not found\n']);
  // Left to the bundle: another type, a seeded run (it reserves a random stream), a cluster
  // not created yet (the bundle creates it).
  for (const [args, env, code] of [
    [['get', 'ns', 'other'], {}, 0],
    [['get', 'pod', 'x-0'], { KUBESIM_SEED: '7' }, 0],
    [['get', 'pod', 'x-0'], { KUBESIM_HOME: join(pkg, '.home-new') }, 1],
  ] as [string[], Record<string, string>, number][]) {
    const r = runWith(args, env);
    assert.equal(r.bundleRan, true, `${args.join(' ')} ${JSON.stringify(env)}: the bundle did not run`);
    assert.equal(r.code, code, r.stderr);
  }
  // The new home's cluster was created by the bundle with its clock running until then: now frozen, the fast path answers.
  assert.equal(runWith(['get', 'pod', 'x-0'], { KUBESIM_HOME: join(pkg, '.home-new') }).bundleRan, false);
});

test('only type arguments that may name pods load the store\'s fast path', () => {
  for (const t of ['pod', 'pods', 'po', 'Pod', 'PODS', 'pods.v1', 'pod.v1.']) assert.equal(mayNamePods(t), true, t);
  for (const t of ['svc', 'deploy', 'podtemplates', 'poddisruptionbudgets', 'pdb', 'p', 'widgets.example.com']) assert.equal(mayNamePods(t), false, t);
});

test('the store\'s fast path keeps a code cache of its own: written once, used, and a damaged or shared one never trusted', () => {
  // The cluster of the test above: `x-0` Running in default.
  const cache = mkdtempSync(join(tmpdir(), 'kubesim-fast-path-cache-'));
  try {
    const dir = join(cache, 'kubesim');
    const cacheFile = () => {
      const files = readdirSync(dir).filter((f) => f.startsWith('fast-get-store.cjs-') && f.endsWith('.v8cache'));
      assert.equal(files.length, 1, files.join(', '));
      return join(dir, files[0]);
    };
    const expected = run(['get', 'pod', 'x-0']);
    assert.match(expected.stdout, /^NAME +READY +STATUS +RESTARTS +AGE\nx-0 +1\/1 +Running +0 +95s\n$/);
    const same = () => {
      const r = runWith(['get', 'pod', 'x-0'], {}, cache);
      assert.equal(r.bundleRan, false, 'the bundle ran');
      assert.deepEqual({ ...r, ran: undefined }, { ...expected, ran: undefined });
    };
    same();
    const file = cacheFile();
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const written = statSync(file);
    same();
    assert.equal(statSync(file).ino, written.ino, 'an accepted cache is not rewritten');
    // Damaged behind V8's header (V8 alone would crash on it), or cut short: replaced, with the same output.
    const good = readFileSync(file);
    for (const damaged of [Buffer.from(good).fill(0x5a, good.length >> 1, (good.length >> 1) + 16), good.subarray(0, good.length - 100), Buffer.from('not a cache')]) {
      writeFileSync(file, damaged);
      same();
      const replaced = statSync(file);
      assert.ok(!readFileSync(file).equals(damaged), 'replaced');
      same();
      assert.equal(statSync(file).ino, replaced.ino, 'the replacement is accepted');
    }
    // One others can write is not used (V8 would run any code it holds for a source of this length), and is replaced.
    chmodSync(file, 0o666);
    same();
    assert.equal(statSync(cacheFile()).mode & 0o777, 0o600);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test('only a run the store\'s fast path answered writes its code cache, named for its way of reading', () => {
  // The cluster of the tests above. A cache holds the functions of the run that wrote it and is
  // kept while V8 accepts it: one written by a run the file declined would leave most of them
  // to be compiled again on every run it answers.
  const cache = mkdtempSync(join(tmpdir(), 'kubesim-fast-path-cache-'));
  try {
    const dir = join(cache, 'kubesim');
    const storeCaches = () => (existsSync(dir) ? readdirSync(dir) : []).filter((f) => f.startsWith('fast-get-store.cjs-') && f.endsWith('.v8cache'));
    // The file loads, then declines a seeded run (the bundle's: it reserves a random stream).
    const seeded = runWith(['get', 'pod', 'x-0'], { KUBESIM_SEED: '7' }, cache);
    assert.equal(seeded.code, 0, seeded.stderr);
    assert.deepEqual(seeded.ran, ['verb-get']);
    assert.deepEqual(storeCaches(), [], 'the run the file declined wrote its cache');
    const answered = runWith(['get', 'pod', 'x-0'], {}, cache);
    assert.match(answered.stdout, /^NAME +READY +STATUS +RESTARTS +AGE\nx-0 +1\/1 +Running +0 +95s\n$/);
    assert.deepEqual(storeCaches().map((f) => /-(\w+)-twice\.v8cache$/.exec(f)?.[1]), ['local']);
    const written = statSync(join(dir, storeCaches()[0]));
    assert.deepEqual(runWith(['get', 'pod', 'x-0'], {}, cache).stdout, answered.stdout);
    assert.equal(statSync(join(dir, storeCaches()[0])).ino, written.ino, 'the cache is accepted, not rewritten');
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});
