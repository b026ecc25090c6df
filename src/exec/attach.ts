// Following what a container writes from the moment of an attach, until it stops or the
// caller goes away: the API server's pods/attach and `kubesim attach` read it the same way
// (the kubelet's log records of the container's current run, from the attach time on).

import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';

/** How often the records are looked at (the simulated kubelet writes them as time moves). */
const POLL_MS = 200;

/** Calls `emit` with each new piece of output; resolves when the container stopped or `gone` settles. */
export async function followAttached(api: ApiServer, pod: KObject, container: string, emit: (text: string) => void, gone: Promise<unknown>): Promise<void> {
  const logs = await import('../cli/logs');
  await logs.loadLazy();
  const podType = api.resolve('pods');
  const clock = api.clock as { refresh?: () => unknown };
  let left = false;
  void gone.then(() => (left = true));
  const runOf = (p: KObject) => {
    const x = logs.logRun(p, container, false);
    return 'run' in x ? x.run : -1;
  };
  // what the container writes from the attach on (the kubelet may record earlier lines later)
  const since = api.clock.now();
  const linesOf = (p: KObject) => {
    const x = logs.containerLogLines(api, p, container, false, { sinceMs: since });
    return 'lines' in x ? x.lines : [];
  };
  const run = runOf(pod);
  let seen = linesOf(pod).length;
  while (!left) {
    await Promise.race([new Promise((res) => setTimeout(res, POLL_MS)), gone]);
    if (left) return;
    await clock.refresh?.();
    const cur = await api.tryGet(podType, pod.metadata.namespace, pod.metadata.name!);
    if (!cur || cur.metadata.uid !== pod.metadata.uid) return;
    if (runOf(cur) === run) {
      const lines = linesOf(cur);
      if (lines.length > seen) emit(lines.slice(seen).map((l) => l + '\n').join(''));
      seen = Math.max(seen, lines.length);
    }
    const st = [...(cur.status?.containerStatuses ?? []), ...(cur.status?.initContainerStatuses ?? []), ...(cur.status?.ephemeralContainerStatuses ?? [])].find((c: any) => c.name === container);
    if (!st?.state?.running || runOf(cur) !== run) return;
  }
}
