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

test('CRD patterns: RE2, linear in the value (no backtracking), and a pattern RE2 refuses is refused at create', async () => {
  const { openStore } = await import('../../src/store/registry');
  const { ApiServer } = await import('../../src/api/server');
  const { ManualClock } = await import('../../src/sim/clock');
  const { seededRng } = await import('../../src/sim/rng');
  const { apiValidator, loadValidation } = await import('../../src/api/validator-adapter');
  await loadValidation();
  const api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-12-01T00:00:00Z')), seededRng(3), apiValidator());
  await api.bootstrap();
  const crd = (plural: string, patterns: Record<string, string>) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.ex.com` },
    spec: {
      group: 'ex.com',
      names: { kind: plural[0].toUpperCase() + plural.slice(1, -1), plural },
      scope: 'Namespaced',
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: Object.fromEntries(Object.entries(patterns).map(([k, p]) => [k, { type: 'string', pattern: p }])) } } } } }],
    },
  });
  await api.create(crd('widgets', { s: '^(a+)+$', t: '^(a|aa)+$', u: '(\\w+\\s?)*$' }));
  const t0 = Date.now();
  await assert.rejects(
    api.create({ apiVersion: 'ex.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec: { s: 'a'.repeat(5000) + '!', t: 'a'.repeat(5000) + '!', u: 'ab '.repeat(3000) + '!' } }),
    (e: unknown) => e instanceof ApiError && /spec\.s: Invalid value: .*should match '\^\(a\+\)\+\$'/.test(e.message) && /spec\.t: Invalid value: /.test(e.message),
  );
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  await assert.rejects(
    api.create(crd('things', { s: '+', t: '(?=a)b', u: '^ok$' })),
    (e: unknown) =>
      e instanceof ApiError &&
      e.message ===
        'CustomResourceDefinition.apiextensions.k8s.io "things.ex.com" is invalid: [' +
          'spec.validation.openAPIV3Schema.properties[spec].properties[s].pattern: Invalid value: "+": must be a valid regular expression, but isn\'t: error parsing regexp: missing argument to repetition operator: `+`, ' +
          'spec.validation.openAPIV3Schema.properties[spec].properties[t].pattern: Invalid value: "(?=a)b": must be a valid regular expression, but isn\'t: error parsing regexp: invalid or unsupported Perl syntax: `(?=`]',
  );
});
