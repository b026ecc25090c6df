// Glob expansion for `kubesim validate 'manifests/**/*.{yaml,yml}'`, done by tinyglobby (a
// maintained library: `*`, `?`, `[...]`, `{a,b}`, `**`, extglobs). Results keep the pattern's
// own prefix (`../m/*.yaml` gives `../m/a.yaml`) and come sorted like a walk of the tree.
import { join } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';

// A path without any character a glob is made of is taken literally without loading
// tinyglobby (most command lines name files and directories).
const GLOB_CHAR = /[*?[\]{}()!+@\\]/;

export function hasGlob(p: string): boolean {
  return GLOB_CHAR.test(p) && isDynamicPattern(p);
}

/** Compares paths segment by segment, so a directory's entries follow it as in a walk. */
function walkOrder(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return x.length - y.length;
}

/**
 * Expands a pattern to existing paths, files and directories ([] when nothing matches). A
 * file inside a matched directory is left out: the loader reads that directory. A final `**`
 * matches directories only (zero or more levels), so `dir/**` reads the manifests of the
 * whole tree and no other files.
 */
export function expandGlob(pattern: string): string[] {
  // Glob from the static prefix so results read the way the pattern was written.
  const segs = pattern.split('/');
  let n = 0;
  while (n < segs.length - 1 && !isDynamicPattern(segs[n])) n++;
  const base = segs.slice(0, n).join('/') || (pattern.startsWith('/') ? '/' : '');
  const rest = segs.slice(n).join('/');
  const dirsOnly = segs[segs.length - 1] === '**';
  const found = globSync(rest, { cwd: base || '.', onlyFiles: false, onlyDirectories: dirsOnly, expandDirectories: false, dot: false });
  if (dirsOnly && rest === '**') found.push('./');
  const paths = found.map((p) => {
    const rel = p.endsWith('/') ? p.slice(0, -1) : p;
    return base ? join(base, rel || '.') : rel || '.';
  });
  const dirs = new Set(found.filter((p) => p.endsWith('/')).map((p) => (base ? join(base, p) : p).replace(/\/$/, '')));
  const parent = (p: string) => p.slice(0, Math.max(0, p.lastIndexOf('/')));
  return [...new Set(paths)].filter((p) => dirs.has(p) || !dirs.has(parent(p))).sort(walkOrder);
}
