// sed, for the forms scripts use: s///[gpiN], p, d, q, y, a/i/c, =, with line, $, /re/
// and range addresses, `!`, -n, -e, -E/-r, -i. Regular expressions run through re2js.

import type { RE2JS } from 're2js';
import type { Applet, AppletCtx } from '../interp';
import { normalizePath } from '../vfs';
import { isBusybox, readFile } from './common';
import { RegexError, compileRegex } from './regex';

type Addr = { k: 'line'; n: number } | { k: 'last' } | { k: 're'; re: RE2JS };

interface Cmd {
  a1?: Addr;
  a2?: Addr;
  neg: boolean;
  op: string;
  re?: RE2JS;
  repl?: string;
  global?: boolean;
  nth?: number;
  print?: boolean;
  text?: string;
  from?: string;
  to?: string;
  exitCode?: number;
  /** Range state: inside the range since this line. */
  active?: boolean;
  /** `{ ... }`: index of the matching `}`. */
  end?: number;
}

class SedError extends Error {}

function parseScript(src: string, ere: boolean): Cmd[] {
  const cmds: Cmd[] = [];
  const stack: number[] = [];
  let i = 0;
  const ws = () => {
    while (i < src.length && /[ \t]/.test(src[i])) i++;
  };
  const delimited = (d: string): string => {
    let out = '';
    while (i < src.length && src[i] !== d) {
      if (src[i] === '\\' && i + 1 < src.length) {
        if (src[i + 1] === d) out += d;
        else if (src[i + 1] === 'n' && d !== 'n') out += '\\n';
        else out += src[i] + src[i + 1];
        i += 2;
      } else if (src[i] === '\n') throw new SedError(`unterminated \`s' command`);
      else out += src[i++];
    }
    if (i >= src.length) throw new SedError(`unterminated \`s' command`);
    i++;
    return out;
  };
  const regex = (s: string): RE2JS => {
    try {
      return compileRegex(s, { ere, sed: true });
    } catch (e) {
      if (e instanceof RegexError) throw new SedError(e.message);
      throw e;
    }
  };
  let lastRe: RE2JS | undefined;
  const addr = (): Addr | undefined => {
    if (/[0-9]/.test(src[i] ?? '')) {
      const m = /^\d+/.exec(src.slice(i))![0];
      i += m.length;
      return { k: 'line', n: Number(m) };
    }
    if (src[i] === '$') {
      i++;
      return { k: 'last' };
    }
    if (src[i] === '/' || src[i] === '\\') {
      const d = src[i] === '\\' ? src[++i] : '/';
      i++;
      const r = delimited(d);
      const re = r === '' && lastRe ? lastRe : regex(r);
      lastRe = re;
      return { k: 're', re };
    }
    return undefined;
  };
  while (i < src.length) {
    ws();
    if (src[i] === ';' || src[i] === '\n') {
      i++;
      continue;
    }
    if (i >= src.length) break;
    const cmd: Cmd = { neg: false, op: '' };
    cmd.a1 = addr();
    if (cmd.a1 && src[i] === ',') {
      i++;
      cmd.a2 = addr();
      if (!cmd.a2) throw new SedError('unexpected `,\'');
    }
    ws();
    while (src[i] === '!') {
      cmd.neg = !cmd.neg;
      i++;
      ws();
    }
    const op = src[i++];
    if (op === undefined) throw new SedError('missing command');
    cmd.op = op;
    switch (op) {
      case '{':
        stack.push(cmds.length);
        break;
      case '}':
        if (!stack.length) throw new SedError('unexpected `}\'');
        cmds[stack.pop()!].end = cmds.length;
        break;
      case 's': {
        const d = src[i++];
        const r = delimited(d);
        cmd.repl = delimited(d);
        cmd.re = r === '' && lastRe ? lastRe : regex(r);
        lastRe = cmd.re;
        let flags = '';
        while (i < src.length && /[gpiI0-9]/.test(src[i])) flags += src[i++];
        cmd.global = flags.includes('g');
        cmd.print = flags.includes('p');
        const n = /\d+/.exec(flags);
        if (n) cmd.nth = Number(n[0]);
        if (/[iI]/.test(flags)) cmd.re = compileRegexI(r, ere);
        break;
      }
      case 'y': {
        const d = src[i++];
        cmd.from = delimited(d).replace(/\\n/g, '\n');
        cmd.to = delimited(d).replace(/\\n/g, '\n');
        if ([...cmd.from].length !== [...cmd.to].length) throw new SedError('strings for `y\' command are different lengths');
        break;
      }
      case 'a':
      case 'i':
      case 'c': {
        ws();
        if (src[i] === '\\') {
          i++;
          if (src[i] === '\n') i++;
        }
        let t = '';
        while (i < src.length && src[i] !== '\n') {
          if (src[i] === '\\' && i + 1 < src.length) {
            t += src[i + 1] === 'n' ? '\n' : src[i + 1];
            i += 2;
          } else t += src[i++];
        }
        cmd.text = t.replace(/^\s+/, '');
        break;
      }
      case 'q':
      case 'Q': {
        ws();
        const m = /^\d+/.exec(src.slice(i));
        if (m) {
          cmd.exitCode = Number(m[0]);
          i += m[0].length;
        }
        break;
      }
      case 'p':
      case 'd':
      case '=':
      case 'n':
      case 'N':
      case 'P':
      case 'D':
      case 'h':
      case 'H':
      case 'g':
      case 'G':
      case 'x':
        break;
      case '#':
        while (i < src.length && src[i] !== '\n') i++;
        continue;
      default:
        throw new SedError(`unknown command: \`${op}'`);
    }
    cmds.push(cmd);
  }
  if (stack.length) throw new SedError('unmatched `{\'');
  return cmds;
}

function compileRegexI(r: string, ere: boolean): RE2JS {
  try {
    return compileRegex(r, { ere, sed: true, icase: true });
  } catch (e) {
    throw new SedError((e as Error).message);
  }
}

function substitute(line: string, cmd: Cmd): { text: string; done: boolean } {
  const m = cmd.re!.matcher(line);
  let out = '';
  let last = 0;
  let n = 0;
  let done = false;
  let pos = 0;
  let prevEnd = -1;
  while (pos <= line.length && m.find(pos)) {
    const s = m.start();
    const e = m.end();
    if (s === e && s === prevEnd) {
      // no empty match right after a match (GNU sed)
      if (s < line.length && (!cmd.nth || n >= cmd.nth)) {
        out += line.slice(last, s + 1);
        last = s + 1;
      }
      pos = s + 1;
      continue;
    }
    prevEnd = e;
    n++;
    if (!cmd.nth || n >= cmd.nth) {
      out += line.slice(last, s) + expandRepl(cmd.repl!, m);
      last = e;
      done = true;
      if (!cmd.global) break;
    }
    pos = e === s ? e + 1 : e;
    if (e === s && s < line.length && (!cmd.nth || n >= cmd.nth)) {
      out += line[s];
      last = s + 1;
    }
  }
  return { text: done ? out + line.slice(last) : line, done };
}

function expandRepl(repl: string, m: { group(i: number): string | null }): string {
  let out = '';
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i];
    if (c === '&') out += m.group(0) ?? '';
    else if (c === '\\' && i + 1 < repl.length) {
      const n = repl[++i];
      if (/[0-9]/.test(n)) out += m.group(Number(n)) ?? '';
      else if (n === 'n') out += '\n';
      else if (n === 't') out += '\t';
      else out += n;
    } else out += c;
  }
  return out;
}

function matches(a: Addr, line: string, n: number, last: boolean): boolean {
  if (a.k === 'line') return n === a.n;
  if (a.k === 'last') return last;
  return a.re.test(line);
}

function selected(cmd: Cmd, line: string, n: number, last: boolean): boolean {
  let sel: boolean;
  if (!cmd.a1) sel = true;
  else if (!cmd.a2) sel = matches(cmd.a1, line, n, last);
  else if (cmd.active) {
    sel = true;
    if (cmd.a2.k === 'line' ? n >= cmd.a2.n : matches(cmd.a2, line, n, last)) cmd.active = false;
  } else if (matches(cmd.a1, line, n, last)) {
    sel = true;
    cmd.active = !(cmd.a2.k === 'line' && cmd.a2.n <= n) && !(cmd.a2.k === 'last' && last);
  } else sel = false;
  return sel !== cmd.neg;
}

function runSed(cmds: Cmd[], text: string, quiet: boolean, emit: (s: string) => void): number | undefined {
  const lines = text.split('\n');
  const trailingNl = lines[lines.length - 1] === '';
  if (trailingNl) lines.pop();
  let hold = '';
  let quitCode: number | undefined;
  for (let n = 1; n <= lines.length; n++) {
    let ps = lines[n - 1];
    const isLast = () => n === lines.length;
    const nl = () => (n < lines.length || trailingNl ? '\n' : '');
    let append = '';
    let deleted = false;
    let quit = false;
    for (let k = 0; k < cmds.length; k++) {
      const cmd = cmds[k];
      if (cmd.op === '}') continue;
      if (!selected(cmd, ps, n, isLast())) {
        if (cmd.op === '{') k = cmd.end!;
        continue;
      }
      switch (cmd.op) {
        case '{':
          break;
        case 's': {
          const r = substitute(ps, cmd);
          ps = r.text;
          if (r.done && cmd.print) emit(ps + '\n');
          break;
        }
        case 'y': {
          const from = [...cmd.from!];
          const to = [...cmd.to!];
          ps = [...ps].map((ch) => {
            const j = from.indexOf(ch);
            return j >= 0 ? to[j] : ch;
          }).join('');
          break;
        }
        case 'p':
          emit(ps + '\n');
          break;
        case 'P':
          emit(ps.split('\n')[0] + '\n');
          break;
        case 'd':
          deleted = true;
          break;
        case 'D': {
          deleted = true;
          break;
        }
        case '=':
          emit(`${n}\n`);
          break;
        case 'a':
          append += cmd.text + '\n';
          break;
        case 'i':
          emit(cmd.text + '\n');
          break;
        case 'c':
          if (!cmd.a2 || !cmd.active) emit(cmd.text + '\n');
          deleted = true;
          break;
        case 'h':
          hold = ps;
          break;
        case 'H':
          hold += '\n' + ps;
          break;
        case 'g':
          ps = hold;
          break;
        case 'G':
          ps += '\n' + hold;
          break;
        case 'x':
          [ps, hold] = [hold, ps];
          break;
        case 'n':
          if (!quiet) emit(ps + nl());
          if (n < lines.length) ps = lines[n++];
          else {
            deleted = true;
            quit = true;
          }
          break;
        case 'N':
          if (n < lines.length) ps += '\n' + lines[n++];
          else quit = true;
          break;
        case 'q':
          quit = true;
          quitCode = cmd.exitCode ?? 0;
          break;
        case 'Q':
          quit = true;
          deleted = true;
          quitCode = cmd.exitCode ?? 0;
          break;
      }
      if (deleted || quit) break;
    }
    if (!deleted && !quiet) emit(ps + nl());
    if (append) emit(append);
    if (quit) return quitCode ?? 0;
  }
  return quitCode;
}

export const sed: Applet = (c: AppletCtx) => {
  const args = c.argv.slice(1);
  const scripts: string[] = [];
  const files: string[] = [];
  let quiet = false;
  let ere = false;
  let inPlace = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-n' || a === '--quiet') quiet = true;
    else if (a === '-E' || a === '-r') ere = true;
    else if (a === '-i' || a.startsWith('-i')) inPlace = true;
    else if (a === '-e') scripts.push(args[++i] ?? '');
    else if (a.startsWith('-e')) scripts.push(a.slice(2));
    else if (/^-[nErs]+$/.test(a)) {
      if (a.includes('n')) quiet = true;
      if (a.includes('E') || a.includes('r')) ere = true;
    } else if (a.startsWith('-') && a !== '-') {
      c.err.write(isBusybox(c) ? `sed: unrecognized option: ${a.slice(1)}\n` : `sed: invalid option -- '${a.slice(1)}'\n`);
      return 1;
    } else files.push(a);
  }
  if (!scripts.length) {
    const s = files.shift();
    if (s === undefined) {
      c.err.write(isBusybox(c) ? 'sed: no script specified\n' : 'Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n');
      return 1;
    }
    scripts.push(s);
  }
  let cmds: Cmd[];
  try {
    cmds = parseScript(scripts.join('\n'), ere);
  } catch (e) {
    if (!(e instanceof SedError)) throw e;
    c.err.write(isBusybox(c) ? `sed: ${e.message}\n` : `sed: -e expression #1, char ${scripts.join('\n').length}: ${e.message}\n`);
    return 1;
  }
  let failed = false;
  if (inPlace) {
    for (const f of files) {
      const t = readFile(c, 'sed', f);
      if (t === undefined) {
        failed = true;
        continue;
      }
      let out = '';
      runSed(cmds.map((x) => ({ ...x, active: false })), t, quiet, (s) => (out += s));
      c.sh.g.vfs.write(normalizePath(f, c.sh.cwd), out, false);
    }
    return failed ? 2 : 0;
  }
  let text = '';
  for (const f of files.length ? files : ['-']) {
    const t = readFile(c, 'sed', f, 'sed');
    if (t === undefined) failed = true;
    else text += t;
  }
  const code = runSed(cmds, text, quiet, (s) => c.out.write(s));
  return failed ? 2 : code ?? 0;
};
