// The file store's remembered shared lists: used while fresh, and let go once they cannot be
// used any more (past their trust window), so a list nobody asks for again holds no objects.

import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SharedLists } from '../../src/store/shared-lists';
import { Journal, journalLineText, type JournalLine } from '../../src/store/journal';
import type { KObject } from '../../src/api/types';

test('a remembered list is served while fresh and let go (with its objects) after its trust window, unasked', () => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  try {
    const journal = { stat: () => ({ ino: 1, size: 10 }), entriesAfter: () => [] } as unknown as Journal;
    const lists = new SharedLists(journal);
    const held = lists as unknown as { lists: Map<string, unknown> };
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'default' } } as KObject;
    lists.remember('pods', { ino: 1, size: 10 }, 5, ['pods/default/a'], [pod]);
    mock.timers.tick(9_000);
    assert.deepEqual(lists.get('pods'), { rev: 5, items: [pod] });
    mock.timers.tick(1_000);
    // Nobody asked again: the list (and the objects it held) is gone all the same.
    assert.equal(held.lists.size, 0);
    assert.equal(lists.get('pods'), undefined);
    // A list remembered again later is its own: the first one's timer does not drop it.
    lists.remember('pods', { ino: 1, size: 10 }, 6, ['pods/default/a'], [pod]);
    mock.timers.tick(5_000);
    lists.remember('pods', { ino: 1, size: 10 }, 7, ['pods/default/a'], [pod]);
    mock.timers.tick(6_000);
    assert.equal(lists.get('pods')?.rev, 7);
  } finally {
    mock.timers.reset();
  }
});

test("a list catching up takes its own keys' lines (not a longer namespace's, whatever a line's field order) and the journal's last revision", () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-shared-'));
  try {
    const file = join(dir, 'journal.log');
    const cm = (ns: string, name: string, v: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { v } }) as KObject;
    const lines: JournalLine[] = [{ rev: 1, type: 'ADDED', key: 'configmaps/b/one', object: cm('b', 'one', '1') }];
    writeFileSync(file, lines.map(journalLineText).join(''));
    const journal = new Journal(file);
    const lists = new SharedLists(journal);
    lists.remember('configmaps/b', journal.stat()!, 1, ['configmaps/b/one'], [cm('b', 'one', '1')]);
    // Another namespace's and a longer namespace's lines around the list's own; one line of
    // the list's namespace in another field order (an older writer's) is read all the same.
    let rev = 1;
    const more: string[] = [];
    const add = (l: Omit<JournalLine, 'rev'>) => more.push(journalLineText({ rev: ++rev, ...l } as JournalLine));
    for (let i = 0; i < 2000; i++) add({ type: 'ADDED', key: `configmaps/a/x${i}`, object: cm('a', `x${i}`, 'a') });
    add({ type: 'MODIFIED', key: 'configmaps/b/one', object: cm('b', 'one', '2') });
    add({ type: 'ADDED', key: 'configmaps/bb/two', object: cm('bb', 'two', 'bb') });
    more.push(JSON.stringify({ rev: ++rev, object: cm('b', 'three', '3'), type: 'ADDED', key: 'configmaps/b/three' }) + '\n');
    add({ type: 'ADDED', key: 'configmaps/b/four', object: cm('b', 'four', '4') });
    add({ type: 'DELETED', key: 'configmaps/b/four', object: cm('b', 'four', '4') });
    for (let i = 0; i < 10; i++) add({ type: 'MODIFIED', key: `configmaps/a/x${i}`, object: cm('a', `x${i}`, 'a2') });
    appendFileSync(file, more.join(''));
    const under = journal.entriesUnder(1, 'configmaps/b/')!;
    assert.deepEqual(under.entries.map((e) => `${e.rev} ${e.type} ${e.key}`), ['2002 MODIFIED configmaps/b/one', '2004 ADDED configmaps/b/three', '2005 ADDED configmaps/b/four', '2006 DELETED configmaps/b/four']);
    assert.equal(under.lastRev, rev);
    const got = lists.get('configmaps/b')!;
    assert.equal(got.rev, rev, "the list's revision is the journal's last, not its own keys' last");
    assert.deepEqual(got.items.map((o) => `${o.metadata.name}=${(o as unknown as { data: { v: string } }).data.v}`), ['one=2', 'three=3']);
    // Unfiltered, every line is parsed (what changesSince reads).
    assert.equal(journal.entriesAfter(1)!.length, rev - 1);
    assert.equal(journal.entriesUnder(rev, 'configmaps/b/')!.lastRev, rev);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
