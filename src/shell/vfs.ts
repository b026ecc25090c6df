// The file system a simulated script sees: the container's mounted files plus what the
// script writes. Paths are absolute; directories are implied by files or made explicit.

import { memoryError } from './limits';

export function normalizePath(p: string, cwd: string): string {
  const abs = p.startsWith('/') ? p : `${cwd.replace(/\/$/, '')}/${p}`;
  const out: string[] = [];
  for (const seg of abs.split('/')) {
    if (!seg || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}

export function dirnameOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

export const STANDARD_DIRS = ['/', '/bin', '/dev', '/etc', '/home', '/proc', '/root', '/run', '/sbin', '/sys', '/tmp', '/usr', '/usr/bin', '/usr/local', '/usr/sbin', '/var', '/var/run', '/var/log'];

export interface VfsOptions {
  files?: Record<string, string>;
  dirs?: string[];
  /** ConfigMap/Secret mount points: `ls -l` shows their keys as symlinks into `..data`. */
  atomicDirs?: string[];
  /** Time shown by `ls -l` for files that came with the container. */
  mtimeMs?: number;
  maxBytes?: number;
  /** Called when the script creates or removes a file (exec probes look at these). */
  onChange?: (path: string, exists: boolean) => void;
}

export class Vfs {
  readonly files = new Map<string, string>();
  readonly dirs = new Set<string>(STANDARD_DIRS);
  readonly atomicDirs: string[];
  readonly mtimeMs: number;
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly onChange?: (path: string, exists: boolean) => void;

  constructor(o: VfsOptions = {}) {
    this.atomicDirs = o.atomicDirs ?? [];
    this.mtimeMs = o.mtimeMs ?? 0;
    this.maxBytes = o.maxBytes ?? 16 << 20;
    this.onChange = o.onChange;
    for (const [p, c] of Object.entries(o.files ?? {})) {
      this.files.set(p, c);
      this.addParents(p);
    }
    for (const d of [...(o.dirs ?? []), ...this.atomicDirs]) {
      this.dirs.add(d);
      this.addParents(d);
    }
  }

  private addParents(p: string): void {
    for (let d = dirnameOf(p); !this.dirs.has(d); d = dirnameOf(d)) this.dirs.add(d);
  }

  read(p: string): string | undefined {
    return this.files.get(p);
  }
  isDir(p: string): boolean {
    return this.dirs.has(p);
  }
  exists(p: string): boolean {
    return this.files.has(p) || this.dirs.has(p);
  }
  parentExists(p: string): boolean {
    return this.dirs.has(dirnameOf(p));
  }

  write(p: string, data: string, append: boolean): void {
    const old = this.files.get(p);
    const next = append && old !== undefined ? old + data : data;
    this.bytes += next.length - (old?.length ?? 0);
    if (this.bytes > this.maxBytes) {
      this.bytes -= next.length - (old?.length ?? 0);
      throw memoryError('the files the script wrote', this.maxBytes);
    }
    this.files.set(p, next);
    if (old === undefined) this.onChange?.(p, true);
  }

  remove(p: string): boolean {
    const old = this.files.get(p);
    if (old === undefined) return false;
    this.bytes -= old.length;
    this.files.delete(p);
    this.onChange?.(p, false);
    return true;
  }

  mkdir(p: string): void {
    this.dirs.add(p);
  }

  rmdir(p: string): void {
    this.dirs.delete(p);
  }

  /** Names directly inside a directory (files and directories). */
  list(dir: string): Array<{ name: string; dir: boolean; size: number }> {
    const prefix = dir === '/' ? '/' : dir + '/';
    const names = new Map<string, { name: string; dir: boolean; size: number }>();
    for (const d of this.dirs) {
      if (d === dir || !d.startsWith(prefix)) continue;
      const first = d.slice(prefix.length).split('/')[0];
      names.set(first, { name: first, dir: true, size: 4096 });
    }
    for (const [f, content] of this.files) {
      if (!f.startsWith(prefix)) continue;
      const rest = f.slice(prefix.length);
      const first = rest.split('/')[0];
      if (rest.includes('/')) names.set(first, names.get(first) ?? { name: first, dir: true, size: 4096 });
      else names.set(first, { name: first, dir: false, size: Buffer.byteLength(content) });
    }
    return [...names.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
