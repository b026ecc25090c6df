// grep: basic (default), extended (-E) or fixed (-F) patterns through re2js.

import { RE2JS } from 're2js';
import type { Applet } from '../interp';
import { badOption, isBusybox, readFile, splitLines } from './common';
import { RegexError, compileRegex } from './regex';

export const grep: Applet = (c) => {
  const args = c.argv.slice(1);
  const flags = new Set<string>();
  const patterns: string[] = [];
  const files: string[] = [];
  let ere = c.argv[0].endsWith('egrep');
  let fixed = c.argv[0].endsWith('fgrep');
  let noMore = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (noMore || !a.startsWith('-') || a === '-') {
      files.push(a);
      continue;
    }
    if (a === '--') {
      noMore = true;
      continue;
    }
    if (a === '--color=never' || a === '--color=auto' || a === '--color') continue;
    for (let j = 1; j < a.length; j++) {
      const f = a[j];
      if (f === 'e' || f === 'f') {
        const v = j + 1 < a.length ? a.slice(j + 1) : args[++i];
        if (v === undefined) {
          c.err.write(isBusybox(c) ? `grep: option requires an argument -- '${f}'\n` : `grep: option requires an argument -- '${f}'\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n`);
          return 2;
        }
        if (f === 'e') patterns.push(...v.split('\n'));
        else {
          const t = readFile(c, 'grep', v);
          if (t === undefined) return 2;
          patterns.push(...splitLines(t));
        }
        break;
      }
      if (f === 'E') ere = true;
      else if (f === 'F') fixed = true;
      else if (f === 'G') ere = fixed = false;
      else if ('ivcnoqlLwxhHsr'.includes(f)) flags.add(f);
      else return badOption(c, 'grep', f);
    }
  }
  if (!patterns.length) {
    const p = files.shift();
    if (p === undefined) {
      c.err.write(isBusybox(c) ? 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...\n' : "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
      return 2;
    }
    patterns.push(...p.split('\n'));
  }
  let re: RE2JS;
  try {
    const parts = patterns.map((p) => (fixed ? RE2JS.quote(p) : compileRegex(p, { ere, icase: false }).pattern()));
    let src = parts.length === 1 ? parts[0] : parts.map((p) => `(?:${p})`).join('|');
    if (flags.has('x')) src = `^(?:${src})$`;
    else if (flags.has('w')) src = `\\b(?:${src})\\b`;
    re = RE2JS.compile(src, flags.has('i') ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (e) {
    if (!(e instanceof RegexError) && !(e instanceof Error)) throw e;
    c.err.write(`grep: ${(e as Error).message.replace(/^error parsing regexp: /, '')}\n`);
    return 2;
  }
  const inputs: Array<{ name: string; text: string }> = [];
  let failed = false;
  for (const f of files.length ? files : ['-']) {
    const t = readFile(c, 'grep', f);
    if (t === undefined) {
      if (flags.has('s')) {
        failed = true;
        continue;
      }
      failed = true;
    } else inputs.push({ name: f === '-' ? '(standard input)' : f, text: t });
  }
  const showName = flags.has('H') || (files.length > 1 && !flags.has('h'));
  let matched = false;
  for (const inp of inputs) {
    const lines = splitLines(inp.text);
    let count = 0;
    const prefix = showName ? `${inp.name}:` : '';
    for (let n = 0; n < lines.length; n++) {
      const l = lines[n];
      const hit = re.test(l) !== flags.has('v');
      if (!hit) continue;
      count++;
      matched = true;
      if (flags.has('q')) return 0;
      if (flags.has('c') || flags.has('l') || flags.has('L')) continue;
      const num = flags.has('n') ? `${n + 1}:` : '';
      if (flags.has('o') && !flags.has('v')) {
        const m = re.matcher(l);
        while (m.find()) {
          const s = m.group(0) ?? '';
          if (s) c.out.write(`${prefix}${num}${s}\n`);
        }
      } else c.out.write(`${prefix}${num}${l}\n`);
    }
    if (flags.has('c')) c.out.write(`${prefix}${count}\n`);
    if (flags.has('l') && count) c.out.write(`${inp.name}\n`);
    if (flags.has('L') && !count) c.out.write(`${inp.name}\n`);
  }
  if (failed && !(flags.has('q') && matched)) return 2;
  return matched ? 0 : 1;
};
