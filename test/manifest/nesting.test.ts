import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_NESTING_DEPTH, nestingTooDeepAt, scanNesting } from '../../src/manifest/nesting';

// Block levels at columns 0..levels-1 (one more space per line), the last holding `flow`
// nested flow sequences: levels + flow open at once.
function nested(levels: number, flow: number): string {
  const lines: string[] = [];
  for (let i = 0; i < levels - 1; i++) lines.push(`${' '.repeat(i)}k${i}:`);
  lines.push(`${' '.repeat(levels - 1)}v: ${'['.repeat(flow)}1${']'.repeat(flow)}`);
  return lines.join('\n') + '\n';
}

// nestingTooDeepAt first tries a cheap bound (spaces and dashes leading a line, the count of
// `[` and `{`) and scans only when it cannot clear the text: these sit on the bound's edges.
test('nesting bound: exactly at the limit passes, one past it is found, around the cheap bound', () => {
  for (const [levels, flow] of [[250, 250], [251, 249], [249, 251], [200, 300], [300, 200], [1, 499], [500, 0]]) {
    assert.equal(levels + flow, MAX_NESTING_DEPTH);
    assert.equal(nestingTooDeepAt(nested(levels, flow)), undefined, `${levels} block + ${flow} flow levels`);
    // One level more: found where the limit is passed, the deepest line's content when the
    // block levels alone pass it, else the bracket opening level limit + 1.
    for (const [l, f] of [[levels + 1, flow], [levels, flow + 1]]) {
      const text = nested(l, f);
      const at = l > MAX_NESTING_DEPTH ? text.indexOf('v:') : text.indexOf('[') + MAX_NESTING_DEPTH - l;
      assert.equal(nestingTooDeepAt(text), at, `${l} block + ${f} flow levels`);
    }
  }
  // Dashes count as columns ("- - - x" opens a level per dash) and brackets inside quotes
  // or comments are not flow levels.
  const dashes = '- '.repeat(MAX_NESTING_DEPTH + 1) + 'x\n';
  assert.equal(nestingTooDeepAt(dashes), 2 * (MAX_NESTING_DEPTH + 1));
  // Spaces then dashes (124 levels by spaces alone, 200 on the last line) and 177 brackets:
  // no run of 125 spaces, few brackets, but 501 levels.
  const steps = Array.from({ length: 124 }, (_, j) => `${' '.repeat(j)}k${j}:\n`).join('');
  const mixed = `${steps}${' '.repeat(124)}${'- '.repeat(199)}x: ${'['.repeat(177)}1\n`;
  assert.equal(nestingTooDeepAt(mixed), mixed.indexOf('[') + 176);
  assert.equal(nestingTooDeepAt(mixed.replace('x: [', 'x: ')), undefined);
  const quoted = `a: "${'['.repeat(1000)}"\n# ${'{'.repeat(1000)}\n`;
  assert.equal(nestingTooDeepAt(quoted), undefined);
  // A small limit (below the bound's column count) still scans.
  const small = nested(11, 0);
  assert.equal(nestingTooDeepAt(small, 10), small.indexOf('v:'));
  assert.equal(nestingTooDeepAt(nested(10, 0), 10), undefined);
});

// The bound's two cheaper passes (substring searches for deep lines; the flow levels counted
// without the scan's line handling, for texts with more brackets than the bound's count
// allows) must clear only what the scan clears: each text below is judged by both.
test('nesting bound: texts with many brackets, quotes and comments are judged as the scan judges them', () => {
  const head = 'a:\n  b:\n  - c: ';
  const cases: string[] = [];
  // Brackets the scan counts although a quote or `#` is near: a quote or `#` after a letter,
  // a closing quote's escapes, a comment ended by its line break, levels over two lines.
  cases.push(`${head}don't ${'['.repeat(501)}`);
  cases.push(`${head}a#${'{'.repeat(501)}`);
  cases.push(`${head}"a\\" ${'['.repeat(501)}`);
  cases.push(`${head}'it''s' ${'['.repeat(501)}`);
  cases.push(`${head}"\\" "${'['.repeat(501)}`);
  cases.push(`${head}'a'' '${'['.repeat(501)}`);
  cases.push(`${head}[ # ${'['.repeat(600)}\n${'['.repeat(500)}`);
  cases.push(`${head}${'['.repeat(300)}\n${'['.repeat(201)}`);
  // ...and the ones it does not: inside quotes (one spanning lines), after ` #` or a tab and
  // `#`, a comment at a line's start.
  cases.push(`${head}[ "${'['.repeat(600)}\n${'['.repeat(600)}" ]`);
  cases.push(`${head}[\n'${'['.repeat(600)}'\n#${'{'.repeat(600)}\n]`);
  cases.push(`${head}[\t#${'['.repeat(600)}\n]`);
  // Deep lines by spaces, by dashes and by both (the substring searches' edges), with flow
  // levels beside them.
  for (const [sp, d] of [[124, 62], [125, 0], [0, 63], [249, 0], [248, 1], [0, 125], [0, 126], [250, 0], [251, 0]]) {
    cases.push(`${' '.repeat(sp)}${'- '.repeat(d)}x: ${'['.repeat(250)}1${']'.repeat(250)}\n${'['.repeat(251)}`);
    cases.push(`k:\n${' '.repeat(sp)}${'- '.repeat(d)}x: ${'['.repeat(500 - sp - d)}`);
  }
  // Random mixes of the characters the rules turn on, seeded.
  let seed = 87;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  const pieces = ['[', '[', '[', '[', '[', '[', '{', '{', ']', '}', '"', "'", "''", '#', ' #', '\\', ' ', '\t', '\n', '\r\n', ':', ',', 'a', '- ', '\n  ', ': ['];
  for (let k = 0; k < 600; k++) {
    let t = head;
    const len = 1000 + rand(6000);
    for (let j = 0; j < len; j++) t += pieces[rand(pieces.length)];
    cases.push(t);
  }
  let found = 0;
  for (const text of cases) {
    const want = scanNesting(text, MAX_NESTING_DEPTH);
    if (want !== undefined) found++;
    assert.equal(nestingTooDeepAt(text), want, JSON.stringify(text.slice(0, 300)));
  }
  // Both answers are well represented (the mixes are neither all too deep nor all shallow).
  assert.ok(found > 60 && found < cases.length - 60, `${found} of ${cases.length} too deep`);
});
