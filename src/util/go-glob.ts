// Go's path/filepath Match and Glob (Unix), ported step for step: kubectl's `-f` expands a path
// that does not exist with filepath.Glob (the Builder's expandIfFilePattern), whose rules are
// not a shell's or tinyglobby's: `*` and `?` match dotfiles, no braces or `**`, `[^...]`
// negates, `\` escapes, and a malformed class is ErrBadPattern ("syntax error in pattern").
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { posix } from 'node:path';

export class BadPatternError extends Error {
  constructor() {
    super('syntax error in pattern');
  }
}

/** scanChunk: leading stars, then the chunk up to the next star outside a class. */
function scanChunk(pattern: string): { star: boolean; chunk: string; rest: string } {
  let star = false;
  while (pattern.length > 0 && pattern[0] === '*') {
    pattern = pattern.slice(1);
    star = true;
  }
  let inRange = false;
  let i = 0;
  scan: for (; i < pattern.length; i++) {
    switch (pattern[i]) {
      case '\\':
        if (i + 1 < pattern.length) i++;
        break;
      case '[':
        inRange = true;
        break;
      case ']':
        inRange = false;
        break;
      case '*':
        if (!inRange) break scan;
    }
  }
  return { star, chunk: pattern.slice(0, i), rest: pattern.slice(i) };
}

/** getEsc: one possibly escaped character of a class, or ErrBadPattern. */
function getEsc(chunk: string): [string, string] {
  if (chunk.length === 0 || chunk[0] === '-' || chunk[0] === ']') throw new BadPatternError();
  if (chunk[0] === '\\') {
    chunk = chunk.slice(1);
    if (chunk.length === 0) throw new BadPatternError();
  }
  const r = String.fromCodePoint(chunk.codePointAt(0)!);
  const next = chunk.slice(r.length);
  if (next.length === 0) throw new BadPatternError();
  return [r, next];
}

/** matchChunk: the rest of s after chunk matched its start, or undefined; keeps checking the chunk's syntax after a failure. */
function matchChunk(chunk: string, s: string): string | undefined {
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    switch (chunk[0]) {
      case '[': {
        let r = -1;
        if (!failed) {
          r = s.codePointAt(0)!;
          s = s.slice(String.fromCodePoint(r).length);
        }
        chunk = chunk.slice(1);
        let negated = false;
        if (chunk.length > 0 && chunk[0] === '^') {
          negated = true;
          chunk = chunk.slice(1);
        }
        let match = false;
        let nrange = 0;
        for (;;) {
          if (chunk.length > 0 && chunk[0] === ']' && nrange > 0) {
            chunk = chunk.slice(1);
            break;
          }
          let lo: string;
          let hi: string;
          [lo, chunk] = getEsc(chunk);
          hi = lo;
          if (chunk[0] === '-') [hi, chunk] = getEsc(chunk.slice(1));
          if (lo.codePointAt(0)! <= r && r <= hi.codePointAt(0)!) match = true;
          nrange++;
        }
        if (match === negated) failed = true;
        break;
      }
      case '?':
        if (!failed) {
          if (s[0] === '/') failed = true;
          s = s.slice(String.fromCodePoint(s.codePointAt(0)!).length);
        }
        chunk = chunk.slice(1);
        break;
      default:
        if (chunk[0] === '\\') {
          // an escaped character is matched literally
          chunk = chunk.slice(1);
          if (chunk.length === 0) throw new BadPatternError();
        }
        if (!failed) {
          if (chunk[0] !== s[0]) failed = true;
          s = s.slice(1);
        }
        chunk = chunk.slice(1);
    }
  }
  return failed ? undefined : s;
}

/** filepath.Match: whether name matches the whole pattern; BadPatternError for a malformed one. */
export function goMatch(pattern: string, name: string): boolean {
  pattern: while (pattern.length > 0) {
    const scanned = scanChunk(pattern);
    const { star, chunk } = scanned;
    pattern = scanned.rest;
    if (star && chunk === '') return !name.includes('/'); // a trailing * matches the rest unless it has a /
    const t = matchChunk(chunk, name);
    if (t !== undefined && (t.length === 0 || pattern.length > 0)) {
      name = t;
      continue;
    }
    if (star) {
      for (let i = 0; i < name.length && name[i] !== '/'; i++) {
        const rest = matchChunk(chunk, name.slice(i + 1));
        if (rest !== undefined) {
          if (pattern.length === 0 && rest.length > 0) continue;
          name = rest;
          continue pattern;
        }
      }
    }
    // No match: the rest of the pattern must still be well formed.
    while (pattern.length > 0) {
      const next = scanChunk(pattern);
      pattern = next.rest;
      matchChunk(next.chunk, '');
    }
    return false;
  }
  return name.length === 0;
}

const hasMeta = (p: string) => /[*?[\\]/.test(p);

/** filepath.Join: the two joined and Cleaned (`./sub/a.yaml` comes back as `sub/a.yaml`). */
const join = (dir: string, name: string) => posix.normalize(`${dir}/${name}`);

function globDir(dir: string, pattern: string, matches: string[]): void {
  try {
    if (!statSync(dir).isDirectory()) return;
  } catch {
    return; // I/O errors are ignored, as Go's glob does
  }
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  // sort.Strings compares bytes; UTF-16 order differs only past the BMP, where UTF-8's is code point order.
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const n of names) if (goMatch(pattern, n)) matches.push(join(dir, n));
}

/** filepath.Glob: the names matching pattern, each directory level sorted; BadPatternError for a malformed pattern. */
export function goGlob(pattern: string, depth = 0): string[] {
  goMatch(pattern, ''); // a malformed pattern fails even where nothing could match
  if (!hasMeta(pattern)) {
    try {
      lstatSync(pattern);
      return [pattern];
    } catch {
      return [];
    }
  }
  const slash = pattern.lastIndexOf('/');
  const file = pattern.slice(slash + 1);
  let dir = pattern.slice(0, slash + 1);
  dir = dir === '' ? '.' : dir === '/' ? dir : dir.slice(0, -1);
  const matches: string[] = [];
  if (!hasMeta(dir)) {
    globDir(dir, file, matches);
    return matches;
  }
  if (dir === pattern || depth > 10000) throw new BadPatternError(); // Go's guard against endless recursion
  for (const d of goGlob(dir, depth + 1)) globDir(d, file, matches);
  return matches;
}
