// Minimal glob expansion for `kubesim validate 'manifests/**/*.yaml'`: `*`, `?`, `[...]`
// within a path segment and `**` across directories. Results are sorted like a shell's.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function hasGlob(p: string): boolean {
  return /[*?[]/.test(p);
}

function segmentRegex(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = seg.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Expands a pattern to existing paths (files and directories); [] when nothing matches. */
export function expandGlob(pattern: string): string[] {
  const absolute = pattern.startsWith('/');
  const segs = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  const out = new Set<string>();
  const isDir = (p: string) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  };
  const list = (dir: string) => {
    try {
      return readdirSync(dir || '.').sort();
    } catch {
      return [];
    }
  };
  const walk = (base: string, i: number): void => {
    if (i === segs.length) {
      out.add(base);
      return;
    }
    const seg = segs[i];
    const joinTo = (name: string) => (base === '' ? (absolute ? '/' + name : name) : join(base, name));
    if (seg === '**') {
      walk(base, i + 1); // zero directories
      for (const name of list(base)) if (isDir(joinTo(name))) walk(joinTo(name), i);
      return;
    }
    if (!hasGlob(seg)) {
      const next = joinTo(seg);
      if (i === segs.length - 1 ? exists(next) : isDir(next)) walk(next, i + 1);
      return;
    }
    const re = segmentRegex(seg);
    for (const name of list(base)) if (!name.startsWith('.') && re.test(name)) walk(joinTo(name), i + 1);
  };
  walk(absolute ? '' : '', absolute ? 1 : 0);
  return [...out];
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
