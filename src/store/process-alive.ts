// Whether a process still runs, for pid files and lock files. A killed process whose parent
// has not reaped it (a daemon re-parented to a container's PID 1 that never calls wait) is
// a zombie: signal 0 still succeeds, but it holds nothing and will never run again.
//
// A pid alone does not identify a process: after a reboot or a wrap-around the same number
// belongs to someone else. Lock and pid files therefore also record the process's start time
// (field 22 of /proc/<pid>/stat, in clock ticks since boot), and a holder counts as alive only
// when both match.

import * as fs from 'node:fs';

function readStat(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
}

/** The fields after "pid (comm)": comm may contain spaces and parentheses. */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The process's start time as recorded by the kernel, or undefined where unknown (not Linux, gone). */
export function processStartTime(pid: number): string | undefined {
  if (process.platform !== 'linux' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const stat = readStat(pid);
  if (!stat) return undefined;
  // fields[0] is the state (field 3), so field 22 (starttime) is fields[19].
  const start = statFields(stat)[19];
  return start && /^\d+$/.test(start) ? start : undefined;
}

/**
 * Whether `pid` runs and, when `startTime` is given, is the very process that recorded it.
 * A pid that is not a positive safe integer is never alive (a garbage file never makes us
 * signal process group 0 or -1).
 */
export function processAlive(pid: number, startTime?: string): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform !== 'linux') return true;
  const stat = readStat(pid);
  if (!stat) return true; // /proc unreadable: trust the signal
  const fields = statFields(stat);
  if (fields[0] === 'Z') return false;
  if (startTime !== undefined && fields[19] !== startTime) return false;
  return true;
}

/** "pid starttime" as written in lock and pid files (just the pid where start times are unknown). */
export function processIdentity(pid = process.pid): string {
  const start = processStartTime(pid);
  return start ? `${pid} ${start}` : String(pid);
}

/** Parses what processIdentity wrote; undefined for anything else (a damaged file). */
export function parseProcessIdentity(text: string): { pid: number; startTime?: string } | undefined {
  const m = /^(\d{1,10})(?: (\d{1,20}))?\n?$/.exec(text);
  if (!m) return undefined;
  const pid = Number(m[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return { pid, startTime: m[2] };
}
