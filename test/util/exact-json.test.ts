// util/exact-json.ts: JSON with int64s past 2^53 kept exact (bigints), otherwise what
// JSON.parse and JSON.stringify give, errors included.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isJsonNumber, parseJson, stringifyJson } from '../../src/util/exact-json';
import { heapGrowth } from '../helpers/heap';

test('ints past 2^53 that int64 holds are read as bigints; everything else as JSON.parse reads it', () => {
  const text = '{"a":9007199254740993,"min":-9223372036854775808,"max":9223372036854775807,"over":9223372036854775808,"f":12345678901234567.0,"e":1e400,"safe":9007199254740991,"s":"12345678901234567890","esc":"x\\u0041\\n\\"","__proto__":{"z":1},"l":[true,false,null,-0,[],{}]}';
  const v = parseJson(text);
  assert.equal(v.a, 9007199254740993n);
  assert.equal(v.min, -9223372036854775808n);
  assert.equal(v.max, 9223372036854775807n);
  // Past int64 Go reads a float64; a fraction or exponent makes a float whatever its digits.
  assert.equal(v.over, 9223372036854775808);
  assert.equal(v.f, 12345678901234568);
  assert.equal(v.e, Infinity);
  assert.equal(v.safe, 9007199254740991);
  assert.equal(v.s, '12345678901234567890');
  const plain = JSON.parse(text);
  for (const k of ['esc', 'l', 'over', 'f', 'e', 'safe', 's']) assert.deepEqual(v[k], plain[k], k);
  assert.ok(Object.prototype.hasOwnProperty.call(v, '__proto__') && Object.getPrototypeOf(v) === Object.prototype);
  assert.deepEqual(v['__proto__'], { z: 1 });
  // Without a 16-digit run the text is JSON.parse's.
  assert.deepEqual(parseJson('{"a":[1,2.5,"x"]}'), { a: [1, 2.5, 'x'] });
});

test('isJsonNumber: what a decoded JSON number is, a number or an exact bigint', () => {
  const v = parseJson('[1, 1.5, 9223372036854775807, "1", null, true]');
  assert.deepEqual(v.map(isJsonNumber), [true, true, true, false, false, false]);
});

test('a text that is not JSON fails with JSON.parse\'s own error, long digits or not', () => {
  for (const bad of ['{"a":1234567890123456789,}', '[1234567890123456789', '{"a" 1}', '01234567890123456789', '{"a":1234567890123456789} x', '"\t1234567890123456789"']) {
    const want = (() => {
      try {
        JSON.parse(bad);
      } catch (e) {
        return (e as Error).message;
      }
      return 'parsed';
    })();
    assert.throws(() => parseJson(bad), (e: unknown) => e instanceof SyntaxError && e.message === want, bad);
  }
});

test('bigints are written as their digits, everything else as JSON.stringify writes it, indented or not', () => {
  const v = { a: 9007199254740993n, b: [undefined, () => 1, new Date(0), NaN, -0], c: undefined, d: { e: 'x<y>"' }, f: [], g: {}, h: [-9223372036854775808n] };
  const asNumbers = { ...v, a: 1, h: [2] };
  for (const indent of [undefined, 2]) {
    const want = JSON.stringify(asNumbers, null, indent).replace(/\b1\b/, '9007199254740993').replace(/\b2\b(?=\s*\])/, '-9223372036854775808');
    assert.equal(stringifyJson(v, indent), want, `indent ${indent}`);
  }
  assert.deepEqual(parseJson(stringifyJson(v)), { ...JSON.parse(JSON.stringify(asNumbers)), a: 9007199254740993n, h: [-9223372036854775808n] });
  // No bigint: JSON.stringify's own result and errors.
  assert.equal(stringifyJson({ a: 1 }), '{"a":1}');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => stringifyJson(cyclic), /circular/);
});

test('a long string in a text read exactly costs a regex run, not a step per character', () => {
  const text = `{"n":9007199254740993,"s":"${'x'.repeat(2_000_000)}"}`;
  const v = parseJson(text);
  assert.equal(v.s.length, 2_000_000);
  assert.equal(v.n, 9007199254740993n);
});

test('a string read by the exact parser keeps none of the text it came from', () => {
  // A runtime record's line: its container ID holds a 16-digit run (the exact parser reads
  // it), and the line is a slice of a file's text. V8 makes a slice of 13 characters or more
  // a view of its parent: a string kept from it would keep the whole ~100-KB text.
  const grown = heapGrowth([...Array(200).keys()], (i) => {
    const id = `containerd://${String(i).padStart(4, '0')}1234567890123456${'ab'.repeat(22)}`;
    const text = `{"pad":"${'x'.repeat(100_000)}"}\n{"uid":"00000000-0000-4000-8000-${String(i).padStart(12, '0')}","containerID":"${id}"}\n`;
    const v = parseJson(text.split('\n')[1]);
    assert.equal(v.containerID, id);
    return [v.uid, v.containerID];
  });
  // Each kept pair's own strings are ~200 B; a kept text ~100 KB.
  assert.ok(grown / 200 < 2_000, `${Math.round(grown / 200)} B kept a line`);
});
