// journal.log's lines read without the Journal's index: a line's revision and key taken from
// its text, lines handed a chunk at a time, the trim header, the newest line of each key.
// journal.ts keeps the index and the writer; both share these.

import * as fs from 'node:fs';
import type { KObject } from '../api/types';
import { StoreError, type EventType, type WatchEvent } from './store';
import { parseJson, stringifyJson } from '../util/exact-json';
import { frozenCopy } from './clone';
import { decodeStored } from './stored-decoder';
import type { KeyIndexedMap } from './key-index';

export interface JournalLine {
  rev: number;
  type: EventType;
  key: string;
  /** The object as of this revision (for DELETED: as it was). Absent in lines of older versions. */
  object?: KObject;
}

export function journalLineText(line: JournalLine): string {
  return stringifyJson(line) + '\n';
}

/** A grouped write before its append: the object at its revision, its journal line, the holder's frozen copy as its event. */
export interface OwnWrite {
  stored: KObject;
  text: string;
  own: WatchEvent;
}

export function ownWrite(type: EventType, key: string, obj: KObject, rev: number): OwnWrite {
  const stored: KObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rev) } };
  // A copy, frozen as made (reads share it or copy it): the caller may change what it gets back.
  return { stored, text: journalLineText({ rev, type, key, object: stored }), own: { type, key, rev, object: frozenCopy(stored) } };
}

/** The revision a journal line starts with (`{"rev":N,`), or undefined for a torn line. */
export function lineRev(buf: Buffer, start: number, end: number): number | undefined {
  const PREFIX = '{"rev":';
  if (end - start < PREFIX.length + 2 || buf.toString('latin1', start, start + PREFIX.length) !== PREFIX) return undefined;
  let n = 0;
  let i = start + PREFIX.length;
  const first = i;
  for (; i < end && i - first < 16; i++) {
    const c = buf[i];
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  return i > first && buf[i] === 44 ? n : undefined;
}

/** The first line of a trimmed journal: how many trims it went through (0 for none: no such line). */
export function trimHeader(trims: number): string {
  return `{"trim":${trims}}\n`;
}

/** The trim count of the journal open at `fd` and the length of its header line (see trimHeader). */
export function readTrimHeader(fd: number): { trims: number; length: number } {
  const buf = Buffer.allocUnsafe(REV_PREFIX_MAX);
  const got = readFully(fd, buf, 0);
  const m = /^\{"trim":(\d{1,15})\}\n/.exec(buf.toString('latin1', 0, got));
  return m ? { trims: Number(m[1]), length: m[0].length } : { trims: 0, length: 0 };
}

/** Reads buf.length bytes at `position` (fewer at end of file); returns how many. */
export function readFully(fd: number, buf: Buffer, position: number): number {
  let got = 0;
  while (got < buf.length) {
    const n = fs.readSync(fd, buf, got, buf.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** Bytes read at a time when parsing lines: the range may be a whole restart's tail. */
export const READ_CHUNK = 4 * 1024 * 1024;
/** `{"rev":` and up to 16 digits and the comma: what lineRev looks at. */
export const REV_PREFIX_MAX = 32;

/**
 * Hands `fn` each line in [from, to) of `fd` (buf[start, end), the newline excluded; `at`: its
 * offset in the file), reading `chunk` bytes at a time (a longer line grows the buffer), so
 * what is held is one chunk, not the range. The bytes after the last newline are a line too
 * when `partial`, else left for a later read. Returns the offset just past the last line handed.
 */
export function forEachLine(fd: number, from: number, to: number, chunk: number, partial: boolean, fn: (buf: Buffer, start: number, end: number, at: number) => void): number {
  let buf = Buffer.allocUnsafe(Math.max(0, Math.min(chunk, to - from)));
  let off = from; // the file offset of buf[0]
  let have = 0;
  while (off + have < to) {
    if (have === buf.length) {
      const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, to - off));
      buf.copy(bigger, 0, 0, have);
      buf = bigger;
    }
    const want = Math.min(buf.length - have, to - off - have);
    const got = readFully(fd, buf.subarray(have, have + want), off + have);
    have += got;
    const last = got < want || off + have >= to;
    let start = 0;
    for (;;) {
      let nl = buf.indexOf(10, start);
      if (nl < 0 || nl >= have) {
        if (!partial || !last || start >= have) break;
        nl = have;
      }
      if (nl > start) fn(buf, start, nl, off + start);
      start = nl + 1;
    }
    if (last) return off + Math.min(start, have);
    buf.copy(buf, 0, start, have); // the incomplete line to the front
    off += start;
    have -= start;
  }
  return off;
}

/**
 * Calls `fn` with each complete, parsable line in [from, to) of `fd`, a chunk at a time
 * (forEachLine); with `keyPrefix`, only lines of keys starting with it (the rest not parsed).
 */
export function eachLine(fd: number, from: number, to: number, fn: (line: JournalLine) => void, chunk = READ_CHUNK, keyPrefix?: Buffer): void {
  forEachLine(fd, from, to, chunk, true, (buf, start, end) => {
    if (keyPrefix && !keyMayStartWith(buf, start, end, keyPrefix)) return;
    try {
      const l = parseJson(buf.toString('utf8', start, end)) as JournalLine;
      if (l && typeof l.rev === 'number' && typeof l.key === 'string') fn((decodeStored(l.object), l));
    } catch {
      /* a torn line of an older version: skipped */
    }
  });
}

const TYPE_AT = Buffer.from('"type":"');
const KEY_AT = Buffer.from('","key":"');
/** How far into a line its key must start (`{"rev":N,"type":"MODIFIED","key":"`). */
const KEY_START_MAX = REV_PREFIX_MAX + 32;

/**
 * Where, in buf, the key of the line in buf[start, end) starts when the line is as
 * journalLineText writes it (`{"rev":N,"type":"T","key":"`, looked for in its head only);
 * -1 for a line of another shape (an older version's field order, a torn line).
 */
function keyStart(buf: Buffer, start: number, end: number): number {
  const head = buf.subarray(start, Math.min(end, start + KEY_START_MAX + KEY_AT.length));
  const t = head.indexOf(TYPE_AT);
  const k = t < 0 ? -1 : head.indexOf(KEY_AT, t + TYPE_AT.length);
  return k < 0 ? -1 : start + k + KEY_AT.length;
}

/**
 * Whether the line in buf[start, end) may be of a key starting with `prefix` (its bytes),
 * without parsing it: false only when its key (keyStart) starts otherwise. A line of another
 * shape is parsed.
 */
function keyMayStartWith(buf: Buffer, start: number, end: number, prefix: Buffer): boolean {
  const at = keyStart(buf, start, end);
  if (at < 0) return true;
  return at + prefix.length <= end && buf.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0;
}

/**
 * A journal line whose object is parsed when first asked for: its revision, type and key are
 * read from its text (newestLines). A short-lived writer's take laid every other process's
 * new lines over its view parsed (10-19 s of CPU per 10 x 1,000 soak across the ten users,
 * issue #12), though it reads a few of them at most and writes the files of a slice.
 */
class LazyLine implements JournalLine {
  private text: string | undefined;
  private parsed: KObject | undefined;

  constructor(
    readonly rev: number,
    readonly type: EventType,
    readonly key: string,
    text: string,
    private readonly damaged: () => void,
  ) {
    this.text = text;
  }

  /**
   * The object (the line's text let go once parsed). A line that does not parse as its head
   * says is refused, and its reader told (`damaged`): it parses every line from then on, so
   * the line is skipped as before (the compaction of the others goes on).
   */
  get object(): KObject {
    if (this.text === undefined) return this.parsed!;
    let l: JournalLine | undefined;
    try {
      l = parseJson(this.text) as JournalLine;
    } catch {
      l = undefined;
    }
    if (!l || l.rev !== this.rev || l.key !== this.key || l.type !== this.type || !l.object) {
      this.damaged();
      throw new StoreError(`the journal line of revision ${this.rev} (${this.key}) is damaged; run "kubesim cluster fsck"`);
    }
    this.parsed = decodeStored(l.object);
    this.text = undefined;
    return l.object;
  }

  /** As the line is written (JSON.stringify of a getter's owner would leave the object out). */
  toJSON(): JournalLine {
    return { rev: this.rev, type: this.type, key: this.key, object: this.object };
  }
}

/** Whether a journal line carries its object (lines of older versions do not), without parsing a lazy one. */
export function carriesObject(l: JournalLine): boolean {
  return l instanceof LazyLine || l.object !== undefined;
}

const TYPES: readonly EventType[] = ['ADDED', 'MODIFIED', 'DELETED'];
const OBJECT_AT = Buffer.from('","object":');

/**
 * Puts into `map` the newest line after `committed` of each key in [from, to) of `fd`, none
 * of them parsed (LazyLine): a settled daemon's tail is mostly node Lease renewals, each
 * key's line superseded every 10 s (~870 B each, ~14 ms of parse per MB for a process that
 * reads it cold), and a user's take needs the objects of the few keys it reads or writes. A
 * first pass takes each line's revision and key from its text, a second keeps the text of
 * the newest line of each key; keys go into `map` in the order of their first line (as one
 * parse per line put them). False, `map` unchanged, when a line is not as journalLineText
 * writes it (an older version's, a torn one, an escaped key, one without its object): the
 * caller parses every line.
 */
export function newestLines(fd: number, from: number, to: number, committed: number, map: KeyIndexedMap<JournalLine>, damaged: () => void): boolean {
  const newest = new Map<string, number>(); // key -> offset of its newest line
  let plain = true;
  forEachLine(fd, from, to, READ_CHUNK, true, (buf, start, end, at) => {
    if (!plain) return;
    const rev = lineRev(buf, start, end);
    const k = keyStart(buf, start, end);
    const e = k < 0 ? -1 : buf.indexOf(34, k);
    // The key's closing quote followed by the object (the line's last field, journalLineText).
    if (rev === undefined || k < 0 || e < 0 || e >= end || buf.compare(OBJECT_AT, 0, OBJECT_AT.length, e, Math.min(end, e + OBJECT_AT.length)) !== 0) {
      plain = false;
      return;
    }
    const key = buf.toString('utf8', k, e);
    if (key.includes('\\')) plain = false;
    else if (rev > committed) newest.set(key, at);
  });
  if (!plain) return false;
  if (newest.size === 0) return true;
  const wanted = new Set(newest.values());
  const lines = new Map<string, LazyLine>();
  let first = to;
  for (const at of wanted) first = Math.min(first, at);
  forEachLine(fd, first, to, READ_CHUNK, true, (buf, start, end, at) => {
    if (!plain || !wanted.has(at)) return;
    const rev = lineRev(buf, start, end);
    const k = keyStart(buf, start, end);
    const e = k < 0 ? -1 : buf.indexOf(34, k);
    const t = k < 0 ? -1 : buf.indexOf(TYPE_AT, start) + TYPE_AT.length;
    const type = t < TYPE_AT.length ? undefined : TYPES.find((x) => buf.toString('latin1', t, k - KEY_AT.length) === x);
    const key = e < 0 ? '' : buf.toString('utf8', k, e);
    if (rev === undefined || type === undefined || newest.get(key) !== at) plain = false;
    else lines.set(key, new LazyLine(rev, type, key, buf.toString('utf8', start, end), damaged));
  });
  if (!plain || lines.size !== newest.size) return false;
  for (const key of newest.keys()) map.set(key, lines.get(key)!);
  return true;
}

/** Copies bytes [from, to) of `src` to the end of `dst`. */
export function copyRange(src: number, dst: number, from: number, to: number): void {
  const buf = Buffer.allocUnsafe(Math.min(1 << 20, Math.max(1, to - from)));
  for (let pos = from; pos < to; ) {
    const got = fs.readSync(src, buf, 0, Math.min(buf.length, to - pos), pos);
    if (got <= 0) throw Object.assign(new Error('short read'), { code: 'EIO' });
    writeAll(dst, buf.subarray(0, got));
    pos += got;
  }
}

export function writeAll(fd: number, buf: Buffer): void {
  for (let off = 0; off < buf.length; ) {
    const n = fs.writeSync(fd, buf, off, buf.length - off);
    if (n <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
    off += n;
  }
}
