#!/usr/bin/env node
// Runs the test suite with node's test runner. Node 20's `--test` does not expand globs,
// so this finds the files itself. Arguments narrow the run to files or folders;
// `--reporter=NAME` (tap, spec, dot) replaces the default, scripts/test-reporter.mjs: dots while
// running, every failure in full, then `N passed, N failed, N skipped`.
// Node's own `--test-*` options pass through: `--test-name-pattern=REGEX` runs only the tests
// whose names match (each test file's tests run alone or in any order), `--test-only` the
// tests marked `only`.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';

function collect(path, out) {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      if (entry === 'fixtures' || entry === 'stress-long') continue;
      collect(join(path, entry), out);
    }
  } else if (/\.test\.ts$/.test(path)) out.push(path);
  return out;
}

const args = process.argv.slice(2);
const reporterArg = args.find((a) => a.startsWith('--reporter='));
const nodeTestArgs = args.filter((a) => a.startsWith('--test-'));
const saveDurations = args.includes('--save-durations');
const paths = args.filter((a) => a !== reporterArg && a !== '--save-durations' && !nodeTestArgs.includes(a));
const roots = paths.length ? paths : ['test'];
const files = roots.flatMap((r) => collect(r, []));
if (files.length === 0) {
  console.error(`no test files under ${roots.join(' ')}`);
  process.exit(1);
}
// Longest files first, from the durations of earlier runs: with two workers, a long file
// started last would run alone at the end. The reporter keeps this machine's in the user's
// cache; test/durations.json, committed, orders a fresh clone (CI) and files this machine has
// not timed. Files timed in neither come after the others, in path order (the committed file
// may list only the long ones). `--save-durations` (a full run only) rewrites
// test/durations.json from the run: worth doing on CI's kind of machine when a long file is
// added or a file's time changes much.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const durationsFile = join(root, 'test', 'durations.json');
if (saveDurations && (paths.length || nodeTestArgs.length)) {
  console.error('--save-durations records a full run: give it no files and no --test-* options');
  process.exit(1);
}
const xdg = process.env.XDG_CACHE_HOME;
const timesFile = join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'kubesim-tests', 'times.json');
const readTimes = (file) => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return {}; // none yet, or unreadable: only an ordering hint
  }
};
const times = { ...readTimes(durationsFile), ...readTimes(timesFile) };
files.sort((a, b) => (times[b] ?? -1) - (times[a] ?? -1));
// Each test file is bundled with the sources it imports into one CommonJS file (esbuild,
// ~5 s of CPU for all of them) and node runs those: loading tsx and resolving every module
// through its hooks cost 0.5-1.5 s of CPU in each test process. The bundles sit inside the
// repository, so packages (left out of the bundles) resolve from its node_modules; each
// module keeps its own __dirname, __filename and import.meta.url, as under tsx. The reporter
// names each file by its source and maps failures' stack frames back to the sources.
// KUBESIM_TEST_TSX=1 runs the sources through tsx instead.
let runFiles = files;
let bundleDir;
if (process.env.KUBESIM_TEST_TSX !== '1') {
  const out = join(root, 'test-output');
  mkdirSync(out, { recursive: true });
  // a run stopped by Ctrl-C leaves its bundles behind: removed once their run is gone
  for (const e of readdirSync(out)) {
    const pid = Number(/^bundles-(\d+)-/.exec(e)?.[1]);
    if (pid && !alive(pid)) rmSync(join(out, e), { recursive: true, force: true });
  }
  bundleDir = mkdtempSync(join(out, `bundles-${process.pid}-`));
  try {
    runFiles = await bundleTests(files, bundleDir);
  } catch {
    // esbuild has printed what it could not build (file, line and column)
    rmSync(bundleDir, { recursive: true, force: true });
    process.exit(1);
  }
}
// bin/kubesim keeps V8's code cache under $XDG_CACHE_HOME: the suite uses its own (shared by
// its thousands of CLI runs, as a user's runs share theirs) and leaves the user's alone;
// test/e2e/helpers.ts passes it to every CLI run (and makes its own when run without this).
const cache = mkdtempSync(join(tmpdir(), 'kubesim-test-cache-'));
const reporter = fileURLToPath(new URL('./test-reporter.mjs', import.meta.url));
const reporters = reporterArg
  ? ['--test-reporter', reporterArg.slice('--reporter='.length), '--test-reporter-destination', 'stdout']
  : ['--test-reporter', reporter, '--test-reporter-destination', 'stdout'];
// KUBECONFIG points into the run's private directory: clusters the tests create never touch ~/.kube.
// A run of some tests only records no file durations (they would misorder the next full run).
const loader = bundleDir ? [] : ['--import', 'tsx'];
const r = spawnSync(process.execPath, [...loader, '--test', '--test-concurrency=2', ...nodeTestArgs, ...reporters, ...runFiles], { stdio: 'inherit', env: { ...process.env, XDG_CACHE_HOME: cache, KUBESIM_TEST_CACHE_HOME: cache, KUBESIM_TEST_TIMES: nodeTestArgs.length ? '' : timesFile, KUBESIM_TEST_BUNDLES: bundleDir ?? '', KUBESIM_TEST_DURATIONS: saveDurations ? durationsFile : '', KUBECONFIG: join(cache, 'kubeconfig') } });
rmSync(cache, { recursive: true, force: true });
if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
// node exits 1 when a test fails; a signal (status null) or a spawn error is a failure too.
process.exit(r.error ? 1 : r.status ?? 1);

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** Bundles each test file to BUNDLES/<its path>.cjs; returns the bundles' paths, in the files' order. */
async function bundleTests(testFiles, outdir) {
  const perModulePaths = {
    name: 'per-module-paths',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const url = JSON.stringify(pathToFileURL(args.path).href);
        // one line, so the source map's lines stay the file's own
        const head = `var __dirname = ${JSON.stringify(dirname(args.path))}, __filename = ${JSON.stringify(args.path)};`;
        return { contents: head + readFileSync(args.path, 'utf8').replace(/\bimport\.meta\.url\b/g, url), loader: 'ts' };
      });
    },
  };
  const abs = testFiles.map((f) => resolve(f));
  await build({
    entryPoints: abs,
    outdir,
    outbase: root,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'warning',
    plugins: [perModulePaths],
  });
  return abs.map((f) => join(outdir, relative(root, f)).replace(/\.ts$/, '.cjs'));
}
