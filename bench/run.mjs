#!/usr/bin/env node
// kubesim benchmarks: one command runs them all (`npm run bench`), printing a Markdown
// table of medians. Each case runs the real CLI (bin/kubesim) as a user would, in a fresh
// temporary state directory. Peers on this machine are measured side by side where they
// exist (node -e 0 as the floor, kubectl version --client).
//
//   node bench/run.mjs [--runs N] [--only NAME,...] [--quick]

import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'kubesim');
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 5;
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
const QUICK = args.includes('--quick');

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(cmd, argv, env = {}, input) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { env: { ...process.env, KUBESIM_NO_DAEMON: '1', ...env }, input, encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr}`);
  return ms;
}

function bench(runs, fn) {
  const xs = [];
  for (let i = 0; i < runs; i++) xs.push(fn(i));
  return median(xs);
}

const kubesim = (home, argv, input) => time(process.execPath, [BIN, ...argv], { KUBESIM_HOME: home }, input);

function tempHome() {
  return mkdtempSync(join(tmpdir(), 'kubesim-bench-'));
}

function podDocs(n, prefix = 'p') {
  const docs = [];
  for (let i = 0; i < n; i++) {
    docs.push(`apiVersion: v1
kind: Pod
metadata:
  name: ${prefix}-${i}
  labels:
    app: ${i % 10 === 0 ? 'x' : 'y'}
spec:
  containers:
  - name: c
    image: nginx:1.27
`);
  }
  return docs.join('---\n');
}

function cmDocs(n) {
  const docs = [];
  for (let i = 0; i < n; i++) docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n  k: v${i}\n`);
  return docs.join('---\n');
}

const results = [];
function record(name, ms, extra = '') {
  results.push({ name, ms, extra });
  console.error(`${name}: ${ms.toFixed(1)} ms ${extra}`);
}
const want = (name) => !ONLY || ONLY.some((o) => name.startsWith(o));

// --- start-up ---
if (want('startup')) {
  const home = tempHome();
  kubesim(home, ['get', 'pods']); // creates the default cluster once
  const floor = bench(RUNS * 2, () => time(process.execPath, ['-e', '0']));
  const version = bench(RUNS * 2, () => kubesim(home, ['version', '--client']));
  const getEmpty = bench(RUNS * 2, () => kubesim(home, ['get', 'pods']));
  let kubectl;
  try {
    kubectl = bench(RUNS * 2, () => time('kubectl', ['version', '--client']));
  } catch {
    kubectl = undefined;
  }
  record('startup: node -e 0 (floor)', floor);
  record('startup: kubesim version', version, `${(version / floor).toFixed(2)}x node${kubectl ? `, ${(version / kubectl).toFixed(2)}x kubectl` : ''}`);
  record('startup: kubesim get pods (empty)', getEmpty, `${(getEmpty / floor).toFixed(2)}x node${kubectl ? `, ${(getEmpty / kubectl).toFixed(2)}x kubectl` : ''}`);
  if (kubectl) record('startup: kubectl version --client (peer)', kubectl);
  rmSync(home, { recursive: true, force: true });
}

// --- write path ---
if (want('apply')) {
  for (const n of QUICK ? [1, 100, 1000] : [1, 100, 1000, 10000]) {
    const file = join(tmpdir(), `kubesim-bench-${n}.yaml`);
    writeFileSync(file, cmDocs(n));
    const ms = bench(n >= 10000 ? Math.min(RUNS, 3) : RUNS, () => {
      const home = tempHome();
      kubesim(home, ['get', 'ns']);
      const t = kubesim(home, ['apply', '-f', file]);
      rmSync(home, { recursive: true, force: true });
      return t;
    });
    record(`apply -f: ${n} documents`, ms, `${((n / ms) * 1000).toFixed(0)} docs/s`);
    rmSync(file);
  }
}

// --- read path ---
if (want('get')) {
  for (const n of QUICK ? [1000, 10000] : [1000, 10000, 100000]) {
    const home = tempHome();
    kubesim(home, ['get', 'ns']);
    for (let done = 0; done < n; done += 10000) {
      const file = join(tmpdir(), `kubesim-bench-pods-${done}.yaml`);
      writeFileSync(file, podDocs(Math.min(10000, n - done), `p${done}`));
      kubesim(home, ['apply', '-f', file]);
      rmSync(file);
    }
    const version = bench(RUNS, () => kubesim(home, ['version', '--client']));
    record(`get pods: ${n} pods`, bench(RUNS, () => kubesim(home, ['get', 'pods'])));
    record(`get pods -o json: ${n} pods`, bench(RUNS, () => kubesim(home, ['get', 'pods', '-o', 'json'])));
    record(`get pods -l app=x: ${n} pods`, bench(RUNS, () => kubesim(home, ['get', 'pods', '-l', 'app=x'])));
    const one = bench(RUNS, () => kubesim(home, ['get', 'pod', 'p0-5']));
    record(`get pod X: ${n} pods`, one, `${(one / version).toFixed(2)}x kubesim version`);
    rmSync(home, { recursive: true, force: true });
  }
}

// --- validation ---
if (want('validate')) {
  const corpus = join(ROOT, '..', 'shared', 'corpus');
  try {
    statSync(corpus);
    const home = tempHome();
    const ms = bench(RUNS, () => {
      const t0 = process.hrtime.bigint();
      spawnSync(process.execPath, [BIN, 'validate', '--ignore-missing-schemas', '-o', 'json', corpus], { env: { ...process.env, KUBESIM_HOME: home }, encoding: 'utf8', maxBuffer: 1 << 30 });
      return Number(process.hrtime.bigint() - t0) / 1e6;
    });
    record('validate: whole corpus (1,097 objects)', ms, `${((1097 / ms) * 1000).toFixed(0)} docs/s incl. start-up`);
    rmSync(home, { recursive: true, force: true });
  } catch (e) {
    console.error(`validate: skipped (${e.message})`);
  }
}

const lines = [
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; ${new Date().toISOString().slice(0, 10)}; median of ${RUNS} runs.`,
  '',
  '| benchmark | median | notes |',
  '| --- | ---: | --- |',
  ...results.map((r) => `| ${r.name} | ${r.ms.toFixed(1)} ms | ${r.extra} |`),
];
console.log(lines.join('\n'));
