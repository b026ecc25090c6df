// tar: create (c), extract (x) and list (t) ustar archives on the simulated file system,
// the archive on stdout/stdin (`f -`) or a file. What `kubectl cp` runs in a container:
// `tar cf - PATH` (out of it) and `tar -xmf - -C DIR` / `tar --no-same-permissions
// --no-same-owner -xmf - -C DIR` (into it). Files in the simulated file system are text,
// so the archive travels as the UTF-8 text of its bytes; entry sizes are byte counts.
// Headers are POSIX ustar (GNU tar's long-name entries beyond 255 characters), readers
// also take PAX path records (Go's archive/tar, which kubectl writes with, uses them).

import type { Applet, AppletCtx } from '../interp';
import { dirnameOf, normalizePath } from '../vfs';
import { isBusybox } from './common';

const BLOCK = 512;
const RECORD = 20 * BLOCK; // GNU tar's default blocking factor

interface Opts {
  mode?: 'c' | 'x' | 't';
  file?: string;
  dir?: string;
  verbose: boolean;
  operands: string[];
}

/** tar's three option styles: a leading bundle without `-` ("cf - X"), `-xmf -`, and long options. */
function parseArgs(args: string[]): Opts | { bad: string } {
  const o: Opts = { verbose: false, operands: [] };
  const pending: Array<'f' | 'C'> = [];
  const letter = (ch: string): string | undefined => {
    if (ch === 'c' || ch === 'x' || ch === 't') o.mode = ch;
    else if (ch === 'v') o.verbose = true;
    else if (ch === 'f' || ch === 'C') pending.push(ch);
    else if (!'mop'.includes(ch)) return ch; // m: keep mtimes as now; o/p: ownership/permissions (not simulated)
    return undefined;
  };
  const take = (which: 'f' | 'C', v: string) => {
    if (which === 'f') o.file = v;
    else o.dir = v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const bundle = i === 0 && !a.startsWith('-') && /^[a-zA-Z]+$/.test(a);
    if (bundle || (/^-[a-zA-Z]/.test(a) && !a.startsWith('--'))) {
      const letters = bundle ? a : a.slice(1);
      for (let j = 0; j < letters.length; j++) {
        const ch = letters[j];
        // `-fNAME` / `-CDIR`: the value is the rest of the argument.
        if (!bundle && (ch === 'f' || ch === 'C') && j + 1 < letters.length) {
          take(ch, letters.slice(j + 1));
          break;
        }
        const bad = letter(ch);
        if (bad) return { bad };
      }
      while (pending.length && !bundle && i + 1 < args.length) take(pending.shift()!, args[++i]);
      continue;
    }
    if (a.startsWith('--')) {
      const [name, value] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      if (name === '--file') take('f', value ?? args[++i]);
      else if (name === '--directory') take('C', value ?? args[++i]);
      else if (name === '--create') o.mode = 'c';
      else if (name === '--extract' || name === '--get') o.mode = 'x';
      else if (name === '--list') o.mode = 't';
      else if (name === '--verbose') o.verbose = true;
      else if (!['--no-same-permissions', '--no-same-owner', '--same-owner', '--preserve-permissions', '--touch'].includes(name)) return { bad: a };
      continue;
    }
    // Values for an old-style bundle's f and C come first, in order.
    if (pending.length) take(pending.shift()!, a);
    else o.operands.push(a);
  }
  return o;
}

// ---------- writing ----------

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** ustar's split of a long name at a '/' into prefix (155 bytes) and name (100), if one fits. */
function ustarSplit(name: string): { prefix: string; base: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', base: name };
  for (let cut = name.lastIndexOf('/', name.length - 2); cut > 0; cut = name.lastIndexOf('/', cut - 1)) {
    const prefix = name.slice(0, cut);
    const base = name.slice(cut + 1);
    if (Buffer.byteLength(base) > 100) return undefined;
    if (Buffer.byteLength(prefix) <= 155) return { prefix, base };
  }
  return undefined;
}

function header(name: string, size: number, type: '0' | '5' | 'L', mtimeSec: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  // A name no split fits is truncated here: entry() puts a GNU long-name entry before it.
  const { prefix, base } = (type !== 'L' && ustarSplit(name)) || { prefix: '', base: name };
  h.write(base, 0, 100, 'utf8');
  h.write(octal(type === '5' ? 0o755 : 0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtimeSec, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write('ustar\0' + '00', 257, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

const pad = (n: number) => Buffer.alloc((BLOCK - (n % BLOCK)) % BLOCK);

function entry(out: Buffer[], name: string, type: '0' | '5', data: Buffer, mtimeSec: number): void {
  if (!ustarSplit(name)) {
    // GNU tar's long-name entry for names ustar cannot hold.
    const long = Buffer.from(name + '\0', 'utf8');
    out.push(header('././@LongLink', long.length, 'L', 0), long, pad(long.length));
  }
  out.push(header(name, data.length, type, mtimeSec), data, pad(data.length));
}

function create(c: AppletCtx, o: Opts, busybox: boolean): { archive: Buffer; code: number } {
  const vfs = c.sh.g.vfs;
  const out: Buffer[] = [];
  let code = 0;
  let warned = false;
  const mtime = Math.floor(vfs.mtimeMs / 1000);
  const base = o.dir ? normalizePath(o.dir, c.sh.cwd) : c.sh.cwd;
  const verbose = (name: string) => {
    // With the archive on stdout, the names go to stderr.
    if (o.verbose) (o.file === '-' || o.file === undefined ? c.err : c.out).write(`${name}\n`);
  };
  const add = (abs: string, name: string) => {
    if (vfs.isDir(abs)) {
      const dirName = name.endsWith('/') ? name : `${name}/`;
      entry(out, dirName, '5', Buffer.alloc(0), mtime);
      verbose(dirName);
      for (const e of vfs.list(abs)) add(abs === '/' ? `/${e.name}` : `${abs}/${e.name}`, `${dirName}${e.name}`);
      return;
    }
    const data = Buffer.from(vfs.read(abs) ?? '', 'utf8');
    entry(out, name, '0', data, mtime);
    verbose(name);
  };
  for (const operand of o.operands) {
    let name = operand;
    if (name.startsWith('/')) {
      name = name.replace(/^\/+/, '');
      if (!warned) c.err.write(busybox ? "tar: removing leading '/' from member names\n" : "tar: Removing leading `/' from member names\n");
      warned = true;
    }
    const abs = normalizePath(operand, base);
    if (!vfs.exists(abs)) {
      c.err.write(busybox ? `tar: ${operand}: No such file or directory\n` : `tar: ${operand}: Cannot stat: No such file or directory\n`);
      code = busybox ? 1 : 2;
      continue;
    }
    add(abs, name === '' ? '/' : name.replace(/\/+$/, '') || name);
  }
  out.push(Buffer.alloc(2 * BLOCK));
  let archive = Buffer.concat(out);
  if (!busybox) archive = Buffer.concat([archive, Buffer.alloc((RECORD - (archive.length % RECORD)) % RECORD)]);
  if (code && !busybox) c.err.write('tar: Exiting with failure status due to previous errors\n');
  return { archive, code };
}

// ---------- reading ----------

interface Member {
  name: string;
  type: string;
  data: Buffer;
}

function cstr(b: Buffer, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const z = s.indexOf(0);
  return (z >= 0 ? s.subarray(0, z) : s).toString('utf8');
}

/** The members of an archive, or an error text (tar's wording) for one that is not. */
function readArchive(buf: Buffer): { members: Member[]; error?: string } {
  const members: Member[] = [];
  let longName: string | undefined;
  let paxPath: string | undefined;
  if (buf.length < BLOCK && buf.some((b) => b !== 0)) return { members, error: 'This does not look like a tar archive' };
  for (let off = 0; off + BLOCK <= buf.length; ) {
    const h = buf.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    if (parseInt(cstr(h, 148, 8).trim() || '-1', 8) !== sum) return { members, error: members.length ? 'Skipping to next header' : 'This does not look like a tar archive' };
    const size = parseInt(cstr(h, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(h[156] || 48);
    const data = buf.subarray(off + BLOCK, off + BLOCK + size);
    off += BLOCK + size + ((BLOCK - (size % BLOCK)) % BLOCK);
    if (type === 'L') {
      longName = cstr(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      // PAX records: "LEN key=value\n".
      for (const m of data.toString('utf8').matchAll(/\d+ ([^=]+)=([^\n]*)\n/g)) if (m[1] === 'path') paxPath = m[2];
      continue;
    }
    if (type === 'g') continue;
    const magic = cstr(h, 257, 6);
    const prefix = magic.startsWith('ustar') ? cstr(h, 345, 155) : '';
    const name = paxPath ?? longName ?? (prefix ? `${prefix}/${cstr(h, 0, 100)}` : cstr(h, 0, 100));
    longName = paxPath = undefined;
    members.push({ name, type, data });
  }
  return { members };
}

function extract(c: AppletCtx, o: Opts, input: Buffer, busybox: boolean): number {
  const vfs = c.sh.g.vfs;
  const dir = normalizePath(o.dir ?? '.', c.sh.cwd);
  if (o.dir !== undefined && !vfs.isDir(dir)) {
    c.err.write(busybox ? `tar: can't change directory to '${o.dir}': No such file or directory\n` : `tar: ${o.dir}: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n`);
    return 2;
  }
  const { members, error } = input.length ? readArchive(input) : { members: [], error: 'This does not look like a tar archive' };
  if (error && !members.length) {
    c.err.write(busybox ? 'tar: short read\n' : `tar: ${error}\ntar: Exiting with failure status due to previous errors\n`);
    return busybox ? 1 : 2;
  }
  let warned = false;
  for (const m of members) {
    let name = m.name;
    if (name.startsWith('/')) {
      name = name.replace(/^\/+/, '');
      if (!warned) c.err.write(busybox ? "tar: removing leading '/' from member names\n" : "tar: Removing leading `/' from member names\n");
      warned = true;
    }
    // Members that would land outside the directory are not extracted, as GNU tar refuses them.
    if (name.split('/').includes('..')) {
      c.err.write(`tar: ${m.name}: Member name contains '..'\n`);
      continue;
    }
    if (!name) continue;
    const abs = normalizePath(name, dir);
    if (o.verbose) c.out.write(`${m.name}\n`);
    for (let d = m.type === '5' ? abs : dirnameOf(abs); !vfs.isDir(d); d = dirnameOf(d)) vfs.mkdir(d);
    if (m.type === '5') continue;
    if (m.type === '0' || m.type === '7') {
      if (vfs.isDir(abs)) {
        c.err.write(`tar: ${name}: Cannot open: Is a directory\n`);
        continue;
      }
      vfs.write(abs, m.data.toString('utf8'), false);
    }
    // Links and devices: the simulated file system has none (skipped, as with --no-same-owner).
  }
  if (error) {
    c.err.write(`tar: ${error}\ntar: Exiting with failure status due to previous errors\n`);
    return 2;
  }
  return 0;
}

export const tar: Applet = (c) => {
  const busybox = isBusybox(c);
  const o = parseArgs(c.argv.slice(1));
  if ('bad' in o) {
    c.err.write(busybox ? `tar: unrecognized option '${o.bad}'\n` : `tar: ${o.bad.startsWith('--') ? `unrecognized option '${o.bad}'` : `invalid option -- '${o.bad}'`}\nTry 'tar --help' or 'tar --usage' for more information.\n`);
    return 2;
  }
  if (!o.mode) {
    c.err.write(busybox ? 'tar: need at least one of -c, -x, -t\n' : "tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options\nTry 'tar --help' or 'tar --usage' for more information.\n");
    return 2;
  }
  const archiveFile = o.file ?? '-';
  const vfs = c.sh.g.vfs;
  if (o.mode === 'c') {
    if (!o.operands.length) {
      c.err.write(busybox ? 'tar: empty archive\n' : 'tar: Cowardly refusing to create an empty archive\nTry \'tar --help\' or \'tar --usage\' for more information.\n');
      return busybox ? 1 : 2;
    }
    const { archive, code } = create(c, o, busybox);
    if (archiveFile === '-') c.out.write(archive.toString('utf8'));
    else vfs.write(normalizePath(archiveFile, c.sh.cwd), archive.toString('utf8'), false);
    return code;
  }
  let text: string | undefined;
  if (archiveFile === '-') text = c.inp.rest();
  else {
    text = vfs.read(normalizePath(archiveFile, c.sh.cwd));
    if (text === undefined) {
      c.err.write(busybox ? `tar: can't open '${archiveFile}': No such file or directory\n` : `tar: ${archiveFile}: Cannot open: No such file or directory\ntar: Error is not recoverable: exiting now\n`);
      return 2;
    }
  }
  const input = Buffer.from(text, 'utf8');
  if (o.mode === 't') {
    const { members, error } = readArchive(input);
    for (const m of members) c.out.write(`${m.name}\n`);
    if (error) {
      c.err.write(`tar: ${error}\ntar: Exiting with failure status due to previous errors\n`);
      return 2;
    }
    return 0;
  }
  return extract(c, o, input, busybox);
};
