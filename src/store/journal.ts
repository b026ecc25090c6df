// journal.log: one JSON line per write, `{"rev":N,"type":...,"key":...,"object":{...}}`, in
// revision order. Readers keep an index (revision and byte offset of each complete line) of
// the part they have needed, built backwards from the end (a short-lived command never reads
// the whole file) and extended forwards as writers append (the writer indexes its own lines
// as it appends them, so it never reads its own burst back). A journal replaced by a trim
// (another file holding the same lines from a cut on) keeps its index and parsed tail,
// shifted; one replaced otherwise or cut shorter (a rolled-back append) is indexed afresh.
// A trimmed journal starts with `{"trim":N}` (N: how many trims it went through), so a file
// is known by its inode and N: a reader that slept through two trims cannot take the second
// one's file, given the inode the first one freed, for the file it indexed.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError, type EventType } from './store';
import { storeFaultPoint } from './fault-points';
import { lowerBound } from '../util/sorted';
import { span, spanBegin, spanEnd } from '../util/span-trace';
import { KeyIndexedMap } from './key-index';
import {
  type JournalLine, READ_CHUNK, REV_PREFIX_MAX, copyRange, eachLine, forEachLine, lineRev, newestLines,
  readFully, readTrimHeader, trimHeader, writeAll,
} from './journal-lines';

export { type JournalLine, journalLineText, forEachLine, eachLine, carriesObject } from './journal-lines';

const FILE_MODE = 0o600;
/** Past this size the journal keeps only its newer half (file-store-trim.ts). */
export const JOURNAL_MAX_BYTES = 32 * 1024 * 1024;

/** The size limit: KUBESIM_JOURNAL_MAX_BYTES lets tests reach a trim without writing 32 MB. */
export function journalMaxBytes(): number {
  const v = Number(process.env.KUBESIM_JOURNAL_MAX_BYTES);
  return Number.isSafeInteger(v) && v > 0 ? v : JOURNAL_MAX_BYTES;
}

/**
 * The journal's newer part copied aside for a trim (outside the lock): bytes [cut, end) of
 * the journal with inode `ino`, in the temporary file `tmp` (fsync'd). `last` is the copy's
 * last line, compared again under the lock: only the holder's last line can be taken back.
 */
export interface TrimCopy {
  tmp: string;
  ino: number;
  cut: number;
  end: number;
  last: Buffer;
  /** The revision of the last line dropped: every entry up to it must be in durable files. */
  cutRev: number;
}


interface Index {
  dev: number;
  ino: number;
  /** The trims the indexed file went through (its header): with dev and ino, which file it is. */
  trims: number;
  gen: number;
  /** Byte offset of the first indexed line (a line start). */
  base: number;
  /** Byte offset just past the last complete line indexed. */
  end: number;
  revs: number[];
  offsets: number[];
  /** The inodes this index followed across trims (carryOver), the current one last; a few. */
  lineage: number[];
}

let generation = 0;
/** How many of the inodes followed across trims an index remembers (continues). */
const LINEAGE_MAX = 8;

export class Journal {
  private ix: Index = { dev: -1, ino: -1, trims: 0, gen: 0, base: 0, end: 0, revs: [], offsets: [], lineage: [] };
  /** The parsed tail, indexed by resource and namespace: lists outside the lock walk only their own keys. */
  private pending: { gen: number; committed: number; parsedEnd: number; map: KeyIndexedMap<JournalLine>; lastRev: number } | undefined;
  private writerFd: number | undefined;
  private writerSize = 0;
  /** A lazily parsed line turned out damaged: every line is parsed from now on (the bad one skipped), the parsed tail read again. */
  private parseAll = false;
  private readonly lineDamaged = () => {
    this.parseAll = true;
    this.pending = undefined;
  };
  private writerFile = { dev: -1, ino: -1, trims: 0 };
  /** The writer's last append: its line's offset and length in the file `ino`. */
  /** The last append's file and its lines' offsets (one more: the end of the last). */
  private appended = { ino: -1, starts: [0, 0] };

  constructor(readonly file: string) {}

  stat(): { ino: number; size: number } | undefined {
    try {
      const st = fs.lstatSync(this.file);
      return { ino: st.ino, size: st.size };
    } catch {
      return undefined;
    }
  }

  private openRead(): number | undefined {
    try {
      return fs.openSync(this.file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'ELOOP') throw new StoreError(`refusing to follow a symlink at ${this.file}`);
      throw new StoreError(`cannot read ${this.file}: ${code ?? String(e)}`);
    }
  }

  /** The revision of the last complete line (0 for none). */
  lastRev(): number {
    const fd = this.openRead();
    if (fd === undefined) return 0;
    try {
      this.refresh(fd, Infinity);
      const n = this.ix.revs.length;
      return n ? this.ix.revs[n - 1] : 0;
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * Whether the journal now at the path is the file `ino` or one of its trims, as this reader
   * followed it (a list read at `ino` catches up from its lines instead of every file again).
   */
  continues(ino: number): boolean {
    const fd = this.openRead();
    if (fd === undefined) return false;
    try {
      this.refresh(fd, Infinity);
      return this.ix.lineage.includes(ino);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Entries with rev > afterRev, oldest first; undefined when the journal no longer reaches back that far. */
  entriesAfter(afterRev: number): JournalLine[] | undefined {
    return this.entriesUnder(afterRev)?.entries;
  }

  /**
   * entriesAfter, only the keys starting with `keyPrefix` (the other lines are not parsed: a
   * shared list of one namespace's ReplicaSets catching up after a stretch of 10,000 pods'
   * lines parsed 3 MB, per list, issue #12), and the last revision of all of them.
   */
  entriesUnder(afterRev: number, keyPrefix?: string): { entries: JournalLine[]; lastRev: number } | undefined {
    const fd = this.openRead();
    if (fd === undefined) return { entries: [], lastRev: afterRev };
    try {
      this.refresh(fd, afterRev);
      const ix = this.ix;
      const n = ix.revs.length;
      if (n === 0) return { entries: [], lastRev: afterRev };
      if (ix.base === 0 && ix.revs[0] > afterRev + 1) return undefined;
      let i = n;
      while (i > 0 && ix.revs[i - 1] > afterRev) i--;
      if (i === n) return { entries: [], lastRev: afterRev };
      const prefix = keyPrefix === undefined ? undefined : Buffer.from(keyPrefix);
      const entries = span('entries.parse', () => this.parse(fd, ix.offsets[i], ix.end, prefix).filter((l) => l.rev > afterRev), () => (prefix ? `${ix.end - ix.offsets[i]} ${keyPrefix}` : ix.end - ix.offsets[i]));
      return { entries, lastRev: Math.max(afterRev, ix.revs[n - 1]) };
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * The newest entry per key among those after `committed` (the writes not yet known to be
   * in the object files), the last revision, and the journal size this answer covers.
   */
  pendingAfter(committed: number): { tail: KeyIndexedMap<JournalLine>; lastRev: number; ino?: number; size: number } {
    const fd = this.openRead();
    if (fd === undefined) return { tail: new KeyIndexedMap(), lastRev: 0, size: 0 };
    try {
      const size = this.refresh(fd, committed);
      const ix = this.ix;
      let p = this.pending;
      if (!p || p.gen !== ix.gen || p.committed > committed || p.parsedEnd < ix.base) {
        p = this.pending = { gen: ix.gen, committed, parsedEnd: ix.base, map: new KeyIndexedMap(), lastRev: 0 };
      } else this.committedTo(committed);
      if (p.parsedEnd < ix.end) {
        let i = ix.offsets.length;
        while (i > 0 && ix.offsets[i - 1] >= p.parsedEnd && ix.revs[i - 1] > committed) i--;
        if (i < ix.offsets.length) {
          // Line by line: a restart's tail can be hundreds of MB, and only the newest line of each key is kept.
          const map = p.map;
          const from = Math.max(ix.offsets[i], p.parsedEnd);
          const s = spanBegin();
          if (this.parseAll || !newestLines(fd, from, ix.end, committed, map, this.lineDamaged)) {
            eachLine(fd, from, ix.end, (l) => {
              if (l.rev > committed) map.set(l.key, l);
            });
          }
          spanEnd('pending.parse', s, ix.end - from);
        }
        p.parsedEnd = ix.end;
      }
      const n = ix.revs.length;
      p.lastRev = n ? ix.revs[n - 1] : 0;
      // The answer covers the file only when no incomplete line follows the indexed part.
      return { tail: p.map, lastRev: p.lastRev, ino: size === ix.end ? ix.ino : undefined, size };
    } finally {
      fs.closeSync(fd);
    }
  }

  /** `rev` moved on to `committed`: the parsed tail keeps only what is after it. */
  committedTo(committed: number): void {
    const p = this.pending;
    if (!p || p.committed >= committed) return;
    // The newest line of each key stays the answer if it is after it (the tail parsed again
    // from `committed` cost every reader 100-600 ms per round's end).
    for (const [key, l] of p.map) if (l.rev <= committed) p.map.delete(key);
    p.committed = committed;
  }

  /**
   * For the lock holder: the newest entry per key after `committed` to put into the files
   * (a file holds its key's last state only), oldest first, and the last revision.
   */
  entriesForReplay(committed: number): { entries: JournalLine[]; lastRev: number } {
    const { tail, lastRev } = this.pendingAfter(committed);
    const entries = [...tail.values()].filter((l) => l.rev > committed).sort((a, b) => a.rev - b.rev);
    return { entries, lastRev };
  }

  private parse(fd: number, from: number, to: number, keyPrefix?: Buffer): JournalLine[] {
    const out: JournalLine[] = [];
    eachLine(fd, from, to, (l) => out.push(l), READ_CHUNK, keyPrefix);
    return out;
  }

  /**
   * Brings the index up to date with the file and makes it reach back to a line with a
   * revision <= `needRev` (or the start of the file). Returns the file's size.
   */
  private refresh(fd: number, needRev: number): number {
    const s = spanBegin();
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new StoreError(`${this.file} is not a regular file; run "kubesim cluster fsck"`);
    const was = this.ix;
    const header = readTrimHeader(fd);
    const sameFile = st.dev === was.dev && st.ino === was.ino && header.trims === was.trims;
    // The indexed file, only appended to since: the index goes on from its end.
    const appendedTo = sameFile && st.size >= was.end;
    // A later trim of it: the same lines from the trim's cut on, after a new header.
    const trimmed = !sameFile && st.dev === was.dev && header.trims > was.trims;
    if (!appendedTo && !(trimmed && this.carryOver(fd, st.ino, st.size, header))) {
      // Another file, or this one cut shorter (a line taken back): indexed afresh from its
      // last line boundary (what follows it is incomplete).
      const end = this.lastBoundary(fd, st.size);
      this.ix = { dev: st.dev, ino: st.ino, trims: header.trims, gen: ++generation, base: end, end, revs: [], offsets: [], lineage: [st.ino] };
    }
    const ix = this.ix;
    // What others appended, a chunk at a time; an incomplete last line is read again next time.
    ix.end = forEachLine(fd, ix.end, st.size, READ_CHUNK, false, (buf, start, end, at) => {
      const rev = lineRev(buf, start, end);
      if (rev === undefined) return;
      ix.revs.push(rev);
      ix.offsets.push(at);
    });
    if (ix.base > 0 && (ix.revs.length === 0 || ix.revs[0] > needRev)) {
      const back = this.scanBack(fd, ix.base, needRev);
      ix.revs = back.revs.concat(ix.revs);
      ix.offsets = back.offsets.concat(ix.offsets);
      ix.base = back.start;
    }
    if (s && (ix.gen !== was.gen || ix.ino !== was.ino || ix.end - was.end > 1 << 20)) spanEnd('refresh', s, { afresh: ix.gen !== was.gen, carried: ix.gen === was.gen && ix.ino !== was.ino, read: ix.end - was.end });
    return st.size;
  }

  /**
   * A trim renamed a copy of the journal's newer part over it (file-store-trim.ts): the lines
   * indexed from its cut on are the same bytes, `shift` earlier. Keeps the index and the
   * parsed tail (pendingAfter) shifted, instead of every process scanning and parsing the new
   * file's 16 MB again after each trim (the daemon 0.5 s, users alike, issue #12). The shift is
   * where the new file holds the last indexed line (read backwards from its end: only what was
   * appended since is read); false when that line (its revision and length) or the first
   * indexed line the trim kept is not where the shift puts it.
   */
  private carryOver(fd: number, ino: number, size: number, header: { trims: number; length: number }): boolean {
    const ix = this.ix;
    const n = ix.revs.length;
    if (n === 0) return false;
    const boundary = this.lastBoundary(fd, size);
    const back = this.scanBack(fd, boundary, ix.revs[n - 1]);
    if (back.revs[0] !== ix.revs[n - 1]) return false;
    const shift = ix.offsets[n - 1] - back.offsets[0];
    if (shift < 0 || (back.offsets[1] ?? boundary) !== ix.end - shift) return false;
    // The lines the trim kept are those the shift puts after the new file's header.
    const k = lowerBound(n, (i) => ix.offsets[i] - shift < header.length);
    // The first kept line: its revision where the shift puts it, a line boundary before it.
    const at = ix.offsets[k] - shift;
    const head = Buffer.allocUnsafe(REV_PREFIX_MAX + 1);
    const got = readFully(fd, head, Math.max(0, at - 1));
    if (at > 0 ? head[0] !== 10 || lineRev(head, 1, got) !== ix.revs[k] : lineRev(head, 0, got) !== ix.revs[k]) return false;
    const lineage = ix.lineage.concat(ino).slice(-LINEAGE_MAX);
    const offsets = ix.offsets.slice(k, n - 1).map((o) => o - shift);
    // An index reaching the file's first line reaches its start (base 0: nothing before it).
    const base = at === header.length ? 0 : at;
    this.ix = { dev: ix.dev, ino, trims: header.trims, gen: ix.gen, base, end: boundary, revs: ix.revs.slice(k, n - 1).concat(back.revs), offsets: offsets.concat(back.offsets), lineage };
    const p = this.pending;
    if (p && p.gen === ix.gen) {
      if (p.parsedEnd - shift >= at) p.parsedEnd -= shift;
      else this.pending = undefined;
    }
    return true;
  }

  /** The last line boundary at or before `size` (what follows it is incomplete), read backwards in growing chunks. */
  private lastBoundary(fd: number, size: number): number {
    for (let chunk = 16 * 1024; ; chunk *= 4) {
      const pos = Math.max(0, size - chunk);
      const buf = Buffer.allocUnsafe(size - pos);
      const got = readFully(fd, buf, pos);
      const nl = buf.lastIndexOf(10, got - 1);
      if (nl >= 0) return pos + nl + 1;
      if (pos === 0) return 0;
    }
  }

  /**
   * Indexes the lines before `from` (a line boundary), reading backwards in chunks (growing to
   * READ_CHUNK, each byte read once) until a complete line with rev <= needRev is found or
   * the file starts. A short-lived command reads a few KB; a restart's long tail, a chunk at a time.
   */
  private scanBack(fd: number, from: number, needRev: number): { start: number; revs: number[]; offsets: number[] } {
    const parts: { revs: number[]; offsets: number[] }[] = []; // newest first
    let chunk = 16 * 1024;
    for (let end = from; ; ) {
      const pos = Math.max(0, end - chunk);
      // A line starting just before `end` is read far enough to see its `{"rev":N,`.
      const buf = Buffer.allocUnsafe(Math.min(from, end + REV_PREFIX_MAX) - pos);
      const got = readFully(fd, buf, pos);
      const starts: number[] = [];
      if (pos === 0) starts.push(0);
      for (let i = buf.indexOf(10); i >= 0 && i < end - pos && i < got && pos + i + 1 < from; i = buf.indexOf(10, i + 1)) starts.push(i + 1);
      const revs: number[] = [];
      const offsets: number[] = [];
      let reached = pos === 0;
      for (let k = 0; k < starts.length; k++) {
        const s = starts[k];
        const e = k + 1 < starts.length ? starts[k + 1] - 1 : got - 1;
        const rev = lineRev(buf, s, e);
        if (rev === undefined) continue;
        if (rev <= needRev) reached = true;
        revs.push(rev);
        offsets.push(pos + s);
      }
      parts.push({ revs, offsets });
      if (reached) {
        parts.reverse();
        const allRevs = parts.length === 1 ? revs : ([] as number[]).concat(...parts.map((p) => p.revs));
        const allOffsets = parts.length === 1 ? offsets : ([] as number[]).concat(...parts.map((p) => p.offsets));
        // Keep from the last line at or before needRev (a boundary for later questions).
        let k = allRevs.length - 1;
        while (k > 0 && allRevs[k] > needRev) k--;
        if (pos > 0 || (allRevs.length && allRevs[0] <= needRev)) {
          return { start: allOffsets[k] ?? pos, revs: allRevs.slice(k), offsets: allOffsets.slice(k) };
        }
        return { start: 0, revs: allRevs, offsets: allOffsets };
      }
      end = pos;
      chunk = Math.min(chunk * 4, READ_CHUNK);
    }
  }

  // --- the writer (the lock holder) ---

  /** Opens the journal for appending and cuts a line torn by a writer that died mid-append. */
  openWriter(): void {
    if (this.writerFd !== undefined) return;
    let fd: number;
    try {
      fd = fs.openSync(this.file, fs.constants.O_RDWR | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK, FILE_MODE);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new StoreError(`refusing to follow a symlink at ${this.file}`);
      if (code === 'EISDIR') throw new StoreError(`${this.file} is a folder where the journal belongs; run "kubesim cluster fsck"`);
      throw new StoreError(`cannot open ${this.file}: ${code ?? String(e)}`);
    }
    const st = fs.fstatSync(fd);
    if (!st.isFile()) {
      fs.closeSync(fd);
      throw new StoreError(`${this.file} is not a regular file; run "kubesim cluster fsck"`);
    }
    this.writerFd = fd;
    this.writerSize = st.size;
    this.writerFile = { dev: st.dev, ino: st.ino, trims: readTrimHeader(fd).trims };
    if (st.size > 0) {
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, st.size - 1);
      if (last[0] !== 10) {
        const keep = this.lastBoundary(fd, st.size);
        fs.ftruncateSync(fd, keep);
        this.writerSize = keep;
      }
    }
  }

  /**
   * Appends one line; on failure nothing of it stays. Returns a function that takes it back.
   * `line` is the holder's own copy of what `text` says (frozen, its members shared): the
   * parsed tail keeps it instead of parsing the line back (see keepOwn).
   */
  append(text: string, line?: JournalLine): () => void {
    return this.appendLines([text], [line]);
  }

  /**
   * Appends lines in one write (a tick's node Lease renewals: one syscall for all), each
   * indexed and kept as append() does; on failure nothing of them stays. Returns a function
   * that takes them all back.
   */
  appendLines(texts: readonly string[], lines: readonly (JournalLine | undefined)[]): () => void {
    if (this.writerFd === undefined) this.openWriter();
    const fd = this.writerFd!;
    const before = this.writerSize;
    let indexed = 0;
    let lastAt = before;
    const unkeeps: (() => void)[] = [];
    const undo = () => {
      for (let i = unkeeps.length - 1; i >= 0; i--) unkeeps[i]();
      if (indexed > 0 && this.ix.end === this.writerSize && this.ix.offsets.at(-1) === lastAt) {
        this.ix.revs.length -= indexed;
        this.ix.offsets.length -= indexed;
        this.ix.end = before;
      }
      try {
        fs.ftruncateSync(fd, before);
        this.writerSize = before;
      } catch {
        /* the next writer cuts a torn line; a whole one it replays */
      }
    };
    try {
      const bufs = texts.map((t) => Buffer.from(t));
      const buf = bufs.length === 1 ? bufs[0] : Buffer.concat(bufs);
      let off = 0;
      while (off < buf.length) {
        const n = fs.writeSync(fd, buf, off, buf.length - off);
        if (n <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
        off += n;
        if (off < buf.length) storeFaultPoint('mid-journal', '');
      }
      this.writerSize = before + buf.length;
      const starts = [before];
      for (const b of bufs) starts.push(starts[starts.length - 1] + b.length);
      this.appended = { ino: this.writerFile.ino, starts };
      for (let i = 0; i < bufs.length && this.indexOwn(bufs[i], starts[i]); i++) {
        indexed++;
        lastAt = starts[i];
        const unkeep = lines[i] && this.keepOwn(lines[i]!, starts[i]);
        if (unkeep) unkeeps.push(unkeep);
      }
    } catch (e) {
      undo();
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC') throw new StoreError(`no space left on device while writing ${this.file}; the state directory was left unchanged`);
      throw new StoreError(`cannot write ${this.file}: ${code ?? String(e)}; the state directory was left unchanged`);
    }
    return undo;
  }

  /**
   * Indexes a line this writer just appended when the index reaches exactly to it, so the
   * next lastRev()/entriesAfter() does not read back what this process wrote (a burst of
   * thousands of writes read again between two lock holds). Only the holder appends, so the
   * file cannot have changed in between; a line it takes back (undo) leaves the index too.
   */
  private indexOwn(buf: Buffer, at: number): boolean {
    const ix = this.ix;
    const w = this.writerFile;
    if (ix.ino !== w.ino || ix.dev !== w.dev || ix.trims !== w.trims || ix.end !== at) return false;
    if (buf.length === 0 || buf[buf.length - 1] !== 10) return false;
    const rev = lineRev(buf, 0, buf.length - 1);
    if (rev === undefined) return false;
    ix.revs.push(rev);
    ix.offsets.push(at);
    ix.end = at + buf.length;
    return true;
  }

  /**
   * Puts a line this writer just appended (and indexed) into the parsed tail when that reaches
   * exactly to it: the holder's own frozen copy, so the tail and the holder's deferred writes
   * hold one object per key (parsed back, a second copy of every key the holder wrote since
   * the tail was last read: a whole second tail at rest), and another writer's line costs the
   * next read that one line, not the holder's burst parsed again. Returns how to take it back.
   */
  private keepOwn(line: JournalLine, at: number): (() => void) | undefined {
    const p = this.pending;
    if (!p || p.gen !== this.ix.gen || p.parsedEnd !== at || line.rev <= p.committed) return undefined;
    const prev = p.map.get(line.key);
    const prevLastRev = p.lastRev;
    p.map.set(line.key, line);
    p.parsedEnd = this.ix.end;
    p.lastRev = line.rev;
    return () => {
      if (this.pending !== p || p.parsedEnd !== this.ix.end) {
        if (this.pending === p) this.pending = undefined;
        return;
      }
      if (prev) p.map.set(line.key, prev);
      else p.map.delete(line.key);
      p.parsedEnd = at;
      p.lastRev = prevLastRev;
    };
  }

  /** Where the last append() or appendLines() put its line `i` (default: its last): the journal file's inode, the line's offset and length (with its newline). */
  lastAppended(i = this.appended.starts.length - 2): { ino: number; at: number; len: number } {
    const { ino, starts } = this.appended;
    return { ino, at: starts[i], len: starts[i + 1] - starts[i] };
  }

  sync(): void {
    if (this.writerFd !== undefined) fs.fdatasyncSync(this.writerFd);
  }

  /** sync() on the thread pool: the writer stays open until the caller's release closes it. */
  syncAsync(): Promise<void> {
    const fd = this.writerFd;
    return new Promise((resolve, reject) => (fd === undefined ? resolve() : fs.fdatasync(fd, (e) => (e ? reject(e) : resolve()))));
  }

  /** Whether the writer's journal is past `factor` times its size limit. */
  pastLimit(factor = 1): boolean {
    return this.writerFd !== undefined && this.writerSize > journalMaxBytes() * factor;
  }

  closeWriter(): void {
    if (this.writerFd !== undefined) fs.closeSync(this.writerFd);
    this.writerFd = undefined;
  }

  /**
   * Outside the lock: copies the journal's newer half (never more: lines after `committed`,
   * whose files may not be in place, are always kept) into a new temporary file, fsync'd.
   * Undefined when nothing can be dropped. The copy is swapped in under the lock (swapIn)
   * with what was appended meanwhile, so the lock is held for that tail only.
   */
  copyNewer(committed: number, tmpName: (dir: string) => string): TrimCopy | undefined {
    const fd = this.openRead();
    if (fd === undefined) return undefined;
    let out: number | undefined;
    let tmp: string | undefined;
    try {
      // Indexes every complete line after `committed` (and one at or before it).
      const size = this.refresh(fd, committed);
      const ix = this.ix;
      const end = ix.end;
      if (end === 0 || size < end) return undefined;
      let firstKept = ix.revs.findIndex((r) => r > committed);
      if (firstKept < 0) firstKept = ix.revs.length;
      // The first line starting at or after the middle, unless a line after `committed` comes first.
      const probe = Buffer.allocUnsafe(Math.min(64 * 1024, end - Math.floor(end / 2)));
      const got = readFully(fd, probe, Math.floor(end / 2));
      const nl = probe.indexOf(10);
      const half = nl >= 0 && nl < got ? Math.floor(end / 2) + nl + 1 : end;
      const cut = Math.min(half, firstKept < ix.revs.length ? ix.offsets[firstKept] : end);
      // Not for a quarter or less: `rev` is far behind, and the holders' slices move it first.
      if (cut <= end / 4 || cut >= end) return undefined;
      const next = ix.offsets.findIndex((o) => o >= cut);
      const cutRev = next > 0 ? ix.revs[next - 1] : committed;
      if (ix.offsets.length === 0) return undefined;
      const lastStart = ix.offsets[ix.offsets.length - 1];
      const last = Buffer.allocUnsafe(end - lastStart);
      readFully(fd, last, lastStart);
      tmp = tmpName(path.dirname(this.file));
      out = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, FILE_MODE);
      writeAll(out, Buffer.from(trimHeader(ix.trims + 1)));
      copyRange(fd, out, cut, end);
      fs.fdatasyncSync(out);
      return { tmp, ino: ix.ino, cut, end, last, cutRev };
    } catch (e) {
      if (tmp) fs.rmSync(tmp, { force: true });
      throw e;
    } finally {
      fs.closeSync(fd);
      if (out !== undefined) fs.closeSync(out);
    }
  }

  /**
   * Outside the lock: appends to the copy the complete lines the journal gained since (after
   * a slow sync), so the part copied under the lock stays small. False (and the copy is not
   * to be used) when its last line is no longer the journal's (taken back) or the journal was
   * replaced.
   */
  extendCopy(copy: TrimCopy): boolean {
    const fd = this.openRead();
    if (fd === undefined) return false;
    let out: number | undefined;
    try {
      if (!this.copiedStillThere(fd, copy)) return false;
      const size = fs.fstatSync(fd).size;
      if (size <= copy.end) return true;
      const buf = Buffer.allocUnsafe(size - copy.end);
      const got = readFully(fd, buf, copy.end);
      const nl = buf.lastIndexOf(10, got - 1);
      if (nl < 0) return true;
      const lastStart = buf.lastIndexOf(10, nl - 1) + 1;
      out = fs.openSync(copy.tmp, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_NOFOLLOW);
      writeAll(out, buf.subarray(0, nl + 1));
      fs.fdatasyncSync(out);
      copy.last = Buffer.from(buf.subarray(lastStart, nl + 1));
      copy.end += nl + 1;
      return true;
    } finally {
      fs.closeSync(fd);
      if (out !== undefined) fs.closeSync(out);
    }
  }

  /** Whether the journal open at `fd` is the one copied, its copied part unchanged (only a last line can be taken back). */
  private copiedStillThere(fd: number, copy: TrimCopy): boolean {
    const st = fs.fstatSync(fd);
    const last = Buffer.allocUnsafe(copy.last.length);
    return st.ino === copy.ino && st.size >= copy.end && readFully(fd, last, copy.end - last.length) === last.length && last.equals(copy.last);
  }

  /**
   * Under the lock, the writer closed: appends what the journal gained since `copy` was made
   * and renames the copy over the journal. False (the copy removed) when the journal is not
   * the one copied (trimmed by another process) or its copied part changed (a line taken back).
   */
  swapIn(copy: TrimCopy): boolean {
    const fd = this.openRead();
    let out: number | undefined;
    try {
      if (fd === undefined || !this.copiedStillThere(fd, copy)) return false;
      out = fs.openSync(copy.tmp, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_NOFOLLOW);
      copyRange(fd, out, copy.end, fs.fstatSync(fd).size);
      fs.fdatasyncSync(out);
      storeFaultPoint('trim-swap', '');
      fs.renameSync(copy.tmp, this.file);
      return true;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
      if (out !== undefined) fs.closeSync(out);
      fs.rmSync(copy.tmp, { force: true }); // gone already once renamed
    }
  }
}
