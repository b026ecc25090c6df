// The simulated shell behind `kubesim exec`: never a real one. It knows the commands a
// learner uses to check what a pod sees (env, hostname, cat/ls of mounted ConfigMaps and
// Secrets, echo, pwd, id, grep/head/tail/wc in pipes) and runs `sh -c '...'` scripts made
// of them with `;`, `&&`, `||`, `|`, `$VAR` and `>` redirections. Messages follow the
// image's userland: busybox (busybox, alpine) or Debian (dash as sh, GNU coreutils, bash).

import { busyboxDate } from '../kubelet/shell';
import type { ContainerView } from './container-view';

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

type Part = { text: string; quote: 'none' | 'single' | 'double' };
type Word = Part[];
type Redirect = { fd: 1 | 2; op: '>' | '>>' | '>&1' | '>&2' | '<'; target?: Word };
interface Cmd {
  words: Word[];
  redirects: Redirect[];
}
type Pipeline = Cmd[];
interface AndOr {
  first: Pipeline;
  rest: Array<{ op: '&&' | '||'; p: Pipeline }>;
}

class SyntaxError_ extends Error {}

const OPS = ['&&', '||', ';', '|', '\n', '&'];

function parse(src: string): AndOr[] {
  let i = 0;
  const list: AndOr[] = [];
  let cur: AndOr | undefined;
  let pipe: Pipeline = [];
  let cmd: Cmd = { words: [], redirects: [] };
  let pendingOp: '&&' | '||' | undefined;

  const endCmd = () => {
    if (!cmd.words.length && !cmd.redirects.length) throw new SyntaxError_();
    pipe.push(cmd);
    cmd = { words: [], redirects: [] };
  };
  const endPipeline = () => {
    endCmd();
    if (!cur) cur = { first: pipe, rest: [] };
    else cur.rest.push({ op: pendingOp!, p: pipe });
    pipe = [];
  };
  const readWord = (): Word => {
    const parts: Part[] = [];
    while (i < src.length && !/[\s;&|<>]/.test(src[i])) {
      const c = src[i];
      if (c === "'") {
        const end = src.indexOf("'", i + 1);
        if (end < 0) throw new SyntaxError_('Unterminated quoted string');
        parts.push({ text: src.slice(i + 1, end), quote: 'single' });
        i = end + 1;
      } else if (c === '"') {
        let t = '';
        i++;
        while (i < src.length && src[i] !== '"') {
          if (src[i] === '\\' && i + 1 < src.length && '"\\$`'.includes(src[i + 1])) {
            t += src[i + 1] === '$' ? '\x01' : src[i + 1];
            i += 2;
          } else t += src[i++];
        }
        if (i >= src.length) throw new SyntaxError_('Unterminated quoted string');
        i++;
        parts.push({ text: t, quote: 'double' });
      } else if (c === '\\' && i + 1 < src.length) {
        parts.push({ text: src[i + 1], quote: 'single' });
        i += 2;
      } else {
        let t = '';
        while (i < src.length && !/[\s;&|<>'"\\]/.test(src[i])) t += src[i++];
        parts.push({ text: t, quote: 'none' });
      }
    }
    return parts;
  };

  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#' && !cmd.words.length) {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const redir = /^(\d?)(>>|>&|>|<)/.exec(src.slice(i));
    if (redir) {
      i += redir[0].length;
      const fd = redir[1] === '2' ? 2 : 1;
      while (src[i] === ' ') i++;
      if (redir[2] === '>&') {
        const m = /^[12]/.exec(src.slice(i));
        if (!m) throw new SyntaxError_();
        i++;
        cmd.redirects.push({ fd, op: m[0] === '1' ? '>&1' : '>&2' });
      } else {
        const target = readWord();
        if (!target.length) throw new SyntaxError_();
        cmd.redirects.push({ fd, op: redir[2] as '>' | '>>' | '<', target });
      }
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      i += op.length;
      if (op === '|') endCmd();
      else if (op === '&&' || op === '||') {
        endPipeline();
        pendingOp = op;
        while (/\s/.test(src[i] ?? '')) i++;
      } else {
        // ; newline & end a list item (background jobs run in the foreground here)
        if (!cmd.words.length && !cmd.redirects.length && !pipe.length && !pendingOp) {
          if (op === '\n') continue;
          throw new SyntaxError_();
        }
        endPipeline();
        list.push(cur!);
        cur = undefined;
        pendingOp = undefined;
      }
      continue;
    }
    cmd.words.push(readWord());
  }
  if (cmd.words.length || cmd.redirects.length || pipe.length || pendingOp) {
    endPipeline();
  }
  if (cur) list.push(cur);
  return list;
}

const CONTROL = new Set(['if', 'then', 'else', 'elif', 'fi', 'for', 'while', 'until', 'do', 'done', 'case', 'esac', 'function', '{', '}', '(', ')']);

/** Commands that exist as executables in the simulated images (`exec POD -- CMD`). */
const EXECUTABLES = new Set([
  'echo', 'printf', 'env', 'printenv', 'hostname', 'cat', 'ls', 'pwd', 'whoami', 'id', 'date', 'true', 'false', 'test', '[',
  'grep', 'head', 'tail', 'wc', 'sort', 'uname', 'sleep', 'touch', 'rm', 'mkdir', 'base64', 'which',
]);
const SHELL_BUILTINS = new Set(['cd', 'exit', 'export', 'unset', 'command', 'type', ':']);

interface Session {
  view: ContainerView;
  vars: Map<string, string>;
  exported: Set<string>;
  files: Map<string, string>;
  dirs: Set<string>;
  cwd: string;
  status: number;
  shell: 'ash' | 'dash' | 'bash';
  out: string;
  err: string;
}

class ExitSignal {
  constructor(readonly code: number) {}
}

function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

function normalize(p: string, cwd: string): string {
  const abs = p.startsWith('/') ? p : `${cwd.replace(/\/$/, '')}/${p}`;
  const out: string[] = [];
  for (const seg of abs.split('/')) {
    if (!seg || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}

const STANDARD_DIRS = ['/', '/bin', '/dev', '/etc', '/home', '/proc', '/root', '/run', '/sbin', '/sys', '/tmp', '/usr', '/usr/bin', '/usr/local', '/usr/sbin', '/var', '/var/run', '/var/log'];

function newSession(view: ContainerView, shell: Session['shell']): Session {
  const files = new Map(Object.entries(view.files));
  const dirs = new Set(STANDARD_DIRS);
  const addParents = (p: string) => {
    for (let d = dirname(p); !dirs.has(d); d = dirname(d)) dirs.add(d);
  };
  for (const f of files.keys()) addParents(f);
  for (const d of view.atomicDirs) {
    dirs.add(d);
    addParents(d);
  }
  const vars = new Map(view.env);
  return { view, vars, exported: new Set(vars.keys()), files, dirs, cwd: '/', status: 0, shell, out: '', err: '' };
}

function expandWord(s: Session, w: Word, split: boolean): string[] {
  let fields: string[] = [''];
  let quotedAny = false;
  for (const p of w) {
    if (p.quote === 'single') {
      fields[fields.length - 1] += p.text;
      quotedAny = true;
      continue;
    }
    const v = p.text
      .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*|[?$#0])/g, (_m, a: string, b: string) => {
        const name = a ?? b;
        if (name === '?') return String(s.status);
        if (name === '$') return '1';
        if (name === '#') return '0';
        if (name === '0') return 'sh';
        return s.vars.get(name) ?? '';
      })
      .replace(/\x01/g, '$');
    if (p.quote === 'double' || !split) {
      fields[fields.length - 1] += v;
      quotedAny = true;
    } else {
      const pieces = v.split(/[ \t\n]+/);
      fields[fields.length - 1] += pieces[0];
      for (const piece of pieces.slice(1)) fields.push(piece);
    }
  }
  if (!quotedAny) fields = fields.filter((f) => f !== '');
  return fields;
}

function notFoundText(s: Session, cmd: string): string {
  if (s.shell === 'bash') return `bash: line 1: ${cmd}: command not found\n`;
  if (s.shell === 'dash') return `sh: 1: ${cmd}: not found\n`;
  return `sh: ${cmd}: not found\n`;
}

// ---------- commands ----------

type Io = { stdin: string; out: (t: string) => void; err: (t: string) => void };

function lsDate(ms: number): string {
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

function dataDirName(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `..${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}000000`;
}

interface LsEntry {
  name: string;
  type: 'd' | '-' | 'l';
  size: number;
  target?: string;
}

function lsEntries(s: Session, dir: string, all: boolean): LsEntry[] {
  const prefix = dir === '/' ? '/' : dir + '/';
  const names = new Map<string, LsEntry>();
  for (const d of s.dirs) if (d !== dir && d.startsWith(prefix) && !d.slice(prefix.length).includes('/')) names.set(d.slice(prefix.length), { name: d.slice(prefix.length), type: 'd', size: 4096 });
  for (const [f, content] of s.files) {
    if (!f.startsWith(prefix)) continue;
    const rest = f.slice(prefix.length);
    const first = rest.split('/')[0];
    if (rest.includes('/')) names.set(first, names.get(first) ?? { name: first, type: 'd', size: 4096 });
    else names.set(first, { name: first, type: '-', size: Buffer.byteLength(content) });
  }
  // ConfigMap/Secret volumes: keys are symlinks into the atomically swapped `..data`.
  if (s.view.atomicDirs.includes(dir)) {
    for (const e of names.values()) {
      e.target = `..data/${e.name}`;
      e.type = 'l';
      e.size = e.target.length;
    }
    if (all) {
      const ts = dataDirName(s.view.startedMs);
      names.set(ts, { name: ts, type: 'd', size: 4096 });
      names.set('..data', { name: '..data', type: 'l', size: ts.length, target: ts });
    }
  }
  let list = [...names.values()];
  if (!all) list = list.filter((e) => !e.name.startsWith('.'));
  else list.push({ name: '.', type: 'd', size: 4096 }, { name: '..', type: 'd', size: 4096 });
  return list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function lsLong(s: Session, entries: LsEntry[]): string[] {
  const perms = (e: LsEntry) => (e.type === 'd' ? 'drwxr-xr-x' : e.type === 'l' ? 'lrwxrwxrwx' : '-rw-r--r--');
  const links = (e: LsEntry) => (e.type === 'd' ? 2 : 1);
  const when = lsDate(s.view.startedMs);
  const tail = (e: LsEntry) => `${e.name}${e.target ? ` -> ${e.target}` : ''}`;
  if (s.view.busybox) return entries.map((e) => `${perms(e)} ${String(links(e)).padStart(4)} ${'root'.padEnd(8)} ${'root'.padEnd(8)} ${String(e.size).padStart(9)} ${when} ${tail(e)}`);
  const lw = Math.max(...entries.map((e) => String(links(e)).length));
  const sw = Math.max(...entries.map((e) => String(e.size).length));
  return entries.map((e) => `${perms(e)} ${String(links(e)).padStart(lw)} root root ${String(e.size).padStart(sw)} ${when} ${tail(e)}`);
}

function ls(s: Session, args: string[], io: Io): number {
  const flags = new Set<string>();
  const paths: string[] = [];
  for (const a of args) {
    if (a.startsWith('-') && a.length > 1) for (const f of a.slice(1)) flags.add(f);
    else paths.push(a);
  }
  const long = flags.has('l');
  const all = flags.has('a') || flags.has('A');
  if (!paths.length) paths.push('.');
  let code = 0;
  const files: string[] = [];
  const dirs: string[] = [];
  for (const p of paths) {
    const abs = normalize(p, s.cwd);
    if (s.dirs.has(abs)) dirs.push(p);
    else if (s.files.has(abs)) files.push(p);
    else {
      io.err(s.view.busybox ? `ls: ${p}: No such file or directory\n` : `ls: cannot access '${p}': No such file or directory\n`);
      code = s.view.busybox ? 1 : 2;
    }
  }
  const blocks: string[] = [];
  if (files.length) {
    const entries = files.map((f) => ({ name: f, type: '-' as const, size: Buffer.byteLength(s.files.get(normalize(f, s.cwd))!) }));
    blocks.push((long ? lsLong(s, entries) : entries.map((e) => e.name)).join('\n') + '\n');
  }
  for (const d of dirs) {
    const entries = lsEntries(s, normalize(d, s.cwd), all);
    let text = paths.length > 1 ? `${d}:\n` : '';
    if (long) {
      if (!s.view.busybox) text += `total ${entries.some((e) => e.type !== 'l') ? entries.filter((e) => e.type !== 'l').length * 4 : 0}\n`;
      if (entries.length) text += lsLong(s, entries).join('\n') + '\n';
    } else if (entries.length) text += entries.map((e) => e.name).join('\n') + '\n';
    blocks.push(text);
  }
  io.out(blocks.join('\n'));
  return code;
}

function grep(args: string[], io: Io, s: Session): number {
  const flags = new Set<string>();
  const rest: string[] = [];
  for (const a of args) {
    if (/^-[ivcnE]+$/.test(a)) for (const f of a.slice(1)) flags.add(f);
    else rest.push(a);
  }
  const [pattern, ...files] = rest;
  if (pattern === undefined) {
    io.err(s.view.busybox ? 'BusyBox grep: missing pattern\n' : "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
    return 2;
  }
  let re: RegExp;
  try {
    // basic/extended regex, close enough for the patterns typed interactively
    re = new RegExp(pattern, flags.has('i') ? 'i' : '');
  } catch {
    re = new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), flags.has('i') ? 'i' : '');
  }
  const inputs: string[] = files.length ? files.map((f) => s.files.get(normalize(f, s.cwd)) ?? '') : [io.stdin];
  const lines = inputs.flatMap((t) => t.split('\n').filter((l, i, arr) => i < arr.length - 1 || l !== ''));
  const hits = lines.map((l, i) => ({ l, n: i + 1 })).filter(({ l }) => re.test(l) !== flags.has('v'));
  if (flags.has('c')) io.out(`${hits.length}\n`);
  else for (const h of hits) io.out(`${flags.has('n') ? `${h.n}:` : ''}${h.l}\n`);
  return hits.length ? 0 : 1;
}

function lines(text: string): string[] {
  const l = text.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

function headTail(name: string, args: string[], io: Io, s: Session): number {
  let n = 10;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const m = /^-n?(\d+)$/.exec(args[i]);
    if (args[i] === '-n') n = Number(args[++i]);
    else if (m) n = Number(m[1]);
    else files.push(args[i]);
  }
  const text = files.length ? files.map((f) => s.files.get(normalize(f, s.cwd)) ?? '').join('') : io.stdin;
  const l = lines(text);
  const pick = name === 'head' ? l.slice(0, n) : l.slice(Math.max(0, l.length - n));
  io.out(pick.map((x) => x + '\n').join(''));
  return 0;
}

function runCommand(s: Session, argv: string[], io: Io): number {
  const [cmd, ...args] = argv;
  const name = cmd.includes('/') ? cmd.split('/').pop()! : cmd;
  const busybox = s.view.busybox;
  switch (name) {
    case 'echo': {
      let a = args;
      let nl = true;
      while (a[0] === '-n' || a[0] === '-e') {
        if (a[0] === '-n') nl = false;
        a = a.slice(1);
      }
      io.out(a.join(' ') + (nl ? '\n' : ''));
      return 0;
    }
    case 'printf': {
      let ai = 1;
      const out = (args[0] ?? '').replace(/%([-0-9.]*)([sd%])|\\([nt\\])/g, (_m, _w, conv, esc) => {
        if (esc) return esc === 'n' ? '\n' : esc === 't' ? '\t' : '\\';
        if (conv === '%') return '%';
        const v = args[ai++] ?? '';
        return conv === 'd' ? String(Math.trunc(Number(v) || 0)) : v;
      });
      io.out(out);
      return 0;
    }
    case 'env':
    case 'printenv': {
      const exported = [...s.vars.entries()].filter(([k]) => s.exported.has(k));
      if (name === 'printenv' && args.length) {
        let code = 0;
        for (const a of args) {
          const v = exported.find(([k]) => k === a);
          if (v) io.out(v[1] + '\n');
          else code = 1;
        }
        return code;
      }
      io.out(exported.map(([k, v]) => `${k}=${v}\n`).join(''));
      return 0;
    }
    case 'hostname':
      io.out(s.view.hostname + '\n');
      return 0;
    case 'pwd':
      io.out(s.cwd + '\n');
      return 0;
    case 'whoami':
      if (s.view.uid === 0) io.out('root\n');
      else {
        io.err(busybox ? `whoami: unknown uid ${s.view.uid}\n` : `whoami: cannot find name for user ID ${s.view.uid}\n`);
        return 1;
      }
      return 0;
    case 'id': {
      const u = s.view.uid === 0 ? 'uid=0(root)' : `uid=${s.view.uid}`;
      const g = s.view.gid === 0 ? 'gid=0(root)' : `gid=${s.view.gid}`;
      io.out(`${u} ${g} groups=${s.view.gid === 0 ? (busybox && s.view.uid === 0 ? '0(root),1(bin),2(daemon),3(sys),4(adm),6(disk),10(wheel),11(floppy),20(dialout),26(tape),27(video)' : '0(root)') : s.view.gid}\n`);
      return 0;
    }
    case 'date':
      io.out(busyboxDate(s.view.nowMs) + '\n');
      return 0;
    case 'uname':
      io.out(args.includes('-a') ? `Linux ${s.view.hostname} 6.8.0-kubesim #1 SMP x86_64 GNU/Linux\n` : 'Linux\n');
      return 0;
    case 'true':
    case ':':
    case 'sleep':
      return 0;
    case 'false':
      return 1;
    case 'cat': {
      if (!args.length) {
        io.out(io.stdin);
        return 0;
      }
      let code = 0;
      for (const f of args) {
        const abs = normalize(f, s.cwd);
        const content = s.files.get(abs);
        if (content !== undefined) io.out(content);
        else if (s.dirs.has(abs)) {
          io.err(busybox ? 'cat: read error: Is a directory\n' : `cat: ${f}: Is a directory\n`);
          code = 1;
        } else {
          io.err(busybox ? `cat: can't open '${f}': No such file or directory\n` : `cat: ${f}: No such file or directory\n`);
          code = 1;
        }
      }
      return code;
    }
    case 'ls':
      return ls(s, args, io);
    case 'grep':
      return grep(args, io, s);
    case 'head':
    case 'tail':
      return headTail(name, args, io, s);
    case 'wc': {
      const text = args.filter((a) => !a.startsWith('-')).map((f) => s.files.get(normalize(f, s.cwd)) ?? '').join('') || io.stdin;
      const l = (text.match(/\n/g) ?? []).length;
      const w = text.split(/\s+/).filter(Boolean).length;
      if (args.includes('-l')) io.out(`${l}\n`);
      else if (args.includes('-w')) io.out(`${w}\n`);
      else if (args.includes('-c')) io.out(`${Buffer.byteLength(text)}\n`);
      else io.out(busybox ? `${String(l).padStart(9)} ${String(w).padStart(9)} ${String(Buffer.byteLength(text)).padStart(9)}\n` : `${l} ${w} ${Buffer.byteLength(text)}\n`);
      return 0;
    }
    case 'sort':
      io.out(lines(args.filter((a) => !a.startsWith('-')).map((f) => s.files.get(normalize(f, s.cwd)) ?? '').join('') || io.stdin).sort().map((l) => l + '\n').join(''));
      return 0;
    case 'base64': {
      const text = io.stdin;
      if (args.includes('-d') || args.includes('--decode')) io.out(Buffer.from(text.trim(), 'base64').toString('utf8'));
      else io.out(Buffer.from(text).toString('base64') + '\n');
      return 0;
    }
    case 'touch':
      for (const f of args) if (!s.files.has(normalize(f, s.cwd))) s.files.set(normalize(f, s.cwd), '');
      return 0;
    case 'rm':
      for (const f of args.filter((a) => !a.startsWith('-'))) s.files.delete(normalize(f, s.cwd));
      return 0;
    case 'mkdir':
      for (const f of args.filter((a) => !a.startsWith('-'))) s.dirs.add(normalize(f, s.cwd));
      return 0;
    case 'test':
    case '[':
      return testCmd(s, name === '[' ? args.slice(0, -1) : args) ? 0 : 1;
    case 'which':
      if (args[0] && (EXECUTABLES.has(args[0]) || args[0] === 'sh' || (args[0] === 'bash' && !busybox))) {
        io.out(`${args[0] === 'bash' || args[0] === 'sh' ? '/bin' : busybox ? '/bin' : '/usr/bin'}/${args[0]}\n`);
        return 0;
      }
      return 1;
    case 'cd': {
      const target = normalize(args[0] ?? s.vars.get('HOME') ?? '/', s.cwd);
      if (!s.dirs.has(target)) {
        const a = args[0] ?? '';
        io.err(s.shell === 'bash' ? `bash: line 1: cd: ${a}: No such file or directory\n` : s.shell === 'dash' ? `sh: 1: cd: can't cd to ${a}\n` : `sh: cd: can't cd to ${a}: No such file or directory\n`);
        return s.shell === 'bash' ? 1 : 2;
      }
      s.cwd = target;
      return 0;
    }
    case 'exit':
      throw new ExitSignal(args[0] === undefined ? s.status : Number(args[0]) & 255);
    case 'export':
      for (const a of args) {
        const eq = a.indexOf('=');
        if (eq > 0) s.vars.set(a.slice(0, eq), a.slice(eq + 1));
        s.exported.add(eq > 0 ? a.slice(0, eq) : a);
      }
      return 0;
    case 'unset':
      for (const a of args) {
        s.vars.delete(a);
        s.exported.delete(a);
      }
      return 0;
    default:
      io.err(notFoundText(s, cmd));
      return 127;
  }
}

function testCmd(s: Session, args: string[]): boolean {
  if (args[0] === '!') return !testCmd(s, args.slice(1));
  if (args.length === 2) {
    const p = normalize(args[1], s.cwd);
    switch (args[0]) {
      case '-e':
        return s.files.has(p) || s.dirs.has(p);
      case '-f':
        return s.files.has(p);
      case '-d':
        return s.dirs.has(p);
      case '-s':
        return (s.files.get(p) ?? '').length > 0;
      case '-n':
        return args[1] !== '';
      case '-z':
        return args[1] === '';
    }
  }
  if (args.length === 3) {
    const [a, op, b] = args;
    const ops: Record<string, (x: string, y: string) => boolean> = {
      '=': (x, y) => x === y,
      '==': (x, y) => x === y,
      '!=': (x, y) => x !== y,
      '-eq': (x, y) => Number(x) === Number(y),
      '-ne': (x, y) => Number(x) !== Number(y),
      '-lt': (x, y) => Number(x) < Number(y),
      '-le': (x, y) => Number(x) <= Number(y),
      '-gt': (x, y) => Number(x) > Number(y),
      '-ge': (x, y) => Number(x) >= Number(y),
    };
    if (ops[op]) return ops[op](a, b);
  }
  return args.length === 1 && args[0] !== '';
}

function runPipeline(s: Session, p: Pipeline): number {
  let stdin = '';
  let code = 0;
  p.forEach((c, idx) => {
    const last = idx === p.length - 1;
    let out = '';
    let err = '';
    const argv = c.words.flatMap((w) => expandWord(s, w, true));
    // leading NAME=value assignments
    while (argv.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[0])) {
      const a = argv.shift()!;
      const eq = a.indexOf('=');
      s.vars.set(a.slice(0, eq), a.slice(eq + 1));
    }
    let input = stdin;
    for (const r of c.redirects) {
      if (r.op === '<') {
        const f = normalize(expandWord(s, r.target!, false)[0] ?? '', s.cwd);
        input = s.files.get(f) ?? '';
      }
    }
    if (argv.length && CONTROL.has(argv[0])) {
      err += s.shell === 'bash' ? `bash: line 1: kubesim's simulated shell does not run '${argv[0]}' blocks\n` : `sh: kubesim's simulated shell does not run '${argv[0]}' blocks\n`;
      code = 2;
    } else code = argv.length ? runCommand(s, argv, { stdin: input, out: (t) => (out += t), err: (t) => (err += t) }) : 0;
    // redirections, left to right
    for (const r of c.redirects) {
      if (r.op === '<') continue;
      if (r.op === '>&1' && r.fd === 2) {
        out += err;
        err = '';
      } else if (r.op === '>&2' && r.fd === 1) {
        err += out;
        out = '';
      } else if (r.op === '>' || r.op === '>>') {
        const target = expandWord(s, r.target!, false)[0] ?? '';
        const data = r.fd === 2 ? err : out;
        if (r.fd === 2) err = '';
        else out = '';
        if (target === '/dev/null') continue;
        if (target === '/dev/stderr') {
          s.err += data;
          continue;
        }
        if (target === '/dev/stdout') {
          s.out += data;
          continue;
        }
        const abs = normalize(target, s.cwd);
        s.files.set(abs, (r.op === '>>' ? s.files.get(abs) ?? '' : '') + data);
      }
    }
    s.err += err;
    if (last) s.out += out;
    else stdin = out;
  });
  return code;
}

function runScriptText(s: Session, src: string): number {
  let list: AndOr[];
  try {
    list = parse(src);
  } catch (e) {
    const what = (e as Error).message || 'syntax error';
    s.err += s.shell === 'bash' ? `bash: -c: line 1: ${what}\n` : s.shell === 'dash' ? `sh: 1: Syntax error: ${what}\n` : `sh: syntax error: ${what}\n`;
    return 2;
  }
  try {
    for (const item of list) {
      let st = (s.status = runPipeline(s, item.first));
      for (const r of item.rest) if ((r.op === '&&') === (st === 0)) st = s.status = runPipeline(s, r.p);
      s.status = st;
    }
  } catch (e) {
    if (e instanceof ExitSignal) return e.code;
    throw e;
  }
  return s.status;
}

function shellKind(name: string, view: ContainerView): Session['shell'] | undefined {
  if (name === 'bash') return view.busybox ? undefined : 'bash';
  if (name === 'sh' || name === 'ash' || name === 'dash') return view.busybox ? 'ash' : 'dash';
  return undefined;
}

/**
 * Runs `argv` (what follows `--` in `kubectl exec POD -- ...`) in the container. An
 * interactive shell (`-i ... -- sh`) reads its commands from `stdin`.
 */
export function execInContainer(argv: string[], view: ContainerView, stdin = ''): ExecResult {
  const [cmd, ...args] = argv;
  const name = cmd.split('/').pop()!;
  const isShell = ['sh', 'bash', 'ash', 'dash'].includes(name);
  const shell = isShell ? shellKind(name, view) : view.busybox ? 'ash' : 'dash';
  if (!shell || (!isShell && !EXECUTABLES.has(name))) {
    // runc's error when the binary is missing: exit 126 through kubectl
    return { stdout: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${cmd}": executable file not found in $PATH: unknown\n`, stderr: '', code: 126 };
  }
  const s = newSession(view, shell);
  if (!isShell) {
    let code: number;
    try {
      code = runCommand(s, argv, { stdin, out: (t) => (s.out += t), err: (t) => (s.err += t) });
    } catch (e) {
      if (!(e instanceof ExitSignal)) throw e;
      code = e.code;
    }
    return { stdout: s.out, stderr: s.err, code };
  }
  const ci = args.findIndex((a) => /^-[a-z]*c[a-z]*$/.test(a));
  const script = ci >= 0 ? args[ci + 1] : stdin;
  if (ci >= 0 && script === undefined) {
    return { stdout: '', stderr: shell === 'bash' ? 'bash: -c: option requires an argument\n' : shell === 'dash' ? 'sh: 0: -c requires an argument\n' : 'sh: -c requires an argument\n', code: 2 };
  }
  const code = runScriptText(s, script ?? '');
  return { stdout: s.out, stderr: s.err, code };
}
