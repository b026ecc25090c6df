// The committed test times (test/durations.json, test/cpu-times.json) as
// `scripts/test.mjs --save-durations` rewrites them. A file's time moves with the machine's
// load from one run to the next; rewriting every figure each time would make each save a diff
// of every line. A recorded time is kept while the run measured it within 20 % (it orders the
// files as well as the new one would); only the files whose time really changed, and new
// files, take the run's figure, rounded to `step` ms. Files the run did not have are dropped.

/** Share of a recorded time a new measurement may differ by and keep it. */
const TOLERANCE = 0.2;

export function steadyTimes(recorded, measured, step) {
  const out = {};
  for (const file of Object.keys(measured).sort((a, b) => (a < b ? -1 : 1))) {
    const ms = measured[file];
    const old = recorded?.[file];
    out[file] = typeof old === 'number' && Math.abs(ms - old) <= old * TOLERANCE ? old : Math.round(ms / step) * step;
  }
  return out;
}
