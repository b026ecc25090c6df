// scripts/test.mjs's rule for starting a file: busy files share the cores' slots; one file that
// mostly waits may run beyond them, a second one only takes a core's slot once no busy file is
// left to start.

import { test } from 'node:test';
import assert from 'node:assert/strict';
// @ts-expect-error: a plain ES module of the scripts, without type declarations
import { mayStart } from '../../scripts/test-schedule.mjs';

const TWO_CORES = { busySlots: 2, extra: 1 };

test('a waiting file takes the extra slot; a second one waits while a busy file is still to start', () => {
  // one busy file running: a waiting file may start beside it
  assert.equal(mayStart(true, { ...TWO_CORES, running: 1, busy: 1, busyPending: true }), true);
  // busy + waiting running: the second core's slot goes to a busy file, not to another waiting one
  assert.equal(mayStart(true, { ...TWO_CORES, running: 2, busy: 1, busyPending: true }), false);
  assert.equal(mayStart(false, { ...TWO_CORES, running: 2, busy: 1, busyPending: true }), true);
  // no busy file left to start: the free core's slot may go to a waiting file
  assert.equal(mayStart(true, { ...TWO_CORES, running: 2, busy: 1, busyPending: false }), true);
  // two waiting files running (the busy files all started) hold the extra slot and a core's
  assert.equal(mayStart(false, { ...TWO_CORES, running: 2, busy: 0, busyPending: false }), true);
  assert.equal(mayStart(false, { ...TWO_CORES, running: 3, busy: 1, busyPending: false }), false);
  // both cores busy: only a waiting file, in the extra slot
  assert.equal(mayStart(false, { ...TWO_CORES, running: 2, busy: 2, busyPending: true }), false);
  assert.equal(mayStart(true, { ...TWO_CORES, running: 2, busy: 2, busyPending: true }), true);
});

test('--slots=N (no extra slot): waiting and busy files share the N slots in order, as before', () => {
  const slots = { busySlots: 2, extra: 0 };
  assert.equal(mayStart(true, { ...slots, running: 1, busy: 0, busyPending: true }), true);
  assert.equal(mayStart(false, { ...slots, running: 1, busy: 0, busyPending: true }), true);
  assert.equal(mayStart(false, { ...slots, running: 2, busy: 1, busyPending: true }), false);
});
