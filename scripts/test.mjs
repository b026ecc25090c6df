#!/usr/bin/env node
// Runs the test suite with node's test runner. Node 20's `--test` does not expand globs,
// so this finds the files itself. Arguments narrow the run to files or folders;
// `--reporter=NAME` (tap, spec, dot) replaces the default, scripts/test-reporter.mjs: dots while
// running, every failure in full, then `N passed, N failed, N skipped`.
// Node's own `--test-*` options pass through: `--test-name-pattern=REGEX` runs only the tests
// whose names match (each test file's tests run alone or in any order), `--test-only` the
// tests marked `only`.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

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
const paths = args.filter((a) => a !== reporterArg && !nodeTestArgs.includes(a));
const roots = paths.length ? paths : ['test'];
const files = roots.flatMap((r) => collect(r, []));
if (files.length === 0) {
  console.error(`no test files under ${roots.join(' ')}`);
  process.exit(1);
}
// Longest files first, from the durations of earlier runs (the reporter keeps them in the
// user's cache): with two workers, a long file started last would run alone at the end.
// Files not timed yet go first, in path order.
const xdg = process.env.XDG_CACHE_HOME;
const timesFile = join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'kubesim-tests', 'times.json');
let times = {};
try {
  times = JSON.parse(readFileSync(timesFile, 'utf8'));
} catch {
  // first run, or an unreadable file: path order
}
files.sort((a, b) => (times[b] ?? Number.MAX_VALUE) - (times[a] ?? Number.MAX_VALUE));
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
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...nodeTestArgs, ...reporters, ...files], { stdio: 'inherit', env: { ...process.env, XDG_CACHE_HOME: cache, KUBESIM_TEST_CACHE_HOME: cache, KUBESIM_TEST_TIMES: nodeTestArgs.length ? '' : timesFile, KUBECONFIG: join(cache, 'kubeconfig') } });
rmSync(cache, { recursive: true, force: true });
// node exits 1 when a test fails; a signal (status null) or a spawn error is a failure too.
process.exit(r.error ? 1 : r.status ?? 1);
