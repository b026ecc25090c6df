// Reads the inputs of `-f`: files, directories (their .yaml/.yml/.json files, recursively
// with -R), `-` for standard input, and glob patterns when asked. Like kubectl, a missing
// path fails the whole command; problems inside a file are reported per document.
import { readdirSync, statSync } from 'node:fs';
import { readInputSync, InputTooLargeError } from './read-limited';
import { join, extname } from 'node:path';
import { CliError } from '../api/errors';
import type { LoadOptions, LoadResult, ManifestDoc, ManifestError } from './types';
import { parseManifestBytes } from './parse-documents';
import { expandGlob, hasGlob } from './glob';
import { BadPatternError, goGlob } from '../util/go-glob';
import { goQuote } from '../util/go-format';
import { fsErrorText } from '../util/fs-error-text';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** kubectl's name for standard input in messages (`error when creating "STDIN"`). */
export const STDIN_SOURCE = 'STDIN';

export async function loadManifests(inputs: string[], opts: LoadOptions = {}): Promise<LoadResult> {
  const docs: ManifestDoc[] = [];
  const errors: ManifestError[] = [];
  const files: string[] = [];
  const texts = new Map<string, string>();

  const readOne = (source: string, buf: Uint8Array) => {
    files.push(source);
    const r = parseManifestBytes(buf, source, { lenient: opts.lenient, lastKeyWins: opts.lastKeyWins });
    if (r.text !== undefined) texts.set(source, r.text);
    docs.push(...r.docs);
    errors.push(...r.errors);
  };

  // The Builder stats every path before it reads any (FilenameParam): the missing ones are one aggregate.
  const missing: string[] = [];
  const expanded = new Map<string, string[]>();
  for (const input of inputs) {
    if (input === '-' || /^https?:\/\//.test(input)) continue;
    expanded.set(input, opts.glob ? globPaths(input, missing) : kubectlPaths(input, missing));
  }
  if (missing.length) throw new MissingPathsError(missing);
  for (const input of inputs) {
    if (input === '-') {
      readOne(STDIN_SOURCE, Buffer.from(opts.stdin ?? '', 'utf8'));
      continue;
    }
    if (/^https?:\/\//.test(input)) throw new CliError(`unable to read URL "${input}": reading manifests from URLs is not supported by kubesim`);
    for (const p of expanded.get(input)!) {
      let st;
      try {
        st = statSync(p);
      } catch {
        throw new MissingPathsError([notExist(p)]); // removed since it was checked
      }
      if (st.isDirectory()) {
        for (const f of listDir(p, !!opts.recursive)) readFile(f, readOne, errors);
      } else readFile(p, readOne, errors);
    }
  }
  return { docs, errors, files, textOf: (s) => texts.get(s) };
}

/** -f paths that do not exist, each kubectl's `the path "P" does not exist` (messages). */
export class MissingPathsError extends CliError {
  constructor(readonly messages: string[]) {
    super(messages[0]);
  }
}

const notExist = (p: string) => `the path ${goQuote(p)} does not exist`;

/** `validate`'s paths: a glob's matches (tinyglobby), else the path; each missing one an error pushed to errors. */
function globPaths(input: string, errors: string[]): string[] {
  const paths = hasGlob(input) ? expandGlob(input) : [input];
  if (paths.length === 0) errors.push(notExist(input));
  for (const p of paths) if (!pathExists(p)) errors.push(notExist(p));
  return paths;
}

/**
 * kubectl's expandIfFilePattern: a path that exists is itself; one that does not is a
 * filepath.Glob pattern (its matches; an error pushed to errors when none, malformed, or a
 * match that does not resolve).
 */
function kubectlPaths(input: string, errors: string[]): string[] {
  if (pathExists(input)) return [input];
  try {
    const matches = goGlob(input);
    if (matches.length === 0) errors.push(notExist(input));
    for (const p of matches) if (!pathExists(p)) errors.push(notExist(p)); // a dangling symlink is listed too
    return matches;
  } catch (e) {
    if (!(e instanceof BadPatternError)) throw e;
    errors.push(`pattern ${goQuote(input)} is not valid: ${e.message}`);
    return [];
  }
}

function pathExists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

function readFile(path: string, readOne: (s: string, b: Uint8Array) => void, errors: ManifestError[]): void {
  let buf: Buffer;
  try {
    buf = readInputSync(path);
  } catch (e) {
    if (e instanceof InputTooLargeError) {
      errors.push({ code: 'read-error', source: path, message: e.message, kubectlMessage: e.message });
      return;
    }
    // As Go's os.Open/Read print it: `read x: input/output error`, never Node's `EIO: i/o error, read`.
    const msg = fsErrorText(e);
    const op = (e as NodeJS.ErrnoException).syscall === 'read' ? 'read' : 'open';
    errors.push({ code: 'read-error', source: path, message: `cannot read ${path}: ${msg}`, kubectlMessage: `${op} ${path}: ${msg}` });
    return;
  }
  readOne(path, buf);
}

/** Files of a directory in lexical order (filepath.Walk order); sub-directories only with -R. */
function listDir(dir: string, recursive: boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue; // dangling symlink
    }
    if (st.isDirectory()) {
      if (recursive) out.push(...listDir(p, true));
    } else if (MANIFEST_EXTENSIONS.has(extname(name).toLowerCase())) out.push(p);
  }
  return out;
}

/** kubectl's message when the inputs held no object: `no objects passed to apply`. */
export function noObjectsMessage(verb: string): string {
  return `no objects passed to ${verb}`;
}
