// What the build splits off the CLI bundles and how it writes them (scripts/build.mjs): code
// and data `get` never runs (ws, cel-js, the protobuf descriptors, the image catalogue) are
// files of their own in dist/lib/, and every file is written already wrapped in the module
// function bin/kubesim compiles (its WRAPPED_HEAD), which require() of the file still runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers';

const dist = join(ROOT, 'dist');
const head = /const WRAPPED_HEAD = '([^']+)';/.exec(readFileSync(join(ROOT, 'bin', 'kubesim'), 'utf8'))?.[1];

test('get reads neither the protobuf descriptors, the image catalogue, ws nor cel-js: each is a file in dist/lib', () => {
  const get = readFileSync(join(dist, 'verb-get.cjs'), 'latin1');
  for (const [lib, marker] of [
    ['k8s-proto.cjs', '"k8s.io.api.core.v1"'],
    ['image-catalog.cjs', '"docker.io/library/nginx"'],
    ['ws.cjs', 'Invalid WebSocket frame'],
    ['@marcbachmann/cel-js.cjs', 'no such overload'],
  ]) {
    assert.ok(readFileSync(join(dist, 'lib', lib), 'latin1').includes(marker), `${marker} in dist/lib/${lib}`);
    assert.ok(!get.includes(marker), `${marker} is not in dist/verb-get.cjs`);
  }
});

test('the bundles are written wrapped as bin/kubesim compiles them, and require() still runs them', () => {
  assert.ok(head, 'WRAPPED_HEAD in bin/kubesim');
  // The fast path's entry (fast.cjs) is loaded by plain require(), not compiled by bin/kubesim; its other files are.
  const files = [...readdirSync(dist).filter((f) => f.endsWith('.cjs') && f !== 'fast.cjs'), ...readdirSync(join(dist, 'lib')).filter((f) => f.endsWith('.cjs')).map((f) => join('lib', f))];
  assert.ok(files.includes('verb-get.cjs') && files.includes('main.cjs') && files.includes('fast-get-store.cjs'), files.join(', '));
  for (const f of files) assert.ok(readFileSync(join(dist, f), 'latin1').startsWith(head!), `dist/${f} begins with WRAPPED_HEAD`);
  // A chunk and a whole CLI bundle through plain require(), outside bin/kubesim.
  const r = spawnSync(process.execPath, ['-e', `const ws = require(${JSON.stringify(join(dist, 'lib', 'ws.cjs'))}); console.log(typeof ws.WebSocketServer)`], { encoding: 'utf8' });
  assert.equal(r.stdout, 'function\n', r.stderr);
  const v = spawnSync(process.execPath, [join(dist, 'verb-version.cjs'), 'version', '--client'], { encoding: 'utf8' });
  assert.equal(v.status, 0, v.stderr);
  assert.equal(v.stdout, spawnSync(process.execPath, [join(ROOT, 'bin', 'kubesim'), 'version', '--client'], { encoding: 'utf8' }).stdout);
});

// The fast path's pod table names a few column docs: its file holds those texts, not the
// whole column-docs.json (26 kB that every `get pod X` deserialised from its code cache).
test('fast-get-store.cjs holds the column docs the pod table names, and no others', () => {
  const docs = JSON.parse(readFileSync(join(ROOT, 'src', 'printers', 'columns', 'column-docs.json'), 'utf8')) as Record<string, string>;
  const fastStore = readFileSync(join(dist, 'fast-get-store.cjs'), 'latin1');
  const main = readFileSync(join(dist, 'main.cjs'), 'latin1');
  // The first words of each text (the bundles may escape the rest differently).
  const text = (k: string) => docs[k].slice(0, 60);
  for (const k of ['core/v1.PodStatus.podIP', 'core/v1.PodSpec.nodeName', 'meta/v1.ObjectMeta.name', 'meta/v1.ObjectMeta.creationTimestamp']) {
    assert.ok(fastStore.includes(text(k)), `${k} in fast-get-store.cjs`);
  }
  for (const k of ['apps/v1beta1.ControllerRevision.revision', 'autoscaling/v1.ScaleSpec.replicas']) {
    assert.ok(main.includes(text(k)), `${k} in main.cjs`);
    assert.ok(!fastStore.includes(text(k)), `${k} is not in fast-get-store.cjs`);
  }
});
