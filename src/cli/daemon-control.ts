// Whether a background reconcile loop drives the selected cluster. KUBESIM_NO_DAEMON=1
// (tests, CI scripts that prefer `reconcile --until-stable`) keeps everything in-process.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliContext } from './context';

export function daemonPid(clusterDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(clusterDir, 'daemon.pid'), 'utf8').trim());
    if (!pid) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** True when a daemon runs (or was started) for the context's cluster. */
export async function ensureDaemonFor(ctx: CliContext): Promise<boolean> {
  if (daemonPid(ctx.clusterDir)) return true;
  if (process.env.KUBESIM_NO_DAEMON === '1') return false;
  return false;
}
