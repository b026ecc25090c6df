// The journal is read a chunk at a time: a restart after the files' compaction lagged finds a
// tail of hundreds of MB, and holding it whole (plus every line parsed) was the restart's peak.
// The answers must be those of reading the whole file at once, for lines that cross chunks,
// lines longer than a chunk, torn lines; and the peak must not follow the tail's size.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, openSync, closeSync, writeSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Journal, journalLineText, eachLine, forEachLine, type JournalLine } from '../../src/store/journal';
import { FileStore } from '../../src/store/file-store';
import type { KObject } from '../../src/api/types';
import { withTempDir } from '../helpers/temp-dir';

const cm = (name: string, v: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });

/** Every complete line of `text` that parses as a journal line: what a whole read answers. */
function wholeRead(text: string): JournalLine[] {
  const out: JournalLine[] = [];
  for (const t of text.split('\n')) {
    try {
      const l = JSON.parse(t);
      if (l && typeof l.rev === 'number' && typeof l.key === 'string') out.push(l);
    } catch {
      /* torn */
    }
  }
  return out;
}

/** Lines as written (a tail's lines are parsed when their object is first asked for: compared by what they say). */
const asWritten = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

test('eachLine and forEachLine: small chunks give the lines of a whole read (lines across chunks, longer than a chunk, torn, unterminated)', () =>
  withTempDir('kubesim-jstream-', (dir) => {
    const file = join(dir, 'j');
    let text = '';
    for (let rev = 1; rev <= 60; rev++) {
      // Sizes from a few bytes under a chunk to several chunks.
      text += journalLineText({ rev, type: 'MODIFIED', key: `configmaps/default/k${rev % 7}`, object: cm(`k${rev % 7}`, 'x'.repeat((rev * 37) % 700)) });
      if (rev === 20) text += '{"rev":999,"type":"ADDED","key":"torn\n';
    }
    text += journalLineText({ rev: 61, type: 'DELETED', key: 'configmaps/default/k1', object: cm('k1', 'y') }).slice(0, -1); // no newline
    writeFileSync(file, text);
    const expected = wholeRead(text);
    assert.equal(expected.length, 61);
    const fd = openSync(file, 'r');
    try {
      for (const chunk of [64, 100, 257, 1024, 1 << 20]) {
        const got: JournalLine[] = [];
        eachLine(fd, 0, text.length, (l) => got.push(l), chunk);
        assert.deepEqual(got, expected, `chunk ${chunk}`);
        // A range starting mid-file (at a line start) and ending before the end.
        const from = text.indexOf('{"rev":30,');
        const to = text.indexOf('{"rev":45,');
        const part: JournalLine[] = [];
        eachLine(fd, from, to, (l) => part.push(l), chunk);
        assert.deepEqual(part.map((l) => l.rev), expected.filter((l) => l.rev >= 30 && l.rev < 45).map((l) => l.rev), `chunk ${chunk}, a range`);
        // The index's forward scan: newline-ended lines only (the unterminated last is read again later), and where they end.
        const starts: number[] = [];
        const end = forEachLine(fd, 0, text.length, chunk, false, (_b, _s, _e, at) => starts.push(at));
        const ends = [...text.matchAll(/\n/g)].map((m) => m.index + 1);
        assert.deepEqual(starts, [0, ...ends.slice(0, -1)], `chunk ${chunk}, line starts`);
        assert.equal(end, ends.at(-1), `chunk ${chunk}, end`);
      }
    } finally {
      closeSync(fd);
    }
  }));

test('journal: a tail of lines longer than the first backward chunk (16 KB) is indexed and answered as a whole read', () =>
  withTempDir('kubesim-jstream-', (dir) => {
    const file = join(dir, 'journal.log');
    let text = '';
    for (let rev = 1; rev <= 400; rev++) {
      // Every 9th line ~40 KB: line starts fall just before chunk ends, lines span several chunks.
      const size = rev % 9 === 0 ? 40_000 + rev : 300 + ((rev * 131) % 5000);
      text += journalLineText({ rev, type: rev % 50 === 0 ? 'DELETED' : 'MODIFIED', key: `configmaps/default/k${rev % 13}`, object: cm(`k${rev % 13}`, 'z'.repeat(size)) });
    }
    writeFileSync(file, text);
    const all = wholeRead(text);
    for (const after of [0, 1, 17, 199, 333, 398, 399, 400]) {
      const j = new Journal(file);
      assert.deepEqual(j.entriesAfter(after), all.filter((l) => l.rev > after), `entriesAfter(${after})`);
      const newest = new Map<string, JournalLine>();
      for (const l of all) if (l.rev > after) newest.set(l.key, l);
      const fresh = new Journal(file).pendingAfter(after);
      assert.deepEqual(asWritten([...fresh.tail]), asWritten([...newest]), `pendingAfter(${after})`);
      assert.equal(fresh.lastRev, 400);
      const replay = new Journal(file).entriesForReplay(after);
      assert.deepEqual(asWritten(replay.entries), asWritten([...newest.values()].sort((a, b) => a.rev - b.rev)), `entriesForReplay(${after})`);
    }
    // Appended by another writer after the index was built, with a line longer than that read's chunk too.
    const j = new Journal(file);
    assert.equal(j.lastRev(), 400);
    const more = journalLineText({ rev: 401, type: 'ADDED', key: 'configmaps/default/big', object: cm('big', 'q'.repeat(9 << 20)) });
    writeFileSync(file, text + more + '{"rev":402,"type":"ADD');
    assert.equal(j.lastRev(), 401, 'the torn last line is not indexed');
    assert.equal(j.entriesAfter(400)![0].object!.data.v.length, 9 << 20);
  }));

test('a store reading a 96 MB journal tail (another writer\'s, not yet in the files) peaks at a fraction of it', () =>
  withTempDir('kubesim-jstream-', (dir) => {
    const s = new FileStore(dir, { fsync: false });
    s.create('configmaps/default/seed', cm('seed', '0'));
    s.compact();
    let rev = s.currentRev();
    s.close();
    mkdirSync(join(dir, 'registry', 'configmaps', 'default'), { recursive: true });
    // 200 keys written 160 times each with ~3 KB objects: the tail is ~96 MB, the newest state ~0.6 MB.
    const fd = openSync(join(dir, 'journal.log'), 'a');
    const pad = 'p'.repeat(3000);
    for (let w = 0; w < 160; w++) {
      let text = '';
      for (let k = 0; k < 200; k++) text += journalLineText({ rev: ++rev, type: 'MODIFIED', key: `configmaps/default/k${k}`, object: cm(`k${k}`, `${w}${pad}`) });
      writeSync(fd, text);
    }
    closeSync(fd);
    const store = JSON.stringify(join(__dirname, '../../src/store/file-store.ts'));
    // In a child: its peak RSS is its own. Before: the whole tail in one buffer, every line parsed.
    const script = `const { FileStore } = require(${store});
      const before = process.memoryUsage().rss;
      const s = new FileStore(process.argv[1], { fsync: false });
      const items = s.list('configmaps/default').items;
      console.log(JSON.stringify({ n: items.length, v: items.find((o) => o.metadata.name === 'k7').data.v.slice(0, 3), rev: s.currentRev(), grew: process.resourceUsage().maxRSS * 1024 - before }));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script, dir], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.n, 201);
    assert.equal(out.v, '159');
    assert.equal(out.rev, rev);
    // Measured: ~58 MiB (a chunk and the young generation's garbage) against 225 MiB read whole.
    assert.ok(out.grew < 110 * 1024 * 1024, `the peak grew ${Math.round(out.grew / 1048576)} MiB reading a 96 MB tail`);
  }));

test("a cold reader of the tail parses each key's newest line only, when its object is asked for (a settled daemon's tail is node Lease renewals, each superseded every 10 s); a line not as the store writes it parses them all", () => withTempDir('kubesim-journal-newest-', (dir) => {
  const realParse = JSON.parse;
  try {
    const file = join(dir, 'journal.log');
    let text = '';
    for (let rev = 1; rev <= 1_000; rev++) text += journalLineText({ rev, type: rev <= 10 ? 'ADDED' : 'MODIFIED', key: `leases/kube-node-lease/node-${(rev * 7) % 10}`, object: cm(`node-${(rev * 7) % 10}`, `v${rev}`) });
    writeFileSync(file, text);
    let parses = 0;
    JSON.parse = (...a: Parameters<typeof JSON.parse>) => (parses++, realParse(...a));
    const tail = new Journal(file).pendingAfter(0).tail;
    const atRead = parses;
    assert.equal(tail.get('leases/kube-node-lease/node-3')!.object!.data!.v, 'v999');
    const atOne = parses;
    const all = wholeRead(text);
    const newest = new Map<string, JournalLine>();
    for (const l of all) newest.set(l.key, l);
    const seen = asWritten([...tail]);
    JSON.parse = realParse;
    assert.equal(atRead, 0, `${atRead} lines parsed before an object is asked for`);
    assert.equal(atOne, 1, 'one line parsed for one object');
    assert.deepEqual(seen, asWritten([...newest]), 'the newest line of each key, keys in the order of their first line');

    // An older version's line (another field order): every line is parsed, the same answer.
    const odd = `{"key":"leases/kube-node-lease/node-3","rev":1001,"type":"MODIFIED","object":${JSON.stringify(cm('node-3', 'odd'))}}\n`;
    writeFileSync(file, text + odd);
    newest.set('leases/kube-node-lease/node-3', realParse(odd));
    assert.deepEqual(asWritten([...new Journal(file).pendingAfter(500).tail].sort()), asWritten([...newest].sort()));
  } finally {
    JSON.parse = realParse;
  }
}));

test('a damaged line in the middle of the tail: refused when its object is read, then skipped as a whole read skips it; the files catch up', () =>
  withTempDir('kubesim-journal-damaged-', (dir) => {
    const s = new FileStore(dir, { fsync: false });
    s.create('configmaps/default/seed', cm('seed', '0'));
    s.compact();
    let rev = s.currentRev();
    s.close();
    const good = (key: string, v: string) => journalLineText({ rev: ++rev, type: 'MODIFIED', key: `configmaps/default/${key}`, object: cm(key, v) });
    let text = good('k1', 'old') + good('k2', 'two');
    // Its head as the store writes it, its object damaged (a stray comma).
    text += `{"rev":${++rev},"type":"MODIFIED","key":"configmaps/default/k1","object":{"apiVersion":"v1",,"kind":"ConfigMap"}}\n`;
    text += good('k3', 'three');
    writeFileSync(join(dir, 'journal.log'), readFileSync(join(dir, 'journal.log'), 'utf8') + text);
    mkdirSync(join(dir, 'registry', 'configmaps', 'default'), { recursive: true });
    const store = new FileStore(dir, { fsync: false });
    assert.throws(() => store.get('configmaps/default/k1'), /the journal line of revision \d+ \(configmaps\/default\/k1\) is damaged/);
    // Then as a whole read answers: the bad line skipped, the key's older line its state.
    assert.equal(store.get('configmaps/default/k1')?.data!.v, 'old');
    assert.equal(store.get('configmaps/default/k3')?.data!.v, 'three');
    const other = new FileStore(dir, { fsync: false });
    other.compact(); // its take's lazy line fails the files' write once (warned); the next goes through
    other.compact();
    assert.equal(Number(readFileSync(join(dir, 'rev'), 'utf8')), rev);
    for (const [k, v] of [['k1', 'old'], ['k2', 'two'], ['k3', 'three']]) assert.equal(JSON.parse(readFileSync(join(dir, 'registry', 'configmaps', 'default', k), 'utf8')).data.v, v, k);
    other.close();
    store.close();
  }));
