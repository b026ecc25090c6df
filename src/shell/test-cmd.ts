// test / [ : POSIX's rules by argument count, then -a/-o/!/( ) precedence for longer forms.

import { parseShellInt } from './arith';
import type { AppletCtx } from './interp';
import { normalizePath } from './vfs';

class TestError extends Error {}

const UNARY = new Set(['-e', '-f', '-d', '-s', '-r', '-w', '-x', '-L', '-h', '-n', '-z', '-b', '-c', '-p', '-S', '-g', '-u', '-k', '-t', '-O', '-G']);
const BINARY = new Set(['=', '==', '!=', '<', '>', '-eq', '-ne', '-lt', '-le', '-gt', '-ge', '-nt', '-ot', '-ef']);

export function testCommand(c: AppletCtx, bracket: boolean): number {
  const sh = c.sh;
  let args = c.argv.slice(1);
  const name = bracket ? '[' : 'test';
  if (bracket) {
    if (args[args.length - 1] !== ']') {
      c.err.write(sh.g.flavor === 'debian' ? sh.msg(`[: missing ]`) : `sh: [: missing ]\n`);
      return 2;
    }
    args = args.slice(0, -1);
  }
  const file = (p: string) => normalizePath(p, sh.cwd);
  const vfs = sh.g.vfs;
  const int = (s: string): bigint => {
    const v = parseShellInt(s);
    if (v === undefined || s.trim() === '') throw new TestError(sh.g.flavor === 'debian' ? `Illegal number: ${s}` : `invalid number '${s}'`);
    return v;
  };
  const unary = (op: string, a: string): boolean => {
    switch (op) {
      case '-n':
        return a !== '';
      case '-z':
        return a === '';
      case '-e':
        return vfs.exists(file(a));
      case '-f':
        return vfs.read(file(a)) !== undefined;
      case '-d':
        return vfs.isDir(file(a));
      case '-s':
        return (vfs.read(file(a)) ?? '').length > 0 || vfs.isDir(file(a));
      case '-r':
      case '-w':
        return vfs.exists(file(a));
      case '-x':
        return vfs.isDir(file(a)) || (sh.resolveApplet(a) !== undefined && a.includes('/'));
      case '-t':
        return false;
      default:
        return false;
    }
  };
  const binary = (a: string, op: string, b: string): boolean => {
    switch (op) {
      case '=':
      case '==':
        return a === b;
      case '!=':
        return a !== b;
      case '<':
        return a < b;
      case '>':
        return a > b;
      case '-eq':
        return int(a) === int(b);
      case '-ne':
        return int(a) !== int(b);
      case '-lt':
        return int(a) < int(b);
      case '-le':
        return int(a) <= int(b);
      case '-gt':
        return int(a) > int(b);
      case '-ge':
        return int(a) >= int(b);
      default:
        return false;
    }
  };
  let i = 0;
  const oexpr = (): boolean => {
    let v = aexpr();
    while (args[i] === '-o') {
      i++;
      v = aexpr() || v;
    }
    return v;
  };
  const aexpr = (): boolean => {
    let v = nexpr();
    while (args[i] === '-a') {
      i++;
      v = nexpr() && v;
    }
    return v;
  };
  const nexpr = (): boolean => {
    if (args[i] === '!' && i + 1 < args.length) {
      i++;
      return !nexpr();
    }
    return primary();
  };
  const primary = (): boolean => {
    const a = args[i];
    if (a === undefined) throw new TestError('argument expected');
    if (a === '(' && i + 1 < args.length && !(BINARY.has(args[i + 1]) && i + 2 < args.length)) {
      i++;
      const v = oexpr();
      if (args[i] !== ')') throw new TestError(args[i] === undefined ? 'closing paren expected' : `${args[i]}: unexpected operator`);
      i++;
      return v;
    }
    if (UNARY.has(a) && i + 1 < args.length && !BINARY.has(args[i + 1])) {
      i += 2;
      return unary(a, args[i - 1]);
    }
    if (i + 2 < args.length + 0 && BINARY.has(args[i + 1])) {
      i += 3;
      return binary(a, args[i - 2], args[i - 1]);
    }
    if (BINARY.has(args[i + 1] ?? '') && i + 2 >= args.length) throw new TestError(`${args[i + 1]}: argument expected`);
    i++;
    return a !== '';
  };
  try {
    let v: boolean;
    const n = args.length;
    if (n === 0) v = false;
    else if (n === 1) v = args[0] !== '';
    else if (n === 2 && args[0] === '!') v = args[1] === '';
    else if (n === 2 && UNARY.has(args[0])) v = unary(args[0], args[1]);
    else if (n === 2) throw new TestError(BINARY.has(args[1]) ? `${args[1]}: argument expected` : `${args[1]}: unexpected operator`);
    else if (n === 3 && BINARY.has(args[1])) v = binary(args[0], args[1], args[2]);
    else {
      v = oexpr();
      if (i < n) throw new TestError(`${args[i]}: unexpected operator`);
    }
    return v ? 0 : 1;
  } catch (e) {
    if (!(e instanceof TestError)) throw e;
    c.err.write(sh.g.flavor === 'debian' ? sh.msg(`${name}: ${e.message}`) : `sh: ${name}: ${e.message}\n`);
    return 2;
  }
}
