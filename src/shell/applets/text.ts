// Text applets: cat, head, tail, wc, sort, uniq, cut, tr, seq, tee, basename, dirname, base64, rev.

import type { Applet, AppletCtx } from '../interp';
import { memoryError } from '../limits';
import { badOption, getopt, isBusybox, joinLines, readFile, splitLines } from './common';

function inputs(c: AppletCtx, tool: string, files: string[], style: 'plain' | 'open' | 'read' = 'plain'): { texts: Array<{ name: string; text: string }>; failed: boolean } {
  if (!files.length) return { texts: [{ name: '-', text: c.inp.rest() }], failed: false };
  const texts: Array<{ name: string; text: string }> = [];
  let failed = false;
  for (const f of files) {
    const t = readFile(c, tool, f, style);
    if (t === undefined) failed = true;
    else texts.push({ name: f, text: t });
  }
  return { texts, failed };
}

const cat: Applet = (c) => {
  const o = getopt(c.argv.slice(1), 'nuAvetsb');
  if (o.bad) return badOption(c, 'cat', o.bad);
  let failed = false;
  let n = 0;
  const numbered = (t: string) => {
    const ls = t.split('\n');
    const last = ls.pop();
    return ls.map((l) => `${String(++n).padStart(6)}\t${l}\n`).join('') + (last ? `${String(++n).padStart(6)}\t${last}` : '');
  };
  for (const f of o.operands.length ? o.operands : ['-']) {
    if (f === '-' && c.inp.open) {
      // a stdin still open (an attach sends it as it is typed): written as it arrives (a
      // line ended with Ctrl-D too); numbered line by line
      if (!o.flags.has('n')) for (let t = c.inp.available(); t !== undefined; t = c.inp.available()) c.out.write(t);
      else for (let l = c.inp.line(); l; l = c.inp.line()) c.out.write(numbered(l.nl ? l.text + '\n' : l.text));
      continue;
    }
    const t = readFile(c, 'cat', f);
    if (t === undefined) {
      failed = true;
      continue;
    }
    c.out.write(o.flags.has('n') ? numbered(t) : t);
  }
  return failed ? 1 : 0;
};

function headTail(tool: 'head' | 'tail'): Applet {
  return (c) => {
    const raw = c.argv.slice(1);
    const args = raw.map((a, k) => (k > 0 && (raw[k - 1] === '-n' || raw[k - 1] === '-c') ? a : /^-\d+$/.test(a) ? `-n${a.slice(1)}` : /^\+\d+$/.test(a) && tool === 'tail' ? `-n${a}` : a));
    const o = getopt(args, 'n:c:qvf');
    if (o.bad) return badOption(c, tool, o.bad);
    const nRaw = o.values.get('n') ?? '10';
    const cRaw = o.values.get('c');
    const fromStart = tool === 'tail' && nRaw.startsWith('+');
    const neg = tool === 'head' && nRaw.startsWith('-');
    const n = Number(nRaw.replace(/^[+-]/, ''));
    if (!Number.isFinite(n)) {
      c.err.write(isBusybox(c) ? `${tool}: invalid number '${nRaw}'\n` : `${tool}: invalid number of lines: '${nRaw}'\n`);
      return 1;
    }
    if (tool === 'head' && !neg && !cRaw?.startsWith('-') && c.inp.open && (o.operands.length === 0 || (o.operands.length === 1 && o.operands[0] === '-')) && !o.flags.has('v')) {
      // a stdin still open (an attach sends it as it is typed): head ends once it has its
      // lines (or bytes), without waiting for the input's end
      let got = '';
      for (let k = 0, l; (cRaw === undefined ? k < n : got.length < Number(cRaw.replace(/^\+/, ''))) && (l = c.inp.line()); k++) got += l.nl ? `${l.text}\n` : l.text;
      c.out.write(cRaw === undefined ? got : got.slice(0, Number(cRaw.replace(/^\+/, ''))));
      return 0;
    }
    const { texts, failed } = inputs(c, tool, o.operands, 'open');
    texts.forEach((t, k) => {
      if (texts.length > 1 || o.flags.has('v')) c.out.write(`${k ? '\n' : ''}==> ${t.name === '-' ? 'standard input' : t.name} <==\n`);
      if (cRaw !== undefined) {
        const m = Number(cRaw.replace(/^[+-]/, ''));
        c.out.write(tool === 'head' ? t.text.slice(0, m) : cRaw.startsWith('+') ? t.text.slice(m - 1) : t.text.slice(Math.max(0, t.text.length - m)));
        return;
      }
      const parts = t.text.split('\n');
      const trailing = parts[parts.length - 1] === '';
      if (trailing) parts.pop();
      let pick: string[];
      if (tool === 'head') pick = neg ? parts.slice(0, Math.max(0, parts.length - n)) : parts.slice(0, n);
      else pick = fromStart ? parts.slice(Math.max(0, n - 1)) : n === 0 ? [] : parts.slice(Math.max(0, parts.length - n));
      const includesLast = pick.length > 0 && (tool === 'tail' || pick.length === parts.length) && (tool === 'tail' ? true : !neg);
      c.out.write(pick.join('\n') + (pick.length && (!includesLast || trailing) ? '\n' : ''));
    });
    return failed ? 1 : 0;
  };
}

const wc: Applet = (c) => {
  const o = getopt(c.argv.slice(1), 'lwcmL');
  if (o.bad) return badOption(c, 'wc', o.bad);
  const which = ['l', 'w', 'c', 'm', 'L'].filter((f) => o.flags.has(f));
  const cols = which.length ? which : ['l', 'w', 'c'];
  const { texts, failed } = inputs(c, 'wc', o.operands);
  const rows = texts.map((t) => ({
    name: t.name,
    v: {
      l: (t.text.match(/\n/g) ?? []).length,
      w: t.text.split(/[ \t\n\r\f\v]+/).filter(Boolean).length,
      c: Buffer.byteLength(t.text),
      m: [...t.text].length,
      L: Math.max(0, ...t.text.split('\n').map((l) => l.length)),
    } as Record<string, number>,
  }));
  if (rows.length > 1) {
    const tot: Record<string, number> = {};
    for (const k of ['l', 'w', 'c', 'm']) tot[k] = rows.reduce((s, r) => s + r.v[k], 0);
    tot.L = Math.max(...rows.map((r) => r.v.L));
    rows.push({ name: 'total', v: tot });
  }
  const stdinOnly = !o.operands.length;
  let width: number;
  if (isBusybox(c)) width = cols.length === 1 && rows.length === 1 ? 0 : 7;
  else if (cols.length === 1 && rows.length === 1) width = 0;
  else if (stdinOnly) width = 7;
  else width = Math.max(1, ...rows.map((r) => String(r.v.c).length), ...rows.map((r) => Math.max(...cols.map((k) => String(r.v[k]).length))));
  for (const r of rows) {
    const nums = cols.map((k) => String(r.v[k]).padStart(width)).join(' ');
    c.out.write(nums + (r.name === '-' ? '' : ` ${r.name}`) + '\n');
  }
  return failed ? 1 : 0;
};

const sort: Applet = (c) => {
  const o = getopt(c.argv.slice(1), 'rnufbk:t:');
  if (o.bad) return badOption(c, 'sort', o.bad);
  const { texts, failed } = inputs(c, 'sort', o.operands, 'read');
  let lines = texts.flatMap((t) => splitLines(t.text));
  const sep = o.values.get('t');
  const kspec = o.values.get('k');
  const key = (l: string): string => {
    if (!kspec) return l;
    const k = Number(kspec.split(/[,.]/)[0]);
    const fields = sep !== undefined ? l.split(sep) : l.split(/(?<=\S)(?=\s)/);
    return fields.slice(k - 1).join(sep ?? '');
  };
  const num = (s: string) => {
    const m = /^\s*-?\d+(\.\d+)?/.exec(s);
    return m ? Number(m[0]) : 0;
  };
  const f = o.flags.has('f');
  const cmpStr = (a: string, b: string) => {
    const x = f ? a.toUpperCase() : a;
    const y = f ? b.toUpperCase() : b;
    return x < y ? -1 : x > y ? 1 : 0;
  };
  lines.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const r = o.flags.has('n') ? num(ka) - num(kb) || cmpStr(a, b) : cmpStr(ka, kb) || cmpStr(a, b);
    return o.flags.has('r') ? -r : r;
  });
  if (o.flags.has('u')) lines = lines.filter((l, k) => k === 0 || (o.flags.has('n') ? num(key(l)) !== num(key(lines[k - 1])) : key(l) !== key(lines[k - 1])));
  c.out.write(joinLines(lines));
  return failed ? 2 : 0;
};

const uniq: Applet = (c) => {
  const o = getopt(c.argv.slice(1), 'cdui');
  if (o.bad) return badOption(c, 'uniq', o.bad);
  const { texts, failed } = inputs(c, 'uniq', o.operands.slice(0, 1));
  const lines = texts.flatMap((t) => splitLines(t.text));
  const groups: Array<{ l: string; n: number }> = [];
  const same = (a: string, b: string) => (o.flags.has('i') ? a.toLowerCase() === b.toLowerCase() : a === b);
  for (const l of lines) {
    const g = groups[groups.length - 1];
    if (g && same(g.l, l)) g.n++;
    else groups.push({ l, n: 1 });
  }
  const keep = groups.filter((g) => (o.flags.has('d') ? g.n > 1 : o.flags.has('u') ? g.n === 1 : true));
  c.out.write(keep.map((g) => (o.flags.has('c') ? `${String(g.n).padStart(7)} ${g.l}\n` : `${g.l}\n`)).join(''));
  return failed ? 1 : 0;
};

function ranges(spec: string): Array<[number, number]> {
  return spec.split(',').map((p) => {
    const m = /^(\d*)(-?)(\d*)$/.exec(p);
    if (!m) return [0, -1];
    const a = m[1] ? Number(m[1]) : 1;
    const b = m[2] ? (m[3] ? Number(m[3]) : Infinity) : a;
    return [a, b];
  });
}

const cut: Applet = (c) => {
  const o = getopt(c.argv.slice(1), 'd:f:c:b:s');
  if (o.bad) return badOption(c, 'cut', o.bad);
  const list = o.values.get('f') ?? o.values.get('c') ?? o.values.get('b');
  if (!list) {
    c.err.write(isBusybox(c) ? 'cut: expected a list of bytes, characters, or fields\n' : "cut: you must specify a list of bytes, characters, or fields\nTry 'cut --help' for more information.\n");
    return 1;
  }
  const rs = ranges(list);
  const inR = (k: number) => rs.some(([a, b]) => k >= a && k <= b);
  const { texts, failed } = inputs(c, 'cut', o.operands);
  const out: string[] = [];
  for (const l of texts.flatMap((t) => splitLines(t.text))) {
    if (o.values.has('f')) {
      const d = o.values.get('d') ?? '\t';
      if (!l.includes(d)) {
        if (!o.flags.has('s')) out.push(l);
        continue;
      }
      out.push(l.split(d).filter((_, k) => inR(k + 1)).join(d));
    } else out.push([...l].filter((_, k) => inR(k + 1)).join(''));
  }
  c.out.write(joinLines(out));
  return failed ? 1 : 0;
};

function trSet(s: string): string[] {
  const out: string[] = [];
  const classes: Record<string, string> = {
    upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    lower: 'abcdefghijklmnopqrstuvwxyz',
    digit: '0123456789',
    space: ' \t\n\r\f\v',
    blank: ' \t',
    alpha: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    alnum: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    punct: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  };
  const esc: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\' };
  for (let i = 0; i < s.length; i++) {
    const m = /^\[:([a-z]+):\]/.exec(s.slice(i));
    if (m && classes[m[1]]) {
      out.push(...classes[m[1]]);
      i += m[0].length - 1;
      continue;
    }
    let ch = s[i];
    if (ch === '\\' && i + 1 < s.length) ch = esc[s[++i]] ?? s[i];
    if (s[i + 1] === '-' && i + 2 < s.length) {
      let hi = s[i + 2];
      i += 2;
      if (hi === '\\' && i + 1 < s.length) hi = esc[s[++i]] ?? s[i];
      for (let k = ch.charCodeAt(0); k <= hi.charCodeAt(0); k++) out.push(String.fromCharCode(k));
      continue;
    }
    out.push(ch);
  }
  return out;
}

const tr: Applet = (c) => {
  const o = getopt(c.argv.slice(1), 'dsc');
  if (o.bad) return badOption(c, 'tr', o.bad);
  const [a, b] = o.operands;
  if (a === undefined || (b === undefined && !o.flags.has('d') && !o.flags.has('s'))) {
    c.err.write(isBusybox(c) ? 'tr: missing operand\n' : a === undefined ? "tr: missing operand\nTry 'tr --help' for more information.\n" : `tr: missing operand after '${a}'\nTwo strings must be given when translating.\nTry 'tr --help' for more information.\n`);
    return 1;
  }
  const s1 = trSet(a);
  const s2 = b !== undefined ? trSet(b) : [];
  const text = c.inp.rest();
  let out = '';
  const set1 = new Set(s1);
  const comp = o.flags.has('c');
  const inS1 = (ch: string) => set1.has(ch) !== comp;
  if (o.flags.has('d')) {
    for (const ch of text) if (!inS1(ch)) out += ch;
    if (o.flags.has('s') && s2.length) out = squeeze(out, new Set(s2));
  } else if (b !== undefined) {
    const map = new Map<string, string>();
    s1.forEach((ch, k) => map.set(ch, s2[Math.min(k, s2.length - 1)] ?? ch));
    for (const ch of text) out += comp ? (set1.has(ch) ? ch : s2[s2.length - 1] ?? ch) : map.get(ch) ?? ch;
    if (o.flags.has('s')) out = squeeze(out, new Set(s2));
  } else out = squeeze(text, set1);
  c.out.write(out);
  return 0;
};

function squeeze(s: string, set: Set<string>): string {
  let out = '';
  for (const ch of s) if (!(set.has(ch) && out.endsWith(ch))) out += ch;
  return out;
}

const seq: Applet = (c) => {
  const o = getopt(c.argv.slice(1), 's:w');
  const nums = o.operands.map(Number);
  if (!nums.length || nums.length > 3 || nums.some((n) => Number.isNaN(n))) {
    const badArg = o.operands.find((a) => Number.isNaN(Number(a)));
    c.err.write(badArg !== undefined ? (isBusybox(c) ? `seq: invalid number '${badArg}'\n` : `seq: invalid floating point argument: '${badArg}'\nTry 'seq --help' for more information.\n`) : isBusybox(c) ? 'seq: missing operand\n' : "seq: missing operand\nTry 'seq --help' for more information.\n");
    return 1;
  }
  const [first, inc, last] = nums.length === 1 ? [1, 1, nums[0]] : nums.length === 2 ? [nums[0], 1, nums[1]] : nums;
  const sep = o.values.get('s') ?? '\n';
  const out: string[] = [];
  const digits = Math.max(...o.operands.map((a) => (a.split('.')[1] ?? '').length));
  if (inc === 0) return 1;
  for (let v = first, k = 0; inc > 0 ? v <= last + 1e-9 : v >= last - 1e-9; v = first + inc * ++k) {
    out.push(v.toFixed(digits));
    if (out.length > 1_000_000) break;
  }
  const width = o.flags.has('w') ? Math.max(...out.map((s) => s.length)) : 0;
  const text = out.map((s) => s.padStart(width, '0')).join(sep);
  if (text.length > c.sh.g.limits.maxBuffer) throw memoryError('the output of seq', c.sh.g.limits.maxBuffer);
  c.out.write(out.length ? text + '\n' : '');
  return 0;
};

const tee: Applet = (c) => {
  const o = getopt(c.argv.slice(1), 'a');
  const text = c.inp.rest();
  let st = 0;
  for (const f of o.operands) {
    const s = c.sh.openOut(f, o.flags.has('a'), { inp: c.inp, out: c.out, err: c.err });
    if (s) s.write(text);
    else st = 1;
  }
  c.out.write(text);
  return st;
};

const basename: Applet = (c) => {
  const [p, suffix] = c.argv.slice(1);
  if (p === undefined) {
    c.err.write(isBusybox(c) ? 'basename: missing operand\n' : "basename: missing operand\nTry 'basename --help' for more information.\n");
    return 1;
  }
  let b = p.replace(/\/+$/, '');
  b = b === '' ? (p ? '/' : '') : b.slice(b.lastIndexOf('/') + 1);
  if (suffix && b !== suffix && b.endsWith(suffix)) b = b.slice(0, -suffix.length);
  c.out.write(b + '\n');
  return 0;
};

const dirname: Applet = (c) => {
  const p = c.argv[1];
  if (p === undefined) {
    c.err.write(isBusybox(c) ? 'dirname: missing operand\n' : "dirname: missing operand\nTry 'dirname --help' for more information.\n");
    return 1;
  }
  const t = p.replace(/\/+$/, '');
  const i = t.lastIndexOf('/');
  c.out.write((p.startsWith('/') && t === '' ? '/' : i < 0 ? '.' : i === 0 ? '/' : t.slice(0, i).replace(/\/+$/, '') || '/') + '\n');
  return 0;
};

const base64: Applet = (c) => {
  const o = getopt(c.argv.slice(1), 'dw:');
  const decode = o.flags.has('d') || c.argv.includes('--decode');
  const files = o.operands.filter((a) => a !== '--decode');
  const { texts, failed } = inputs(c, 'base64', files.slice(0, 1));
  if (failed) return 1;
  const text = texts.map((t) => t.text).join('');
  if (decode) c.out.write(Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('latin1'));
  else {
    const enc = Buffer.from(text, 'latin1').toString('base64');
    const w = Number(o.values.get('w') ?? 76);
    c.out.write(enc ? (w > 0 ? enc.match(new RegExp(`.{1,${w}}`, 'g'))!.join('\n') : enc) + '\n' : '');
  }
  return 0;
};

const rev: Applet = (c) => {
  const { texts } = inputs(c, 'rev', c.argv.slice(1));
  c.out.write(joinLines(texts.flatMap((t) => splitLines(t.text)).map((l) => [...l].reverse().join(''))));
  return 0;
};

export const textApplets: Record<string, Applet> = { cat, head: headTail('head'), tail: headTail('tail'), wc, sort, uniq, cut, tr, seq, tee, basename, dirname, base64, rev };
