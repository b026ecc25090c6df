// goParseQuantity (src/api/quantity.ts) follows resource.ParseQuantity: which
// error it returns and the text String() prints. The values were checked against kubectl 1.32
// (`set resources --local --limits=cpu=V`); the fidelity suite runs a few of them through it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add, cmp, formatQuantity, goParseQuantity, milliValue, parseQuantity, QUANTITY_FORMAT_ERROR, QUANTITY_SUFFIX_ERROR, value, ZERO } from '../../src/api/quantity';

const text = (s: string) => {
  const r = goParseQuantity(s);
  return 'error' in r ? `error: ${r.error}` : r.text;
};

test("ParseQuantity's errors: the suffix lookup apart from the format", () => {
  for (const s of ['1e', '1e+', '1k1', '1Ki5', '1m+', '1Mi-', '1ki', '1Kie3', '1e9223372036854775808']) assert.equal(text(s), `error: ${QUANTITY_SUFFIX_ERROR}`, s);
  for (const s of ['', '1x', '1.2.3', '1KI', '1e3e', 'abc', ' 1']) assert.equal(text(s), `error: ${QUANTITY_FORMAT_ERROR}`, s);
});

test('texts Go reads as zero, and the text kept as written by its fast path', () => {
  for (const s of ['.', '-', '+', '+.', '-.', '.e3', '00', '-0']) assert.equal(text(s), '0', s);
  for (const s of ['1.', '-1.', '+1', '1E3', '1e3', '1Ki', '1500m']) assert.equal(text(s), s, s);
  // Canonical otherwise: trailing zeros, a leading zero, an exponent not a multiple of 3, a binary multiple of 8.
  assert.deepEqual(['1000m', '0.5', '10e2', '8Ki', '1024Mi', '0.5Ki'].map(text), ['1', '500m', '1e3', '8Ki', '1Gi', '512']);
  // BinarySI: whole bytes that are no Ki multiple print plainly, a fraction of a byte in DecimalSI.
  assert.deepEqual(['1953.125Ki', '1000.5Ki', '1.0005Ki'].map(text), ['2000000', '1024512', '1024512m']);
});

test('exponents wrap to int32 and sub-nano values round away from zero', () => {
  assert.equal(text('1e99999999999'), '10e1215752190');
  assert.deepEqual(['1e-20', '-1e-20', '-1.5n', '-0.5n', '0.5n'].map(text), ['1e-9', '-1e-9', '-2n', '-1n', '1n']);
});

test('parseQuantity of a text seen before: the same value, shared and frozen, past the memo table filling up', () => {
  const first = parseQuantity(' 64Mi ')!;
  assert.equal(parseQuantity('64Mi'), first);
  assert.ok(Object.isFrozen(first));
  // More texts than the table keeps: each still reads as itself, old ones parsed again.
  for (let i = 0; i < 3000; i++) assert.equal(formatQuantity(parseQuantity(`${i}m`)!), i === 0 ? '0' : i % 1000 === 0 ? `${i / 1000}` : `${i}m`);
  assert.equal(formatQuantity(parseQuantity('64Mi')!), '64Mi');
  assert.equal(parseQuantity('1x'), undefined);
  assert.equal(parseQuantity('1x'), undefined);
});

test('a BinarySI value is capped at MaxInt64, as ParseQuantity caps it', () => {
  assert.deepEqual(['9999999999999999999999999999999Ei', '-9999999999999999999999999999999Ei', '8Ei', '7Ei'].map(text), ['9223372036854775807', '-9223372036854775807', '9223372036854775807', '7Ei']);
});

test('values of enormous scale compare, sum and scale without computing 10^scale', () => {
  const q = (s: string) => parseQuantity(s)!;
  const huge = q('1e999999999');
  assert.deepEqual([cmp(huge, q('1')), cmp(q('1'), huge), cmp(q('-1e999999999'), q('-1')), cmp(huge, q('2e999999999')), cmp(q('1e-9'), q('1e999999999'))], [1, -1, -1, -1, -1]);
  assert.deepEqual([value(huge), milliValue(q('-1e999999999')), value(q('1e-9')), milliValue(q('-1e-9'))], [Infinity, -Infinity, 1, 0]);
  // The exact sum would have a billion digits: the larger term stands for it, in the first term's format.
  assert.equal(formatQuantity(add(add(ZERO, q('100m')), huge)), '1e999999999');
  assert.equal(formatQuantity(add(q('1Gi'), huge)), '1e999999999');
  assert.equal(formatQuantity(add(q('1'), q('1e9999'))), '1' + '0'.repeat(9998) + '1');
  // A 1 and 200,000 zeros: its trailing zeros are the exponent.
  assert.equal(text('1' + '0'.repeat(200_000)), '100e199998');
});
