// Bounds on evaluation, so that hostile input costs bounded time: JSON patch copy loops stop at
// kube-apiserver's 3 MiB accumulated-copy limit; go-template evaluation stops at a step,
// output and nesting bound with a template error -- never a hang or a raw JavaScript error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, MAX_ACCUMULATED_COPY_BYTES } from '../../src/api/apply/json-patch';
import { ApiError } from '../../src/api/errors';
import { executeGoTemplate, GoTemplateExecError, GoTemplateParseError } from '../../src/printers/go-template';

test('JSON patch: copies that double a value end at the accumulated copy limit', () => {
  const ops = Array.from({ length: 60 }, (_, i) => ({ op: 'copy', from: '/data', path: `/data/d${i}` }));
  const t0 = Date.now();
  assert.throws(
    () => applyJsonPatch({ data: { a: 'x'.repeat(64) } }, ops),
    (e: unknown) => e instanceof ApiError && e.reason === 'Invalid' && /^Unable to complete the copy, the accumulated size increase of copy is \d+, exceeding the limit 3145728$/.test(e.message),
  );
  assert.ok(Date.now() - t0 < 5000);
  // Below the limit, copies work as before.
  const small = applyJsonPatch({ data: { a: 'x' } }, [{ op: 'copy', from: '/data/a', path: '/data/b' }]);
  assert.deepEqual(small, { data: { a: 'x', b: 'x' } });
  assert.equal(MAX_ACCUMULATED_COPY_BYTES, 3 * 1024 * 1024);
});

const data = { metadata: { name: 'x', namespace: 'default', uid: 'u', labels: { a: '1', b: '2' }, annotations: { c: '3' } } };

test('go-template: exponential ranges end with an execution error', () => {
  const t = '{{range $.metadata}}'.repeat(12) + 'xxxxxxxx' + '{{end}}'.repeat(12);
  const t0 = Date.now();
  assert.throws(() => executeGoTemplate(t, data), (e: unknown) => e instanceof GoTemplateExecError && /evaluation exceeds kubesim's limit of \d+ steps/.test(e.message));
  assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
});

test('go-template: deep nesting is a parse error, huge printf widths an execution error', () => {
  const parens = '{{' + '('.repeat(20_000) + '1' + ')'.repeat(20_000) + '}}';
  assert.throws(() => executeGoTemplate(parens, data), (e: unknown) => e instanceof GoTemplateParseError && /max expression depth exceeded/.test(e.message));
  const ifs = '{{if 1}}'.repeat(20_000) + '{{end}}'.repeat(20_000);
  assert.throws(() => executeGoTemplate(ifs, data), (e: unknown) => e instanceof GoTemplateParseError && /max expression depth exceeded/.test(e.message));
  assert.throws(() => executeGoTemplate('{{printf "%0999999999d" 1}}', data), (e: unknown) => e instanceof GoTemplateExecError && !/Invalid string length/.test(e.message));
  // Ordinary nesting still works.
  assert.equal(executeGoTemplate('{{' + '('.repeat(50) + '.metadata.name' + ')'.repeat(50) + '}}', data), 'x');
});
