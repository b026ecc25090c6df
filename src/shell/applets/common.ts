// Shared helpers of the applets: reading the named files (or stdin), option parsing, the
// GNU (Debian images) or busybox wording of errors.

import type { AppletCtx } from '../interp';
import { normalizePath } from '../vfs';

export function isBusybox(c: AppletCtx): boolean {
  return c.sh.g.flavor === 'busybox';
}

/** A file's content, or undefined after printing the tool's error. */
export function readFile(c: AppletCtx, tool: string, f: string, style: 'plain' | 'open' | 'read' | 'sed' = 'plain'): string | undefined {
  if (f === '-') return c.inp.rest();
  const p = normalizePath(f, c.sh.cwd);
  const vfs = c.sh.g.vfs;
  const text = vfs.read(p);
  if (text !== undefined) return text;
  if (f === '/dev/null') return '';
  const isDir = vfs.isDir(p);
  if (isBusybox(c)) {
    c.err.write(isDir ? `${tool}: read error: Is a directory\n` : `${tool}: can't open '${f}': No such file or directory\n`);
  } else if (isDir) {
    c.err.write(style === 'open' ? `${tool}: error reading '${f}': Is a directory\n` : `${tool}: ${f}: Is a directory\n`);
  } else if (style === 'open') c.err.write(`${tool}: cannot open '${f}' for reading: No such file or directory\n`);
  else if (style === 'sed') c.err.write(`${tool}: can't read ${f}: No such file or directory\n`);
  else if (style === 'read') c.err.write(`${tool}: cannot read: ${f}: No such file or directory\n`);
  else c.err.write(`${tool}: ${f}: No such file or directory\n`);
  return undefined;
}

/** Splits text into lines; a final line without a newline still counts. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const l = text.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

export function joinLines(lines: string[]): string {
  return lines.length ? lines.join('\n') + '\n' : '';
}

/**
 * getopt-like parsing: `spec` lists flag letters, a letter followed by `:` takes a value.
 * Returns flags, values and operands, or an error text for an unknown option.
 */
export function getopt(args: string[], spec: string): { flags: Set<string>; values: Map<string, string>; operands: string[]; bad?: string; missing?: string } {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-' || /^-\d/.test(a) && !spec.includes('0')) {
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const f = a[j];
      const k = spec.indexOf(f);
      if (k < 0) return { flags, values, operands, bad: f };
      if (spec[k + 1] === ':') {
        const v = j + 1 < a.length ? a.slice(j + 1) : args[++i];
        if (v === undefined) return { flags, values, operands, missing: f };
        values.set(f, v);
        break;
      }
      flags.add(f);
    }
  }
  return { flags, values, operands };
}

export function badOption(c: AppletCtx, tool: string, f: string): number {
  if (isBusybox(c)) c.err.write(`${tool}: unrecognized option: ${f}\nBusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n`);
  else c.err.write(`${tool}: invalid option -- '${f}'\nTry '${tool} --help' for more information.\n`);
  return isBusybox(c) ? 1 : 2;
}
