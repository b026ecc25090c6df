// Whether the cluster's daemon runs: its pid file (daemon.pid: pid and start time, claimed
// by the daemon itself) checked against the live process. Read alone by the start-up fast
// path (src/fast-get.ts); control.ts starts and stops daemons.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { processAlive, parseProcessIdentity } from '../store/process-alive';
import { readServerRecord, recordedServerRuns } from '../kubeconfig/server-record';

export const PID_FILE = 'daemon.pid';

/**
 * Whether the pid file's process is this cluster's daemon: the pid must run with the start
 * time recorded next to it and (where /proc tells) be a kubesim daemon for this directory,
 * so a stale pid file never names someone else's process.
 */
function isOurDaemon(clusterDir: string, pid: number, startTime: string | undefined): boolean {
  if (!processAlive(pid, startTime)) return false;
  if (pid === process.pid || process.platform !== 'linux') return true;
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return startTime !== undefined;
  }
  const args = cmdline.split('\0');
  const i = args.indexOf('__daemon');
  if (i >= 0) return path.resolve(args[i + 1] ?? '') === path.resolve(clusterDir);
  // `kubesim serve` (the daemon in the foreground) names its cluster through the context,
  // not the command line: the recorded start time identifies it.
  return args.includes('serve') && startTime !== undefined;
}

/** The pid of the cluster's running daemon, if any (a stale pid file counts as none). */
export function runningDaemonPid(clusterDir: string): number | undefined {
  let text: string;
  try {
    const fd = fs.openSync(path.join(clusterDir, PID_FILE), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    try {
      if (!fs.fstatSync(fd).isFile()) return undefined;
      const buf = Buffer.alloc(128);
      text = buf.toString('utf8', 0, fs.readSync(fd, buf, 0, 128, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const id = parseProcessIdentity(text.trim());
  return id && isOurDaemon(clusterDir, id.pid, id.startTime) ? id.pid : undefined;
}

/**
 * Whether a process of this machine runs the cluster's clock in real time: its daemon, or an
 * API server recorded in server.json (`kubesim serve`, a dashboard serving without a daemon).
 * (A cluster kept in etcd may also be run by an elected leader elsewhere: clusterRunning.)
 */
export function localServerRuns(clusterDir: string): boolean {
  return recordedServerRuns(readServerRecord(clusterDir)) || runningDaemonPid(clusterDir) !== undefined;
}
