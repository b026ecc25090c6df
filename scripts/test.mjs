#!/usr/bin/env node
// Runs the test suite with node's test runner. Node 20's `--test` does not expand globs,
// so this finds the files itself. Arguments narrow the run to files or folders.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['test'];
const files = roots.flatMap((r) => collect(r, []));
if (files.length === 0) {
  console.error(`no test files under ${roots.join(' ')}`);
  process.exit(1);
}
// bin/kubesim keeps V8's code cache under $XDG_CACHE_HOME: the suite uses its own (shared by
// its thousands of CLI runs, as a user's runs share theirs) and leaves the user's alone;
// test/e2e/helpers.ts passes it to every CLI run (and makes its own when run without this).
const cache = mkdtempSync(join(tmpdir(), 'kubesim-test-cache-'));
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit', env: { ...process.env, XDG_CACHE_HOME: cache, KUBESIM_TEST_CACHE_HOME: cache, KUBECONFIG: join(cache, 'kubeconfig') } });
rmSync(cache, { recursive: true, force: true });
process.exit(r.status ?? 1);
