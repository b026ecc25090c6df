// cel-go's ext strings at version 2 (what Kubernetes 1.32's CEL environment has since 1.29)
// where cel-js lacks it: `strings.quote(s)` and `<string>.format(<list>)` (cel-go v0.22.0
// ext/strings.go and ext/formatting.go, their clauses, their text and their errors), string()
// of a duration or a timestamp, and the compile-time check of a constant format string with
// a list literal of arguments (stringFormatValidator).
import type { Environment } from '@marcbachmann/cel-js';
import { byteOrder, formatFloatG, goQuote } from '../../util/go-format';

/** The classes cel-js gives uint, duration and type values (not exported by the package). */
export interface CelClasses {
  uint: Function;
  duration: Function;
  type: Function;
}

/** A formatting error as cel-go states it (evaluation errors are shown as they are). */
export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CelRuntimeError';
  }
}

/** CEL's type name of a value as cel-js holds it (ref.Type.TypeName()). */
export function celTypeName(v: unknown, c: CelClasses): string {
  if (v === null || v === undefined) return 'null_type';
  switch (typeof v) {
    case 'bigint':
      return 'int';
    case 'number':
      return 'double';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
  }
  if (v instanceof c.uint) return 'uint';
  if (v instanceof c.duration) return 'google.protobuf.Duration';
  if (v instanceof c.type) return 'type';
  if (v instanceof Date) return 'google.protobuf.Timestamp';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Map || Object.getPrototypeOf(v) === Object.prototype) return 'map';
  return String((v as object).constructor?.name ?? 'object');
}

/** ext strings quote(): the string in double quotes, `\a \b \f \n \r \t \v \\ \"` escaped, nothing else. */
export function celQuote(s: string): string {
  const esc: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"' };
  // A lone surrogate is no valid rune: utf8.RuneError.
  return `"${[...s].map((ch) => esc[ch] ?? (/[\ud800-\udfff]/.test(ch) ? '\ufffd' : ch)).join('')}"`;
}

/** time.RFC3339Nano in UTC: fractional seconds without trailing zeros. */
const rfc3339Nano = (d: Date) => d.toISOString().replace(/\.?0*Z$/, 'Z');

/** strconv.FormatFloat(seconds, 'f', -1, 64) + "s". */
function durationString(d: { seconds: bigint; nanos: number }): string {
  const n = Number(d.seconds) + d.nanos / 1e9;
  const s = String(n);
  return (/e/.test(s) ? n.toFixed(9).replace(/\.?0+$/, '') : s) + 's';
}

/** Converted to string as cel-go's ConvertToType(StringType) does (`%s`). */
function formatString(v: unknown, c: CelClasses): string {
  const t = celTypeName(v, c);
  switch (t) {
    case 'list':
      return formatList(v as unknown[], c);
    case 'map':
      return formatMap(v as object, c);
    case 'null_type':
      return 'null';
    case 'int':
    case 'uint':
    case 'string':
    case 'bool':
      return String(v);
    case 'double':
      return formatFloatG(v as number);
    case 'bytes': {
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(v as Uint8Array);
      } catch {
        throw new FormatError(`could not convert argument "invalid UTF-8 in bytes, cannot convert to string" to string`);
      }
    }
    case 'google.protobuf.Timestamp':
      return rfc3339Nano(v as Date);
    case 'google.protobuf.Duration':
      return durationString(v as { seconds: bigint; nanos: number });
    case 'type':
      return (v as { name: string }).name;
  }
  throw new FormatError(`string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps, was given ${t}`);
}

/** clauseForType then quoteForCEL: an element of a list or map printed as CEL would read it. */
function formatMember(v: unknown, c: CelClasses): string {
  const t = celTypeName(v, c);
  switch (t) {
    case 'int':
    case 'uint':
      return String(v);
    case 'double': {
      const n = v as number;
      const s = Number.isFinite(n) ? n.toFixed(6) : formatFloatG(n);
      return Number.isFinite(n) ? s : goQuote(s);
    }
    case 'google.protobuf.Timestamp':
      return `timestamp(${goQuote(rfc3339Nano(v as Date))})`;
    case 'google.protobuf.Duration':
      return `duration(${goQuote(durationString(v as { seconds: bigint; nanos: number }))})`;
    case 'string':
      return goQuote(v as string);
    case 'bytes':
      return `b${goQuote(formatString(v, c))}`;
    case 'list':
    case 'map':
    case 'bool':
    case 'null_type':
    case 'type':
      return formatString(v, c);
  }
  throw new FormatError(`no formatting function for ${t}`);
}

function formatList(l: unknown[], c: CelClasses): string {
  return `[${l.map((x) => formatMember(x, c)).join(', ')}]`;
}

/** Entries sorted by their printed keys (quoted strings, bare numbers and bools). */
function formatMap(m: object, c: CelClasses): string {
  const entries: [unknown, unknown][] = m instanceof Map ? [...m] : Object.entries(m);
  const pairs = entries.map(([k, v]) => {
    const kt = celTypeName(k, c);
    if (!['string', 'bool', 'int', 'uint'].includes(kt)) throw new FormatError(`no formatting function for map key of type ${kt}`);
    return [formatMember(k, c), formatMember(v, c)] as const;
  });
  pairs.sort((a, b) => byteOrder(a[0], b[0]));
  return `{${pairs.map(([k, v]) => `${k}:${v}`).join(', ')}}`;
}

/** x/text's en_US number: thousands grouped by commas. */
const grouped = (s: string) => s.replace(/^(-?)(\d+)/, (_, sign: string, int: string) => sign + int.replace(/\B(?=(\d{3})+(?!\d))/g, ','));
const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';

function fixedOrScientific(kind: 'fixed' | 'scientific', precision: number, v: unknown, c: CelClasses): string {
  const t = celTypeName(v, c);
  const special = t === 'string' && ['NaN', 'Infinity', '-Infinity'].includes(v as string);
  if (t !== 'double' && !special) throw new FormatError(`error during formatting: ${kind === 'fixed' ? 'fixed-point' : 'scientific'} clause can only be used on doubles, was given ${t}`);
  const n = special ? Number(v) : (v as number);
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '-∞';
  if (kind === 'fixed') return grouped(n.toFixed(precision));
  const [mant, exp] = n.toExponential(precision).split('e');
  const e = Number(exp);
  const digits = String(Math.abs(e)).padStart(2, '0').replace(/\d/g, (d) => SUPERSCRIPT[Number(d)]!);
  return `${mant}\u202f×\u202f10${e < 0 ? '⁻' : ''}${digits}`;
}

/**
 * parseFormatString and parseFormattingClause: `%%` is a percent sign, every other `%`
 * takes the next argument with a clause `[.precision]verb`; `clause` gives its text.
 */
function scanFormat(f: string, argCount: number, clause: (verb: string, precision: number | undefined, index: number) => string): string {
  let out = '';
  let argIndex = 0;
  let i = 0;
  while (i < f.length) {
    if (f[i] !== '%') {
      out += f[i++];
      continue;
    }
    if (f[i + 1] === '%') {
      out += '%';
      i += 2;
      continue;
    }
    if (argIndex >= argCount) throw new FormatError(`index ${argIndex} out of range`);
    if (i + 1 >= f.length) throw new FormatError('unexpected end of string');
    i++;
    let precision: number | undefined;
    if (f[i] === '.') {
      const start = ++i;
      for (;;) {
        if (i >= f.length) throw new FormatError('could not parse formatting clause: error while parsing precision: could not find end of precision specifier');
        if (!/[0-9]/.test(f[i]!)) break;
        i++;
      }
      if (i === start) throw new FormatError('could not parse formatting clause: error while parsing precision: error while converting precision to integer: strconv.Atoi: parsing "": invalid syntax');
      precision = Number(f.slice(start, i));
    }
    const verb = f[i++] ?? '';
    if (!'sdfebxXo'.includes(verb) || !verb) throw new FormatError(`could not parse formatting clause: unrecognized formatting clause "${verb}"`);
    out += clause(verb, precision, argIndex);
    argIndex++;
  }
  return out;
}

const during = (e: string): never => {
  throw new FormatError(`error during formatting: ${e}`);
};

/** The text of one clause for value `v`. */
function formatClause(verb: string, precision: number | undefined, v: unknown, c: CelClasses): string {
  const intLike = ['int', 'uint'].includes(celTypeName(v, c));
  switch (verb) {
    case 's':
      try {
        return formatString(v, c);
      } catch (e) {
        return during((e as Error).message);
      }
    case 'd':
      return intLike ? String(v) : during(`decimal clause can only be used on integers, was given ${celTypeName(v, c)}`);
    case 'f':
    case 'e':
      return fixedOrScientific(verb === 'f' ? 'fixed' : 'scientific', precision ?? 6, v, c);
    case 'b':
      return intLike ? BigInt(String(v)).toString(2) : typeof v === 'boolean' ? (v ? '1' : '0') : during(`only integers and bools can be formatted as binary, was given ${celTypeName(v, c)}`);
    case 'o':
      return intLike ? BigInt(String(v)).toString(8) : during(`octal clause can only be used on integers, was given ${celTypeName(v, c)}`);
  }
  // x and X
  let hex: string;
  if (intLike) hex = BigInt(String(v)).toString(16);
  else if (typeof v === 'string') hex = Buffer.from(v, 'utf8').toString('hex');
  else if (v instanceof Uint8Array) hex = Buffer.from(v).toString('hex');
  else return during(`only integers, byte buffers, and strings can be formatted as hex, was given ${celTypeName(v, c)}`);
  return verb === 'X' ? hex.toUpperCase() : hex;
}

export function celFormat(f: string, args: unknown[], c: CelClasses): string {
  return scanFormat(f, args.length, (verb, precision, i) => formatClause(verb, precision, args[i], c));
}

/** The static types each clause accepts (stringFormatChecker), by CEL type kind; `dyn` passes any. */
const ACCEPTS: Record<string, string[]> = {
  s: ['list', 'map', 'int', 'uint', 'double', 'bool', 'string', 'google.protobuf.Timestamp', 'bytes', 'google.protobuf.Duration', 'type', 'null'],
  d: ['int', 'uint'],
  f: ['double', 'string'],
  e: ['double', 'string'],
  b: ['int', 'uint', 'bool'],
  x: ['int', 'uint', 'string', 'bytes'],
  X: ['int', 'uint', 'string', 'bytes'],
  o: ['int', 'uint'],
};

const WAS_GIVEN: Record<string, string> = {
  s: 'string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps',
  d: 'decimal clause can only be used on integers',
  f: 'fixed-point clause can only be used on doubles',
  e: 'scientific clause can only be used on doubles',
  b: 'only integers and bools can be formatted as binary',
  x: 'only integers, byte buffers, and strings can be formatted as hex',
  X: 'only integers, byte buffers, and strings can be formatted as hex',
  o: 'octal clause can only be used on integers',
};

type AstNode = { op: string; args: any; start?: number; pos?: number; end?: number; checkedType?: { name?: string } };

/** An error of a format call found at compile time, at a node's offset (undefined: the call's). */
export interface FormatIssue {
  message: string;
  node?: AstNode;
  call: AstNode;
}

/**
 * stringFormatValidator: each `'constant'.format([list literal])` whose clauses do not fit
 * the arguments' static types (`typeOf`: a cel-js type, `dyn` when unknown; `messageName`:
 * cel-go's name of an object type of the schema), or whose arguments are too few or too many.
 */
export function formatCallIssues(ast: unknown, typeOf: (n: AstNode) => string, messageName?: (t: string) => string | undefined): FormatIssue[] {
  const issues: FormatIssue[] = [];
  const messages = new Set<string>();
  const kind = (n: AstNode) => {
    const full = typeOf(n);
    const message = messageName?.(full);
    if (message) {
      messages.add(message);
      return message;
    }
    const t = full.replace(/<.*$/, '');
    return t === 'null' ? 'null_type' : t === 'optional' ? 'optional_type' : t;
  };
  const known = new Set([...ACCEPTS.s!, 'null_type', 'optional_type', 'dyn']);
  const fits = (verb: string, n: AstNode): AstNode | undefined => {
    const k = kind(n);
    // A message type fits no clause (cel-go names it); other types cel-js names its own way are not judged.
    if (k === 'dyn' || (!known.has(k) && !messages.has(k))) return undefined;
    if (!ACCEPTS[verb]!.includes(k === 'null_type' ? 'null' : k)) return n;
    if (verb !== 's') return undefined;
    const subs: AstNode[] = n.op === 'list' ? n.args : n.op === 'map' ? (n.args as AstNode[][]).flat() : [];
    for (const sub of subs) {
      const bad = fits('s', sub);
      if (bad) return bad;
    }
    return undefined;
  };
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (!x || typeof x !== 'object' || typeof (x as AstNode).op !== 'string') return;
    const n = x as AstNode;
    walk(n.args);
    if (n.op !== 'rcall' || n.args[0] !== 'format') return;
    const [, target, args] = n.args as [string, AstNode, AstNode[]];
    if (target?.op !== 'value' || typeof target.args !== 'string' || args.length !== 1 || args[0]!.op !== 'list') return;
    const elements = args[0]!.args as AstNode[];
    let requested = 0;
    try {
      scanFormat(target.args, elements.length, (verb, _precision, i) => {
        requested++;
        const bad = fits(verb, elements[i]!);
        if (bad) throw Object.assign(new FormatError(`error during formatting: ${WAS_GIVEN[verb]}, was given ${kind(bad)}`), { node: bad });
        return '';
      });
    } catch (e) {
      issues.push({ message: (e as Error).message, node: (e as { node?: AstNode }).node, call: n });
      return;
    }
    if (elements.length > requested) issues.push({ message: `too many arguments supplied to string.format (expected ${requested}, got ${elements.length})`, call: n });
  };
  walk(ast);
  return issues;
}

/** The functions in the environment. */
export function registerStrings(env: Environment): void {
  const c: CelClasses = { uint: env.evaluate('1u').constructor, duration: env.evaluate('duration("1s")').constructor, type: env.evaluate('int').constructor };
  class StringsLib {}
  env.registerType('kubesim.StringsLib', StringsLib);
  env.registerConstant('strings', 'kubesim.StringsLib', new StringsLib());
  env.registerFunction('kubesim.StringsLib.quote(string): string', (_: StringsLib, s: string) => celQuote(s));
  env.registerFunction('string.format(list): string', (f: string, args: unknown[]) => celFormat(f, args, c));
  // cel-go's string conversions cel-js lacks (a `format: duration` or `date` field is one of these).
  env.registerFunction('string(google.protobuf.Duration): string', (d: { seconds: bigint; nanos: number }) => durationString(d));
  env.registerFunction('string(google.protobuf.Timestamp): string', (t: Date) => rfc3339Nano(t));
}
