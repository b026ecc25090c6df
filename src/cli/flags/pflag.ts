// pflag's reading of a command line, in front of commander: kubectl's flags follow pflag
// (spf13/pflag), commander's do not. normalizeArgv walks argv with the command tree, finds
// each flag in the flag table of the command it belongs to (its own and its ancestors'),
// checks it as pflag would and rewrites it into the one spelling commander reads the same way:
//  - booleans take `--flag=true|false` (any Go strconv.ParseBool spelling): true becomes
//    `--flag`, false is dropped (the flag's default), a bad value is pflag's error;
//  - a flag with a no-option default (`--dry-run`, `--cascade`, `--wait [bool]`) never takes
//    the next word: bare, it becomes `--flag=<NoOptDefVal>`;
//  - `-o=yaml` is `-o yaml` (commander would read "=yaml"); `-oyaml` and `-o yaml` stay;
//  - an unknown flag, or a value flag without its value, is pflag's error, which the root
//    prints in cobra's format. Everything after `--` is left alone.

import { Option as OptionCtor, type Command, type Option } from 'commander';
import type { FlagDef } from '../../generators/types';
import { parseGoDuration } from './duration';

/** A flag as pflag sees it: name, shorthand, whether it takes a value, its NoOptDefVal. */
export interface PFlag {
  name: string;
  shorthand?: string;
  /** 'bool' never takes the next word; 'value' always does unless NoOptDefVal is set. */
  kind: 'bool' | 'value';
  noOptDefVal?: string;
  int?: boolean;
  /** A Go duration (pflag's DurationVar): checked as time.ParseDuration checks it. */
  duration?: boolean;
  /** pflag's StringToString: key=value pairs. */
  stringToString?: boolean;
  /** A boolean with a no-option default (`-w, --watch [bool]`): its value is checked as ParseBool. */
  boolValue?: boolean;
  /** How `--name=false` reaches the parser ('' = dropped, the default is false). */
  falseSpelling?: string;
}

/** Raised for what pflag rejects; `command` is the cobra command path for the usage hint. */
export class FlagError extends Error {
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
  }
}

/** NoOptDefVal of kubectl's flags with one (cmdutil.AddDryRunFlag: "unchanged"). */
const NO_OPT_DEFAULTS: Record<string, string> = { 'dry-run': 'unchanged', cascade: 'background' };

const tables = new WeakMap<Command, PFlag[]>();
const usageFlagErrors = new WeakMap<Command, number>();

/**
 * A command whose cobra FlagErrorFunc makes pflag's errors usage errors (`error: ...` and
 * `See '... -h' for help and examples`), exiting with `exitCode` (diff: 2).
 */
export function declareUsageFlagErrors(cmd: Command, exitCode: number): void {
  usageFlagErrors.set(cmd, exitCode);
}

/** The exit code of a usage-style flag error for the command at `path`, if it declared one. */
export function usageFlagErrorCode(program: Command, path: string): number | undefined {
  let cmd = program;
  for (const name of path.split(' ').filter(Boolean)) {
    const sub = cmd.commands.find((c) => c.name() === name);
    if (!sub) return undefined;
    cmd = sub;
  }
  return usageFlagErrors.get(cmd);
}
type ValueType = 'int' | 'duration' | 'stringToString';
const valueTypes = new WeakMap<Command, Record<string, ValueType>>();

/** The Go types of a commander command's value flags pflag checks as it parses (`--revision` int). */
export function declareFlagTypes(cmd: Command, types: Record<string, ValueType>): Command {
  valueTypes.set(cmd, { ...valueTypes.get(cmd), ...types });
  return cmd;
}
const passThrough = new WeakSet<Command>();

/** Commands whose own flags are cobra local flags, which their sub-commands do not take. */
const localFlags = new WeakSet<Command>();

/** `apply`'s flags are its own: `apply view-last-applied --force` is an unknown flag, as in kubectl. */
export function declareLocalFlags(cmd: Command): void {
  localFlags.add(cmd);
}

/** Declares the flags of a command that parses its own arguments (the generators). */
export function declareFlagTable(cmd: Command, defs: FlagDef[]): void {
  tables.set(
    cmd,
    defs.map((d) => ({ name: d.name, shorthand: d.shorthand, kind: d.type === 'bool' ? 'bool' : 'value', noOptDefVal: NO_OPT_DEFAULTS[d.name], int: d.type === 'int' })),
  );
}

/** A command whose arguments are nobody's flags (`__complete`'s words). */
export function declarePassThrough(cmd: Command): void {
  passThrough.add(cmd);
}

/** Hidden `--no-x` options added so that `--x=false` can reach commander (x defaults to true). */
const synthetic = new WeakSet<Option>();

/** For every boolean option defaulting to true, a hidden `--no-<name>` to spell false with. */
export function addFalseSpellings(cmd: Command): void {
  for (const o of [...(cmd.options as readonly Option[])]) {
    if (!o.required && !o.optional && !o.negate && o.defaultValue === true && o.long) {
      const neg = new OptionCtor(`--no-${o.long.slice(2)}`).hideHelp();
      synthetic.add(neg);
      cmd.addOption(neg);
    }
  }
  for (const c of cmd.commands) addFalseSpellings(c);
}

function fromOption(o: Option): PFlag {
  const long = (o.long ?? '').replace(/^--/, '');
  const short = o.short?.replace(/^-/, '');
  if (!o.required && !o.optional) return { name: long, shorthand: short, kind: 'bool', falseSpelling: o.defaultValue === true ? `--no-${long}` : '' };
  if (o.optional) {
    const bool = /\[bool\]/.test(o.flags);
    return { name: long, shorthand: short, kind: 'value', noOptDefVal: NO_OPT_DEFAULTS[long] ?? (bool ? 'true' : ''), boolValue: bool };
  }
  return { name: long, shorthand: short, kind: 'value' };
}

function flagsOf(cmd: Command): PFlag[] {
  const table = tables.get(cmd);
  if (table) {
    // The generators read `--x=false` themselves, unless a parent's commander option takes it first.
    // (only a parent's boolean options: a value option like --allow-missing-template-keys
    // [bool] takes `=false` as its value and hands it back to the generator).
    const parentLongs = new Set<string>();
    for (let c = cmd.parent; c; c = c.parent) for (const o of c.options as readonly Option[]) if (o.long && !o.required && !o.optional) parentLongs.add(o.long.slice(2));
    return [...table.map((f) => ({ ...f, falseSpelling: parentLongs.has(f.name) ? '' : `--${f.name}=false` })), { name: 'help', shorthand: 'h', kind: 'bool' }];
  }
  const types = valueTypes.get(cmd) ?? {};
  const own = (cmd.options as readonly Option[])
    .filter((o) => !synthetic.has(o))
    .map(fromOption)
    .map((f) => (types[f.name] ? { ...f, [types[f.name]]: true } : f));
  return [...own, { name: 'help', shorthand: 'h', kind: 'bool' }];
}

/** The verb's words under the root (`create token`, `top pod`). */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Go's strconv.ParseBool. */
export function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

function label(f: PFlag): string {
  return f.shorthand ? `-${f.shorthand}, --${f.name}` : `--${f.name}`;
}

/** pflag's check of a typed value: ints, durations, booleans with a no-option default. */
function checkValue(f: PFlag, v: string, path: string): void {
  checkInt(f, v, path);
  if (f.boolValue && parseGoBool(v) === undefined) throw new FlagError(`invalid argument "${v}" for "${label(f)}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`, path);
  if (f.duration || f.stringToString) {
    try {
      if (f.duration) parseGoDuration(v);
      else stringToStringPairs(v);
    } catch (e) {
      throw new FlagError(`invalid argument "${v}" for "${label(f)}" flag: ${(e as Error).message}`, path);
    }
  }
}

/**
 * One use of a StringToString flag (`--env`, `--set-image`): key=value pairs, with more than
 * one `=` read as a CSV line of them. The values of every use make up a Go map, later keys
 * replacing earlier ones; its iteration order is random, and the order given is one it yields.
 */
export function stringToStringPairs(use: string): Array<[string, string]> {
  const eq = use.split('=').length - 1;
  if (eq === 0) throw new Error(`${use} must be formatted as key=value`);
  return (eq === 1 ? [use.replace(/^"+|"+$/g, '')] : csvFields(use)).map((pair) => {
    const i = pair.indexOf('=');
    if (i < 0) throw new Error(`${pair} must be formatted as key=value`);
    return [pair.slice(0, i), pair.slice(i + 1)];
  });
}

/** Every use of a StringToString flag, as the map pflag builds (in the order given). */
export function stringToString(uses: string[]): Map<string, string> {
  return new Map(uses.flatMap(stringToStringPairs));
}

/** One line of encoding/csv: comma-separated, a field in double quotes may hold commas and `""`. */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      while (i < line.length && !(line[i] === '"' && line[i + 1] !== '"')) {
        field += line[i];
        i += line[i] === '"' ? 2 : 1;
      }
      i++;
    } else {
      const end = line.indexOf(',', i);
      field = line.slice(i, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
    }
    fields.push(field);
    if (line[i] !== ',') return fields;
    i++;
  }
}

function checkInt(f: PFlag, v: string, path: string): void {
  if (!f.int) return;
  if (!/^[+-]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[0-9]+)$/.test(v))
    throw new FlagError(`invalid argument "${v}" for "${label(f)}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`, path);
  // past int64, too large for any of Go's int flags (BigInt takes 0x/0o/0b; a bare leading 0 is octal)
  const digits = v.replace(/^[+-]/, '');
  const n = BigInt(/^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits);
  if (n > (v.startsWith('-') ? 2n ** 63n : 2n ** 63n - 1n))
    throw new FlagError(`invalid argument "${v}" for "${label(f)}" flag: strconv.ParseInt: parsing "${v}": value out of range`, path);
}

/** Rewrites argv for commander as described above; throws FlagError for pflag's errors. */
export function normalizeArgv(program: Command, argv: string[]): string[] {
  const out: string[] = [];
  let cmd = program;
  let chain: PFlag[][] = [flagsOf(program)];
  let positionals = 0;
  const find = (pred: (f: PFlag) => boolean): PFlag | undefined => {
    for (let i = chain.length - 1; i >= 0; i--) {
      const f = chain[i].find(pred);
      if (f) return f;
    }
    return undefined;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (passThrough.has(cmd) || a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const path = commandPath(cmd);
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const value = eq >= 0 ? a.slice(eq + 1) : undefined;
      const f = find((x) => x.name === name);
      if (!f) throw new FlagError(`unknown flag: --${name}`, path);
      if (f.kind === 'bool') {
        if (value === undefined) out.push(a);
        else {
          const b = parseGoBool(value);
          if (b === undefined) throw new FlagError(`invalid argument "${value}" for "${label(f)}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`, path);
          if (b) out.push(`--${name}`);
          else if (f.falseSpelling) out.push(f.falseSpelling);
        }
      } else if (value !== undefined) {
        checkValue(f, value, path);
        out.push(`--${name}=${value}`);
      } else if (f.noOptDefVal !== undefined && f.noOptDefVal !== '') out.push(`--${name}=${f.noOptDefVal}`);
      else if (i + 1 < argv.length) {
        checkValue(f, argv[i + 1], path);
        out.push(`--${name}=${argv[++i]}`);
      } else throw new FlagError(`flag needs an argument: --${name}`, path);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // A run of shorthands: booleans, then at most one that takes the rest (or the next word).
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        const f = find((x) => x.shorthand === c);
        if (!f) throw new FlagError(`unknown shorthand flag: '${c}' in ${a}`, path);
        const rest = a.slice(j + 1);
        if (f.kind === 'bool') {
          if (rest.startsWith('=')) {
            const b = parseGoBool(rest.slice(1));
            if (b === undefined) throw new FlagError(`invalid argument "${rest.slice(1)}" for "${label(f)}" flag: strconv.ParseBool: parsing "${rest.slice(1)}": invalid syntax`, path);
            if (b) out.push(`--${f.name}`);
            else if (f.falseSpelling) out.push(f.falseSpelling);
            break;
          }
          out.push(`--${f.name}`);
          continue;
        }
        let v: string;
        if (rest.startsWith('=')) v = rest.slice(1);
        else if (rest !== '') v = rest;
        else if (f.noOptDefVal) v = f.noOptDefVal;
        else if (i + 1 < argv.length) v = argv[++i];
        else throw new FlagError(`flag needs an argument: '${c}' in ${a}`, path);
        checkValue(f, v, path);
        out.push(`--${f.name}=${v}`);
        break;
      }
      continue;
    }
    // A word: the next sub-command while no argument was given to this one, else an argument.
    const sub = positionals === 0 ? cmd.commands.find((c) => c.name() === a || c.aliases().includes(a)) : undefined;
    if (sub) {
      // A generator (`create deployment`) has only its own flags and the root's: cobra's
      // `create` flags are local to it, not inherited; so are those of a declareLocalFlags command.
      chain = tables.has(sub) ? [chain[0], flagsOf(sub)] : [...(localFlags.has(cmd) ? chain.slice(0, -1) : chain), flagsOf(sub)];
      cmd = sub;
      out.push(a);
      continue;
    }
    positionals++;
    out.push(a);
  }
  return out;
}

/** The command path argv names (for messages about it), e.g. `create namespace`. */
export function commandPathOf(program: Command, argv: string[]): string {
  let cmd = program;
  for (const a of argv) {
    if (a === '--') break;
    if (a.startsWith('-')) continue;
    const sub = cmd.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!sub) break;
    cmd = sub;
  }
  return commandPath(cmd);
}
