// Malformed input for `apply -f` and `validate`: mutated corpus files (those the manifest
// reader rejects outright) and hostile documents. Many files per process to keep it fast.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifestTextFull } from '../../src/manifest/parse-documents';
import { hasStackTrace, registryObjects, run } from './cli';
import { corpusFiles, readCorpus, rng } from './corpus-util';
import { hostileDocuments, mutate } from './mutate';
import { requireCorpus } from '../corpus';

export interface FuzzFigures {
  inputs: number;
  processes: number;
}

/** Writes `count` rejected mutants (plus the hostile documents) as files under dir. */
export function writeRejectedInputs(dir: string, count: number, seed: number): string[] {
  mkdirSync(dir, { recursive: true });
  const r = rng(seed);
  requireCorpus();
  const files = readCorpus(corpusFiles()).filter((f) => f.text.length < 20_000);
  const out: string[] = [];
  let tries = 0;
  while (out.length < count && files.length && tries++ < count * 50) {
    const base = files[Math.floor(r() * files.length)];
    const text = mutate(base.text, r);
    // Rejected as a whole as `apply -f` reads it (a duplicate key is no error there: the last wins).
    const parsed = parseManifestTextFull(text, 'x', { lastKeyWins: true });
    if (parsed.docs.length > 0 || parsed.errors.length === 0) continue;
    const p = join(dir, `m${String(out.length).padStart(5, '0')}.yaml`);
    writeFileSync(p, text);
    out.push(p);
  }
  for (const h of hostileDocuments()) {
    const p = join(dir, `h-${h.name}.yaml`);
    writeFileSync(p, h.text);
    out.push(p);
  }
  const bad = join(dir, 'h-invalid-utf8.yaml');
  writeFileSync(bad, Buffer.concat([Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"\n')]));
  out.push(bad);
  return out;
}

function snapshot(home: string): string {
  const objs = registryObjects(home);
  return JSON.stringify([...objs.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Feeds the inputs to apply (in batches of files per process) and validate; checks each outcome. */
export function fuzzRun(home: string, inputs: string[], batch: number, msPerInput: number): FuzzFigures {
  const seedObj = run(home, ['apply', '-f', '-'], '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"before"},"data":{"a":"1"}}');
  assert.equal(seedObj.code, 0, seedObj.stderr);
  const before = snapshot(home);
  let processes = 0;
  const rejected = inputs.filter((p) => !p.includes('/h-'));
  for (let i = 0; i < rejected.length; i += batch) {
    const group = rejected.slice(i, i + batch);
    const args = ['apply', ...group.flatMap((f) => ['-f', f])];
    const res = run(home, args, '', 20_000 + msPerInput * group.length);
    processes++;
    const label = `apply of ${group.length} inputs from ${group[0]}`;
    assert.notEqual(res.signal, 'SIGTERM', `${label}: timed out`);
    assert.ok(!hasStackTrace(res.stdout + res.stderr), `${label}: stack trace\n${res.stderr.slice(0, 2000)}`);
    assert.notEqual(res.code, 0, `${label}: exited 0 on rejected input`);
    assert.match(res.stderr, /\S/, `${label}: no message`);
    // One at a time through stdin for the hostile ones (a different reader path).
  }
  assert.equal(snapshot(home), before, 'rejected input changed the store');
  // Hostile documents (some are valid, if odd, objects) one at a time through stdin: no
  // crash, no hang; when rejected, a message and an unchanged store.
  for (const f of inputs.filter((p) => p.includes('/h-'))) {
    const prior = snapshot(home);
    const t0 = Date.now();
    const res = run(home, ['apply', '-f', '-'], readFileSync(f, 'utf8'), 30_000);
    processes++;
    assert.notEqual(res.signal, 'SIGTERM', `stdin ${f}: timed out after ${Date.now() - t0} ms`);
    assert.ok(!hasStackTrace(res.stdout + res.stderr), `stdin ${f}: stack trace\n${res.stderr.slice(0, 2000)}`);
    if (res.code !== 0) {
      assert.match(res.stderr, /\S/, `stdin ${f}: no message`);
      assert.equal(snapshot(home), prior, `rejected ${f} changed the store`);
    }
  }
  for (let i = 0; i < inputs.length; i += batch * 4) {
    const group = inputs.slice(i, i + batch * 4);
    const res = run(home, ['validate', ...group], '', 20_000 + msPerInput * group.length);
    processes++;
    const label = `validate of ${group.length} inputs from ${group[0]}`;
    assert.notEqual(res.signal, 'SIGTERM', `${label}: timed out`);
    assert.ok(!hasStackTrace(res.stdout + res.stderr), `${label}: stack trace\n${(res.stdout + res.stderr).slice(0, 2000)}`);
    assert.notEqual(res.code, 0, `${label}: exited 0`);
    for (const f of group) if (!f.includes('/h-')) assert.ok((res.stdout + res.stderr).includes(f), `${label}: nothing reported for ${f}`);
  }
  return { inputs: inputs.length, processes };
}
