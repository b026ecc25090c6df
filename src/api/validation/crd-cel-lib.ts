// The CEL environment of CRD validation rules: @marcbachmann/cel-js's standard library
// (macros has/all/exists/exists_one/map/filter, cel.bind, optionals, string functions,
// timestamps and durations) plus the parts of Kubernetes' CEL libraries (k8s.io/apiserver
// pkg/cel/library) that are cheap to add: lists, regex, quantity, url, strings
// charAt/replace, quote and format (crd-cel-strings.ts), sets, format, ip and
// cidr (crd-cel-net.ts). What is
// missing is listed in docs/decisions.md.
import { Environment, Optional } from '@marcbachmann/cel-js';
import { RE2JS } from 're2js';
import { asApproximateFloat64, goParseQuantity, isQuantity } from '../quantity';
import { registerNet } from './crd-cel-net';
import { registerStrings } from './crd-cel-strings';
import { isDns1035Label, isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue } from './string-rules';
import { checkCrdFormat } from './crd-formats';
import { goQuote } from '../../util/go-format';
import { isJsonNumber } from '../../util/exact-json';

let library: Environment | undefined;
let built: Environment | undefined;

/** An evaluation error as cel-go states it (the rule's runtime error text). */
class CelRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CelRuntimeError';
  }
}

const regexes = new Map<string, RE2JS>();
/** Patterns are RE2, as cel-go's: compiled once each (the oldest forgotten past 1,000: a pattern may come from an object's data). */
function re2(pattern: string): RE2JS {
  let re = regexes.get(pattern);
  if (!re) {
    try {
      re = RE2JS.compile(pattern);
    } catch (e) {
      throw new CelRuntimeError(`error parsing regexp: ${(e as Error).message}`);
    }
    regexes.set(pattern, re);
    if (regexes.size > 1000) regexes.delete(regexes.keys().next().value!);
  }
  return re;
}

/** Quantity of library/quantity.go: a resource.Quantity, compared and added by value. */
export class Quantity {
  constructor(readonly value: number) {}
}

const cmp = (a: any, b: any): number => (a < b ? -1 : a > b ? 1 : 0);

function listCompare(l: unknown[], pick: (c: number) => boolean, name: string): unknown {
  if (!l.length) throw new CelRuntimeError(`${name}(list) called on an empty list`);
  return l.reduce((best, x) => (pick(cmp(x, best)) ? x : best));
}

/** URL of library/urls.go. */
export class CelUrl {
  constructor(readonly url: URL) {}
}

function parseUrl(s: string): URL {
  try {
    return new URL(s);
  } catch {
    throw new CelRuntimeError(`URL parse error during conversion from string: parse ${JSON.stringify(s)}: invalid URI for request`);
  }
}

/**
 * Names given to functions cel-js has its own (and will not let be replaced) where
 * Kubernetes' differ: has() of any operand (cel-js's takes only a chain of fields from a
 * variable, refusing has(self.matches[0].path), which Gateway API's rules use) and
 * matches() with RE2 syntax (`(?i)` inside a pattern). As long as the originals, so that
 * source positions stay.
 */
const RENAMED: Record<string, string> = { has: '_hs', matches: '_matchs' };

/** A rule's source with the functions of RENAMED renamed; string literals are left as they are. */
export function withKubeFunctions(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '"' || c === "'") {
      const q = src.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      const raw = /(^|[^\w])[rR]$/.test(out);
      let j = i + q.length;
      while (j < src.length && !src.startsWith(q, j)) j += src[j] === '\\' && !raw ? 2 : 1;
      out += src.slice(i, j + q.length);
      i = j + q.length;
      continue;
    }
    const m = /^(has|matches)(\s*\()/.exec(src.slice(i, i + 40));
    // has() is a global macro (not after a dot); matches() either global or a method.
    if (m && !/\w$/.test(out) && (m[1] === 'matches' || !/\.\s*$/.test(out))) {
      out += RENAMED[m[1]!] + m[2];
      i += m[0].length;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** The environment of rules with `self` and `oldSelf` untyped (dyn): what rules are evaluated in. */
export function celEnvironment(): Environment {
  built ??= celLibrary().clone().registerVariable('self', 'dyn').registerVariable('oldSelf', 'dyn');
  return built;
}

/** The functions and types of the environment, without variables (crd-cel-types.ts declares them typed). */
export function celLibrary(): Environment {
  if (library) return library;
  const env = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false });

  // has(e.f) for any operand e (see RENAMED).
  env.registerFunction(`${RENAMED.has}(ast): bool`, ({ args }: { args: any[] }) => ({
    args,
    async: false,
    typeCheck(checker: any, macro: any, ctx: unknown) {
      const node = macro.args[0];
      if (node.op !== '.' && node.op !== '.?') throw checker.createError('invalid_macro_argument', 'has() invalid argument', node);
      checker.check(node.args[0], ctx);
      return checker.getType('bool');
    },
    evaluate(ev: any, macro: any, ctx: unknown) {
      const node = macro.args[0];
      const obj = ev.run(node.args[0], ctx);
      return ev.debugType(obj).fieldLazy(obj, node.args[1], node, ev) !== undefined;
    },
  }));

  registerNet(env);
  // Optionals compare by value (cel-go's optional equality, `!=` derived; a format's validate() result is compared with optional.none()).
  const optionalEquals = (a: Optional<unknown>, b: Optional<unknown>) => a.hasValue() === b.hasValue() && (!a.hasValue() || celEquals(a.value(), b.value()));
  env.registerOperator('optional<dyn> == optional<dyn>', optionalEquals);
  registerSets(env);
  registerFormat(env);
  registerStrings(env);

  // library/lists.go
  env.registerFunction('list.isSorted(): bool', (l: unknown[]) => l.every((x, i) => i === 0 || cmp(l[i - 1], x) <= 0));
  env.registerFunction('list.sum(): dyn', (l: any[]) => l.reduce((a, b) => a + b, l.length && typeof l[0] === 'number' ? 0 : 0n));
  env.registerFunction('list.min(): dyn', (l: unknown[]) => listCompare(l, (c) => c < 0, 'min'));
  env.registerFunction('list.max(): dyn', (l: unknown[]) => listCompare(l, (c) => c > 0, 'max'));
  env.registerFunction('list.indexOf(dyn): int', (l: unknown[], x: unknown) => BigInt(l.findIndex((y) => y === x)));
  env.registerFunction('list.lastIndexOf(dyn): int', (l: unknown[], x: unknown) => {
    for (let i = l.length - 1; i >= 0; i--) if (l[i] === x) return BigInt(i);
    return -1n;
  });

  const matches = (s: string, p: string) => re2(p).matcher(s).find();
  env.registerFunction(`string.${RENAMED.matches}(string): bool`, matches);
  env.registerFunction(`${RENAMED.matches}(string, string): bool`, matches);

  // library/regex.go
  env.registerFunction('string.find(string): string', (s: string, p: string) => {
    const m = re2(p).matcher(s);
    return m.find() ? m.group(0) ?? '' : '';
  });
  env.registerFunction('string.findAll(string): list<string>', (s: string, p: string) => findAll(s, p, -1));
  env.registerFunction('string.findAll(string, int): list<string>', (s: string, p: string, n: bigint) => findAll(s, p, Number(n)));

  // cel-go ext strings (the parts cel-js lacks)
  env.registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
    const chars = [...s];
    if (i < 0n || i > BigInt(chars.length)) throw new CelRuntimeError(`index out of range: ${i}`);
    return chars[Number(i)] ?? '';
  });
  env.registerFunction('string.replace(string, string): string', (s: string, a: string, b: string) => s.split(a).join(b));
  env.registerFunction('string.replace(string, string, int): string', (s: string, a: string, b: string, n: bigint) => {
    if (n < 0n) return s.split(a).join(b);
    const parts = s.split(a);
    const k = Math.min(Number(n), parts.length - 1);
    return parts.slice(0, k + 1).join(b) + (k + 1 < parts.length ? a + parts.slice(k + 1).join(a) : '');
  });

  // library/quantity.go
  env.registerType('Quantity', Quantity);
  const quantity = (s: string) => {
    const parsed = goParseQuantity(s);
    if ('error' in parsed) throw new CelRuntimeError(parsed.error);
    return new Quantity(asApproximateFloat64(parsed.quantity));
  };
  env.registerFunction('quantity(string): Quantity', quantity);
  env.registerFunction('isQuantity(string): bool', (s: string) => isQuantity(s));
  env.registerFunction('Quantity.sign(): int', (q: Quantity) => BigInt(Math.sign(q.value)));
  env.registerFunction('Quantity.isInteger(): bool', (q: Quantity) => Number.isInteger(q.value));
  env.registerFunction('Quantity.asInteger(): int', (q: Quantity) => {
    if (!Number.isInteger(q.value)) throw new CelRuntimeError('cannot convert value to integer');
    return BigInt(q.value);
  });
  env.registerFunction('Quantity.asApproximateFloat(): double', (q: Quantity) => q.value);
  env.registerFunction('Quantity.compareTo(Quantity): int', (a: Quantity, b: Quantity) => BigInt(cmp(a.value, b.value)));
  env.registerFunction('Quantity.isGreaterThan(Quantity): bool', (a: Quantity, b: Quantity) => a.value > b.value);
  env.registerFunction('Quantity.isLessThan(Quantity): bool', (a: Quantity, b: Quantity) => a.value < b.value);
  env.registerFunction('Quantity.add(Quantity): Quantity', (a: Quantity, b: Quantity) => new Quantity(a.value + b.value));
  env.registerFunction('Quantity.add(int): Quantity', (a: Quantity, b: bigint) => new Quantity(a.value + Number(b)));
  env.registerFunction('Quantity.sub(Quantity): Quantity', (a: Quantity, b: Quantity) => new Quantity(a.value - b.value));
  env.registerFunction('Quantity.sub(int): Quantity', (a: Quantity, b: bigint) => new Quantity(a.value - Number(b)));
  env.registerOperator('Quantity == Quantity', (a: Quantity, b: Quantity) => a.value === b.value);

  // library/urls.go
  env.registerFunction('isURL(string): bool', (s: string) => {
    try {
      new URL(s);
      return true;
    } catch {
      return s.startsWith('/');
    }
  });
  env.registerType('URL', CelUrl);
  env.registerFunction('url(string): URL', (s: string) => new CelUrl(parseUrl(s)));
  env.registerFunction('URL.getScheme(): string', (u: CelUrl) => u.url.protocol.replace(/:$/, ''));
  env.registerFunction('URL.getHost(): string', (u: CelUrl) => u.url.host);
  env.registerFunction('URL.getHostname(): string', (u: CelUrl) => u.url.hostname.replace(/^\[|\]$/g, ''));
  env.registerFunction('URL.getPort(): string', (u: CelUrl) => u.url.port);
  env.registerFunction('URL.getEscapedPath(): string', (u: CelUrl) => u.url.pathname);

  library = env;
  return env;
}

function findAll(s: string, p: string, n: number): string[] {
  const out: string[] = [];
  if (n === 0) return out;
  const m = re2(p).matcher(s);
  while (m.find()) {
    out.push(m.group(0) ?? '');
    if (n > 0 && out.length >= n) break;
  }
  return out;
}

/** CEL equality of values as this engine holds them (ints are bigints, doubles numbers: 1 == 1.0). */
function celEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isJsonNumber(a) && isJsonNumber(b)) return Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => celEquals(x, b[i]));
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (a instanceof Map && b instanceof Map) return a.size === b.size && [...a].every(([k, v]) => b.has(k) && celEquals(v, b.get(k)));
  if (a && b && typeof a === 'object' && typeof b === 'object' && Object.getPrototypeOf(a) === Object.prototype && Object.getPrototypeOf(b) === Object.prototype) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && celEquals((a as any)[k], (b as any)[k]));
  }
  return false;
}

/** cel-go ext.Sets (in the CRD environment since 1.29): `sets.contains`, `sets.equivalent`, `sets.intersects`. */
function registerSets(env: Environment): void {
  class SetsLib {}
  env.registerType('kubesim.SetsLib', SetsLib);
  env.registerConstant('sets', 'kubesim.SetsLib', new SetsLib());
  const has = (l: unknown[], x: unknown) => l.some((y) => celEquals(x, y));
  const contains = (a: unknown[], b: unknown[]) => b.every((x) => has(a, x));
  env.registerFunction('kubesim.SetsLib.contains(list, list): bool', (_: SetsLib, a: unknown[], b: unknown[]) => contains(a, b));
  env.registerFunction('kubesim.SetsLib.equivalent(list, list): bool', (_: SetsLib, a: unknown[], b: unknown[]) => contains(a, b) && contains(b, a));
  env.registerFunction('kubesim.SetsLib.intersects(list, list): bool', (_: SetsLib, a: unknown[], b: unknown[]) => a.some((x) => has(b, x)));
}

/** A named format of library/format.go. */
export class CelFormat {
  constructor(readonly validate: (s: string) => string[]) {}
}

/** apimachinery's NameIsDNS*(s, prefix): a prefix's trailing dash masked as maskTrailingDash does (it drops two characters). */
const namePrefix = (check: (s: string) => string[]) => (prefix: boolean) => (s: string) => check(prefix && s.length > 1 && s.endsWith('-') ? s.slice(0, -2) + 'a' : s);
const strfmt = (name: string, message: string) => (s: string) => (checkCrdFormat(name, s) === false ? [message] : []);

const FORMATS: Record<string, (s: string) => string[]> = {
  dns1123Label: namePrefix(isDns1123Label)(false),
  dns1123Subdomain: namePrefix(isDns1123Subdomain)(false),
  dns1035Label: namePrefix(isDns1035Label)(false),
  qualifiedName: isQualifiedName,
  dns1123LabelPrefix: namePrefix(isDns1123Label)(true),
  dns1123SubdomainPrefix: namePrefix(isDns1123Subdomain)(true),
  dns1035LabelPrefix: namePrefix(isDns1035Label)(true),
  labelValue: isValidLabelValue,
  // url.ParseRequestURI (its error for a relative reference).
  uri: (s) => (checkCrdFormat('uri', s) === false ? [`parse ${goQuote(s)}: invalid URI for request`] : []),
  uuid: strfmt('uuid', 'does not match the UUID format'),
  byte: strfmt('byte', 'invalid base64'),
  date: strfmt('date', 'invalid date'),
  datetime: strfmt('datetime', 'invalid datetime'),
};

/** library/format.go (in the CRD environment since 1.31): `format.named(name)`, `format.<name>()`, `<Format>.validate(s)`. */
function registerFormat(env: Environment): void {
  class FormatLib {}
  env.registerType('kubesim.FormatLib', FormatLib);
  env.registerType('net.Format', CelFormat);
  env.registerConstant('format', 'kubesim.FormatLib', new FormatLib());
  const formats = new Map(Object.entries(FORMATS).map(([k, f]) => [k, new CelFormat(f)]));
  env.registerFunction('kubesim.FormatLib.named(string): optional<net.Format>', (_: FormatLib, name: string) => {
    const f = formats.get(name);
    return f ? Optional.of(f) : Optional.none();
  });
  for (const [name, f] of formats) env.registerFunction(`kubesim.FormatLib.${name}(): net.Format`, () => f);
  env.registerFunction('net.Format.validate(string): optional<list<string>>', (f: CelFormat, s: string) => {
    const errs = f.validate(s);
    return errs.length ? Optional.of(errs) : Optional.none();
  });
}
