// Flag values as pflag would hold them: defaults applied, slices split on commas, ints parsed.
// `parseArgv` is a small pflag-compatible parser for callers (and tests) that start from argv.

import { CliError } from '../api/errors';
import type { FlagDef, FlagValues, Generator } from './types';
import { RequiredFlagError } from './types';

/** Typed read access to a generator's flags, with `changed` like cobra's Flags().Changed. */
export class Flags {
  private readonly values = new Map<string, unknown>();
  private readonly changedSet = new Set<string>();

  constructor(defs: FlagDef[], raw: FlagValues) {
    for (const d of defs) {
      const given = raw[d.name];
      if (given !== undefined) this.changedSet.add(d.name);
      this.values.set(d.name, normalize(d, given === undefined ? d.default : given));
    }
  }

  changed(name: string): boolean {
    return this.changedSet.has(name);
  }

  str(name: string): string {
    const v = this.values.get(name);
    return v === undefined ? '' : String(v);
  }

  int(name: string): number {
    const v = this.values.get(name);
    return typeof v === 'number' ? v : 0;
  }

  bool(name: string): boolean {
    return this.values.get(name) === true;
  }

  list(name: string): string[] {
    const v = this.values.get(name);
    return Array.isArray(v) ? (v as string[]) : [];
  }
}

function normalize(d: FlagDef, v: unknown): unknown {
  if (v === undefined) {
    if (d.type === 'stringArray' || d.type === 'stringSlice') return [];
    if (d.type === 'bool') return false;
    if (d.type === 'int') return 0;
    return '';
  }
  switch (d.type) {
    case 'stringSlice': {
      const parts = Array.isArray(v) ? v.map(String) : [String(v)];
      return parts.flatMap(splitCsv);
    }
    case 'stringArray':
      return Array.isArray(v) ? v.map(String) : [String(v)];
    case 'int':
      return typeof v === 'number' ? v : parseGoInt(String(v), d);
    case 'bool':
      return v === true || v === 'true' || v === '1' || v === 't' || v === 'T' || v === 'TRUE' || v === 'True';
    default:
      return String(v);
  }
}

/** pflag's StringSlice reads one occurrence as a CSV record: commas split, quotes group. */
export function splitCsv(s: string): string[] {
  if (s === '') return [];
  if (!s.includes('"')) return s.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function flagLabel(d: FlagDef): string {
  return d.shorthand ? `-${d.shorthand}, --${d.name}` : `--${d.name}`;
}

function parseGoInt(s: string, d: FlagDef): number {
  // strconv.ParseInt(s, 0, 32): base prefixes allowed, underscores only with a prefix.
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[0-9]+)$/.exec(s);
  if (!m) throw new CliError(`invalid argument "${s}" for "${flagLabel(d)}" flag: strconv.ParseInt: parsing "${s}": invalid syntax`);
  let body = m[2];
  let n: number;
  if (/^0[xX]/.test(body)) n = parseInt(body.slice(2), 16);
  else if (/^0[bB]/.test(body)) n = parseInt(body.slice(2), 2);
  else if (/^0[oO]/.test(body)) n = parseInt(body.slice(2), 8);
  else if (body.length > 1 && body[0] === '0') n = parseInt((body = body.slice(1)), 8);
  else n = parseInt(body, 10);
  if (m[1] === '-') n = -n;
  if (n > 2147483647 || n < -2147483648)
    throw new CliError(`invalid argument "${s}" for "${flagLabel(d)}" flag: strconv.ParseInt: parsing "${s}": value out of range`);
  return n;
}

/** cobra's required-flag check, run before the generator's own validation. */
export function checkRequired(defs: FlagDef[], raw: FlagValues): void {
  // cobra visits flags in lexical order.
  const missing = defs.filter((d) => d.required && raw[d.name] === undefined).map((d) => d.name).sort();
  if (missing.length) throw new RequiredFlagError(missing);
}

/**
 * Parses argv (after the command path) like pflag: `--f=v`, `--f v`, `-f v`, `-fv`, bool
 * flags without a value, `--` ends flags. Returns every positional arg (those after `--`
 * included, as cobra does), cobra's ArgsLenAtDash (-1 without `--`) and raw values (repeated flags collected into arrays). Unknown flags are an error.
 */
export function parseArgv(gen: Generator, argv: string[]): { args: string[]; argsLenAtDash: number; flags: FlagValues } {
  const args: string[] = [];
  const flags: FlagValues = {};
  const byName = new Map(gen.flags.map((d) => [d.name, d]));
  const byShort = new Map(gen.flags.filter((d) => d.shorthand).map((d) => [d.shorthand!, d]));
  const put = (d: FlagDef, v: string | boolean) => {
    if (d.type === 'stringArray' || d.type === 'stringSlice') {
      const prev = (flags[d.name] as string[] | undefined) ?? [];
      flags[d.name] = [...prev, String(v)];
    } else flags[d.name] = v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return { args: [...args, ...argv.slice(i + 1)], argsLenAtDash: args.length, flags };
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const d = byName.get(name);
      if (!d) throw new CliError(`unknown flag: --${name}`);
      if (eq >= 0) put(d, a.slice(eq + 1));
      else if (d.type === 'bool') put(d, true);
      else if (i + 1 < argv.length) put(d, argv[++i]);
      else throw new CliError(`flag needs an argument: --${name}`);
    } else if (a.startsWith('-') && a.length > 1) {
      const d = byShort.get(a[1]);
      if (!d) throw new CliError(`unknown shorthand flag: '${a[1]}' in ${a}`);
      const rest = a.slice(2);
      if (d.type === 'bool') put(d, rest.startsWith('=') ? rest.slice(1) : true);
      else if (rest) put(d, rest.startsWith('=') ? rest.slice(1) : rest);
      else if (i + 1 < argv.length) put(d, argv[++i]);
      else throw new CliError(`flag needs an argument: '${a[1]}' in ${a}`);
    } else args.push(a);
  }
  return { args, argsLenAtDash: -1, flags };
}
