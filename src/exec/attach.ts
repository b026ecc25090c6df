// Following what a container writes from the moment of an attach, until it stops or the
// caller goes away: the API server's pods/attach and `kubesim attach` read it the same way
// (the kubelet's log records of the container's current run, from the attach time on).

import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import type { ExecTarget } from './run-command';
import { passStdin, type StdinLimit, type StdinStream } from './stdin-stream';

/** How often the records are looked at (the simulated kubelet writes them as time moves). */
const POLL_MS = 200;

export interface FollowOptions {
  /** Cluster time (ms) from which output counts; the attach's own moment by default. */
  sinceMs?: number;
  /** Moves the cluster while following (no daemon): calls `check` after each step until it holds. */
  drive?: (check: () => Promise<boolean>) => Promise<unknown>;
}

/** Calls `emit` with each new piece of output; resolves when the container stopped or `gone` settles. */
export async function followAttached(api: ApiServer, pod: KObject, container: string, emit: (text: string) => void, gone: Promise<unknown>, opts: FollowOptions = {}): Promise<void> {
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
  const since = opts.sinceMs ?? api.clock.now();
  const linesOf = (p: KObject) => {
    const x = logs.containerLogLines(api, p, container, false, { sinceMs: since });
    return 'lines' in x ? x.lines : [];
  };
  const run = runOf(pod);
  let seen = opts.sinceMs === undefined ? linesOf(pod).length : 0;
  /** One look: emits what is new; true once the container stopped (or the caller left). */
  const check = async (): Promise<boolean> => {
    if (left) return true;
    await clock.refresh?.();
    const cur = await api.tryGet(podType, pod.metadata.namespace, pod.metadata.name!);
    if (!cur || cur.metadata.uid !== pod.metadata.uid) return true;
    if (runOf(cur) === run) {
      const lines = linesOf(cur);
      if (lines.length > seen) emit(lines.slice(seen).map((l) => l + '\n').join(''));
      seen = Math.max(seen, lines.length);
    }
    const st = [...(cur.status?.containerStatuses ?? []), ...(cur.status?.initContainerStatuses ?? []), ...(cur.status?.ephemeralContainerStatuses ?? [])].find((c: any) => c.name === container);
    return !st?.state?.running || runOf(cur) !== run;
  };
  if (opts.drive) {
    await opts.drive(check);
    return;
  }
  while (!left) {
    await Promise.race([new Promise((res) => setTimeout(res, POLL_MS)), gone]);
    if (await check()) return;
  }
}

/** An attach's stdin, passed on as it arrives. */
export interface AttachStdin extends StdinStream {
  /**
   * The attach ended: stops reading; with stdinOnce the runtime closes the process's stdin
   * when the first attach goes away, its input open or not (CRI's StdinOnce). Throws what
   * went wrong passing the input on (too large).
   */
  close(): Promise<void>;
}

/**
 * An attach's stdin (-i, to a container with `stdin: true`): each chunk is the container's
 * process's as it arrives, then its end: with stdinOnce the runtime closes the process's stdin,
 * as does an end of file typed on its terminal (`eof`: Ctrl-D, src/exec/tty.ts).
 */
export async function sendToContainerStdin(api: ApiServer, t: ExecTarget, chunks: AsyncIterable<string>, limit: StdinLimit, eof: () => boolean = () => false): Promise<AttachStdin> {
  const { recordStdin } = await import('../kubelet/runtime-state');
  const once = !!t.spec.stdinOnce;
  const stream = passStdin(chunks, { data: (text) => recordStdin(api, t.pod, t.name, text, false), end: () => recordStdin(api, t.pod, t.name, '', once || eof()) }, limit);
  return {
    waitForMore: (ms) => stream.waitForMore(ms),
    get open() {
      return stream.open;
    },
    stop: () => stream.stop(),
    close: async () => {
      const cut = stream.open;
      try {
        stream.stop();
      } finally {
        if (cut && once) await recordStdin(api, t.pod, t.name, '', true);
      }
    },
  };
}
