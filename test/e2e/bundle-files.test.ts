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
