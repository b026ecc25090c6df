// Builtins of the simulated sh: the special builtins (which change the shell itself) and
// the regular ones dash and busybox ash build in (echo, printf, test, read, cd, ...).

import type { Io } from './io';
import { ExitSignal, FatalError, type AppletCtx, type Builtin, type Gen, type Sh } from './interp';
import { parseShellInt } from './arith';
import { normalizePath } from './vfs';
import { formatPrintf, echoEscapes } from './printf';
import { testCommand } from './test-cmd';

export const SPECIAL_BUILTINS = new Set([':', '.', 'break', 'continue', 'eval', 'exec', 'exit', 'export', 'readonly', 'return', 'set', 'shift', 'times', 'trap', 'unset', 'source']);

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function num(c: AppletCtx, what: string, arg: string | undefined, dflt: number): number {
  if (arg === undefined) return dflt;
  const v = parseShellInt(arg);
  if (v === undefined || v < 0n) {
    c.err.write(c.sh.msg(`${what}: Illegal number: ${arg}`));
    throw new FatalError('', 2);
  }
  return Number(v);
}

function echo(c: AppletCtx): number {
  let args = c.argv.slice(1);
  let nl = true;
  if (c.sh.g.flavor === 'debian') {
    if (args[0] === '-n') {
      nl = false;
      args = args.slice(1);
    }
    const r = echoEscapes(args.join(' '), false);
    c.out.write(r.text + (nl && !r.stop ? '\n' : ''));
    return 0;
  }
  let esc = false;
  while (args.length && /^-[neE]+$/.test(args[0])) {
    for (const f of args[0].slice(1)) {
      if (f === 'n') nl = false;
      else if (f === 'e') esc = true;
      else esc = false;
    }
    args = args.slice(1);
  }
  const text = args.join(' ');
  if (!esc) {
    c.out.write(text + (nl ? '\n' : ''));
    return 0;
  }
  const r = echoEscapes(text, true);
  c.out.write(r.text + (nl && !r.stop ? '\n' : ''));
  return 0;
}

function printf(c: AppletCtx): number {
  const [fmt, ...args] = c.argv.slice(1);
  if (fmt === undefined) {
    c.err.write(c.sh.g.flavor === 'debian' ? 'Usage: printf format [arg ...]\n' : 'printf: usage: printf FORMAT [ARGUMENT...]\n');
    return 2;
  }
  const r = formatPrintf(fmt, args, (bad) => c.err.write(c.sh.g.flavor === 'debian' ? c.sh.msg(`printf: ${bad}: expected numeric value`) : `printf: invalid number '${bad}'\n`), c.sh.g.limits);
  c.out.write(r.text);
  return r.ok ? 0 : 1;
}

function cd(c: AppletCtx): number {
  const sh = c.sh;
  let arg = c.argv[1];
  if (arg === '-') arg = sh.vars.get('OLDPWD') ?? sh.cwd;
  const target = normalizePath(arg ?? sh.vars.get('HOME') ?? '/', sh.cwd);
  if (!sh.g.vfs.isDir(target)) {
    if (sh.g.flavor === 'debian') {
      c.err.write(sh.msg(`cd: can't cd to ${arg}`));
      return 2;
    }
    c.err.write(sh.msg(`cd: can't cd to ${arg}: ${sh.g.vfs.read(target) !== undefined ? 'Not a directory' : 'No such file or directory'}`));
    return 1;
  }
  sh.vars.set('OLDPWD', sh.cwd);
  sh.cwd = target;
  sh.vars.set('PWD', target);
  if (c.argv[1] === '-') c.out.write(target + '\n');
  return 0;
}

function exportLike(kind: 'export' | 'readonly') {
  return (c: AppletCtx, io: Io): number => {
    const sh = c.sh;
    const args = c.argv.slice(1).filter((a) => a !== '-p');
    if (!args.length) {
      const names = [...(kind === 'export' ? sh.exported : sh.readonly_)].filter((n) => sh.vars.has(n)).sort();
      for (const n of names) c.out.write(`${kind} ${n}='${sh.vars.get(n)!.replace(/'/g, `'\\''`)}'\n`);
      return 0;
    }
    for (const a of args) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(0, eq) : a;
      if (!NAME.test(name)) {
        c.err.write(sh.msg(`${kind}: ${name}: bad variable name`));
        throw new FatalError('', 2);
      }
      if (eq >= 0) sh.setVar(name, a.slice(eq + 1), io);
      if (kind === 'export') sh.exported.add(name);
      else sh.readonly_.add(name);
    }
    return 0;
  };
}

function unset(c: AppletCtx): number {
  const sh = c.sh;
  let fn = false;
  for (const a of c.argv.slice(1)) {
    if (a === '-f') fn = true;
    else if (a === '-v') fn = false;
    else if (fn) sh.funcs.delete(a);
    else {
      if (sh.readonly_.has(a)) {
        c.err.write(sh.msg(`unset: ${a}: is read only`));
        return 2;
      }
      sh.vars.delete(a);
      sh.exported.delete(a);
    }
  }
  return 0;
}

function set(c: AppletCtx): number {
  const sh = c.sh;
  const args = c.argv.slice(1);
  if (!args.length) {
    for (const k of [...sh.vars.keys()].sort()) c.out.write(`${k}='${sh.vars.get(k)!.replace(/'/g, `'\\''`)}'\n`);
    return 0;
  }
  let i = 0;
  // options (-e, -x, -u...) are accepted and not modelled
  while (i < args.length && /^[-+][a-zA-Z]+$/.test(args[i])) {
    if (args[i] === '-o' || args[i] === '+o') i++;
    i++;
  }
  if (args[i] === '--') i++;
  else if (i === args.length && c.argv.length > 1 && !args.includes('--')) return 0;
  sh.positional = args.slice(i);
  return 0;
}

function shift(c: AppletCtx): number {
  const n = num(c, 'shift', c.argv[1], 1);
  if (n > c.sh.positional.length) {
    c.err.write(c.sh.msg(c.sh.g.flavor === 'debian' ? `shift: can't shift that many` : `shift: can't shift that many`));
    throw new FatalError('', 2);
  }
  c.sh.positional = c.sh.positional.slice(n);
  return 0;
}

function exit(c: AppletCtx): never {
  const code = c.argv[1] === undefined ? c.sh.status : num(c, 'exit', c.argv[1], 0);
  throw new ExitSignal(code & 255);
}

function read(c: AppletCtx): number {
  const sh = c.sh;
  let raw = false;
  const names: string[] = [];
  for (const a of c.argv.slice(1)) {
    if (a === '-r') raw = true;
    else names.push(a);
  }
  if (!names.length) {
    if (sh.g.flavor === 'debian') {
      c.err.write(sh.msg('read: arg count'));
      return 2;
    }
    names.push('REPLY');
  }
  let text = '';
  let gotNl = false;
  let any = false;
  for (;;) {
    const l = c.inp.line();
    if (!l) break;
    any = true;
    gotNl = l.nl;
    if (!raw && l.text.endsWith('\\') && l.nl) {
      text += l.text.slice(0, -1);
      continue;
    }
    text += l.text;
    break;
  }
  if (!raw) text = text.replace(/\\(.)/g, '$1');
  const ifs = sh.ifs();
  const ws = [...ifs].filter((ch) => ' \t\n'.includes(ch)).join('');
  let rest = text;
  const trim = (s: string) => {
    let a = 0;
    let b = s.length;
    while (a < b && ws.includes(s[a])) a++;
    while (b > a && ws.includes(s[b - 1])) b--;
    return s.slice(a, b);
  };
  rest = trim(rest);
  for (let k = 0; k < names.length; k++) {
    if (k === names.length - 1) {
      sh.setVar(names[k], rest);
      break;
    }
    let j = 0;
    while (j < rest.length && !ifs.includes(rest[j])) j++;
    sh.setVar(names[k], rest.slice(0, j));
    rest = rest.slice(j);
    // one delimiter (and the blanks around it)
    let m = 0;
    while (m < rest.length && ws.includes(rest[m])) m++;
    if (m < rest.length && ifs.includes(rest[m]) && !ws.includes(rest[m])) m++;
    while (m < rest.length && ws.includes(rest[m])) m++;
    rest = rest.slice(m);
  }
  return any && gotNl ? 0 : 1;
}

function* evalB(c: AppletCtx, io: Io): Gen<number> {
  const src = c.argv.slice(1).join(' ');
  return yield* c.sh.evalText(src, io);
}

function* dot(c: AppletCtx, io: Io): Gen<number> {
  const sh = c.sh;
  const f = c.argv[1];
  if (f === undefined) return 0;
  const text = sh.g.vfs.read(normalizePath(f, sh.cwd));
  if (text === undefined) {
    c.err.write(sh.msg(sh.g.flavor === 'debian' ? `.: cannot open ${f}: No such file` : `.: can't open '${f}': No such file or directory`));
    throw new FatalError('', 2);
  }
  return yield* sh.evalText(text, io);
}

function* execB(c: AppletCtx, io: Io): Gen<number> {
  const sh = c.sh;
  if (c.argv.length === 1) return 0;
  const argv = c.argv.slice(1);
  const applet = sh.resolveApplet(argv[0]);
  if (!applet) {
    c.err.write(sh.msg(sh.g.flavor === 'debian' ? `exec: ${argv[0]}: not found` : `exec: ${argv[0]}: not found`));
    throw new ExitSignal(127);
  }
  const r = applet({ ...c, argv });
  const code = typeof r === 'number' ? r : yield* r;
  void io;
  throw new ExitSignal(code);
}

function typeB(c: AppletCtx): number {
  const sh = c.sh;
  let st = 0;
  for (const n of c.argv.slice(1)) {
    if (sh.funcs.has(n)) c.out.write(`${n} is a shell function\n`);
    else if (SPECIAL_BUILTINS.has(n)) c.out.write(`${n} is a special shell builtin\n`);
    else if (sh.g.builtins.has(n)) c.out.write(`${n} is a shell builtin\n`);
    else if (sh.g.applets.has(n)) c.out.write(`${n} is ${appletPath(sh, n)}\n`);
    else {
      c.out.write(`${n}: not found\n`);
      st = 127;
    }
  }
  return st;
}

export function appletPath(sh: Sh, n: string): string {
  return sh.g.flavor === 'busybox' ? `/bin/${n}` : `/usr/bin/${n}`;
}

function* command(c: AppletCtx, io: Io): Gen<number> {
  const sh = c.sh;
  const args = c.argv.slice(1);
  if (args[0] === '-v' || args[0] === '-V') {
    let st = 0;
    for (const n of args.slice(1)) {
      if (sh.funcs.has(n) || sh.g.builtins.has(n)) c.out.write(`${n}\n`);
      else if (sh.g.applets.has(n)) c.out.write(`${appletPath(sh, n)}\n`);
      else st = 127;
    }
    return st;
  }
  if (!args.length) return 0;
  const b = sh.g.builtins.get(args[0]);
  if (b) {
    const r = b({ ...c, argv: args }, io);
    return typeof r === 'number' ? r : yield* r;
  }
  const a = sh.resolveApplet(args[0]);
  if (!a) {
    c.err.write(sh.notFound(args[0]));
    return 127;
  }
  const r = a({ ...c, argv: args });
  return typeof r === 'number' ? r : yield* r;
}

/** Only the EXIT trap is modelled: nothing sends the simulated shell signals. */
function trap(c: AppletCtx): number {
  const args = c.argv.slice(1);
  if (!args.length) {
    if (c.sh.g.exitTrap !== undefined) c.out.write(`trap -- '${c.sh.g.exitTrap.replace(/'/g, `'\\''`)}' EXIT\n`);
    return 0;
  }
  const action = args.length === 1 ? '-' : args[0];
  for (const sig of args.length === 1 ? args : args.slice(1)) {
    if (sig === 'EXIT' || sig === '0') c.sh.g.exitTrap = action === '-' ? undefined : action;
  }
  return 0;
}

function local(c: AppletCtx, io: Io): number {
  const sh = c.sh;
  if (!sh.inFunction()) {
    c.err.write(sh.msg('local: not in a function'));
    return 2;
  }
  for (const a of c.argv.slice(1)) {
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    sh.makeLocal(name);
    if (eq > 0) sh.setVar(name, a.slice(eq + 1), io);
  }
  return 0;
}

export function builtins(): Map<string, Builtin> {
  const m = new Map<string, Builtin>();
  m.set(':', () => 0);
  m.set('true', () => 0);
  m.set('false', () => 1);
  m.set('echo', echo);
  m.set('printf', printf);
  m.set('cd', cd);
  m.set('pwd', (c) => {
    c.out.write(c.sh.cwd + '\n');
    return 0;
  });
  m.set('export', exportLike('export'));
  m.set('readonly', exportLike('readonly'));
  m.set('unset', unset);
  m.set('set', set);
  m.set('shift', shift);
  m.set('exit', exit);
  m.set('return', (c) => c.sh.doReturn(c.argv[1] === undefined ? c.sh.status : num(c, 'return', c.argv[1], 0) & 255));
  m.set('break', (c) => c.sh.doLoop('break', Math.max(1, num(c, 'break', c.argv[1], 1))));
  m.set('continue', (c) => c.sh.doLoop('continue', Math.max(1, num(c, 'continue', c.argv[1], 1))));
  m.set('eval', evalB);
  m.set('.', dot);
  m.set('source', dot);
  m.set('exec', execB);
  m.set('read', read);
  m.set('test', (c) => testCommand(c, false));
  m.set('[', (c) => testCommand(c, true));
  m.set('local', local);
  m.set('type', typeB);
  m.set('command', command);
  m.set('wait', () => 0);
  m.set('trap', trap);
  m.set('umask', (c) => {
    if (c.argv.length === 1) c.out.write('0022\n');
    return 0;
  });
  m.set('times', (c) => {
    c.out.write('0m0.000s 0m0.000s\n0m0.000s 0m0.000s\n');
    return 0;
  });
  return m;
}
