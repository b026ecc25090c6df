import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatText, formatGithub, formatJunit } from '../../src/validate/formatters';
import { parseFieldPath } from '../../src/validate/run-validate';
import type { Report } from '../../src/validate/report';
import { checkJUnit, checkSarif } from './helpers';

const report: Report = {
  kubernetesVersion: '1.30.0',
  files: ['a&b.yaml'],
  results: [{
    file: 'a&b.yaml', kind: 'ConfigMap', name: 'x<y', line: 1, col: 1, status: 'invalid',
    findings: [{ ruleId: 'schema/unknown-field', severity: 'error', message: 'bad, "very": 100%\nsecond line', file: 'a&b.yaml', line: 3, col: 5 }],
  }],
};

test('text is coloured only when asked (TTY without NO_COLOR)', () => {
  assert.match(formatText(report, { color: true }), /\x1b\[31m/);
  assert.doesNotMatch(formatText(report, { color: false }), /\x1b\[/);
  assert.equal(formatText(report, { summaryOnly: true }), '1 resources: 0 valid, 1 invalid, 0 skipped, 0 errors\n');
});

test('github escapes %, newlines, and , : in properties', () => {
  const out = formatGithub({ ...report, results: [{ ...report.results[0], findings: [{ ...report.results[0].findings[0], file: 'a,b:c.yaml' }] }] });
  assert.match(out, /^::error file=a%2Cb%3Ac\.yaml,line=3,col=5,title=schema\/unknown-field::bad, "very": 100%25%0Asecond line$/m);
});

test('junit escapes markup in names and messages', () => {
  const xml = formatJunit(report);
  checkJUnit(xml);
  assert.match(xml, /name="ConfigMap\/x&lt;y \(line 1\)"/);
});

test('field paths from FieldError texts', () => {
  assert.deepEqual(parseFieldPath('spec.template.spec.containers[0].ports[1].name'), ['spec', 'template', 'spec', 'containers', 0, 'ports', 1, 'name']);
  assert.deepEqual(parseFieldPath('metadata.labels[app.kubernetes.io/name]'), ['metadata', 'labels', 'app.kubernetes.io/name']);
});

test('the report checkers used by these tests reject what CI systems would reject', () => {
  assert.throws(() => checkSarif('{"version":"2.1.0"}'), /does not match the 2\.1\.0 schema/);
  assert.throws(() => checkSarif('{"version":"2.1.0","runs":[{"tool":{"driver":{}}}]}'), /driver must have required property 'name'/);
  assert.throws(() => checkJUnit('<testsuites><testsuite name="a" tests="1" failures="0"><testcase name="x" classname="c"></testsuite>'), /not well-formed XML/);
  assert.throws(() => checkJUnit('<testsuites tests="2" failures="0"><testsuite name="a" tests="2" failures="0"><testcase name="x" classname="c"/></testsuite></testsuites>'), /tests="2" but 1 testcases/);
});
