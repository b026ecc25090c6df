// The cluster's server record (server.json): the port its API is served on, and while a
// server runs, its URL, pid and start time. Read alone by the start-up fast path (src/fast-get.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { processAlive, processStartTime } from '../store/process-alive';

export interface ServerRecord {
  /** The port the cluster's API is served on (kept across daemon restarts). */
  port: number;
  insecureHttp?: boolean;
  /** Set while a server runs. */
  url?: string;
  pid?: number;
  /** The server's start time (/proc/<pid>/stat field 22), as in the daemon's pid file. */
  startTime?: string;
}

export const RECORD = 'server.json';

export function readServerRecord(clusterDir: string): ServerRecord | undefined {
  try {
    const r = JSON.parse(fs.readFileSync(path.join(clusterDir, RECORD), 'utf8')) as ServerRecord;
    return Number.isInteger(r.port) ? r : undefined;
  } catch {
    return undefined;
  }
}

/** This process as the server of a record: its pid and start time. */
export function serverIdentity(): Pick<ServerRecord, 'pid' | 'startTime'> {
  const startTime = processStartTime(process.pid);
  return startTime ? { pid: process.pid, startTime } : { pid: process.pid };
}

/**
 * Whether the record names a server that still runs: its pid alive with the recorded start
 * time, as the pid file is checked, so a recycled pid is never taken for the server. Where
 * the kernel tells start times, a record without one names nobody.
 */
export function recordedServerRuns(r: ServerRecord | undefined): r is ServerRecord & { url: string; pid: number } {
  if (!r?.url || r.pid === undefined) return false;
  const startTime = typeof r.startTime === 'string' && /^\d{1,20}$/.test(r.startTime) ? r.startTime : undefined;
  if (startTime === undefined && processStartTime(process.pid) !== undefined) return false;
  return processAlive(r.pid, startTime);
}
