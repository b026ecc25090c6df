// The simulated kubelet's pod worker: one reconcile of one pod bound to this node. The
// runtime state of its containers lives in a meta document per pod (runtime-state.ts), so
// any process (CLI, daemon) can continue it. Each container is a small state machine
// (container-machine.ts) whose transitions happen at computed cluster times; a reconcile
// applies every transition due by now, writes status only when it changed
// (pod-status.ts), and returns when to look again.

import { deepCopy, type KObject } from '../api/types';
import { ApiError } from '../api/errors';
import type { ControllerContext, Result } from '../controllers/types';
import { containerScript } from '../shell/run';
import { missingVolume } from './env';
import { isNodeStopped } from './node-power';
import { stepContainer, type EventFn } from './container-machine';
import type { Wake } from './run-plan';
import { writeStatus } from './pod-status';
import { allocatePodIP, loadRuntime, newCState, saveRuntime, type CState, type PodRuntime } from './runtime-state';
import { kubeletStages } from './stages';
import { deepEqual } from '../util/json-equal';
import { releasePod } from './housekeeping';

export { loadRuntime, type PodRuntime } from './runtime-state';

function fieldPath(c: CState): string {
  return `${c.ephemeral ? 'spec.ephemeralContainers' : c.init ? 'spec.initContainers' : 'spec.containers'}{${c.name}}`;
}

/** The spec of a container the runtime record tracks. */
function specOf(pod: KObject, c: CState): any {
  const list = c.ephemeral ? pod.spec?.ephemeralContainers : c.init ? pod.spec?.initContainers : pod.spec?.containers;
  return list?.find((s: any) => s.name === c.name);
}

export interface WorkerEnv {
  ctx: ControllerContext;
  pod: KObject;
  node: KObject;
}

export async function syncPod({ ctx, pod, node }: WorkerEnv): Promise<Result | void> {
  const api = ctx.api;
  const now = ctx.clock.now();
  const nodeName = node.metadata.name!;
  if (await isNodeStopped(api.sim, nodeName)) return { requeueAfterMs: ctx.profile.timings.nodeHeartbeatMs, periodic: true };
  const uid = pod.metadata.uid!;
  const stages = kubeletStages(ctx.profile.timings);
  const event: EventFn = (type, reason, message, c) => api.recordEvent(pod, type, reason, message, { component: 'kubelet', host: nodeName }, c ? fieldPath(c) : undefined);

  // The store's record, unchanged, tells whether the sync changed the copy worked on: a
  // walk costs a tenth of stringifying it twice.
  const before = await loadRuntime(api, uid, true);
  let rt = before && deepCopy(before);
  const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

  if (pod.metadata.deletionTimestamp) return terminate(ctx, pod, rt, event, now);
  if (terminal && rt && rt.containers.every((c) => c.phase === 'terminated' || (c.ephemeral && c.phase === 'new'))) return;

  rt ??= {
    uid,
    namespace: pod.metadata.namespace,
    name: pod.metadata.name,
    node: nodeName,
    ip: await allocatePodIP(api, node, uid),
    startTime: now,
    containers: [...(pod.spec?.initContainers ?? []).map((c: any) => newCState(c.name, true)), ...(pod.spec?.containers ?? []).map((c: any) => newCState(c.name, false))],
  };

  let wake: Wake | undefined;
  const wakeAt = (at: number, periodic: boolean, endsAt?: number) => {
    const ends = [wake?.endsAt, endsAt].filter((t) => t !== undefined);
    wake = { at: Math.min(wake?.at ?? at, at), periodic: (wake?.periodic ?? true) && periodic };
    if (ends.length) wake.endsAt = Math.min(...ends);
  };
  // Volumes first: without them no container is created.
  const mountError = await missingVolume(api, pod);
  if (mountError) {
    if (rt.mountError !== mountError || now - (rt.mountEventAt ?? 0) >= stages.failedMountRetryMs) {
      await event('Warning', 'FailedMount', mountError);
      rt.mountEventAt = now;
    }
    rt.mountError = mountError;
    wakeAt((rt.mountEventAt ?? now) + stages.failedMountRetryMs, true);
  } else {
    delete rt.mountError;
    const step = { ctx, pod, nodeName, rt, now, stages, event, wakeAt };
    // Init containers one at a time, in order; the app containers once all completed.
    let initDone = true;
    for (const c of rt.containers.filter((x) => x.init)) {
      const spec = specOf(pod, c);
      if (!spec) continue;
      if (c.phase === 'terminated' && c.ended?.exitCode === 0) continue;
      await stepContainer(step, c, spec);
      if (!(c.phase === 'terminated' && c.ended?.exitCode === 0)) {
        initDone = false;
        break;
      }
    }
    if (initDone) {
      for (const c of rt.containers.filter((x) => !x.init && !x.ephemeral)) {
        const spec = specOf(pod, c);
        if (spec) await stepContainer(step, c, spec);
      }
    }
    // Ephemeral containers added through pods/ephemeralcontainers start even before
    // initialization completes (computePodActions), in a pod that has not finished.
    if (!terminal) {
      for (const spec of pod.spec?.ephemeralContainers ?? []) {
        if (!rt.containers.some((x) => x.ephemeral && x.name === spec.name)) rt.containers.push(newCState(spec.name, false, true));
      }
    }
    for (const c of rt.containers.filter((x) => x.ephemeral)) {
      const spec = specOf(pod, c);
      if (spec) await stepContainer(step, c, spec);
    }
  }

  if (!before || !deepEqual(rt, before)) await saveRuntime(api, uid, rt);
  // Everything due by now is done: neither the pod as read nor the status written wakes
  // this pod's sync again (readVersion, wroteVersion); a timer or another writer's change does.
  const wroteVersion = await writeStatus(api, pod, rt, node);
  const result: Result = wake ? { requeueAfterMs: Math.max(1, wake.at - now), periodic: wake.periodic } : {};
  if (wake?.periodic && wake.endsAt !== undefined) result.endsAfterMs = wake.endsAt - now;
  result.readVersion = pod.metadata.resourceVersion;
  if (wroteVersion !== undefined) result.wroteVersion = wroteVersion;
  return result;
}

// ---------- termination ----------

async function terminate(ctx: ControllerContext, pod: KObject, rt: PodRuntime | undefined, event: EventFn, now: number): Promise<Result | void> {
  const api = ctx.api;
  const finish = async () => {
    try {
      await api.delete(api.registry.forKind('v1', 'Pod'), pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0 });
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
    }
    await releasePod(api, { uid: pod.metadata.uid!, namespace: pod.metadata.namespace, name: pod.metadata.name, node: pod.spec?.nodeName });
  };
  if (!rt) return finish();
  const graceMs = Number(pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000; // an int64 may be a bigint
  if (rt.killingAt === undefined) {
    rt.killingAt = now;
    for (const c of rt.containers) if (c.phase === 'running') await event('Normal', 'Killing', `Stopping container ${c.name}`, c);
    await saveRuntime(api, rt.uid, rt);
  }
  // A shell script as PID 1 ignores SIGTERM and is killed after the grace period; servers stop at once.
  let stopAt = rt.killingAt;
  for (const c of rt.containers) {
    if (c.phase !== 'running') continue;
    const spec = specOf(pod, c) ?? {};
    const script = containerScript(spec.command, spec.args);
    stopAt = Math.max(stopAt, rt.killingAt + (script !== undefined ? graceMs : Math.min(graceMs, 500)));
  }
  if (stopAt > now) return { requeueAfterMs: stopAt - now };
  await finish();
}
