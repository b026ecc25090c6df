// Shell patterns (`case`, `${x#pat}`, pathname expansion): `*`, `?`, bracket expressions.
// A pattern string marks quoted characters with a backslash. Matching is the greedy
// algorithm with one backtrack point: O(n·m) at worst, never exponential.

type PTok = { k: 'lit'; c: string } | { k: 'any' } | { k: 'star' } | { k: 'set'; neg: boolean; test: (c: string) => boolean };

const CLASSES: Record<string, (c: string) => boolean> = {
  alpha: (c) => /[A-Za-z]/.test(c),
  digit: (c) => /[0-9]/.test(c),
  alnum: (c) => /[A-Za-z0-9]/.test(c),
  upper: (c) => /[A-Z]/.test(c),
  lower: (c) => /[a-z]/.test(c),
  space: (c) => /[ \t\n\r\f\v]/.test(c),
  blank: (c) => c === ' ' || c === '\t',
  punct: (c) => /[!-/:-@[-`{-~]/.test(c),
  xdigit: (c) => /[0-9A-Fa-f]/.test(c),
  print: (c) => c >= ' ' && c <= '~',
  graph: (c) => c > ' ' && c <= '~',
  cntrl: (c) => c < ' ' || c === '\x7f',
};

const cache = new Map<string, PTok[]>();

function compile(p: string): PTok[] {
  const hit = cache.get(p);
  if (hit) return hit;
  const out: PTok[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\' && i + 1 < p.length) out.push({ k: 'lit', c: p[++i] });
    else if (c === '?') out.push({ k: 'any' });
    else if (c === '*') {
      if (out[out.length - 1]?.k !== 'star') out.push({ k: 'star' });
    } else if (c === '[') {
      const set = bracket(p, i);
      if (set) {
        out.push(set.tok);
        i = set.end;
      } else out.push({ k: 'lit', c });
    } else out.push({ k: 'lit', c });
  }
  if (cache.size > 500) cache.clear();
  cache.set(p, out);
  return out;
}

function bracket(p: string, start: number): { tok: PTok; end: number } | undefined {
  let i = start + 1;
  let neg = false;
  if (p[i] === '!' || p[i] === '^') {
    neg = true;
    i++;
  }
  const tests: Array<(c: string) => boolean> = [];
  let first = true;
  for (; i < p.length; i++) {
    let c = p[i];
    if (c === ']' && !first) {
      const t = (ch: string) => tests.some((f) => f(ch));
      return { tok: { k: 'set', neg, test: t }, end: i };
    }
    first = false;
    if (c === '[' && p[i + 1] === ':') {
      const close = p.indexOf(':]', i + 2);
      if (close > 0) {
        const f = CLASSES[p.slice(i + 2, close)];
        if (f) tests.push(f);
        i = close + 1;
        continue;
      }
    }
    if (c === '\\' && i + 1 < p.length) c = p[++i];
    if (p[i + 1] === '-' && p[i + 2] !== undefined && p[i + 2] !== ']') {
      let hi = p[i + 2];
      i += 2;
      if (hi === '\\' && i + 1 < p.length) hi = p[++i];
      const lo = c;
      tests.push((ch) => ch >= lo && ch <= hi);
    } else {
      const lit = c;
      tests.push((ch) => ch === lit);
    }
  }
  return undefined;
}

function one(t: PTok, c: string): boolean {
  if (t.k === 'lit') return t.c === c;
  if (t.k === 'any') return true;
  if (t.k === 'set') return t.test(c) !== t.neg;
  return false;
}

/** True when the whole of `s` matches `pattern`. */
export function globMatch(pattern: string, s: string, opts: { dotfiles?: boolean } = {}): boolean {
  const toks = compile(pattern);
  if (opts.dotfiles === false && s.startsWith('.') && !(toks[0]?.k === 'lit' && toks[0].c === '.')) return false;
  let ti = 0;
  let si = 0;
  let starT = -1;
  let starS = 0;
  while (si < s.length) {
    const t = toks[ti];
    if (t && t.k === 'star') {
      starT = ti++;
      starS = si;
    } else if (t && one(t, s[si])) {
      ti++;
      si++;
    } else if (starT >= 0) {
      ti = starT + 1;
      si = ++starS;
    } else return false;
  }
  while (toks[ti]?.k === 'star') ti++;
  return ti === toks.length;
}

/** True when the pattern has an unquoted `*`, `?` or `[`. */
export function hasGlob(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?') return true;
    else if (c === '[' && pattern.indexOf(']', i + 2) > 0) return true;
  }
  return false;
}

/** Removes the backslashes that mark quoted characters. */
export function unescapePattern(p: string): string {
  return p.replace(/\\(.)/gs, '$1');
}

/** `${x#p}`, `${x##p}`, `${x%p}`, `${x%%p}`; `budget` bounds the work on long values. */
export function trimPattern(s: string, pattern: string, op: '#' | '##' | '%' | '%%', budget: (units: number) => void): string {
  if (!hasGlob(pattern)) {
    const lit = unescapePattern(pattern);
    if (op[0] === '#') return s.startsWith(lit) ? s.slice(lit.length) : s;
    return s.endsWith(lit) ? s.slice(0, s.length - lit.length) : s;
  }
  budget((s.length + 1) * (s.length + 1) * (compile(pattern).length + 1));
  if (op === '#' || op === '##') {
    const order = op === '#' ? range(0, s.length) : range(s.length, 0);
    for (const n of order) if (globMatch(pattern, s.slice(0, n))) return s.slice(n);
    return s;
  }
  const order = op === '%' ? range(s.length, 0) : range(0, s.length);
  for (const n of order) if (globMatch(pattern, s.slice(n))) return s.slice(0, n);
  return s;
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  if (from <= to) for (let k = from; k <= to; k++) out.push(k);
  else for (let k = from; k >= to; k--) out.push(k);
  return out;
}
