import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_NESTING_DEPTH, nestingTooDeepAt } from '../../src/manifest/nesting';

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
  const quoted = `a: "${'['.repeat(1000)}"\n# ${'{'.repeat(1000)}\n`;
  assert.equal(nestingTooDeepAt(quoted), undefined);
  // A small limit (below the bound's column count) still scans.
  const small = nested(11, 0);
  assert.equal(nestingTooDeepAt(small, 10), small.indexOf('v:'));
  assert.equal(nestingTooDeepAt(nested(10, 0), 10), undefined);
});
