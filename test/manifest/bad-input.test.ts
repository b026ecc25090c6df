import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { closeSync, constants, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { loadManifests, formatSourceError } from '../../src/manifest';
import { readInputSync } from '../../src/manifest/read-limited';

const dir = join(__dirname, '..', 'fixtures', 'bad-input');
const f = (name: string) => join(dir, name);

async function one(name: string) {
  const r = await loadManifests([f(name)]);
  return r;
}

test('TAB in indentation: line, column and kubectl wording', async () => {
  const r = await one('tab-indent.yaml');
  assert.equal(r.docs.length, 0);
  assert.equal(r.errors[0].code, 'yaml-syntax');
  assert.deepEqual([r.errors[0].position?.line, r.errors[0].position?.col], [6, 1]);
  assert.match(r.errors[0].kubectlMessage, /yaml: line 6: found character that cannot start any token$/);
  assert.match(r.errors[0].hint!, /spaces/);
});

test('duplicate key: error with both lines', async () => {
  const r = await one('duplicate-key.yaml');
  assert.equal(r.docs.length, 0);
  assert.equal(r.errors[0].code, 'duplicate-key');
  assert.equal(r.errors[0].message, 'duplicate key "name" (first defined at line 4): mapping keys must be unique');
  assert.match(r.errors[0].kubectlMessage, /line 5: key "name" already set in map/);
});

test('malformed YAML: unclosed flow sequence', async () => {
  const r = await one('malformed.yaml');
  assert.equal(r.docs.length, 0);
  assert.equal(r.errors[0].code, 'yaml-syntax');
  assert.ok(r.errors[0].position);
  assert.match(r.errors[0].kubectlMessage, /^error parsing .*malformed\.yaml: error converting YAML to JSON: yaml: line \d+: /);
});

test('alias bomb is refused quickly', async () => {
  const t0 = Date.now();
  const r = await one('alias-bomb.yaml');
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(r.errors[0].code, 'alias-limit');
  assert.match(r.errors[0].hint!, /alias bomb/);
});

test('binary content and invalid UTF-8', async () => {
  const b = await one('binary.yaml');
  assert.equal(b.errors[0].code, 'binary');
  assert.deepEqual([b.errors[0].position?.line, b.errors[0].position?.col], [2, 16]);
  const u = await one('latin1.yaml');
  assert.equal(u.errors[0].code, 'invalid-utf8');
  assert.equal(u.errors[0].position?.line, 4);
  assert.match(u.errors[0].message, /0xe9/);
});

test('a document that is a scalar or a list', async () => {
  const s = await one('scalar.yaml');
  assert.equal(s.errors[0].code, 'not-an-object');
  assert.match(s.errors[0].kubectlMessage, /cannot unmarshal string into Go value of type unstructured.detector$/);
  const l = await one('list.yaml');
  assert.equal(l.errors[0].code, 'not-an-object');
  assert.match(l.errors[0].message, /is a list, not an object/);
  assert.match(l.errors[0].hint!, /kind: List/);
});

test('missing kind / apiVersion: kubectl text', async () => {
  const k = await one('no-kind.yaml');
  assert.equal(k.errors[0].code, 'kind-not-set');
  assert.equal(k.errors[0].kubectlMessage, `error validating "${f('no-kind.yaml')}": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false`);
  const a = await one('no-apiversion.yaml');
  assert.equal(a.errors[0].code, 'apiversion-not-set');
  assert.match(a.errors[0].kubectlMessage, /error validating data: apiVersion not set;/);
});

test('empty file and comments-only file: no objects, no errors', async () => {
  for (const n of ['empty.yaml', 'comments-only.yaml']) {
    const r = await one(n);
    assert.equal(r.docs.length, 0);
    assert.equal(r.errors.length, 0);
  }
});

test('missing path: kubectl message', async () => {
  await assert.rejects(loadManifests(['/nonexistent.yaml']), { message: 'the path "/nonexistent.yaml" does not exist' });
});

test('a YAML error ends its file, as kubectl 1.32 reads it: the documents before it still load', async () => {
  // kubectl label --local -f mixed.yaml prints configmap/first, then the error; `third` is never read.
  const r = await one('mixed.yaml');
  assert.deepEqual(r.docs.map((d) => d.object.metadata.name), ['first']);
  assert.deepEqual(r.docs.map((d) => d.docIndex), [0]);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0].docIndex, 1);
});

test('formatSourceError shows file:line:col, an excerpt and a caret', async () => {
  const r = await one('tab-indent.yaml');
  const text = formatSourceError(r.errors[0], r.textOf(r.errors[0].source));
  const lines = text.split('\n');
  assert.equal(lines[0], `${f('tab-indent.yaml')}:6:1: YAML syntax error: Tabs are not allowed as indentation`);
  assert.equal(lines[1], '   4 |   name: a');
  assert.equal(lines[3], ' > 6 | →key: v');
  assert.equal(lines[4], '     | ^');
});

test('a 50 MB file is read in bounded time', { timeout: 60_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'kubesim-big-'));
  const p = join(tmp, 'big.yaml');
  const doc = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n' + Array.from({ length: 200 }, (_, i) => `  k${i}: ${'x'.repeat(200)}\n`).join('');
  const count = Math.ceil((50 * 1024 * 1024) / doc.length);
  writeFileSync(p, Array.from({ length: count }, () => doc).join('---\n'));
  const t0 = Date.now();
  const r = await loadManifests([p]).finally(() => rmSync(tmp, { recursive: true, force: true }));
  const ms = Date.now() - t0;
  console.log(`50 MB file: ${r.docs.length} documents in ${ms} ms`);
  assert.equal(r.docs.length, count);
  assert.ok(ms < 45_000);
});

// go-yaml keeps a number past float64 a string; `.inf`/`.nan` have no JSON form; a JSON
// text's 1e400 fails kubectl's JSON decoder. (The `yaml` package read Infinity: a ConfigMap's
// "1e400" was printed `.inf` and a Deployment's `replicas: 1e400` applied as 1.)
test('numbers past float64, .inf and .nan, as kubectl reads them', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'kubesim-bad-input-'));
  try {
    const file = (name: string, text: string) => {
      writeFileSync(join(tmp, name), text);
      return join(tmp, name);
    };
    const big = '9'.repeat(400);
    const kept = await loadManifests([file('kept.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: 1e400, b: -1.5E+999, c: ${big}, d: 1e300}\n`)]);
    assert.deepEqual(kept.errors, []);
    assert.deepEqual(kept.docs[0].object.data, { a: '1e400', b: '-1.5E+999', c: big, d: 1e300 });
    for (const [v, go] of [['.inf', '+Inf'], ['-.INF', '-Inf'], ['.NaN', 'NaN']]) {
      const r = await loadManifests([file('inf.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: ${v}}\n`)]);
      assert.equal(r.docs.length, 0);
      assert.equal(r.errors[0].kubectlMessage, `error parsing ${join(tmp, 'inf.yaml')}: error converting YAML to JSON: json: unsupported value: ${go}`);
    }
    const text = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":1e400}}';
    const json = file('d.json', text);
    const r = await loadManifests([json]);
    assert.equal(r.docs.length, 0);
    assert.equal(r.errors[0].kubectlMessage, `error validating "${json}": error validating data: json: cannot unmarshal number 1e400 into Go value of type float64; if you choose to ignore these errors, turn validation off with --validate=false`);
    assert.equal(r.errors[0].unvalidatedMessage, `unable to decode "${json}": json: cannot unmarshal number 1e400 into Go value of type float64`);
    assert.deepEqual([r.errors[0].position?.line, r.errors[0].position?.col], [1, text.indexOf('1e400') + 1]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

// readInputSync's wait for a slow writer (EAGAIN on a non-blocking FIFO): data after a pause
// is read, not taken for the end; /dev/zero stops at the limit with the input's name.
test('a FIFO whose writer pauses between writes is read whole; an endless device stops at the limit', () => {
  const d = mkdtempSync(join(tmpdir(), 'kubesim-fifo-'));
  try {
    const fifo = join(d, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const ready = join(d, 'ready');
    const writer = spawn('sh', ['-c', `exec 3>"${fifo}"; : >"${ready}"; sleep 0.2; printf 'kind: ' >&3; sleep 0.3; printf 'ConfigMap' >&3`], { stdio: 'ignore' });
    // The writer's open completes once a reader has the FIFO open (this one, which never
    // reads); the reading starts once the writer holds its end (else it would read an end).
    const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const deadline = Date.now() + 20_000;
      while (!existsSync(ready)) {
        assert.ok(Date.now() < deadline, 'the writer never opened the FIFO');
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
      assert.equal(readInputSync(fifo).toString(), 'kind: ConfigMap');
    } finally {
      closeSync(fd);
      writer.kill();
    }
    assert.throws(() => readInputSync('/dev/zero', 1000), { message: 'the input "/dev/zero" is larger than the limit of 1000 bytes (0 MiB)' });
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
