// Data sources shared by `create configmap` and `create secret generic|docker-registry`:
// --from-literal, --from-file (file, dir, key=path) and --from-env-file, with kubectl's
// parsing rules and error texts (kubectl pkg/util and pkg/cmd/util/env_file.go).

import { CliError } from '../api/errors';
import type { Flags } from './flags';
import type { GeneratorContext } from './types';
import { fsErrorText, isValidUtf8 } from './util';
import { goQuote } from '../util/go-format';

/** The three source flags, checked as both commands' Validate does: env files only alone. */
export function sourceFlags(f: Flags): { files: string[]; literals: string[]; envFiles: string[] } {
  const files = f.list('from-file');
  const literals = f.list('from-literal');
  const envFiles = f.list('from-env-file');
  if (envFiles.length && (files.length || literals.length)) throw new CliError('from-env-file cannot be combined with from-file or from-literal');
  return { files, literals, envFiles };
}

/** util.ParseLiteralSource: `key=value`, split at the first `=`. */
export function parseLiteralSource(source: string): [string, string] {
  const i = source.indexOf('=');
  if (i <= 0) throw new CliError(`invalid literal source ${source}, expected key=value`);
  return [source.slice(0, i), source.slice(i + 1)];
}

/** util.ParseFileSource: `path` (key = base name) or `key=path`. */
export function parseFileSource(source: string): [string, string] {
  const n = source.split('=').length - 1;
  if (n === 0) {
    const trimmed = source.replace(/\/+$/, '');
    const base = trimmed === '' ? (source.startsWith('/') ? '/' : '.') : trimmed.slice(trimmed.lastIndexOf('/') + 1);
    return [base, source];
  }
  if (n === 1 && source.startsWith('=')) throw new CliError(`key name for file path ${source.slice(1)} missing`);
  if (n === 1 && source.endsWith('=')) throw new CliError(`file path for key name ${source.slice(0, -1)} missing`);
  if (n > 1) throw new CliError("key names or file paths cannot contain '='");
  const [k, p] = source.split('=');
  return [k, p];
}

function chDirErrors(v: string): string[] {
  if (v === '.') return ["must not be '.'"];
  if (v === '..') return ["must not be '..'"];
  if (v.startsWith('..')) return ["must not start with '..'"];
  return [];
}

/** validation.IsConfigMapKey */
export function configMapKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!/^[-._a-zA-Z0-9]+$/.test(key))
    errs.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  return errs.concat(chDirErrors(key));
}

/** validation.IsEnvVarName */
export function envVarNameErrors(key: string): string[] {
  const errs: string[] = [];
  if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(key))
    errs.push(
      "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
    );
  return errs.concat(chDirErrors(key));
}

function statOrThrow(ctx: GeneratorContext, path: string): 'file' | 'dir' | 'other' {
  let kind: 'file' | 'dir' | 'other' | undefined;
  if (ctx.stat) kind = ctx.stat(path);
  else {
    try {
      ctx.readFile(path);
      kind = 'file';
    } catch (e) {
      if ((e as { code?: string }).code === 'EISDIR') kind = 'dir';
      else throw new CliError(`error reading ${path}: ${fsErrorText(e)}`);
    }
  }
  if (!kind) throw new CliError(`error reading ${path}: no such file or directory`);
  return kind;
}

function read(ctx: GeneratorContext, path: string): Uint8Array {
  try {
    return ctx.readFile(path);
  } catch (e) {
    throw new CliError(`open ${path}: ${fsErrorText(e)}`);
  }
}

/**
 * Walks --from-file sources, calling `add(key, bytes)` per file. A directory adds each
 * regular file (in name order) under its base name; `key=dir` is an error.
 */
export function forEachFileSource(ctx: GeneratorContext, sources: string[], add: (key: string, data: Uint8Array) => void): void {
  for (const source of sources) {
    const [key, path] = parseFileSource(source);
    const kind = statOrThrow(ctx, path);
    if (kind === 'dir') {
      if (source.includes('=')) throw new CliError('cannot give a key name for a directory path');
      const names = [...(ctx.readDir?.(path) ?? [])].sort();
      for (const n of names) {
        const p = path.endsWith('/') ? path + n : `${path}/${n}`;
        if ((ctx.stat?.(p) ?? 'file') !== 'file') continue;
        add(n, read(ctx, p));
      }
    } else add(key, read(ctx, path));
  }
}

/**
 * cmdutil.AddFromEnvFile: one `KEY=value` per line; leading whitespace and `#` comments
 * skipped, a BOM stripped from line 1, `KEY` alone takes the value from the environment.
 */
export function forEachEnvFileSource(
  ctx: GeneratorContext,
  sources: string[],
  dirMessage: string,
  add: (key: string, value: string) => void,
): void {
  for (const path of sources) {
    if (statOrThrow(ctx, path) === 'dir') throw new CliError(dirMessage);
    const bytes = Buffer.from(read(ctx, path));
    const lines: Buffer[] = [];
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0x0a) {
        lines.push(bytes.subarray(start, i));
        start = i + 1;
      }
    }
    if (start < bytes.length) lines.push(bytes.subarray(start));
    lines.forEach((raw, n) => {
      let line = raw.length && raw[raw.length - 1] === 0x0d ? raw.subarray(0, raw.length - 1) : raw;
      if (!isValidUtf8(line))
        throw new CliError(`env file ${path} contains invalid utf8 bytes at line ${n + 1}: [${[...line].join(' ')}]`);
      if (n === 0 && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) line = line.subarray(3);
      // unicode.IsSpace (JS \s would also eat a BOM, Go does not).
      const text = line.toString('utf8').replace(/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u, '');
      if (text === '' || text.startsWith('#')) return;
      const eq = text.indexOf('=');
      const key = eq >= 0 ? text.slice(0, eq) : text;
      const errs = envVarNameErrors(key);
      if (errs.length) throw new CliError(`${goQuote(key)} is not a valid key name: ${errs.join(';')}`);
      add(key, eq >= 0 ? text.slice(eq + 1) : (ctx.getenv?.(key) ?? ''));
    });
  }
}
