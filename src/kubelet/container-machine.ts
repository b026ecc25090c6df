// One container's state machine: new → (pulling → pullFailed → pullBackoff)* → creating →
// starting → running → (exited → [crashBackoff] → new)* | terminated. Each transition happens at a
// computed cluster time and records the kubelet's events in the kubelet's order: the image
// first (Pulling/Pulled), then the container's config (CreateContainerConfigError), then
// Created and Started. Delays come from the stages (stages.ts).

import type { KObject } from '../api/types';
import type { ControllerContext } from '../controllers/types';
import { goDuration } from '../printers/duration';
import { containerView } from '../exec/container-view';
import { containerEnv } from './env';
import { containerScript, type LiveNet } from '../shell/run';
import { parseImage, pullOutcome } from './images';
import { logStoreFor } from './logs';
import { planRun } from './run-plan';
import { containerID, imagePolicyOverride, imagePresent, markImagePresent, type CState, type PodRuntime } from './runtime-state';
import type { KubeletStages } from './stages';

export type EventFn = (type: 'Normal' | 'Warning', reason: string, message: string, c?: CState) => Promise<void>;
export type WakeFn = (at: number, periodic: boolean, endsAt?: number) => void;

export interface StepEnv {
  ctx: ControllerContext;
  pod: KObject;
  nodeName: string;
  rt: PodRuntime;
  now: number;
  stages: KubeletStages;
  event: EventFn;
  wakeAt: WakeFn;
}

export function restartPolicyFor(pod: KObject, c: CState, spec: any): string {
  if (c.ephemeral) return 'Never'; // ephemeral containers are never restarted
  if (c.init) {
    if (spec.restartPolicy === 'Always') return 'Always';
    return pod.spec?.restartPolicy === 'Never' ? 'Never' : 'OnFailure';
  }
  return pod.spec?.restartPolicy ?? 'Always';
}

function restartContainer(c: CState, at: number): void {
  c.restartCount++;
  c.phase = 'new';
  c.until = at;
  if (c.message?.startsWith('back-off ')) c.restartReason = c.message;
  delete c.message;
}

/** Applies every transition of one container due by `now`. */
export async function stepContainer(e: StepEnv, c: CState, spec: any): Promise<void> {
  const { ctx, pod, rt, now, stages: s, event, wakeAt } = e;
  const api = ctx.api;
  const policy = async () => (await imagePolicyOverride(api)) ?? ctx.profile.images?.unknown ?? 'pull';
  for (let guard = 0; guard < 50; guard++) {
    switch (c.phase) {
      case 'invalid':
      case 'neverPull':
        wakeAt(now + s.permanentErrorRecheckMs, true);
        return;
      case 'config': {
        // CreateContainerConfigError: retried on the kubelet's back-off, or at once when
        // the missing ConfigMap/Secret changes (its change requeues the pod).
        const error = (await containerEnv(api, pod, spec)).error;
        if (error !== undefined && error === c.message && c.until! > now) return wakeAt(c.until!, true);
        c.configError = c.message; // the kubelet's reason cache: shown until the next attempt
        c.phase = 'new';
        c.until = now;
        continue;
      }
      case 'new': {
        if ((c.until ?? 0) > now) return wakeAt(c.until!, false);
        const img = parseImage(spec.image ?? '');
        if (!img) {
          const msg = `Failed to apply default image tag "${spec.image}": couldn't parse image reference "${spec.image}": invalid reference format`;
          c.phase = 'invalid';
          c.message = msg;
          await event('Warning', 'InspectFailed', msg, c);
          await event('Warning', 'Failed', 'Error: InvalidImageName', c);
          return;
        }
        const pullPolicy = spec.imagePullPolicy ?? 'IfNotPresent';
        const present = await imagePresent(api, e.nodeName, img.full);
        if (pullPolicy === 'Never' && !present) {
          c.phase = 'neverPull';
          c.message = `Container image "${spec.image}" is not present with pull policy of Never`;
          await event('Warning', 'ErrImageNeverPull', c.message, c);
          return;
        }
        if (pullPolicy !== 'Always' && present) {
          await event('Normal', 'Pulled', `Container image "${spec.image}" already present on machine`, c);
          const out = pullOutcome(spec.image, ctx.profile, 'pull');
          if (out.ok) c.imageID ??= out.imageID;
          c.phase = 'creating';
          c.until = now + s.containerStartMs - s.createToStartMs;
          continue;
        }
        await event('Normal', 'Pulling', `Pulling image "${spec.image}"`, c);
        const out = pullOutcome(spec.image, ctx.profile, await policy());
        c.phase = 'pulling';
        c.until = now + (out.ok ? out.durationMs : s.imagePullMs);
        continue;
      }
      case 'pulling': {
        if (c.until! > now) return wakeAt(c.until!, false);
        const out = pullOutcome(spec.image, ctx.profile, await policy());
        if (out.ok) {
          const d = goDuration(out.durationMs);
          await event('Normal', 'Pulled', `Successfully pulled image "${spec.image}" in ${d} (${d} including waiting). Image size: ${out.sizeBytes} bytes.`, c);
          await markImagePresent(api, e.nodeName, parseImage(spec.image)!.full);
          c.imageID = out.imageID;
          c.pullBackoffMs = 0;
          c.phase = 'creating';
          c.until = c.until! + s.containerStartMs - s.createToStartMs;
          continue;
        }
        await event('Warning', 'Failed', `Failed to pull image "${spec.image}": ${out.error}`, c);
        await event('Warning', 'Failed', 'Error: ErrImagePull', c);
        c.pullBackoffMs = c.pullBackoffMs ? Math.min(c.pullBackoffMs * 2, s.backoffMaxMs) : s.backoffInitialMs;
        c.message = out.error;
        c.phase = 'pullFailed';
        c.until = c.until! + Math.min(s.errImagePullShownMs, c.pullBackoffMs);
        continue;
      }
      case 'pullFailed':
        if (c.until! > now) return wakeAt(c.until!, false);
        c.phase = 'pullBackoff';
        c.message = `Back-off pulling image "${spec.image}"`;
        await event('Normal', 'BackOff', c.message, c);
        await event('Warning', 'Failed', 'Error: ImagePullBackOff', c);
        c.until = c.until! - Math.min(s.errImagePullShownMs, c.pullBackoffMs) + c.pullBackoffMs;
        continue;
      case 'pullBackoff':
        if (c.until! > now) return wakeAt(c.until!, false);
        await event('Normal', 'Pulling', `Pulling image "${spec.image}"`, c);
        c.phase = 'pulling';
        c.until = c.until! + s.imagePullMs;
        continue;
      case 'creating': {
        if (c.until! > now) return wakeAt(c.until!, false);
        // The image is there; the container's config (env from ConfigMaps/Secrets) comes next.
        const envr = await containerEnv(api, pod, spec);
        if (envr.error !== undefined) {
          await event('Warning', 'Failed', `Error: ${envr.error}`, c);
          c.phase = 'config';
          c.message = envr.error;
          c.until = now + s.configRetryMs;
          return wakeAt(c.until, true);
        }
        delete c.message;
        delete c.configError;
        c.containerID = containerID(rt.uid, c.name, c.restartCount);
        await event('Normal', 'Created', `Created container: ${c.name}`, c);
        c.phase = 'starting';
        c.until = c.until! + s.createToStartMs;
        continue;
      }
      case 'starting': {
        if (c.until! > now) return wakeAt(c.until!, false);
        c.startedAt = c.until!;
        c.logged = 0;
        c.probeEvents = 0;
        delete c.ended;
        delete c.message;
        delete c.restartReason;
        await event('Normal', 'Started', `Started container ${c.name}`, c);
        c.phase = 'running';
        continue;
      }
      case 'running':
        if (await stepRunning(e, c, spec)) continue;
        return;
      case 'exited':
        if (c.until! > now) return wakeAt(c.until!, false);
        await afterExit(e, c);
        continue;
      case 'crashBackoff':
        if (c.until! > now) return wakeAt(c.until!, false);
        restartContainer(c, c.until!);
        continue;
      case 'terminated':
        return;
    }
  }
}

/** A running container up to now: its logs, probe events, readiness, and its end. True when it ended and restarts. */
async function stepRunning(e: StepEnv, c: CState, spec: any): Promise<boolean> {
  const { ctx, pod, rt, now, stages: s, event, wakeAt } = e;
  const api = ctx.api;
  let env: Record<string, string>;
  let files: Record<string, string>;
  if (containerScript(spec.command, spec.args) !== undefined || [spec.livenessProbe, spec.readinessProbe, spec.startupProbe].some((p) => p?.exec)) {
    // a script or an exec probe sees what `kubectl exec` sees (HOME, service links, /etc/hostname...), as of the start
    const view = await containerView(api, { ...pod, status: { ...pod.status, podIP: rt.ip } }, spec, { startedMs: c.startedAt, copied: false });
    env = Object.fromEntries(view.env);
    files = view.files;
  } else {
    // a server image: only its required variables matter (cheaper, run at every probe)
    env = (await containerEnv(api, pod, spec)).env ?? {};
    files = {};
  }
  const script = containerScript(spec.command, spec.args);
  // wget/nc in the script reach the cluster's services, as from `kubectl exec`
  const net = script !== undefined && /\b(wget|nc)\b/.test(script) ? await liveNet(api, { ...pod, status: { ...pod.status, podIP: rt.ip } }, now) : undefined;
  const plan = planRun(pod, spec, c, ctx, env, files, now, rt.ip, s.lookaheadMs, net);
  const endAt = plan.exitAt !== undefined && plan.exitAt <= now ? plan.exitAt : undefined;
  const cutoff = endAt ?? now;
  const lines = (plan.run?.lines ?? []).filter((l) => l.atMs <= cutoff);
  if (lines.length > c.logged) {
    logStoreFor(api.sim).append(pod.metadata.namespace ?? 'default', pod.metadata.name!, c.name, c.restartCount, lines.slice(c.logged));
    c.logged = lines.length;
  }
  const fails = plan.failures.filter((f) => f.at <= cutoff);
  for (const f of fails.slice(c.probeEvents)) await event('Warning', 'Unhealthy', f.message, c);
  c.probeEvents = Math.max(c.probeEvents, fails.length);
  // An init container is not ready while it runs; it becomes ready when it completes.
  c.ready = !(c.init && spec.restartPolicy !== 'Always') && plan.readyAt !== undefined && plan.readyAt <= now && endAt === undefined;
  c.started = spec.startupProbe ? plan.startupDoneAt !== undefined && plan.startupDoneAt <= now : true;
  if (endAt === undefined) {
    if (plan.nextWake) wakeAt(plan.nextWake.at, plan.nextWake.periodic, plan.nextWake.endsAt);
    return false;
  }
  if (plan.killedBy) await event('Normal', 'Killing', `Container ${c.name} failed ${plan.killedBy} probe, will be restarted`, c);
  c.ended = { exitCode: plan.exitCode, reason: plan.reason, startedAt: c.startedAt!, finishedAt: endAt, containerID: c.containerID! };
  c.ready = false;
  const policy = restartPolicyFor(pod, c, spec);
  const restart = policy === 'Always' || (policy === 'OnFailure' && plan.exitCode !== 0);
  if (!restart) {
    c.phase = 'terminated';
    return false;
  }
  // The exit shows (Error/Completed) until the kubelet's next sync acts on it.
  if (endAt - c.startedAt! > s.backoffResetAfterMs) c.crashBackoffMs = 0;
  c.previous = c.last;
  c.last = c.ended;
  c.phase = 'exited';
  c.until = endAt + RELIST_MS;
  return true;
}

/** The cluster's answers to the container's requests, as of `now` (one look at Services, Endpoints and Pods). */
async function liveNet(api: StepEnv['ctx']['api'], from: KObject, now: number): Promise<LiveNet> {
  const { answerFrom, clusterView } = await import('../shell/net');
  const view = await clusterView(api);
  return { nowMs: now, answer: (req) => answerFrom(view, from, req, now) };
}

/** After an exit: the first restart at once, later ones after a back-off of 10 s doubling to 5 min. */
async function afterExit(e: StepEnv, c: CState): Promise<void> {
  const { pod, stages: s, event } = e;
  if (c.crashBackoffMs === 0) {
    c.crashBackoffMs = s.backoffInitialMs;
    restartContainer(c, c.until!);
    return;
  }
  c.phase = 'crashBackoff';
  c.until = c.last!.finishedAt + c.crashBackoffMs;
  c.message = `back-off ${goDuration(c.crashBackoffMs)} restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
  c.crashBackoffMs = Math.min(c.crashBackoffMs * 2, s.backoffMaxMs);
  await event('Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`, c);
}

/** The kubelet's PLEG relists containers every second: an exit is acted on that much later. */
const RELIST_MS = 1000;
