// cel-go's ext strings v2 functions kubesim adds to the CRD CEL environment (strings.quote,
// string.format), evaluated as rules are: expected values are cel-go v0.22.0's own test
// cases (ext/strings_test.go), the version Kubernetes 1.32 builds with; and through a
// custom resource's rule, a formatting error shown as kube-apiserver shows a runtime error.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { celEnvironment, withKubeFunctions } from '../../src/api/validation/crd-cel-lib';
import { celValidator } from '../../src/api/validation/crd-cel';
import { parseCrdDuration } from '../../src/api/validation/crd-formats';

const run = (expr: string): unknown => celEnvironment().evaluate(withKubeFunctions(expr), { self: null, oldSelf: null });
const fails = (expr: string): string => {
  try {
    run(expr);
  } catch (e) {
    return (e as Error).message.split('\n')[0]!;
  }
  assert.fail(`${expr} evaluated`);
};

test('strings.quote escapes as cel-go does', () => {
  assert.equal(run(`strings.quote('single-quote with "double quote"')`), '"single-quote with \\"double quote\\""');
  assert.equal(run(`strings.quote("two escape sequences \\a\\n")`), '"two escape sequences \\a\\n"');
  assert.equal(run(`strings.quote("tab\\tand é")`), '"tab\\tand é"');
});

test('string.format: every clause, cel-go test cases', () => {
  const cases: [string, string][] = [
    [`"%%%s%%".format(["text"])`, '%text%'],
    [`"%d %d %d, %s %s %s".format([1, 2, 3, "A", "B", "C"])`, '1 2 3, A B C'],
    [`"%.3f".format([1.2345])`, '1.234'],
    [`"%.2f".format([1234567.891])`, '1,234,567.89'],
    [`"%f".format([2.71828])`, '2.718280'],
    [`"%.6e".format([1052.032911275])`, '1.052033\u202f\u00d7\u202f10\u2070\u00b3'],
    [`"%e".format([2.71828])`, '2.718280\u202f\u00d7\u202f10\u2070\u2070'],
    [`"%f %f %f".format(["NaN", "Infinity", "-Infinity"])`, 'NaN ∞ -∞'],
    [`"this is 5 in binary: %b".format([5])`, 'this is 5 in binary: 101'],
    [`"%b %b".format([uint(64), true])`, '1000000 1'],
    [`"%o %o".format([11, uint(65535)])`, '13 177777'],
    [`"%x %X %X".format([30, 30, uint(6000)])`, '1e 1E 1770'],
    [`"%x %X".format(["Hello world!", b"byte string"])`, '48656c6c6f20776f726c6421 6279746520737472696E67'],
    [`"null: %s".format([null])`, 'null: null'],
    [`"%s".format([999999999999])`, '999999999999'],
    [`"some bytes: %s".format([b"xyz"])`, 'some bytes: xyz'],
    [`"type is %s".format([type("test string")])`, 'type is string'],
    [`"%s".format([timestamp("2023-02-03T23:31:20+00:00")])`, '2023-02-03T23:31:20Z'],
    [`"%s".format([duration("1h45m47s")])`, '6347s'],
    [`"%s".format([["abc", 3.14, null, [9, 8, 7, 6], timestamp("2023-02-03T23:31:20Z")]])`, '["abc", 3.140000, null, [9, 8, 7, 6], timestamp("2023-02-03T23:31:20Z")]'],
    [`"%s".format([{"key1": b"xyz", "key5": null, "key2": duration("2h"), "key4": true, "key3": 2.71828}])`, '{"key1":b"xyz", "key2":duration("7200s"), "key3":2.718280, "key4":true, "key5":null}'],
    [`"true bool: %s, false bool: %s".format([true, false])`, 'true bool: true, false bool: false'],
    [`"%s %s".format([56.8, 1e21])`, '56.8 1e+21'],
  ];
  for (const [expr, want] of cases) assert.equal(run(expr), want, expr);
});

test('string.format errors, in cel-go words', () => {
  assert.equal(fails(`"%a".format([1])`), 'could not parse formatting clause: unrecognized formatting clause "a"');
  assert.equal(fails(`"%d %d %d".format([0, 1])`), 'index 2 out of range');
  assert.equal(fails(`"abc%".format([1])`), 'unexpected end of string');
  assert.equal(fails(`"string is %b".format(["abc"])`), 'error during formatting: only integers and bools can be formatted as binary, was given string');
  assert.equal(fails(`"%d".format([duration("30m2s")])`), 'error during formatting: decimal clause can only be used on integers, was given google.protobuf.Duration');
  assert.equal(fails(`"double is %x".format([0.5])`), 'error during formatting: only integers, byte buffers, and strings can be formatted as hex, was given double');
  assert.equal(fails(`"null: %e".format([null])`), 'error during formatting: scientific clause can only be used on doubles, was given null_type');
  assert.equal(fails(`"null: %f".format([null])`), 'error during formatting: fixed-point clause can only be used on doubles, was given null_type');
  assert.equal(fails(`"null: %o".format([null])`), 'error during formatting: octal clause can only be used on integers, was given null_type');
});

test('a rule using format and quote runs on a custom resource; its runtime error is the rule\'s error', () => {
  const validate = celValidator({
    type: 'object',
    properties: { spec: { type: 'object', properties: { name: { type: 'string' }, n: { type: 'integer' } }, 'x-kubernetes-validations': [
      { rule: `"%s-%d".format([self.name, self.n]) == 'a-1' || strings.quote(self.name) == '"b"'` },
      { rule: `"%d".format([self.name]) != ''`, message: 'never shown' },
    ] } },
  })!;
  const errs = (spec: object) => validate({ apiVersion: 'example.com/v1', kind: 'W', metadata: { name: 'w' }, spec }, undefined).map((e) => `${e.field}: ${e.type}: ${e.value}: ${e.detail}`);
  const formatError = 'spec: Invalid value: "object": error during formatting: decimal clause can only be used on integers, was given string evaluating rule: never shown';
  assert.deepEqual(errs({ name: 'a', n: 1 }), [formatError]);
  assert.deepEqual(errs({ name: 'b', n: 2 }), [formatError]);
  assert.deepEqual(errs({ name: 'c', n: 2 }), [`spec: Invalid value: "object": failed rule: "%s-%d".format([self.name, self.n]) == 'a-1' || strings.quote(self.name) == '"b"'`, formatError]);
});

test('strings of format duration, date, date-time and byte are durations, timestamps and bytes in a rule (UnstructuredToVal)', () => {
  const validate = celValidator({
    type: 'object',
    properties: { spec: { type: 'object', properties: {
      every: { type: 'string', format: 'duration' }, day: { type: 'string', format: 'date' }, at: { type: 'string', format: 'date-time' }, key: { type: 'string', format: 'byte' },
    }, 'x-kubernetes-validations': [
      { rule: `self.every <= duration('1h')`, messageExpression: `'every is ' + string(self.every)` },
      { rule: `self.day < timestamp('2026-01-01T00:00:00Z')`, messageExpression: `'day is ' + string(self.day)` },
      { rule: `self.at.getFullYear() == 2026`, messageExpression: `"%s in %d".format([self.at, self.at.getFullYear()])` },
      { rule: `size(self.key) == 3`, messageExpression: `'key is ' + string(self.key)` },
      { rule: `type(self.every) == google.protobuf.Duration && type(self.day) == google.protobuf.Timestamp && type(self.key) == bytes` },
    ] } },
  })!;
  const errs = (spec: object) => validate({ apiVersion: 'example.com/v1', kind: 'W', metadata: { name: 'w' }, spec }, undefined).map((e) => e.detail);
  assert.deepEqual(errs({ every: '59m60s', day: '2025-12-31', at: '2026-03-04T05:06:07Z', key: 'YWJj' }), []);
  // strfmt's `<n> <unit>` durations; a date at midnight UTC; a date-time's offset applied.
  assert.deepEqual(errs({ every: '2 days', day: '2026-01-01', at: '2026-01-01T00:30:00+01:00', key: 'YWJjZA==' }), [
    'every is 172800s', 'day is 2026-01-01T00:00:00Z', '2025-12-31T23:30:00Z in 2025', 'key is abcd',
  ]);
});

test('parseCrdDuration: Go durations, then strfmt\'s unit names', () => {
  const cases: [string, bigint | undefined][] = [
    ['1h30m', 5400n * 10n ** 9n], ['1.5h', 5400n * 10n ** 9n], ['-2m3.5s', -123500n * 10n ** 6n], ['300µs', 300000n], ['0', 0n],
    ['2 days', 172800n * 10n ** 9n], ['1 hour 30 mins', 5400n * 10n ** 9n], ['1h 30m', 5400n * 10n ** 9n], ['3w', 1814400n * 10n ** 9n],
    ['5x', undefined], ['', undefined], ['1', undefined], ['h', undefined],
  ];
  for (const [s, ns] of cases) assert.equal(parseCrdDuration(s), ns, s);
});
