// Redirections: `>`, `>>`, `<`, here-documents, `n>&m`, and the special files
// (/dev/null, /dev/stderr, /proc/1/fd/1 -- the container's log).

import type { Redir } from './ast';
import { FileSink, Input, NULL_SINK, type Io, type Sink } from './io';
import type { Gen, Sh } from './interp';
import { normalizePath } from './vfs';

/** The streams after applying `redirs`, or undefined after printing why one failed. */
export function* redirect(sh: Sh, redirs: Redir[], io: Io): Gen<Io | undefined> {
  if (!redirs.length) return io;
  const r2: Io = { ...io, extra: new Map(io.extra ?? []) };
  const setOut = (fd: number, s: Sink) => {
    if (fd === 1) r2.out = s;
    else if (fd === 2) r2.err = s;
    else r2.extra!.set(fd, s);
  };
  const getOut = (fd: number): Sink | undefined => (fd === 1 ? r2.out : fd === 2 ? r2.err : r2.extra!.get(fd));
  for (const r of redirs) {
    if (r.op === '<<' || r.op === '<<-') {
      const text = yield* sh.str(r.body ?? [], io);
      if (r.fd === 0) r2.inp = new Input(text);
      continue;
    }
    const target = yield* sh.str(r.target, io);
    if (r.op === '>&' || r.op === '<&') {
      if (target === '-') {
        if (r.fd === 0) r2.inp = new Input('');
        else setOut(r.fd, NULL_SINK);
        continue;
      }
      if (!/^\d+$/.test(target)) {
        if (r.op === '>&' && r.fd === 1) {
          // `>& file` (bash): both streams to the file
          const s = openOut(sh, target, false, r2);
          if (!s) return undefined;
          r2.out = r2.err = s;
          continue;
        }
        r2.err.write(sh.msg(`Syntax error: Bad fd number`));
        return undefined;
      }
      const n = Number(target);
      if (r.op === '<&') {
        if (n !== 0) continue;
        continue;
      }
      const s = getOut(n);
      if (!s) {
        r2.err.write(sh.msg(`${n}: Bad file descriptor`));
        return undefined;
      }
      setOut(r.fd, s);
      continue;
    }
    if (r.op === '<' || r.op === '<>') {
      const text = openIn(sh, target, r2);
      if (text === undefined) return undefined;
      if (r.fd === 0) r2.inp = new Input(text);
      continue;
    }
    const s = openOut(sh, target, r.op === '>>', r2);
    if (!s) return undefined;
    setOut(r.fd, s);
  }
  return r2;
}

function special(sh: Sh, path: string, io: Io): Sink | undefined {
  switch (path) {
    case '/dev/null':
      return NULL_SINK;
    case '/dev/stdout':
    case '/dev/fd/1':
    case '/proc/self/fd/1':
      return io.out;
    case '/dev/stderr':
    case '/dev/fd/2':
    case '/proc/self/fd/2':
      return io.err;
    case '/proc/1/fd/1':
      return sh.g.pid1?.out ?? NULL_SINK;
    case '/proc/1/fd/2':
      return sh.g.pid1?.err ?? NULL_SINK;
    case '/dev/tty':
    case '/dev/console':
      return io.out;
  }
  return undefined;
}

/** A file opened for writing (`>` truncates, `>>` appends), or undefined after the error. */
export function openOut(sh: Sh, target: string, append: boolean, io: Io): Sink | undefined {
  const sp = special(sh, target, io);
  if (sp) return sp;
  const p = normalizePath(target, sh.cwd);
  const vfs = sh.g.vfs;
  if (vfs.isDir(p)) {
    io.err.write(sh.g.flavor === 'debian' ? sh.msg(`cannot create ${target}: Is a directory`) : sh.msg(`can't create ${target}: Is a directory`));
    return undefined;
  }
  if (!vfs.parentExists(p)) {
    io.err.write(sh.g.flavor === 'debian' ? sh.msg(`cannot create ${target}: Directory nonexistent`) : sh.msg(`can't create ${target}: nonexistent directory`));
    return undefined;
  }
  if (!append || vfs.read(p) === undefined) vfs.write(p, '', false);
  return new FileSink(vfs, p);
}

/** A file's content for `<`, or undefined after the error. */
export function openIn(sh: Sh, target: string, io: Io): string | undefined {
  if (target === '/dev/null') return '';
  const p = normalizePath(target, sh.cwd);
  const text = sh.g.vfs.read(p);
  if (text === undefined) {
    if (sh.g.vfs.isDir(p)) return '';
    io.err.write(sh.g.flavor === 'debian' ? sh.msg(`cannot open ${target}: No such file`) : sh.msg(`can't open '${target}': No such file or directory`));
    return undefined;
  }
  return text;
}
