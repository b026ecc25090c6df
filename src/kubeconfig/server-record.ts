// The cluster's server record (server.json): the port its API is served on, and while a
// server runs, its URL and pid. Read alone by the start-up fast path (src/fast-get.ts).

import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ServerRecord {
  /** The port the cluster's API is served on (kept across daemon restarts). */
  port: number;
  insecureHttp?: boolean;
  /** Set while a server runs. */
  url?: string;
  pid?: number;
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
