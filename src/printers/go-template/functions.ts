// The builtin functions (text/template/funcs.go) with Go's signatures, comparisons and
// error texts, plus kubectl's `exists` and `base64decode`.
import { byteOrder } from '../../util/go-format';
import { goSprint, goSprintln, sprintV, sprintf } from './fmt';
import { GoInt, isMap, truth, typeName, type Val } from './values';

// [fixed arg count, variadic] like the Go signatures.
export const SIGNATURES: Record<string, [number, boolean]> = {
  and: [1, true],
  or: [1, true],
  not: [1, false],
  len: [1, false],
  index: [1, true],
  slice: [1, true],
  print: [0, true],
  printf: [1, true],
  println: [0, true],
  eq: [1, true],
  ne: [2, false],
  lt: [2, false],
  le: [2, false],
  gt: [2, false],
  ge: [2, false],
  html: [0, true],
  js: [0, true],
  urlquery: [0, true],
  exists: [1, true],
  base64decode: [1, false],
  call: [1, true],
};

export class CallError extends Error {}

export type Kind = 'invalid' | 'bool' | 'int' | 'float' | 'string' | 'other';

export function basicKind(v: Val): Kind {
  if (v === undefined || v === null) return 'invalid';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof GoInt) return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'string';
  return 'other';
}

export function numOf(v: Val): number {
  return v instanceof GoInt ? v.n : (v as number);
}

export function goEq(a: Val, rest: Val[]): boolean {
  if (rest.length === 0) throw new CallError('missing argument for comparison');
  const k1 = basicKind(a);
  for (const b of rest) {
    const k2 = basicKind(b);
    let t = false;
    if (k1 !== k2) {
      if (k1 !== 'invalid' && k2 !== 'invalid') throw new CallError('incompatible types for comparison');
    } else {
      switch (k1) {
        case 'bool':
        case 'string':
          t = a === b;
          break;
        case 'int':
        case 'float':
          t = numOf(a) === numOf(b);
          break;
        case 'invalid':
          t = true;
          break;
        default:
          throw new CallError(`non-comparable types ${sprintV(a)}: ${typeName(a)}, ${typeName(b)}: ${sprintV(b)}`);
      }
    }
    if (t) return true;
  }
  return false;
}

export function goLt(a: Val, b: Val): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'invalid' || k1 === 'other' || k2 === 'invalid' || k2 === 'other') throw new CallError('invalid type for comparison');
  if (k1 !== k2) throw new CallError('incompatible types for comparison');
  if (k1 === 'bool') throw new CallError('invalid type for comparison');
  if (k1 === 'string') return byteOrder(a as string, b as string) < 0;
  return numOf(a) < numOf(b);
}

export function goIndex(item: Val, indexes: Val[]): Val {
  let cur = item;
  if (cur === undefined || cur === null) throw new CallError('index of untyped nil');
  for (const ix of indexes) {
    if (cur === undefined || cur === null) throw new CallError('index of nil pointer');
    if (Array.isArray(cur) || typeof cur === 'string') {
      if (!(ix instanceof GoInt)) throw new CallError(ix === null || ix === undefined ? 'cannot index slice/array with nil' : `cannot index slice/array with type ${typeName(ix)}`);
      const len = typeof cur === 'string' ? Buffer.byteLength(cur) : cur.length;
      if (ix.n < 0 || ix.n >= len) throw new CallError(`index out of range: ${ix.n}`);
      cur = typeof cur === 'string' ? new GoInt(Buffer.from(cur)[ix.n], 'int') : cur[ix.n];
    } else if (isMap(cur)) {
      if (typeof ix !== 'string') {
        if (ix === null || ix === undefined) throw new CallError('value is nil; should be of type string');
        throw new CallError(`value has type ${typeName(ix)}; should be string`);
      }
      cur = Object.prototype.hasOwnProperty.call(cur, ix) ? cur[ix] : null;
    } else throw new CallError(`can't index item of type ${typeName(cur)}`);
  }
  return cur;
}

export function goLen(v: Val): Val {
  if (v === undefined || v === null) throw new CallError('len of nil pointer');
  if (typeof v === 'string') return new GoInt(Buffer.byteLength(v), 'int');
  if (Array.isArray(v)) return new GoInt(v.length, 'int');
  if (isMap(v)) return new GoInt(Object.keys(v).length, 'int');
  throw new CallError(`len of type ${typeName(v)}`);
}

/** kubectl's `exists`: walks maps by key and slices by int index. */
export function goExists(item: Val, indices: Val[]): boolean {
  let cur = item;
  for (const ix of indices) {
    if (isMap(cur) && typeof ix === 'string') {
      if (!Object.prototype.hasOwnProperty.call(cur, ix)) return false;
      cur = cur[ix];
    } else if (Array.isArray(cur) && ix instanceof GoInt) {
      if (ix.n < 0 || ix.n >= cur.length) return false;
      cur = cur[ix.n];
    } else return false;
  }
  return true;
}

export function htmlEscape(s: string): string {
  return s.replace(/[&'<>"\0]/g, (c) => ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;', '\0': '\uFFFD' })[c]!);
}

export function evalArgsString(args: Val[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return goSprint(args);
}

export function callBuiltin(name: string, args: Val[]): Val {
  switch (name) {
    case 'not':
      return !truth(args[0]);
    case 'len':
      return goLen(args[0]);
    case 'index':
      return goIndex(args[0], args.slice(1));
    case 'slice': {
      const [item, ...ix] = args;
      if (ix.length > 3) throw new CallError(`too many slice indexes: ${ix.length}`);
      if (!Array.isArray(item) && typeof item !== 'string') throw new CallError(`can't slice item of type ${typeName(item)}`);
      const len = typeof item === 'string' ? item.length : item.length;
      const nums = ix.map((x) => {
        if (!(x instanceof GoInt)) throw new CallError(`cannot index slice/array with type ${typeName(x)}`);
        return x.n;
      });
      const lo = nums[0] ?? 0;
      const hi = nums[1] ?? len;
      if (lo < 0 || hi > len || lo > hi) throw new CallError(`index out of range: ${lo > hi ? lo : hi}`);
      return item.slice(lo, hi);
    }
    case 'print':
      return goSprint(args);
    case 'println':
      return goSprintln(args);
    case 'printf':
      return sprintf(args[0] as string, args.slice(1));
    case 'eq':
      return goEq(args[0], args.slice(1));
    case 'ne':
      return !goEq(args[0], [args[1]]);
    case 'lt':
      return goLt(args[0], args[1]);
    case 'le':
      return goLt(args[0], args[1]) || goEq(args[0], [args[1]]);
    case 'gt':
      return !goLt(args[0], args[1]) && !goEq(args[0], [args[1]]);
    case 'ge':
      return !goLt(args[0], args[1]);
    case 'html':
      return htmlEscape(evalArgsString(args));
    case 'js':
      return evalArgsString(args).replace(/[\\'"<>&=]|[\u0000-\u001f]/g, (c) =>
        ({ '\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D' })[c] ?? '\\u' + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0'),
      );
    case 'urlquery':
      return encodeURIComponent(evalArgsString(args)).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
    case 'exists':
      return goExists(args[0], args.slice(1));
    case 'base64decode': {
      const s = args[0] as string;
      const bad = /[^A-Za-z0-9+/=]/.exec(s);
      if (bad || s.length % 4 !== 0 || /=[^=]/.test(s)) {
        const at = bad ? bad.index : s.length % 4 !== 0 ? s.length - (s.length % 4) : s.indexOf('=');
        throw new CallError(`base64 decode failed: illegal base64 data at input byte ${at}`);
      }
      return Buffer.from(s, 'base64').toString('utf8');
    }
    case 'call':
      throw new CallError(`non-function ${sprintV(args[0])} of type ${typeName(args[0])}`);
  }
  throw new CallError(`function ${name} not implemented`);
}
