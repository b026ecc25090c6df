// The default node:test reporter of scripts/test.mjs: a dot per test while the run goes
// (`X` failed, `s` skipped), then every failure in full (file, test, assertion diff, stack),
// the slowest files (each one's wall time, start-up and hooks included), and one closing line CI reads: `N passed, N failed, N skipped` (plus
// cancelled and todo when there are any).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import { inspect } from 'node:util';
import { steadyTimes } from './test-times.mjs';

const WIDTH = 80;

export default async function* reporter(source) {
  const counts = new Map();
  const failures = [];
  const fileMs = new Map();
  // Node reports each file as a whole when it ends (its process's wall time): preferred to
  // the sum of its tests, which leaves out start-up and the hooks after its last test.
  const wholeMs = new Map();
  const stderr = new Map();
  let column = 0;
  for await (const ev of source) {
    // Kept for files that fail as a whole (a crash while loading says why only on stderr).
    if (ev.type === 'test:stderr' && ev.data.file) {
      const lines = stderr.get(ev.data.file) ?? [];
      lines.push(ev.data.message);
      stderr.set(ev.data.file, lines.slice(-200));
      continue;
    }
    if (ev.type === 'test:diagnostic' && ev.data.nesting === 0) {
      const m = /^(tests|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(ev.data.message);
      if (m) counts.set(m[1], Number(m[2]));
      continue;
    }
    if (ev.type === 'test:complete' && ev.data.nesting === 0 && ev.data.file && ev.data.name === ev.data.file) {
      wholeMs.set(sourceName(ev.data.file), ev.data.details?.duration_ms ?? 0);
      continue;
    }
    if (ev.type !== 'test:pass' && ev.type !== 'test:fail') continue;
    const file = ev.data.file ? sourceName(ev.data.file) : '';
    if (ev.data.nesting === 0 && file) fileMs.set(file, (fileMs.get(file) ?? 0) + (ev.data.details?.duration_ms ?? 0));
    const error = ev.data.details?.error;
    // A parent whose subtests failed says only that; its subtests carry the detail.
    if (ev.type === 'test:fail' && error?.failureType !== 'subtestsFailed') {
      const whole = ev.data.nesting === 0 && ev.data.name === ev.data.file;
      failures.push({ file, name: whole ? 'the file as a whole (loading, hooks or exit)' : ev.data.name, ms: ev.data.details?.duration_ms ?? 0, error, stderr: whole ? (stderr.get(ev.data.file) ?? []).join('') : '' });
    }
    yield (ev.type === 'test:fail' ? 'X' : ev.data.skip !== undefined ? 's' : '.') + (++column % WIDTH === 0 ? '\n' : '');
  }
  if (column % WIDTH !== 0) yield '\n';
  for (const f of failures) {
    const detail = toSources(inspect(f.error?.cause ?? f.error, { depth: 6, colors: false })).replace(/^/gm, '    ');
    const err = f.stderr ? `\n    stderr:\n${toSources(f.stderr).trimEnd().replace(/^/gm, '    ')}` : '';
    yield `\n✖ ${f.file}: ${f.name} (${f.ms.toFixed(0)} ms)\n${detail}${err}\n`;
  }
  for (const [f, ms] of wholeMs) fileMs.set(f, ms);
  saveTimes(fileMs);
  saveDurations(fileMs);
  const slow = [...fileMs].sort((a, b) => b[1] - a[1]).slice(0, 5);
  if (slow.length > 1) yield `\nslowest files:\n${slow.map(([f, ms]) => `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${f}`).join('\n')}\n`;
  const n = (k) => counts.get(k) ?? 0;
  const extra = ['cancelled', 'todo'].filter((k) => n(k) > 0).map((k) => `, ${n(k)} ${k}`).join('');
  yield `\n${n('pass')} passed, ${n('fail')} failed, ${n('skipped')} skipped${extra}\n`;
}

/** `scripts/test.mjs --save-durations`: this run's durations (to the tenth of a second) as test/durations.json, where they changed (steadyTimes). */
function saveDurations(fileMs) {
  const file = process.env.KUBESIM_TEST_DURATIONS;
  if (!file) return;
  let recorded = {};
  try {
    recorded = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // none yet, or unreadable: every figure is the run's
  }
  writeFileSync(file, JSON.stringify(steadyTimes(recorded, Object.fromEntries(fileMs), 100), null, 1) + '\n');
}

/**
 * Stack frames in a bundle of scripts/test.mjs pointed at the sources, from the bundle's source
 * map. Done here, for failures only: node's --enable-source-maps decodes every bundle's map as
 * it loads (~0.8 s of CPU for the largest), in every test process.
 */
function toSources(text) {
  const bundles = process.env.KUBESIM_TEST_BUNDLES;
  if (!bundles) return text;
  const at = new RegExp(`(?:file://)?(${bundles.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^\\s:()]*\\.cjs):(\\d+):(\\d+)`, 'g');
  return text.replace(at, (whole, file, line, column) => {
    try {
      const maps = (toSources.maps ??= new Map());
      if (!maps.has(file)) maps.set(file, new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))));
      const e = maps.get(file).findEntry(Number(line) - 1, Number(column) - 1);
      if (!e.originalSource) return whole;
      return `${relative(process.cwd(), resolve(dirname(file), e.originalSource))}:${e.originalLine + 1}:${e.originalColumn + 1}`;
    } catch {
      return whole;
    }
  });
}

/** A test file's path from the working directory: a bundle of scripts/test.mjs by its source's. */
function sourceName(file) {
  const bundles = process.env.KUBESIM_TEST_BUNDLES;
  if (bundles && file.startsWith(bundles + sep)) return relative(bundles, file).replace(/\.cjs$/, '.ts');
  return relative(process.cwd(), file);
}

/** Merges this run's file durations into KUBESIM_TEST_TIMES (scripts/test.mjs orders by them). */
function saveTimes(fileMs) {
  const file = process.env.KUBESIM_TEST_TIMES;
  if (!file || fileMs.size === 0) return;
  try {
    let times = {};
    try {
      times = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      // none yet
    }
    for (const [f, ms] of fileMs) times[f] = Math.round(ms);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(times, null, 1));
    renameSync(`${file}.${process.pid}`, file);
  } catch {
    // only an ordering hint: never fail a run over it
  }
}
