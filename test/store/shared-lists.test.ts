// The file store's remembered shared lists: used while fresh, and let go once they cannot be
// used any more (past their trust window), so a list nobody asks for again holds no objects.

import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { SharedLists } from '../../src/store/shared-lists';
import type { Journal } from '../../src/store/journal';
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
