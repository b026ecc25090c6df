// File applets: ls, touch, rm, mkdir, rmdir, cp, mv, on the simulated file system.

import type { Applet, AppletCtx } from '../interp';
import { dirnameOf, normalizePath } from '../vfs';
import { badOption, getopt, isBusybox } from './common';

function lsDate(ms: number): string {
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

function dataDirName(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `..${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}000000`;
}

interface LsEntry {
  name: string;
  type: 'd' | '-' | 'l';
  size: number;
  target?: string;
}

function lsEntries(c: AppletCtx, dir: string, all: boolean, almost: boolean): LsEntry[] {
  const vfs = c.sh.g.vfs;
  const list: LsEntry[] = vfs.list(dir).map((e) => ({ name: e.name, type: e.dir ? 'd' : '-', size: e.size }));
  // ConfigMap/Secret volumes: keys are symlinks into the atomically swapped `..data`.
  if (vfs.atomicDirs.includes(dir)) {
    for (const e of list) {
      e.target = `..data/${e.name}`;
      e.type = 'l';
      e.size = e.target.length;
    }
    if (all || almost) {
      const ts = dataDirName(vfs.mtimeMs);
      list.push({ name: ts, type: 'd', size: 4096 }, { name: '..data', type: 'l', size: ts.length, target: ts });
    }
  }
  let out = list;
  if (!all && !almost) out = out.filter((e) => !e.name.startsWith('.'));
  if (all) out.push({ name: '.', type: 'd', size: 4096 }, { name: '..', type: 'd', size: 4096 });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function lsLong(c: AppletCtx, entries: LsEntry[]): string[] {
  const perms = (e: LsEntry) => (e.type === 'd' ? 'drwxr-xr-x' : e.type === 'l' ? 'lrwxrwxrwx' : '-rw-r--r--');
  const links = (e: LsEntry) => (e.type === 'd' ? 2 : 1);
  const when = lsDate(c.sh.g.vfs.mtimeMs);
  const tail = (e: LsEntry) => `${e.name}${e.target ? ` -> ${e.target}` : ''}`;
  if (isBusybox(c)) return entries.map((e) => `${perms(e)} ${String(links(e)).padStart(4)} ${'root'.padEnd(8)} ${'root'.padEnd(8)} ${String(e.size).padStart(9)} ${when} ${tail(e)}`);
  const lw = Math.max(...entries.map((e) => String(links(e)).length));
  const sw = Math.max(...entries.map((e) => String(e.size).length));
  return entries.map((e) => `${perms(e)} ${String(links(e)).padStart(lw)} root root ${String(e.size).padStart(sw)} ${when} ${tail(e)}`);
}

const ls: Applet = (c) => {
  const o = getopt(c.argv.slice(1), 'laA1dhFrtS');
  if (o.bad) return badOption(c, 'ls', o.bad);
  const long = o.flags.has('l');
  const all = o.flags.has('a');
  const almost = o.flags.has('A');
  const paths = o.operands.length ? o.operands : ['.'];
  const vfs = c.sh.g.vfs;
  let code = 0;
  const files: string[] = [];
  const dirs: string[] = [];
  for (const p of paths) {
    const abs = normalizePath(p, c.sh.cwd);
    if (vfs.isDir(abs) && !o.flags.has('d')) dirs.push(p);
    else if (vfs.exists(abs)) files.push(p);
    else {
      c.err.write(isBusybox(c) ? `ls: ${p}: No such file or directory\n` : `ls: cannot access '${p}': No such file or directory\n`);
      code = isBusybox(c) ? 1 : 2;
    }
  }
  const blocks: string[] = [];
  files.sort();
  dirs.sort();
  if (files.length) {
    const entries = files.map((f) => {
      const abs = normalizePath(f, c.sh.cwd);
      return { name: f, type: vfs.isDir(abs) ? ('d' as const) : ('-' as const), size: vfs.isDir(abs) ? 4096 : Buffer.byteLength(vfs.read(abs)!) };
    });
    blocks.push((long ? lsLong(c, entries) : entries.map((e) => e.name)).join('\n') + '\n');
  }
  for (const d of dirs) {
    let entries = lsEntries(c, normalizePath(d, c.sh.cwd), all, almost);
    if (o.flags.has('r')) entries = entries.reverse();
    let text = paths.length > 1 ? `${d}:\n` : '';
    if (long) {
      if (!isBusybox(c)) text += `total ${entries.some((e) => e.type !== 'l') ? entries.filter((e) => e.type !== 'l').length * 4 : 0}\n`;
      if (entries.length) text += lsLong(c, entries).join('\n') + '\n';
    } else if (entries.length) text += entries.map((e) => e.name + (o.flags.has('F') && e.type === 'd' ? '/' : '')).join('\n') + '\n';
    blocks.push(text);
  }
  c.out.write(blocks.join('\n'));
  return code;
};

const touch: Applet = (c) => {
  const o = getopt(c.argv.slice(1), 'acm');
  let st = 0;
  for (const f of o.operands) {
    const p = normalizePath(f, c.sh.cwd);
    if (c.sh.g.vfs.exists(p)) continue;
    if (!c.sh.g.vfs.parentExists(p)) {
      c.err.write(isBusybox(c) ? `touch: ${f}: No such file or directory\n` : `touch: cannot touch '${f}': No such file or directory\n`);
      st = 1;
      continue;
    }
    c.sh.g.vfs.write(p, '', false);
  }
  return st;
};

const rm: Applet = (c) => {
  const o = getopt(c.argv.slice(1), 'rfRiv');
  let st = 0;
  const vfs = c.sh.g.vfs;
  for (const f of o.operands) {
    const p = normalizePath(f, c.sh.cwd);
    if (vfs.isDir(p)) {
      if (!o.flags.has('r') && !o.flags.has('R')) {
        c.err.write(isBusybox(c) ? `rm: '${f}' is a directory\n` : `rm: cannot remove '${f}': Is a directory\n`);
        st = 1;
        continue;
      }
      for (const k of [...vfs.files.keys()]) if (k.startsWith(p + '/')) vfs.remove(k);
      for (const d of [...vfs.dirs]) if (d === p || d.startsWith(p + '/')) vfs.rmdir(d);
      continue;
    }
    if (!vfs.remove(p) && !o.flags.has('f')) {
      c.err.write(isBusybox(c) ? `rm: can't remove '${f}': No such file or directory\n` : `rm: cannot remove '${f}': No such file or directory\n`);
      st = 1;
    }
  }
  return st;
};

const mkdir: Applet = (c) => {
  const o = getopt(c.argv.slice(1), 'pm:v');
  let st = 0;
  const vfs = c.sh.g.vfs;
  for (const f of o.operands) {
    const p = normalizePath(f, c.sh.cwd);
    if (vfs.exists(p)) {
      if (o.flags.has('p') && vfs.isDir(p)) continue;
      c.err.write(isBusybox(c) ? `mkdir: can't create directory '${f}': File exists\n` : `mkdir: cannot create directory '${f}': File exists\n`);
      st = 1;
      continue;
    }
    if (!vfs.isDir(dirnameOf(p)) && !o.flags.has('p')) {
      c.err.write(isBusybox(c) ? `mkdir: can't create directory '${f}': No such file or directory\n` : `mkdir: cannot create directory '${f}': No such file or directory\n`);
      st = 1;
      continue;
    }
    for (let d = p; !vfs.isDir(d); d = dirnameOf(d)) vfs.mkdir(d);
  }
  return st;
};

const rmdir: Applet = (c) => {
  let st = 0;
  const vfs = c.sh.g.vfs;
  for (const f of c.argv.slice(1)) {
    const p = normalizePath(f, c.sh.cwd);
    if (!vfs.isDir(p)) {
      c.err.write(isBusybox(c) ? `rmdir: '${f}': No such file or directory\n` : `rmdir: failed to remove '${f}': No such file or directory\n`);
      st = 1;
    } else if (vfs.list(p).length) {
      c.err.write(isBusybox(c) ? `rmdir: '${f}': Directory not empty\n` : `rmdir: failed to remove '${f}': Directory not empty\n`);
      st = 1;
    } else vfs.rmdir(p);
  }
  return st;
};

function copyMove(move: boolean): Applet {
  return (c) => {
    const tool = move ? 'mv' : 'cp';
    const o = getopt(c.argv.slice(1), 'rRfpaiv');
    const vfs = c.sh.g.vfs;
    if (o.operands.length < 2) {
      c.err.write(isBusybox(c) ? `${tool}: missing operand\n` : `${tool}: missing file operand\nTry '${tool} --help' for more information.\n`);
      return 1;
    }
    const dest = normalizePath(o.operands[o.operands.length - 1], c.sh.cwd);
    let st = 0;
    for (const f of o.operands.slice(0, -1)) {
      const p = normalizePath(f, c.sh.cwd);
      const text = vfs.read(p);
      if (text === undefined) {
        c.err.write(isBusybox(c) ? `${tool}: can't stat '${f}': No such file or directory\n` : `${tool}: cannot stat '${f}': No such file or directory\n`);
        st = 1;
        continue;
      }
      const target = vfs.isDir(dest) ? `${dest === '/' ? '' : dest}/${p.slice(p.lastIndexOf('/') + 1)}` : dest;
      vfs.write(target, text, false);
      if (move) vfs.remove(p);
    }
    return st;
  };
}

export const fsApplets: Record<string, Applet> = { ls, touch, rm, mkdir, rmdir, cp: copyMove(false), mv: copyMove(true) };
