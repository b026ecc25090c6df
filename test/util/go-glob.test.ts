// Go's filepath.Match and Glob, as kubectl's -f uses them: cases from Go's match_test.go and
// glob behaviour on a real directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadPatternError, goGlob, goMatch } from '../../src/util/go-glob';

test('filepath.Match: Go\'s own table (match_test.go)', () => {
  const cases: [string, string, boolean | 'bad'][] = [
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'a', true],
    ['a*', 'abc', true],
    ['a*', 'ab/c', false],
    ['a*/b', 'abc/b', true],
    ['a*/b', 'a/c/b', false],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
    ['a*b?c*x', 'abxbbxdbxebxczzx', true],
    ['a*b?c*x', 'abxbbxdbxebxczzy', false],
    ['ab[c]', 'abc', true],
    ['ab[b-d]', 'abc', true],
    ['ab[e-g]', 'abc', false],
    ['ab[^c]', 'abc', false],
    ['ab[^b-d]', 'abc', false],
    ['ab[^e-g]', 'abc', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true],
    ['a[^a]b', 'a☺b', true],
    ['a???b', 'a☺b', false],
    ['a[^a][^a][^a]b', 'a☺b', false],
    ['[a-ζ]*', 'α', true],
    ['*[a-ζ]', 'A', false],
    ['a?b', 'a/b', false],
    ['a*b', 'a/b', false],
    ['[\\]a]', ']', true],
    ['[\\-]', '-', true],
    ['[x\\-]', 'x', true],
    ['[x\\-]', '-', true],
    ['[x\\-]', 'z', false],
    ['[\\-x]', 'x', true],
    ['[\\-x]', 'a', false],
    ['[]a]', ']', 'bad'],
    ['[-]', '-', 'bad'],
    ['[x-]', 'x', 'bad'],
    ['[a-b-c]', 'a', 'bad'],
    ['[', 'a', 'bad'],
    ['[^', 'a', 'bad'],
    ['[^bc', 'a', 'bad'],
    ['a[', 'a', 'bad'],
    ['a[', 'ab', 'bad'],
    ['a[', 'x', 'bad'],
    ['a/b[', 'x', 'bad'],
    ['*x', 'xxx', true],
  ];
  for (const [pattern, name, want] of cases) {
    if (want === 'bad') assert.throws(() => goMatch(pattern, name), BadPatternError, `${pattern} ~ ${name}`);
    else assert.equal(goMatch(pattern, name), want, `${pattern} ~ ${name}`);
  }
});

test('filepath.Glob: dotfiles match, each level sorted, paths cleaned, no braces; a malformed pattern fails', () => {
  const dir = mkdtempSync(join(tmpdir(), 'go-glob-'));
  try {
    for (const d of ['b', 'a', '.h']) mkdirSync(join(dir, d));
    for (const f of ['b/x.yaml', 'a/x.yaml', 'a/.y.yaml', '.h/x.yaml', 'a/Z.yaml']) writeFileSync(join(dir, f), '');
    assert.deepEqual(goGlob(`${dir}/*/x.yaml`).map((p) => p.slice(dir.length + 1)), ['.h/x.yaml', 'a/x.yaml', 'b/x.yaml']);
    assert.deepEqual(goGlob(`${dir}/a/*`).map((p) => p.slice(dir.length + 1)), ['a/.y.yaml', 'a/Z.yaml', 'a/x.yaml']);
    assert.deepEqual(goGlob(`${dir}/./a/[xZ].yaml`).map((p) => p.slice(dir.length + 1)), ['a/Z.yaml', 'a/x.yaml']);
    assert.deepEqual(goGlob(`${dir}/a/{x,Z}.yaml`), []);
    assert.deepEqual(goGlob(`${dir}/nope/*`), []);
    assert.throws(() => goGlob(`${dir}/nope/[`), BadPatternError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
