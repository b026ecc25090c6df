// The fast manifest reader. Reading a manifest with the `yaml` package's Document API costs
// ~1 MB/s here (a node object with a range for every scalar); `validate` on a large tree spent most of
// its time there. The reader below handles the subset manifests are written in (block
// mappings and sequences, plain/quoted scalars, literal/folded block scalars, flow
// collections (over several lines when no quoted scalar spans one), comments, `---`)
// straight into plain values, and gives up (returns undefined) on anything else:
// anchors, aliases, tags, merge keys, multi-line single-quoted scalars (multi-line plain
// and double-quoted ones are read when their lines are plain), tabs in indentation, lone CRs, control
// characters, duplicate keys, content after a `...` document end. Scalar typing
// (null/bool/int/float, YAML 1.1 booleans and octals) uses the `yaml` package's own schema
// tags, so it cannot drift (the plain keywords' values are written out in
// fast-yaml-inline.ts, with what reads within one line, and tested against them). Positions other than a document's or a List item's start come from a
// second reading noting where keys and sequence elements start (fastPositions), or, for
// what that reading does not place (inside flow collections), from a full parse on demand.

import { GIVE_UP, GiveUp, doubleQuoted, flow, flowLineOk, giveUp, plainValue, singleQuoted } from './fast-yaml-inline';
import { hasUnsafeInteger } from './yaml-compat';

export interface FastDoc {
  index: number;
  value: unknown;
  helm?: string;
  /** Where the document's top node starts (0-based line and column). */
  line?: number;
  col?: number;
  /** Where each element of the top-level `items` sequence starts (a List's objects). */
  items?: [line: number, col: number][];
  /** Duplicate keys of this document (fastParse's reportDuplicates): 0-based lines and column. */
  dups?: FastDuplicate[];
  /** The 0-based line of the `---` that opened this document, with dups. */
  marker?: number;
}

export interface FastDuplicate {
  key: string;
  line: number;
  col: number;
  /** Where the key was first defined. */
  firstLine: number;
}

/**
 * Where each key of a block mapping and each element of a block sequence starts (0-based
 * line and column), by the mapping or array read; an element that is null is not placed.
 */
export type NodePositions = Map<object, Map<string, [number, number]> | ([number, number] | undefined)[]>;

/** A duplicate key, when they are to be reported: read again noting where each key is. */
const DUPLICATE = new GiveUp();

/** A sequence entry's `-` at index i: followed by a space or the line's end. */
const dashAt = (s: string, i: number): boolean => s[i] === '-' && (s.length === i + 1 || s[i + 1] === ' ');

// Characters the full parser treats specially or rejects: the fast path leaves them to it
// (CR is checked by the reader: a CRLF line break is fine).
// One character class is a native scan, where the alternation with look-around for lone
// surrogates tried three branches at every character (~15 % of reading the corpus). The
// class with surrogates added is one pass over every text; only a text it finds anything in
// (an emoji, or an unsafe character) is searched again for what it found.
const UNSAFE_CHAR = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff\u2028\u2029]/;
const UNSAFE_OR_SURROGATE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff\u2028\u2029]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const HELM_SOURCE = /^#\s*Source:\s*(\S.*?)\s*$/m;
const HELM_LINE = /^#\s*Source:/;
const NOT_SPACE = /[^ ]/;
// In a one-line plain value: `: `, `:\t`, a final `:` or `\t#` (one search, not four).
const PLAIN_UNSAFE = /:(?:[ \t]|$)|\t#/;
const TRAILING_SPACES = / +$/;
const DOCUMENT_END = /^\.\.\.(?: +(?:#.*)?)?$/;
// Characters that start a plain scalar's continuation line which the fast reader leaves to
// the full parser (indicators, quotes, flow brackets).
const CONTINUATION_UNSAFE_FIRST = '?:,[]{}&*!|>\'"%@`';

/**
 * Values of each document of `text`, or undefined when the full parser must decide.
 * `reportDuplicates`: a block mapping's duplicate keys are listed on their document
 * (FastDoc.dups) instead of leaving the text to the full parser.
 */
export function fastParse(text: string, reportDuplicates = false): FastDoc[] | undefined {
  if (UNSAFE_OR_SURROGATE.test(text) && (UNSAFE_CHAR.test(text) || LONE_SURROGATE.test(text))) return undefined;
  try {
    const json = fastJson(text);
    if (json) return json;
    try {
      return new BlockReader(text, false).documents();
    } catch (e) {
      // Rare: the keys' lines are noted only in a second reading.
      if (e === DUPLICATE && reportDuplicates) return new BlockReader(text, true).documents();
      throw e;
    }
  } catch (e) {
    if (e === GIVE_UP || e === DUPLICATE || e instanceof RangeError) return undefined; // RangeError: too deep for the stack
    throw e;
  }
}

/**
 * The documents of a text fastParse read from block YAML, read again noting where keys and
 * sequence elements are (fastPositionOf); undefined for anything else. Only a text with a
 * finding to place is read so (a few in a large tree): the `yaml` package's full parse of
 * it, run cold, cost ~10 % of validating the corpus for 13 small files.
 */
export function fastPositions(text: string): { docs: FastDoc[]; at: NodePositions } | undefined {
  const at: NodePositions = new Map();
  try {
    return { docs: new BlockReader(text, false, at).documents(), at };
  } catch (e) {
    if (e === GIVE_UP || e === DUPLICATE || e instanceof RangeError) return undefined;
    throw e;
  }
}

/**
 * Where `path` is in document `doc` of fastPositions' reading, as the `yaml` package's
 * positionIn finds it: a mapping entry's key, a sequence element's start, the nearest
 * ancestor where the path leaves the tree. Undefined where the reading placed nothing (a
 * flow collection, a null element): the caller asks the full parse.
 */
export function fastPositionOf(doc: FastDoc, at: NodePositions, path: readonly (string | number)[]): [number, number] | undefined {
  if (doc.line === undefined) return undefined;
  let pos: [number, number] = [doc.line, doc.col ?? 0];
  let node = doc.value;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') break;
    const placed = at.get(node);
    if (placed === undefined) return undefined;
    if (Array.isArray(placed)) {
      if (typeof seg !== 'number') break;
      const items = node as unknown[];
      if (!Number.isInteger(seg) || seg < 0 || seg >= items.length) break;
      const p = placed[seg];
      if (p === undefined) return undefined;
      pos = p;
      node = items[seg];
    } else {
      const key = String(seg);
      const p = placed.get(key);
      if (p === undefined) break;
      pos = p;
      node = (node as Record<string, unknown>)[key];
    }
  }
  return pos;
}

const JSON_KEY = /"(?:[^"\\]|\\.)*"\s*:/g;

/** A whole-file JSON object: JSON.parse, with the duplicate-key check the YAML parser makes. */
function fastJson(text: string): FastDoc[] | undefined {
  const first = /\S/.exec(text);
  if (!first || first[0] !== '{') return undefined;
  if (text.includes('\t') || text.includes('"__proto__"')) giveUp();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined; // not plain JSON (YAML flow, several documents, or an error)
  }
  // Every `"...":` in valid JSON is a key; fewer keys in the result means a duplicate.
  const written = text.match(JSON_KEY)?.length ?? 0;
  if (written !== countKeys(value)) giveUp();
  // JSON.parse rounded an int past 2^53 (the full parser keeps it exact: exactInt) or read
  // a number past float64 as Infinity (the full parser refuses it, as kubectl does).
  if (hasUnsafeInteger(value)) giveUp();
  return [{ index: 0, value }];
}

function lineOf(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function countKeys(v: unknown): number {
  if (Array.isArray(v)) {
    let n = 0;
    for (const x of v) n += countKeys(x);
    return n;
  }
  if (v !== null && typeof v === 'object') {
    let n = 0;
    for (const k in v) n += 1 + countKeys((v as Record<string, unknown>)[k]);
    return n;
  }
  return 0;
}

/** Reads line by line; `pos` is the current line, `col[i]` where line i's content starts. */
class BlockReader {
  private readonly lines: string[];
  private readonly col: number[];
  private pos = 0;
  private depth = 0;
  /** Set while reading the value of the top-level `items` key: its elements' positions. */
  private itemsTarget: [number, number][] | undefined;
  private itemPositions: [number, number][] | undefined;

  /** Duplicate keys of the document being read (`noteKeys` only). */
  private dups: FastDuplicate[] = [];

  constructor(text: string, private readonly noteKeys: boolean, private readonly at?: NodePositions) {
    // CRLF is a line break like LF (YAML normalises breaks in content); a lone CR is left
    // to the full parser.
    this.lines = text.split('\n');
    if (text.includes('\r')) {
      for (let i = 0; i < this.lines.length; i++) {
        const l = this.lines[i];
        const cr = l.indexOf('\r');
        if (cr < 0) continue;
        if (cr !== l.length - 1 || i === this.lines.length - 1) giveUp(); // not followed by LF
        this.lines[i] = l.slice(0, -1);
      }
    }
    const lines = this.lines;
    const col = (this.col = new Array<number>(lines.length));
    for (let k = 0; k < lines.length; k++) {
      const l = lines[k];
      // A line starting with a printable character has no indentation; for the others a
      // regular-expression search finds it ~2x faster than a charCodeAt loop.
      const c0 = l.charCodeAt(0);
      let i: number;
      if (c0 > 32 && c0 < 127) i = 0;
      else {
        i = l.search(NOT_SPACE);
        if (i < 0) i = l.length;
      }
      col[k] = l.charCodeAt(i) === 9 && /\S/.test(l) ? -2 : i; // -2: tab in indentation of a non-blank line
    }
  }

  documents(): FastDoc[] {
    const out: FastDoc[] = [];
    const n = this.lines.length;
    let index = -1;
    let preambleStart = 0;
    let open = false; // a `---` was read and its document has no content yet
    let marker: number | undefined;
    while (this.pos < n) {
      const line = this.lines[this.pos];
      if (this.isBlank(this.pos)) {
        // Comments after a document's content, before the next marker: the full parser's
        // preamble arithmetic decides whether a Helm Source comment there counts.
        if (out.length > 0 && !open && HELM_LINE.test(line)) giveUp();
        this.pos++;
        continue;
      }
      if (isMarker(line)) {
        if (!this.isCommentOrEmpty(line.slice(3))) giveUp();
        index++;
        open = true;
        marker = this.pos;
        if (index > 0) preambleStart = this.pos;
        this.pos++;
        continue;
      }
      if (line.startsWith('...') || line.startsWith('%')) giveUp();
      if (!open) {
        index++;
        marker = undefined;
      }
      const helm = this.pos > preambleStart ? HELM_SOURCE.exec(this.lines.slice(preambleStart, this.pos).join('\n'))?.[1] : undefined;
      const c = this.col[this.pos];
      if (c < 0) giveUp();
      const rootLine = this.pos;
      this.itemPositions = undefined;
      const value = this.node(c, -1);
      const items = this.itemPositions;
      this.skipBlank();
      // A `...` document end closing the file (only blank lines or comments after it).
      const ended = this.pos < n && DOCUMENT_END.test(this.lines[this.pos]) && this.onlyBlankFrom(this.pos + 1);
      // Anything else but a marker after the document's top node is an error for the full parser.
      if (this.pos < n && !ended && !isMarker(this.lines[this.pos])) giveUp();
      const doc: FastDoc = items ? { index, value, helm, line: rootLine, col: c, items } : { index, value, helm, line: rootLine, col: c };
      if (this.dups.length) {
        doc.dups = this.dups;
        doc.marker = marker;
        this.dups = [];
      }
      out.push(doc);
      open = false;
      if (ended) break;
    }
    return fillEmpty(out, index);
  }

  /** Blank or comment lines only from line i on (no Helm source comment among them). */
  private onlyBlankFrom(i: number): boolean {
    for (; i < this.lines.length; i++) if (!this.isBlank(i) || HELM_LINE.test(this.lines[i])) return false;
    return true;
  }

  private isCommentOrEmpty(rest: string): boolean {
    const t = rest.trimStart();
    return t === '' || t[0] === '#';
  }

  /** Blank or comment-only line. */
  private isBlank(i: number): boolean {
    const l = this.lines[i];
    const c = this.col[i];
    if (c === -2) return /^\s*#/.test(l);
    if (c >= l.length) return true;
    const ch = l.charCodeAt(c);
    // A printable ASCII character first (nearly every line): not blank, no search needed.
    if (ch > 32 && ch < 127) return ch === 35; /* # */
    return /^\s*$/.test(l);
  }

  private skipBlank(): void {
    while (this.pos < this.lines.length && this.isBlank(this.pos)) {
      if (HELM_LINE.test(this.lines[this.pos])) giveUp();
      this.pos++;
    }
  }

  /** The next line of a collection at column `c`, past blank lines; undefined where it ends (a shallower line, the end, a document marker). */
  private nextLineAt(c: number): string | undefined {
    this.skipBlank();
    if (this.pos >= this.lines.length) return undefined;
    const nc = this.col[this.pos];
    if (nc < 0 || nc > c) giveUp();
    if (nc < c) return undefined;
    const nl = this.lines[this.pos];
    return c === 0 && (isMarker(nl) || DOCUMENT_END.test(nl)) ? undefined : nl;
  }

  /** The node starting at the current line, at column `c` (more than `parent`). */
  private node(c: number, parent: number): unknown {
    if (++this.depth > 200) giveUp();
    try {
      const line = this.lines[this.pos];
      if (dashAt(line, c)) return this.sequence(c);
      if (this.keyAt(line, c) !== undefined) return this.mapping(c);
      if (parent < 0) giveUp(); // a scalar document: left to the full parser
      giveUp(); // a scalar on its own line under a key: multi-line forms are left to it too
    } finally {
      this.depth--;
    }
  }

  /** Index after the colon of the key keyAt found last (a field: no array per key read). */
  private keyEnd = 0;

  /** The last key keyAt found, its line and column: a `- key:` line is asked three times (sequence, node, mapping). */
  private lastKey: string | undefined;
  private lastKeyLine = '';
  private lastKeyCol = -1;
  private lastKeyEnd = 0;

  /** Parses the key at column c of the line; returns it (keyEnd: the index after the colon) or undefined. */
  private keyAt(line: string, c: number): string | undefined {
    // A pure function of (line, c): the same text at the same column has the same key.
    if (c === this.lastKeyCol && line === this.lastKeyLine) {
      this.keyEnd = this.lastKeyEnd;
      return this.lastKey;
    }
    const key = this.readKey(line, c);
    if (key !== undefined) {
      this.lastKey = key;
      this.lastKeyLine = line;
      this.lastKeyCol = c;
      this.lastKeyEnd = this.keyEnd;
    }
    return key;
  }

  private readKey(line: string, c: number): string | undefined {
    const ch = line[c];
    if (ch === '"' || ch === "'") {
      // A double-quoted scalar not closing on this line is no key (an implicit key is one
      // line): a value continued below (doubleQuotedLines), or the full parser's error.
      if (ch === '"' && !closesOnLine(line, c)) return undefined;
      const [key, end] = ch === '"' ? doubleQuoted(line, c) : singleQuoted(line, c);
      let i = end;
      while (line[i] === ' ') i++;
      if (line[i] !== ':' || (i + 1 < line.length && line[i + 1] !== ' ')) return undefined;
      if (i - c > 1000) giveUp(); // YAML limits implicit keys to 1024 characters
      this.keyEnd = i + 1;
      return key;
    }
    if ('[]{}#&*!|>%@`?,'.includes(ch)) return undefined;
    if (dashAt(line, c)) return undefined;
    let i = line.indexOf(':', c);
    while (i >= 0 && i + 1 < line.length && line[i + 1] !== ' ') i = line.indexOf(':', i + 1);
    if (i < 0) return undefined;
    const raw = line.slice(c, i);
    if (raw.includes(' #') || raw.includes('\t') || raw.length > 1000) giveUp();
    const key = raw.trimEnd();
    if (key === '' || key === '<<' || key === '__proto__') giveUp();
    const v = plainValue(key);
    if (typeof v !== 'string') giveUp();
    this.keyEnd = i + 1;
    return v;
  }

  private mapping(c: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const keyLines = this.noteKeys ? new Map<string, number>() : undefined;
    const keysAt = this.at && new Map<string, [number, number]>();
    if (keysAt) this.at!.set(out, keysAt);
    for (;;) {
      const line = this.lines[this.pos];
      const key = this.keyAt(line, c);
      if (key === undefined) giveUp();
      const after = this.keyEnd;
      // A duplicate: listed when the keys' lines are noted, else the text is read again so.
      // Values are never undefined, so only a key already read (or inherited, as
      // `constructor`) needs the own-property check.
      let dup = false;
      if (out[key] !== undefined && Object.prototype.hasOwnProperty.call(out, key)) {
        if (!keyLines) throw DUPLICATE;
        // The `yaml` package places a duplicate after an empty value elsewhere: left to it.
        if (out[key] === null || this.afterEmptyValue()) giveUp();
        this.dups.push({ key, line: this.pos, col: c, firstLine: keyLines.get(key)! });
        dup = true;
      } else keyLines?.set(key, this.pos);
      if (keysAt && !keysAt.has(key)) keysAt.set(key, [this.pos, c]);
      this.pos++;
      const itemPositions: [number, number][] | undefined = this.depth === 1 && key === 'items' ? [] : undefined;
      this.itemsTarget = itemPositions;
      out[key] = this.value(line, after, c, true);
      if (dup && out[key] === null) giveUp();
      this.itemsTarget = undefined;
      if (itemPositions?.length) this.itemPositions = itemPositions;
      const nl = this.nextLineAt(c);
      // A sequence at the mapping's indentation ends it (the parent decides).
      if (nl === undefined || dashAt(nl, c)) break;
    }
    return out;
  }

  private sequence(c: number): unknown[] {
    const out: unknown[] = [];
    const n = this.lines.length;
    // The `items` of a List: remember where each element starts, as the full parser would.
    const positions = this.itemsTarget;
    this.itemsTarget = undefined;
    const itemsAt = this.at && new Array<[number, number] | undefined>();
    if (itemsAt) this.at!.set(out, itemsAt);
    for (;;) {
      const line = this.lines[this.pos];
      if (!dashAt(line, c)) giveUp();
      let i = c + 1;
      while (line[i] === ' ') i++;
      const rest = line.slice(i);
      if (rest !== '' && rest[0] !== '#' && (dashAt(rest, 0) || this.keyAt(line, i) !== undefined)) {
        // Compact nested node: `- name: x` or `- - a`; its lines continue at column i.
        positions?.push([this.pos, i]);
        itemsAt?.push([this.pos, i]);
        this.col[this.pos] = i;
        out.push(this.node(i, c));
      } else {
        let start: [number, number] | undefined;
        if (positions || itemsAt) {
          let p = this.pos;
          if (rest === '' || rest[0] === '#') for (p++; p < n && this.isBlank(p); p++);
          start = p < n ? [p, p === this.pos ? i : this.col[p]] : [this.pos, i];
          positions?.push(start);
        }
        this.pos++;
        const v = this.value(line, c + 1, c, false);
        itemsAt?.push(v === null ? undefined : start);
        out.push(v);
      }
      const nl = this.nextLineAt(c);
      if (nl === undefined || !dashAt(nl, c)) break;
    }
    return out;
  }

  /**
   * The value after `key:` or `- ` (from index `from` of `line`, already consumed), for a
   * collection at column `c`; may read the following lines.
   */
  private value(line: string, from: number, c: number, inMap: boolean): unknown {
    let i = from;
    while (line[i] === ' ') i++;
    if (line[i] === '\t') giveUp();
    if (i >= line.length || line[i] === '#') {
      this.skipBlank();
      if (this.pos >= this.lines.length) return null;
      const nc = this.col[this.pos];
      if (nc < 0) giveUp();
      const nl = this.lines[this.pos];
      if (nc > c) return this.node(nc, c);
      if (inMap && nc === c && dashAt(nl, c)) return this.sequence(c);
      return null;
    }
    const ch = line[i];
    let value: unknown;
    let end: number;
    if (ch === '"') {
      const dq = this.doubleQuotedLines(line, i, c);
      [value, end] = dq;
      line = dq[2];
    } else if (ch === "'") [value, end] = singleQuoted(line, i);
    else if (ch === '[' || ch === '{') {
      const joined = this.flowLines(line, i, c);
      if (joined !== undefined) {
        [value, end] = flow(joined, 0, 0);
        if (joined.length !== end) giveUp();
        this.noContinuation(c);
        return value;
      }
      [value, end] = flow(line, i, 0);
    }
    else if (ch === '|' || ch === '>') return this.blockScalar(line, i, c);
    else if ('&*!%@`'.includes(ch)) giveUp();
    else {
      // Plain scalar: to the end of the line or a comment.
      if ((ch === '-' || ch === '?' || ch === ':') && (line[i + 1] === ' ' || i + 1 === line.length)) giveUp();
      let e = line.length;
      const hash = line.indexOf(' #', i);
      if (hash >= 0) e = hash;
      const raw = line.slice(i, e).trimEnd();
      if (PLAIN_UNSAFE.test(raw)) giveUp();
      const folded = this.plainContinuation(raw, c, hash >= 0);
      value = plainValue(folded);
      end = line.length;
      this.noContinuation(c);
      return value;
    }
    // After a quoted or flow scalar: only a comment.
    const tail = line.slice(end);
    const t = tail.trimStart();
    if (t !== '' && !(t[0] === '#' && tail.length > t.length)) giveUp();
    this.noContinuation(c);
    return value;
  }

  /**
   * A plain scalar's first line `first`, with the more-indented lines that continue it
   * folded in (YAML's line folding: one space per line break, a break per empty line);
   * `first` itself when none does. A comment line ends the scalar; forms whose reading is
   * not plainly text (indicators, tabs, `: `, ` #`, blank lines with spaces) are left to the
   * full parser. Shell commands in `args:` are written this way.
   */
  private plainContinuation(first: string, c: number, commented: boolean): string {
    const n = this.lines.length;
    let out = first;
    for (;;) {
      let p = this.pos;
      let empties = 0;
      while (p < n && this.lines[p].length === 0) {
        empties++;
        p++;
      }
      if (p >= n) return out;
      const nc = this.col[p];
      if (nc < 0) giveUp();
      const l = this.lines[p];
      if (nc <= c || nc === l.length || l.charCodeAt(nc) === 35 /* # */) {
        // Not a continuation: blank lines with spaces only, a comment or a shallower line.
        return out;
      }
      if (commented) giveUp(); // text after a comment: an error for the full parser
      const t = l.slice(nc).trimEnd();
      const f = t.charCodeAt(0);
      if (CONTINUATION_UNSAFE_FIRST.includes(t[0]) || (f === 45 /* - */ && (t.length === 1 || t[1] === ' '))) giveUp();
      if (PLAIN_UNSAFE.test(t) || t.includes(' #') || t.includes('\t')) giveUp();
      out += empties === 0 ? ' ' + t : '\n'.repeat(empties) + t;
      this.pos = p + 1;
    }
  }

  /**
   * A flow collection continued on more-indented lines (`args: [` then one entry a line, as
   * in the docs' examples): its text from index i of `line` with those lines joined by a
   * space (what YAML's folding makes of a single line break, in a quoted scalar too),
   * comment lines dropped; undefined when no such line follows (a one-line collection).
   * Blank lines inside, comments after content, tabs and quoted scalars spanning lines
   * (where a `#` line is not a comment) are left to the full parser (flowLineOk).
   */
  private flowLines(line: string, i: number, c: number): string | undefined {
    const n = this.lines.length;
    let p = this.pos;
    if (p >= n || this.col[p] <= c || this.col[p] === this.lines[p].length) return undefined;
    let joined = line.slice(i).trimEnd();
    flowLineOk(joined);
    for (; p < n; p++) {
      const l = this.lines[p];
      const nc = this.col[p];
      if (nc < 0) giveUp();
      if (nc === l.length) {
        // Blank: the end of the collection only if a shallower line follows.
        let q = p + 1;
        while (q < n && this.col[q] === this.lines[q].length) q++;
        if (q < n && this.col[q] > c) giveUp();
        break;
      }
      if (nc <= c) break;
      if (l.charCodeAt(nc) === 35 /* # */) continue;
      const t = l.slice(nc).trimEnd();
      flowLineOk(t);
      joined += ' ' + t;
    }
    this.pos = p;
    return joined;
  }

  /**
   * A double-quoted scalar from index i of `line` (read already), closing on this line or on
   * a following more-indented one (a shell command split with `\` line ends): its value, the
   * index after its closing quote and the line holding it. YAML folds each line break (the
   * trailing spaces before it and the next line's indentation dropped) into a space, or into
   * nothing after an escaping `\`. Blank lines inside, tabs, a line no deeper than the
   * collection, and spaces kept by an escape before a break are left to the full parser.
   */
  private doubleQuotedLines(line: string, i: number, c: number): [string, number, string] {
    try {
      return [...doubleQuoted(line, i), line];
    } catch (e) {
      if (e !== GIVE_UP || line.includes('\t')) throw e;
    }
    let out = '';
    let seg = line.slice(i + 1);
    for (;;) {
      // seg: a line's content after the opening quote or the indentation, with no closing quote.
      let slashes = 0;
      while (seg.charCodeAt(seg.length - 1 - slashes) === 92 /* \ */) slashes++;
      const escaped = slashes % 2 === 1;
      let body = escaped ? seg.slice(0, -1) : seg.replace(TRAILING_SPACES, ''); // YAML's white space: spaces (tabs were refused)
      if (!escaped && (body === '' || (body.length < seg.length && body.endsWith('\\')))) giveUp();
      const [text, end] = doubleQuoted(`"${body}"`, 0);
      if (end !== body.length + 2) giveUp(); // a quote closed it on this line after all
      out += escaped ? text : text + ' ';
      const l = this.lines[this.pos];
      const nc = this.col[this.pos];
      if (l === undefined || nc <= c || nc === l.length || l.includes('\t')) giveUp();
      this.pos++;
      try {
        const [last, close] = doubleQuoted(l, nc - 1);
        return [out + last, close, l];
      } catch (e) {
        if (e !== GIVE_UP) throw e;
      }
      seg = l.slice(nc);
    }
  }

  /** Whether the last line with content before the current one ends in an empty value (`key:`, `-`). */
  private afterEmptyValue(): boolean {
    let p = this.pos - 1;
    while (p >= 0 && this.isBlank(p)) p--;
    if (p < 0) return false;
    const t = this.lines[p].trimEnd();
    return t.endsWith(':') || t.endsWith('-') || t.endsWith('|') || t.endsWith('>');
  }

  /** A more-indented line after a one-line scalar would continue it (or be an error). */
  private noContinuation(c: number): void {
    let p = this.pos;
    while (p < this.lines.length && this.isBlank(p)) p++;
    if (p < this.lines.length && (this.col[p] < 0 || this.col[p] > c)) giveUp();
  }

  /** `|` or `>` block scalar for a collection at column c (content indented more than c). */
  private blockScalar(line: string, i: number, c: number): string {
    const folded = line[i] === '>';
    let j = i + 1;
    let chomp = '';
    if (line[j] === '-' || line[j] === '+') chomp = line[j++];
    if (chomp === '+') giveUp();
    const tail = line.slice(j);
    if (tail !== '' && !/^ +(#.*)?$/.test(tail)) giveUp(); // indentation indicator or junk
    const lines: string[] = [];
    let indent = -1;
    const n = this.lines.length;
    while (this.pos < n) {
      const l = this.lines[this.pos];
      const lc = this.col[this.pos];
      const blank = lc === l.length; // only spaces (col is the line length then)
      if (blank) {
        // Spaces-only lines that are not plainly empty: left to the full parser.
        if (indent < 0 ? l.length > 0 : l.length > indent) giveUp();
        lines.push('');
        this.pos++;
        continue;
      }
      if (lc < 0) {
        if (indent >= 0 && /^ */.exec(l)![0].length >= indent) {
          lines.push(l.slice(indent));
          this.pos++;
          continue;
        }
        giveUp();
      }
      if (indent < 0) {
        if (lc <= c) break;
        indent = lc;
      }
      if (lc < indent) break;
      lines.push(l.slice(indent));
      this.pos++;
    }
    this.noContinuation(c);
    if (indent < 0) {
      if (lines.length) giveUp();
      return '';
    }
    // The block ends at the first less-indented line; trailing blank lines are not content.
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    // Lines between the block and what follows may be blank: they were consumed above.
    if (lines.length === 0) giveUp();
    let body: string;
    if (!folded) body = lines.join('\n');
    else {
      if (lines.some((l) => l[0] === '\t')) giveUp();
      body = '';
      let breaks = 0;
      let first = true;
      // A more-indented line (starting with a space) is not folded: the line breaks on
      // either side of it are kept, each empty line adding one more.
      let prevSpaced = false;
      for (const l of lines) {
        if (l === '') {
          breaks++;
          continue;
        }
        const spaced = l[0] === ' ';
        if (first) body += '\n'.repeat(breaks);
        else if (spaced || prevSpaced) body += '\n'.repeat(breaks + 1);
        else body += breaks ? '\n'.repeat(breaks) : ' ';
        body += l;
        breaks = 0;
        first = false;
        prevSpaced = spaced;
      }
    }
    return chomp === '-' ? body : body + '\n';
  }
}

/** Whether the double-quoted scalar at `start` closes on this line (an odd run of backslashes escapes a quote). */
function closesOnLine(line: string, start: number): boolean {
  for (let q = line.indexOf('"', start + 1); q >= 0; q = line.indexOf('"', q + 1)) {
    let slashes = 0;
    while (line.charCodeAt(q - 1 - slashes) === 92 /* \ */) slashes++;
    if (slashes % 2 === 0) return true;
  }
  return false;
}

function isMarker(line: string): boolean {
  return line.startsWith('---') && (line.length === 3 || line[3] === ' ' || line[3] === '\t');
}

/** Documents are numbered like the full parser's: one per `---` and one for content before the first. */
function fillEmpty(out: FastDoc[], lastIndex: number): FastDoc[] {
  if (out.length === lastIndex + 1) return out; // one entry per index, in order: none empty
  const byIndex = new Map(out.map((d) => [d.index, d]));
  const all: FastDoc[] = [];
  for (let i = 0; i <= lastIndex; i++) all.push(byIndex.get(i) ?? { index: i, value: null });
  return all;
}
