#!/usr/bin/env node
// Runs the test suite with node's test runner. Node 20's `--test` does not expand globs,
// so this finds the files itself. Arguments narrow the run to files or folders;
// `--reporter=NAME` (tap, spec, dot) replaces the default, scripts/test-reporter.mjs: dots while
// running, every failure in full, then `N passed, N failed, N skipped`.
// `--test-name-pattern=REGEX` runs only the tests whose names match (each test file's tests
// run alone or in any order), `--test-only` the tests marked `only`, `--test-timeout=MS`
// bounds each test. `--slots=N` runs at most N files at once (default: one per core, plus
// one for a file that mostly waits; see runScheduled). The last line is the run's wall time,
// bundling included, so that CI logs show how near the suite is to its time budget.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, homedir, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { run } from 'node:test';
import { build } from 'esbuild';
import { steadyTimes } from './test-times.mjs';
import { mayStart } from './test-schedule.mjs';

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

const started = Date.now();
const args = process.argv.slice(2);
const reporterArg = args.find((a) => a.startsWith('--reporter='));
const slotsArg = args.find((a) => a.startsWith('--slots='));
const nodeTestArgs = args.filter((a) => a.startsWith('--test-'));
const saveDurations = args.includes('--save-durations');
const paths = args.filter((a) => a !== reporterArg && a !== slotsArg && a !== '--save-durations' && !nodeTestArgs.includes(a));
const unknown = nodeTestArgs.filter((a) => !/^--test-(name-pattern|timeout)=|^--test-only$/.test(a));
if (unknown.length) {
  console.error(`not supported here: ${unknown.join(' ')} (--test-name-pattern=REGEX, --test-only and --test-timeout=MS are)`);
  process.exit(1);
}
const slots = slotsArg ? Number(slotsArg.slice('--slots='.length)) : undefined;
if (slots !== undefined && !(Number.isInteger(slots) && slots >= 1)) {
  console.error(`--slots wants a whole number of files to run at once, at least 1: ${slotsArg}`);
  process.exit(1);
}
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
// test/durations.json from the run (only the times that changed much: scripts/test-times.mjs):
// worth doing on CI's kind of machine when a long file is added or a file's time changes much.
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
// The CPU time (ms) each file's processes used in earlier runs, from test/cpu-times.json
// (committed, like test/durations.json) and this machine's cache. Divided by the file's wall
// time in test/durations.json (a quiet run), it is the share of a core the file keeps busy:
// CPU time hardly changes with the machine's load, wall time does.
const cpuFile = join(root, 'test', 'cpu-times.json');
const cpuCacheFile = join(dirname(timesFile), 'cpu-times.json');
const cpuTimes = { ...readTimes(cpuFile), ...readTimes(cpuCacheFile) };
const quietWall = readTimes(durationsFile);
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
// KUBECONFIG points into the run's private directory: clusters the tests create never touch ~/.kube.
// A run of some tests only records no file durations (they would misorder the next full run).
const env = { XDG_CACHE_HOME: cache, KUBESIM_TEST_CACHE_HOME: cache, KUBESIM_TEST_TIMES: nodeTestArgs.length ? '' : timesFile, KUBESIM_TEST_BUNDLES: bundleDir ?? '', KUBESIM_TEST_DURATIONS: saveDurations ? durationsFile : '', KUBECONFIG: join(cache, 'kubeconfig') };
let status;
if (!bundleDir) {
  const reporters = reporterArg
    ? ['--test-reporter', reporterArg.slice('--reporter='.length), '--test-reporter-destination', 'stdout']
    : ['--test-reporter', reporter, '--test-reporter-destination', 'stdout'];
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${slots ?? 2}`, ...nodeTestArgs, ...reporters, ...runFiles], { stdio: 'inherit', env: { ...process.env, ...env } });
  // node exits 1 when a test fails; a signal (status null) or a spawn error is a failure too.
  status = r.error ? 1 : r.status ?? 1;
} else {
  status = await runScheduled(env);
}
rmSync(cache, { recursive: true, force: true });
if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
// A file test/durations.json lacks starts after every listed one on a fresh clone (CI): a long
// one runs alone at the end (impersonation-flags' 109 s did). Said after a full run.
const unlisted = paths.length || nodeTestArgs.length || saveDurations ? [] : files.filter((f) => !(f in quietWall));
if (unlisted.length) console.log(`not in test/durations.json, so started last on a fresh clone: ${unlisted.slice(0, 5).join(', ')}${unlisted.length > 5 ? ` and ${unlisted.length - 5} more` : ''} (--save-durations records them)`);
console.log(`${files.length} test file${files.length === 1 ? '' : 's'} in ${((Date.now() - started) / 60_000).toFixed(1)} min (wall time)`);
process.exit(status);

/**
 * Runs the bundles, longest first, each in its own process (node:test's run(), one file per
 * call, so that this decides when each starts), through one reporter. A file that kept under
 * half a core busy in earlier runs (a daemon, real-time waits, etcd, the browser: it mostly
 * waits) may take one slot beyond the cores (a second one loaded CI's machine enough to
 * make a terminal test flaky); the others share one slot per core (a second waiting file
 * takes one of those: scripts/test-schedule.mjs). A file with no earlier figure counts as busy. The CPU time of each file's process tree (itself and the
 * children it waited for: not a daemon that detached) is written by the bundle at exit (see
 * bundleTests). Returns the exit status: 1 when a test failed.
 */
async function runScheduled(envVars) {
  Object.assign(process.env, envVars);
  const cpuDir = mkdtempSync(join(bundleDir, 'cpu-'));
  process.env.KUBESIM_TEST_CPU_DIR = cpuDir;
  const cores = Math.max(1, availableParallelism());
  const total = slots ?? cores + 1;
  const busySlots = Math.min(total, slots ?? cores);
  const extra = total - busySlots;
  const waits = (i) => cpuTimes[files[i]] / (quietWall[files[i]] ?? times[files[i]]) < 0.5;
  // A file marked `// test-schedule: alone` (a latency bound under a load the test makes
  // itself: the soak's ten writers against the daemon) starts only when no other file runs,
  // and none starts beside it (so it runs first or last): another file's load on two cores
  // is not the scenario it measures.
  const soloFiles = new Set(files.filter((f) => /^\/\/ test-schedule: alone\b/m.test(readFileSync(f, 'utf8'))));
  const alone = (i) => soloFiles.has(files[i]);
  let aloneRunning = false;
  const patterns = nodeTestArgs.filter((a) => a.startsWith('--test-name-pattern=')).map((a) => new RegExp(a.slice('--test-name-pattern='.length)));
  const timeoutArg = nodeTestArgs.find((a) => a.startsWith('--test-timeout='));
  const options = { concurrency: 1, only: nodeTestArgs.includes('--test-only'), ...(patterns.length ? { testNamePatterns: patterns } : {}), ...(timeoutArg ? { timeout: Number(timeoutArg.split('=')[1]) } : {}) };
  // One stream of events for the reporter: every file's, and one summary for the whole run.
  const queue = [];
  let wake;
  const push = (ev) => {
    queue.push(ev);
    wake?.();
  };
  const sums = new Map();
  const SUMMARY = /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ([\d.]+)$/;
  const pending = files.map((_, i) => i);
  const measured = {};
  let running = 0;
  let busy = 0;
  let finished = false;
  const startNext = () => {
    for (let k = 0; k < pending.length && running < total && !aloneRunning; ) {
      const i = pending[k];
      const solo = alone(i);
      const busyPending = waits(i) && pending.some((j) => !waits(j) && !alone(j));
      if (!mayStart(waits(i), { running, busy, busySlots, extra, busyPending }) || (solo && running > 0)) {
        k++;
        continue;
      }
      pending.splice(k, 1);
      running++;
      if (!waits(i)) busy++;
      aloneRunning = solo;
      runOne(i)
        .catch((e) => {
          // the runner itself failed on this file: counted as a failure, with its error
          sums.set('fail', (sums.get('fail') ?? 0) + 1);
          console.error(`${files[i]}: ${e?.stack ?? e}`);
        })
        .then(() => {
          running--;
          if (!waits(i)) busy--;
          aloneRunning = false;
          if (pending.length === 0 && running === 0) {
            finished = true;
            wake?.();
          } else startNext();
        });
    }
  };
  const runOne = async (i) => {
    for await (const ev of run({ ...options, files: [runFiles[i]] })) {
      const m = ev.type === 'test:diagnostic' && ev.data.nesting === 0 ? SUMMARY.exec(ev.data.message) : null;
      if (m) sums.set(m[1], (sums.get(m[1]) ?? 0) + Number(m[2]));
      else if (ev.type !== 'test:plan' || ev.data.nesting !== 0) push(ev);
    }
    try {
      const cpu = Number(readFileSync(join(cpuDir, cpuName(runFiles[i])), 'utf8'));
      if (cpu >= 0) measured[files[i]] = cpu;
    } catch {
      // the process did not get to write it (killed, or not on Linux): no figure this time
    }
  };
  async function* events() {
    startNext();
    for (;;) {
      while (queue.length) yield queue.shift();
      if (finished) break;
      await new Promise((r) => (wake = r));
      wake = undefined;
    }
    yield { type: 'test:plan', data: { nesting: 0, count: files.length } };
    for (const [k, v] of sums) yield { type: 'test:diagnostic', data: { nesting: 0, message: `${k} ${k === 'duration_ms' ? v : Math.round(v)}` } };
  }
  let chosen = (await import(pathToFileURL(reporter).href)).default;
  if (reporterArg) {
    const name = reporterArg.slice('--reporter='.length);
    const builtIn = await import('node:test/reporters');
    chosen = builtIn[name] ?? (await import(pathToFileURL(resolve(name)).href)).default;
  }
  // spec is a class (a Transform), tap and dot async generator functions, as node composes them.
  const stage = chosen.prototype && Object.getOwnPropertyDescriptor(chosen.prototype, 'constructor') ? new chosen() : chosen;
  for await (const chunk of Readable.from(events()).compose(stage)) process.stdout.write(chunk);
  if (!nodeTestArgs.length) saveCpuTimes(measured);
  return (sums.get('fail') ?? 0) + (sums.get('cancelled') ?? 0) > 0 ? 1 : 0;
}

/** The file a bundle writes its CPU time to, in KUBESIM_TEST_CPU_DIR. */
function cpuName(bundle) {
  return relative(bundleDir, bundle).replace(/[/\\]/g, '__');
}

/** Merges this run's CPU times into this machine's cache; `--save-durations` also writes test/cpu-times.json (where they changed: steadyTimes). */
function saveCpuTimes(measured) {
  const write = (file, data) => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : 1))), null, 1) + '\n');
    renameSync(`${file}.${process.pid}`, file);
  };
  try {
    write(cpuCacheFile, { ...readTimes(cpuCacheFile), ...measured });
    if (saveDurations) write(cpuFile, steadyTimes(readTimes(cpuFile), measured, 10));
  } catch {
    // only a scheduling hint: never fail a run over it
  }
}

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
  // At exit each test process writes the CPU time it and the children it waited for used
  // (Linux: /proc/self/stat, in clock ticks of 10 ms), for runScheduled's shares.
  const cpuAtExit = `if (process.env.KUBESIM_TEST_CPU_DIR) process.on('exit', () => { try { const fs = require('node:fs'); const st = fs.readFileSync('/proc/self/stat', 'utf8'); const f = st.slice(st.lastIndexOf(')') + 2).split(' '); fs.writeFileSync(require('node:path').join(process.env.KUBESIM_TEST_CPU_DIR, require('node:path').relative(${JSON.stringify(outdir)}, process.argv[1]).replace(/[\\/\\\\]/g, '__')), String((+f[11] + +f[12] + +f[13] + +f[14]) * 10)); } catch {} });`;
  const options = {
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
    banner: { js: cpuAtExit },
  };
  const { metafile } = await build({ ...options, entryPoints: abs, metafile: true });
  // The child of test/helpers/cli-host.ts (the CLI in a long-lived process) is bundled too
  // when a test uses a host: loaded from one file, the first command of each verb takes
  // milliseconds where tsx took seconds compiling the verb's modules (tens under load).
  if (Object.keys(metafile.inputs).some((i) => i.endsWith('test/helpers/cli-host.ts'))) await build({ ...options, entryPoints: [join(root, 'test', 'helpers', 'cli-host-child.ts')] });
  return abs.map((f) => join(outdir, relative(root, f)).replace(/\.ts$/, '.cjs'));
}
