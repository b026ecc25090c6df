// Whether scripts/test.mjs may start a test file now. Files that kept under half a core busy
// in earlier runs ("waiting" files: daemons, etcd, the browser, real-time waits) may use the
// `extra` slots beyond the cores; a waiting file beyond those holds a core's slot like a busy
// file. So a second waiting file starts only once no busy file is left to start: two waiting
// files beside one busy file left a core idle for minutes at the start of CI's runs (a
// simulation of a run from test/durations.json: 16.4 -> 13.8 min on two cores).

/**
 * `state`: { running, busy (running files that are not waiting), busySlots (the cores),
 * extra (slots beyond them: 0 with --slots), busyPending (a busy file is still to start) }.
 * The caller also keeps `running` under busySlots + extra.
 */
export function mayStart(waiting, { running, busy, busySlots, extra, busyPending }) {
  if (waiting) return extra === 0 || running - busy < extra || !busyPending;
  return busy + Math.max(0, running - busy - extra) < busySlots;
}
