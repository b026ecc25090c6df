import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, age, goDuration, describeTime, microsOf } from '../../src/printers/duration';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

test('humanDuration follows apimachinery HumanDuration thresholds', () => {
  const cases: [number, string][] = [
    [-2 * S, '<invalid>'],
    [-1999, '0s'],
    [-1 * S, '0s'],
    [-500, '0s'],
    [0, '0s'],
    [59 * S, '59s'],
    [119 * S + 999, '119s'],
    [120 * S, '2m'],
    [121 * S, '2m1s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [3 * H + 12 * M, '3h12m'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H, '8h'],
    [47 * H + 59 * M, '47h'],
    [2 * D, '2d'],
    [2 * D + 5 * H, '2d5h'],
    [7 * D + 23 * H, '7d23h'],
    [8 * D, '8d'],
    [729 * D, '729d'],
    [730 * D, '2y'],
    [760 * D, '2y30d'],
    [8 * 365 * D, '8y'],
    [20 * 365 * D + 100 * D, '20y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `humanDuration(${ms})`);
});

test('age: <unknown> when missing, else time since', () => {
  const now = Date.parse('2026-11-22T06:00:00Z');
  assert.equal(age(undefined, now), '<unknown>');
  assert.equal(age(null, now), '<unknown>');
  assert.equal(age('', now), '<unknown>');
  assert.equal(age('2026-11-22T05:45:00Z', now), '15m');
  assert.equal(age('2026-11-22T06:00:05Z', now), '<invalid>');
});

test('goDuration matches time.Duration.String', () => {
  assert.equal(goDuration(0), '0s');
  assert.equal(goDuration(830), '830ms');
  assert.equal(goDuration(1661), '1.661s');
  assert.equal(goDuration(80 * S), '1m20s');
  assert.equal(goDuration(5 * M), '5m0s');
  assert.equal(goDuration(2 * H), '2h0m0s');
  assert.equal(goDuration(1.5), '1.5ms');
  assert.equal(goDuration(0.0015), '1.5µs');
  assert.equal(goDuration(-1500), '-1.5s');
  assert.equal(goDuration(H + 2 * M + 3500), '1h2m3.5s');
});

test('describeTime prints RFC1123Z in the given zone', () => {
  assert.equal(describeTime('2026-11-22T05:46:26Z', 'UTC'), 'Sun, 22 Nov 2026 05:46:26 +0000');
  assert.equal(describeTime('2026-11-22T05:46:26Z', 'Asia/Kolkata'), 'Sun, 22 Nov 2026 11:16:26 +0530');
  assert.equal(describeTime('2026-07-01T02:00:00Z', 'America/New_York'), 'Tue, 30 Jun 2026 22:00:00 -0400');
});

test('microsOf: a Time or MicroTime as microseconds, 0 for none or a malformed one', () => {
  const base = Date.parse('2025-01-01T00:00:00Z') * 1000;
  assert.equal(microsOf('2025-01-01T00:00:00Z'), base);
  assert.equal(microsOf('2025-01-01T00:00:00.123456Z'), base + 123456);
  assert.equal(microsOf('2025-01-01T00:00:00.1234567Z'), base + 123456, 'nanoseconds past the microsecond are dropped');
  assert.ok(microsOf('2025-01-01T00:00:00.000001Z') > microsOf('2025-01-01T00:00:00Z'), 'one microsecond apart is not equal');
  for (const t of [undefined, null, '', 'yesterday', 5]) assert.equal(microsOf(t), 0, String(t));
});
