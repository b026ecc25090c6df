// The simulated kubelet's pod worker: one reconcile of one pod bound to this node. The
// runtime state of its containers (phase of each, restart counts, back-offs) lives in a
// meta document per pod, so any process (CLI, daemon) can continue it. Each container is
// a small state machine whose transitions happen at computed cluster times; a reconcile
// applies every transition due by now, writes status only when it changed, and returns
// when to look again.

import type { KObject } from '../api/types';
import type { ApiServer } from '../api/server';
import { ApiError } from '../api/errors';
import { goDuration } from '../printers/duration';
import { parseDuration } from '../cli/flags/duration';
import { fnv32a } from '../sim/rng';
import type { ControllerContext, Result } from '../controllers/types';
import { containerScript, runScript, type ShellRun } from './shell';
import { containerEnv, missingVolume, mountedFiles } from './env';
import { parseImage, pullOutcome } from './images';
import { logStoreFor } from './logs';
import { isNodeStopped } from './node-power';

type Phase = 'new' | 'config' | 'pulling' | 'pullFailed' | 'pullBackoff' | 'creating' | 'running' | 'crashBackoff' | 'terminated' | 'invalid' | 'neverPull';

interface LastRun {
  exitCode: number;
  reason: string;
  startedAt: number;
  finishedAt: number;
  containerID: string;
}

interface CState {
  name: string;
  init: boolean;
  phase: Phase;
  /** When the current phase ends (pull done, back-off over, container started). */
  until?: number;
  restartCount: number;
  containerID?: string;
  imageID?: string;
  startedAt?: number;
  /** Log lines of the current run already written. */
  logged: number;
  /** Probe failures already reported as events. */
  probeEvents: number;
  last?: LastRun;
  /** The current run's end, once reached (phase terminated / crashBackoff). */
  ended?: LastRun;
  crashBackoffMs: number;
  pullBackoffMs: number;
  message?: string;
  /** The back-off message of the crash being recovered from, until the container starts again. */
  restartReason?: string;
}

export interface PodRuntime {
  uid: string;
  ip: string;
  startTime: number;
  containers: CState[];
  mountError?: string;
  mountEventAt?: number;
  killingAt?: number;
}

const MAX_BACKOFF_MS = 300_000;
const LOOKAHEAD_MS = 3_600_000;
const FAILED_MOUNT_RETRY_MS = 120_000;
const CONFIG_RETRY_MS = 10_000;
const DEFAULT_SHELL_IMAGES = /^(docker\.io\/library\/)?(busybox|alpine|ubuntu|debian|centos|fedora)(:|@|$)/;


export async function loadRuntime(api: ApiServer, uid: string): Promise<PodRuntime | undefined> {
  return api.sim.podRuntime<PodRuntime>(uid);
}

function rfc(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}


/**
 * Pod IP from the node's podCIDR: 10.244.N.(2 + hash), the next free one on a collision.
 * Allocations are recorded per node (IP → pod uid), as host-local IPAM keeps them on disk;
 * an IP whose pod has no runtime any more is free again. No pod is listed.
 */
async function allocatePodIP(api: ApiServer, node: KObject, uid: string): Promise<string> {
  const cidr: string = node.spec?.podCIDR ?? '10.244.0.0/24';
  const base = cidr.split('/')[0].split('.').slice(0, 3).join('.');
  const name = node.metadata.name!;
  const owners = await api.sim.podIPs(name);
  const first = 2 + (fnv32a(uid) % 250);
  let n = first;
  for (let i = 0; i < 253; i++) {
    const ip = `${base}.${n}`;
    const owner = owners[ip];
    if (!owner || owner === uid || !await loadRuntime(api, owner)) {
      owners[ip] = uid;
      await api.sim.setPodIPs(name, owners);
      return ip;
    }
    n = n >= 254 ? 2 : n + 1;
  }
  return `${base}.${first}`; // every address in use: the node is over its pod capacity anyway
}

function containerID(uid: string, name: string, restart: number): string {
  let hex = '';
  for (let i = 0; hex.length < 64; i++) hex += fnv32a(`${uid}/${name}/${restart}/${i}`).toString(16).padStart(8, '0');
  return `containerd://${hex.slice(0, 64)}`;
}

function fieldPath(c: CState): string {
  return `${c.init ? 'spec.initContainers' : 'spec.containers'}{${c.name}}`;
}

function annotation(pod: KObject, key: string): string | undefined {
  return pod.metadata.annotations?.[`kubesim.io/${key}`];
}

function durationMs(s: string | undefined): number | undefined {
  if (!s) return undefined;
  try {
    return parseDuration(s);
  } catch {
    return undefined;
  }
}

interface Probe {
  kind: 'liveness' | 'readiness' | 'startup';
  spec: any;
}

/** The planned course of a running container from its start: output, exit, probe results. */
interface RunPlan {
  run?: ShellRun;
  exitAt?: number;
  exitCode: number;
  reason: string;
  /** Probe that kills the container (liveness/startup failure threshold), with its message. */
  killedBy?: 'liveness' | 'startup';
  /** Probe failures before the horizon: time and event message. */
  failures: Array<{ at: number; kind: string; message: string }>;
  /** When the container became ready (readiness passes), if it did. */
  readyAt?: number;
  startupDoneAt?: number;
  nextWake?: { at: number; periodic: boolean };
}

function probeFailureText(p: any, ip: string, fileMissing?: string): string {
  if (p.httpGet) return 'HTTP probe failed with statuscode: 500';
  if (p.tcpSocket) return `dial tcp ${ip}:${p.tcpSocket.port}: connect: connection refused`;
  if (p.grpc) return `timeout: failed to connect service "${ip}:${p.grpc.port}" within 1s`;
  if (fileMissing) return `cat: can't open '${fileMissing}': No such file or directory`;
  return 'command terminated with non-zero exit code';
}

/** The file an exec probe checks (`cat F`, `test -e F`, `ls F`), if it is that simple. */
function probedFile(p: any): string | undefined {
  const cmd: string[] = p.exec?.command ?? [];
  const argv = cmd[0] && /(^|\/)(ba)?sh$/.test(cmd[0]) && cmd[1] === '-c' ? (cmd[2] ?? '').trim().split(/\s+/) : cmd;
  if ((argv[0] === 'cat' || argv[0] === 'ls') && argv.length === 2) return argv[1];
  if (argv[0] === 'test' && argv[1] === '-e' && argv.length === 3) return argv[2];
  return undefined;
}

function fileExistsAt(run: ShellRun | undefined, files: Record<string, string>, f: string, at: number): boolean {
  let exists = f in files;
  for (const e of run?.fileEvents ?? []) {
    if (e.atMs > at) break;
    if (e.path === f) exists = e.exists;
  }
  return exists;
}

function planRun(pod: KObject, spec: any, c: CState, ctx: ControllerContext, env: Record<string, string>, files: Record<string, string>, now: number, ip: string): RunPlan {
  const start = c.startedAt!;
  const horizon = now + LOOKAHEAD_MS;
  const plan: RunPlan = { exitCode: 0, reason: 'Completed', failures: [] };
  const script = containerScript(spec.command, spec.args);
  const exitCodeAnn = annotation(pod, 'exit-code');
  const exitAfter = durationMs(annotation(pod, 'exit-after'));
  const image = parseImage(spec.image ?? '');
  if (script !== undefined) {
    plan.run = runScript(script, { env, hostname: pod.metadata.name!, files, startMs: start }, horizon);
    if (plan.run.exit) {
      plan.exitAt = plan.run.exit.atMs;
      plan.exitCode = plan.run.exit.code;
    }
  } else if (!spec.command?.length && !spec.args?.length && image && DEFAULT_SHELL_IMAGES.test(image.full) && exitCodeAnn === undefined && exitAfter === undefined) {
    plan.exitAt = start; // a shell image's default `sh` exits at once without a terminal
  } else if ((pod.metadata.ownerReferences ?? []).some((o: any) => o.kind === 'Job') && exitCodeAnn === undefined && exitAfter === undefined) {
    plan.exitAt = start + ctx.profile.timings.jobDurationMs;
  }
  const logsAnn = annotation(pod, 'logs');
  if (logsAnn !== undefined && !plan.run) plan.run = { lines: logsAnn.split('\n').map((text) => ({ atMs: start, text })), fileEvents: [], truncated: false };
  if (exitCodeAnn !== undefined || exitAfter !== undefined) {
    const at = start + (exitAfter ?? 0);
    if (plan.exitAt === undefined || at < plan.exitAt) {
      plan.exitAt = at;
      plan.exitCode = Number(exitCodeAnn ?? 0) || 0;
    }
  }
  if (plan.exitAt !== undefined) plan.reason = plan.exitCode === 0 ? 'Completed' : 'Error';
  const oom = durationMs(annotation(pod, 'oom-after'));
  if (oom !== undefined && (plan.exitAt === undefined || start + oom < plan.exitAt)) {
    plan.exitAt = start + oom;
    plan.exitCode = 137;
    plan.reason = 'OOMKilled';
  }

  // Probes, on their schedule from the container start.
  const failMode = (annotation(pod, 'probe-fail') ?? '').split(',').map((s) => s.trim());
  const probeFails = (kind: string, p: any, at: number): string | undefined => {
    if (failMode.includes(kind)) return probeFailureText(p, ip);
    const f = p.exec ? probedFile(p) : undefined;
    if (f && !fileExistsAt(plan.run, files, f, at)) return probeFailureText(p, ip, f);
    return undefined;
  };
  const limit = Math.min(plan.exitAt ?? horizon, horizon);
  const times = (p: any, from: number) => {
    const out: number[] = [];
    const period = (p.periodSeconds ?? 10) * 1000;
    for (let t = from + (p.initialDelaySeconds ?? 0) * 1000; t <= limit && out.length < 2000; t += period) out.push(t);
    return out;
  };
  const label: Record<string, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };
  let afterStartup = start;
  if (spec.startupProbe) {
    let fails = 0;
    plan.startupDoneAt = undefined;
    for (const t of times(spec.startupProbe, start)) {
      const msg = probeFails('startup', spec.startupProbe, t);
      if (!msg) {
        plan.startupDoneAt = t;
        break;
      }
      plan.failures.push({ at: t, kind: 'startup', message: `${label.startup} probe failed: ${msg}` });
      if (++fails >= (spec.startupProbe.failureThreshold ?? 3)) {
        if (plan.exitAt === undefined || t < plan.exitAt) {
          plan.exitAt = t;
          plan.exitCode = 137;
          plan.reason = 'Error';
          plan.killedBy = 'startup';
        }
        break;
      }
    }
    afterStartup = plan.startupDoneAt ?? Infinity;
  }
  if (spec.livenessProbe && afterStartup !== Infinity) {
    let fails = 0;
    for (const t of times(spec.livenessProbe, afterStartup)) {
      if (plan.exitAt !== undefined && t >= plan.exitAt) break;
      const msg = probeFails('liveness', spec.livenessProbe, t);
      if (!msg) {
        fails = 0;
        continue;
      }
      plan.failures.push({ at: t, kind: 'liveness', message: `${label.liveness} probe failed: ${msg}` });
      if (++fails >= (spec.livenessProbe.failureThreshold ?? 3)) {
        plan.exitAt = t;
        plan.exitCode = 137;
        plan.reason = 'Error';
        plan.killedBy = 'liveness';
        break;
      }
    }
  }
  if (afterStartup !== Infinity) {
    if (!spec.readinessProbe) plan.readyAt = afterStartup;
    else {
      for (const t of times(spec.readinessProbe, afterStartup)) {
        if (plan.exitAt !== undefined && t >= plan.exitAt) break;
        const msg = probeFails('readiness', spec.readinessProbe, t);
        if (!msg) {
          plan.readyAt ??= t;
          continue;
        }
        if (plan.readyAt !== undefined) {
          plan.failures.push({ at: t, kind: 'readiness', message: `${label.readiness} probe failed: ${msg}` });
          // readiness flapping is not modelled beyond the first failure after ready: not ready from then on
          if (t <= now) plan.readyAt = undefined;
          break;
        }
        plan.failures.push({ at: t, kind: 'readiness', message: `${label.readiness} probe failed: ${msg}` });
      }
    }
  }
  plan.failures.sort((a, b) => a.at - b.at);

  // Next time something happens after now.
  const wakes: Array<{ at: number; periodic: boolean }> = [];
  if (plan.exitAt !== undefined && plan.exitAt > now) wakes.push({ at: plan.exitAt, periodic: false });
  const nextLine = plan.run?.lines.find((l) => l.atMs > now);
  if (nextLine) wakes.push({ at: nextLine.atMs, periodic: true });
  const nextFail = plan.failures.find((f) => f.at > now);
  if (nextFail) wakes.push({ at: nextFail.at, periodic: nextFail.kind === 'readiness' });
  if (plan.readyAt !== undefined && plan.readyAt > now) wakes.push({ at: plan.readyAt, periodic: false });
  wakes.sort((a, b) => a.at - b.at);
  // The key waits for progress if any of its wakes does, even when a periodic one comes first.
  if (wakes.length) plan.nextWake = { at: wakes[0].at, periodic: wakes.every((w) => w.periodic) };
  return plan;
}

// ---------- the reconcile ----------

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
  const host = nodeName;
  const event = (type: 'Normal' | 'Warning', reason: string, message: string, c?: CState) =>
    api.recordEvent(pod, type, reason, message, { component: 'kubelet', host }, c ? fieldPath(c) : undefined);

  let rt = await loadRuntime(api, uid);
  const before = JSON.stringify(rt ?? null);
  const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

  if (pod.metadata.deletionTimestamp) return terminate(ctx, pod, rt, event, now);
  if (terminal && rt && rt.containers.every((c) => c.phase === 'terminated')) return;

  if (!rt) {
    rt = {
      uid,
      ip: await allocatePodIP(api, node, uid),
      startTime: now,
      containers: [
        ...(pod.spec?.initContainers ?? []).map((c: any) => newCState(c.name, true)),
        ...(pod.spec?.containers ?? []).map((c: any) => newCState(c.name, false)),
      ],
    };
  }

  // Volumes first: without them no container is created.
  const mountError = await missingVolume(api, pod);
  let wake: { at: number; periodic: boolean } | undefined;
  const wakeAt = (at: number, periodic: boolean) => {
    if (!wake) wake = { at, periodic };
    else wake = { at: Math.min(wake.at, at), periodic: wake.periodic && periodic };
  };
  if (mountError) {
    if (rt.mountError !== mountError || now - (rt.mountEventAt ?? 0) >= FAILED_MOUNT_RETRY_MS) {
      await event('Warning', 'FailedMount', mountError);
      rt.mountEventAt = now;
    }
    rt.mountError = mountError;
    wakeAt((rt.mountEventAt ?? now) + FAILED_MOUNT_RETRY_MS, true);
  } else {
    delete rt.mountError;
    const specs = new Map<string, any>([
      ...(pod.spec?.initContainers ?? []).map((c: any) => [`i/${c.name}`, c] as [string, any]),
      ...(pod.spec?.containers ?? []).map((c: any) => [`c/${c.name}`, c] as [string, any]),
    ]);
    const inits = rt.containers.filter((c) => c.init);
    let initDone = true;
    for (const c of inits) {
      const spec = specs.get(`i/${c.name}`);
      if (!spec) continue;
      if (c.phase === 'terminated' && c.ended?.exitCode === 0) continue;
      await stepContainer(ctx, pod, node, rt, c, spec, now, event, wakeAt);
      if (!(c.phase === 'terminated' && c.ended?.exitCode === 0)) {
        initDone = false;
        break;
      }
    }
    if (initDone) {
      for (const c of rt.containers.filter((x) => !x.init)) {
        const spec = specs.get(`c/${c.name}`);
        if (spec) await stepContainer(ctx, pod, node, rt, c, spec, now, event, wakeAt);
      }
    }
  }

  if (JSON.stringify(rt) !== before) await api.sim.setPodRuntime(uid, rt);
  await writeStatus(api, pod, rt, now, ctx);
  if (wake) return { requeueAfterMs: Math.max(1, wake.at - now), periodic: wake.periodic };
}

function newCState(name: string, init: boolean): CState {
  return { name, init, phase: 'new', restartCount: 0, logged: 0, probeEvents: 0, crashBackoffMs: 0, pullBackoffMs: 0 };
}

async function imagePresent(api: ApiServer, node: string, image: string): Promise<boolean> {
  return (await api.sim.images(node)).includes(image);
}

async function markImagePresent(api: ApiServer, node: string, image: string): Promise<void> {
  const list = await api.sim.images(node);
  if (!list.includes(image)) await api.sim.setImages(node, [...list, image]);
}

type EventFn = (type: 'Normal' | 'Warning', reason: string, message: string, c?: CState) => Promise<void>;

function restartPolicyFor(pod: KObject, c: CState, spec: any): string {
  if (c.init) {
    if (spec.restartPolicy === 'Always') return 'Always';
    return pod.spec?.restartPolicy === 'Never' ? 'Never' : 'OnFailure';
  }
  return pod.spec?.restartPolicy ?? 'Always';
}

/** Applies every transition of one container due by `now`. */
async function stepContainer(ctx: ControllerContext, pod: KObject, node: KObject, rt: PodRuntime, c: CState, spec: any, now: number, event: EventFn, wakeAt: (at: number, periodic: boolean) => void): Promise<void> {
  const api = ctx.api;
  const nodeName = node.metadata.name!;
  const t = ctx.profile.timings;
  for (let guard = 0; guard < 50; guard++) {
    switch (c.phase) {
      case 'invalid':
      case 'neverPull':
        wakeAt(now + CONFIG_RETRY_MS * 30, true);
        return;
      case 'new':
      case 'config': {
        const img = parseImage(spec.image ?? '');
        if (!img) {
          const msg = `Failed to apply default image tag "${spec.image}": couldn't parse image reference "${spec.image}": invalid reference format`;
          c.phase = 'invalid';
          c.message = msg;
          await event('Warning', 'InspectFailed', msg, c);
          await event('Warning', 'Failed', 'Error: InvalidImageName', c);
          return;
        }
        const envr = await containerEnv(api, pod, spec);
        if (envr.error !== undefined) {
          if (c.phase !== 'config' || c.message !== envr.error || (c.until ?? 0) <= now) {
            await event('Warning', 'Failed', `Error: ${envr.error}`, c);
            c.until = now + CONFIG_RETRY_MS;
          }
          c.phase = 'config';
          c.message = envr.error;
          wakeAt(c.until!, true);
          return;
        }
        delete c.message;
        const policy = spec.imagePullPolicy ?? 'IfNotPresent';
        const present = await imagePresent(api, nodeName, img.full);
        if (policy === 'Never' && !present) {
          c.phase = 'neverPull';
          c.message = `Container image "${spec.image}" is not present with pull policy of Never`;
          await event('Warning', 'ErrImageNeverPull', c.message, c);
          return;
        }
        if (policy !== 'Always' && present) {
          await event('Normal', 'Pulled', `Container image "${spec.image}" already present on machine`, c);
          c.imageID ??= (pullOutcome(spec.image, ctx.profile) as { imageID?: string }).imageID;
          c.phase = 'creating';
          c.until = now + t.containerStartMs;
          continue;
        }
        await event('Normal', 'Pulling', `Pulling image "${spec.image}"`, c);
        c.phase = 'pulling';
        c.until = now + t.imagePullMs;
        continue;
      }
      case 'pulling': {
        if (c.until! > now) return wakeAt(c.until!, false);
        const out = pullOutcome(spec.image, ctx.profile);
        if (out.ok) {
          const d = goDuration(t.imagePullMs);
          await event('Normal', 'Pulled', `Successfully pulled image "${spec.image}" in ${d} (${d} including waiting). Image size: ${out.sizeBytes} bytes.`, c);
          await markImagePresent(api, nodeName, parseImage(spec.image)!.full);
          c.imageID = out.imageID;
          c.pullBackoffMs = 0;
          c.phase = 'creating';
          c.until = c.until! + t.containerStartMs;
          continue;
        }
        await event('Warning', 'Failed', `Failed to pull image "${spec.image}": ${out.error}`, c);
        await event('Warning', 'Failed', 'Error: ErrImagePull', c);
        c.pullBackoffMs = c.pullBackoffMs ? Math.min(c.pullBackoffMs * 2, MAX_BACKOFF_MS) : 10_000;
        c.message = out.error;
        c.phase = 'pullFailed';
        c.until = c.until! + Math.min(5_000, c.pullBackoffMs);
        continue;
      }
      case 'pullFailed':
        if (c.until! > now) return wakeAt(c.until!, false);
        c.phase = 'pullBackoff';
        c.message = `Back-off pulling image "${spec.image}"`;
        await event('Normal', 'BackOff', c.message, c);
        await event('Warning', 'Failed', 'Error: ImagePullBackOff', c);
        c.until = c.until! - Math.min(5_000, c.pullBackoffMs) + c.pullBackoffMs;
        continue;
      case 'pullBackoff':
        if (c.until! > now) return wakeAt(c.until!, false);
        await event('Normal', 'Pulling', `Pulling image "${spec.image}"`, c);
        c.phase = 'pulling';
        c.until = c.until! + t.imagePullMs;
        continue;
      case 'creating': {
        if (c.until! > now) return wakeAt(c.until!, false);
        c.containerID = containerID(rt.uid, c.name, c.restartCount);
        c.startedAt = c.until!;
        c.logged = 0;
        c.probeEvents = 0;
        delete c.ended;
        delete c.message;
        delete c.restartReason;
        await event('Normal', 'Created', `Created container: ${c.name}`, c);
        await event('Normal', 'Started', `Started container ${c.name}`, c);
        c.phase = 'running';
        continue;
      }
      case 'running': {
        const envr = await containerEnv(api, pod, spec);
        const plan = planRun(pod, spec, c, ctx, envr.env ?? {}, await mountedFiles(api, pod, spec), now, rt.ip);
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
        (c as any).ready = plan.readyAt !== undefined && plan.readyAt <= now && endAt === undefined;
        (c as any).started = spec.startupProbe ? plan.startupDoneAt !== undefined && plan.startupDoneAt <= now : true;
        if (endAt === undefined) {
          if (plan.nextWake) wakeAt(plan.nextWake.at, plan.nextWake.periodic);
          return;
        }
        if (plan.killedBy) await event('Normal', 'Killing', `Container ${c.name} failed ${plan.killedBy} probe, will be restarted`, c);
        c.ended = { exitCode: plan.exitCode, reason: plan.reason, startedAt: c.startedAt!, finishedAt: endAt, containerID: c.containerID! };
        (c as any).ready = false;
        const policy = restartPolicyFor(pod, c, spec);
        const restart = policy === 'Always' || (policy === 'OnFailure' && plan.exitCode !== 0);
        if (!restart) {
          c.phase = 'terminated';
          return;
        }
        // Back-off: first restart at once, then 10 s doubling to 5 min; reset after 10 min of running.
        if (endAt - c.startedAt! > 2 * MAX_BACKOFF_MS) c.crashBackoffMs = 0;
        c.last = c.ended;
        if (c.crashBackoffMs === 0) {
          c.crashBackoffMs = 10_000;
          restartContainer(c, endAt);
          continue;
        }
        c.phase = 'crashBackoff';
        c.until = endAt + c.crashBackoffMs;
        c.message = `back-off ${goDuration(c.crashBackoffMs)} restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
        c.crashBackoffMs = Math.min(c.crashBackoffMs * 2, MAX_BACKOFF_MS);
        await event('Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`, c);
        continue;
      }
      case 'crashBackoff':
        if (c.until! > now) return wakeAt(c.until!, false);
        restartContainer(c, c.until!);
        continue;
      case 'terminated':
        return;
    }
  }
}

function restartContainer(c: CState, at: number): void {
  c.restartCount++;
  c.phase = 'new';
  c.until = at;
  if (c.message?.startsWith('back-off ')) c.restartReason = c.message;
  delete c.message;
}

// ---------- status ----------

function containerStatus(c: CState, spec: any, now: number): any {
  const st: any = {
    containerID: c.containerID,
    image: spec.image,
    imageID: c.imageID ?? '',
    lastState: {},
    name: c.name,
    ready: false,
    restartCount: c.restartCount,
    started: false,
    state: {},
  };
  if (!c.containerID) delete st.containerID;
  if (c.last && c.phase !== 'terminated') {
    st.lastState = { terminated: { containerID: c.last.containerID, exitCode: c.last.exitCode, finishedAt: rfc(c.last.finishedAt), reason: c.last.reason, startedAt: rfc(c.last.startedAt) } };
  }
  const waiting = (reason: string, message?: string) => (st.state = { waiting: message ? { message, reason } : { reason } });
  switch (c.phase) {
    case 'new':
    case 'pulling':
    case 'creating':
      // The kubelet keeps the last start failure (its reason cache) until the container
      // starts again: a restart after a crash still reads CrashLoopBackOff, not ContainerCreating.
      // Without a failure reason (the immediate first restart) it keeps the last run's state.
      // The new container does not exist until it is created: the restart is not counted yet.
      if (c.last && c.restartCount > 0) st.restartCount = c.restartCount - 1;
      if (c.restartReason) waiting('CrashLoopBackOff', c.restartReason);
      else if (c.last && c.restartCount > 0) {
        const l = c.last;
        st.state = { terminated: { containerID: l.containerID, exitCode: l.exitCode, finishedAt: rfc(l.finishedAt), reason: l.reason, startedAt: rfc(l.startedAt) } };
      } else waiting('ContainerCreating');
      break;
    case 'config':
      waiting('CreateContainerConfigError', c.message);
      break;
    case 'invalid':
      waiting('InvalidImageName', c.message);
      break;
    case 'neverPull':
      waiting('ErrImageNeverPull', c.message);
      break;
    case 'pullFailed':
      waiting('ErrImagePull', c.message);
      break;
    case 'pullBackoff':
      waiting('ImagePullBackOff', c.message);
      break;
    case 'crashBackoff':
      waiting('CrashLoopBackOff', c.message);
      break;
    case 'running':
      st.state = { running: { startedAt: rfc(c.startedAt!) } };
      st.ready = !!(c as any).ready;
      st.started = (c as any).started !== false;
      break;
    case 'terminated': {
      const e = c.ended!;
      st.state = { terminated: { containerID: e.containerID, exitCode: e.exitCode, finishedAt: rfc(e.finishedAt), reason: e.reason, startedAt: rfc(e.startedAt) } };
      break;
    }
  }
  // a restarting container still shows its previous run in lastState while being re-created
  if (c.phase !== 'crashBackoff' && c.phase !== 'running' && c.phase !== 'terminated' && !c.last) st.lastState = {};
  void now;
  return st;
}

async function writeStatus(api: ApiServer, pod: KObject, rt: PodRuntime, now: number, ctx: ControllerContext): Promise<void> {
  const specs = new Map<string, any>([
    ...(pod.spec?.initContainers ?? []).map((c: any) => [`i/${c.name}`, c] as [string, any]),
    ...(pod.spec?.containers ?? []).map((c: any) => [`c/${c.name}`, c] as [string, any]),
  ]);
  const inits = rt.containers.filter((c) => c.init);
  const mains = rt.containers.filter((c) => !c.init);
  const initStatuses = inits.map((c) => {
    const st = containerStatus(c, specs.get(`i/${c.name}`) ?? {}, now);
    return st;
  });
  const initDone = inits.every((c) => c.phase === 'terminated' && c.ended?.exitCode === 0);
  const failedInit = inits.find((c) => c.phase === 'terminated' && c.ended && c.ended.exitCode !== 0);
  const mainStatuses = mains.map((c) => {
    const st = containerStatus(c, specs.get(`c/${c.name}`) ?? {}, now);
    if (!initDone && c.phase === 'new') st.state = { waiting: { reason: 'PodInitializing' } };
    return st;
  });

  // phase
  let phase = 'Pending';
  const allStarted = mains.every((c) => c.startedAt !== undefined);
  if (failedInit) phase = 'Failed';
  else if (initDone && allStarted && mains.length) {
    const finished = mains.every((c) => c.phase === 'terminated');
    if (finished) phase = mains.every((c) => c.ended?.exitCode === 0) ? 'Succeeded' : 'Failed';
    else phase = 'Running';
  }
  const done = phase === 'Succeeded' || phase === 'Failed';

  const prev: any[] = pod.status?.conditions ?? [];
  const ts = api.timestamp();
  const cond = (type: string, status: string, reason?: string, message?: string): any => {
    const old = prev.find((c) => c.type === type);
    const c: any = { lastProbeTime: null, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : ts, status, type };
    if (reason) c.reason = reason;
    if (message) c.message = message;
    return c;
  };
  const unready = mains.filter((c, i) => !mainStatuses[i].ready).map((c) => c.name);
  const incomplete = inits.filter((c) => !(c.phase === 'terminated' && c.ended?.exitCode === 0)).map((c) => c.name);
  const sandbox = !rt.mountError && !done;
  const conditions = [
    cond('PodReadyToStartContainers', sandbox ? 'True' : 'False'),
    done ? cond('Initialized', 'True', 'PodCompleted') : initDone ? cond('Initialized', 'True') : cond('Initialized', 'False', 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
    done ? cond('Ready', 'False', 'PodCompleted') : unready.length ? cond('Ready', 'False', 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`) : cond('Ready', 'True'),
    done ? cond('ContainersReady', 'False', 'PodCompleted') : unready.length ? cond('ContainersReady', 'False', 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`) : cond('ContainersReady', 'True'),
    prev.find((c) => c.type === 'PodScheduled') ?? cond('PodScheduled', 'True'),
  ];
  // Keep conditions owned by others (readiness gates, DisruptionTarget).
  for (const c of prev) if (!conditions.some((x) => x.type === c.type)) conditions.push(c);
  // The node controller may have marked the pod not ready; a heartbeating kubelet re-evaluates.

  const node = pod.spec.nodeName;
  const nodeObj = await api.tryGet(api.registry.forKind('v1', 'Node'), undefined, node);
  const hostIP = (nodeObj?.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address ?? '';
  const status: any = {
    ...pod.status,
    conditions,
    containerStatuses: mainStatuses,
    hostIP,
    hostIPs: [{ ip: hostIP }],
    phase,
    podIP: rt.ip,
    podIPs: [{ ip: rt.ip }],
    qosClass: pod.status?.qosClass,
    startTime: rfc(rt.startTime),
  };
  if (rt.mountError) {
    delete status.podIP;
    delete status.podIPs;
  }
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  if (JSON.stringify(status) === JSON.stringify(pod.status)) return;
  try {
    await api.mutate(api.registry.forKind('v1', 'Pod'), pod.metadata.namespace, pod.metadata.name!, (p) => {
      p.status = status;
      return p;
    }, { status: true });
  } catch (e) {
    if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
  }
  void ctx;
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
    await api.sim.setPodRuntime(pod.metadata.uid!, null);
  };
  if (!rt) return finish();
  const graceMs = (pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
  if (rt.killingAt === undefined) {
    rt.killingAt = now;
    for (const c of rt.containers) if (c.phase === 'running') await event('Normal', 'Killing', `Stopping container ${c.name}`, c);
    await api.sim.setPodRuntime(rt.uid, rt);
  }
  // A shell script as PID 1 ignores SIGTERM and is killed after the grace period; servers stop at once.
  const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let stopAt = rt.killingAt;
  for (const c of rt.containers) {
    if (c.phase !== 'running') continue;
    const spec = specs.find((s: any) => s.name === c.name) ?? {};
    const script = containerScript(spec.command, spec.args);
    stopAt = Math.max(stopAt, rt.killingAt + (script !== undefined ? graceMs : Math.min(graceMs, 500)));
  }
  if (stopAt > now) return { requeueAfterMs: stopAt - now };
  await finish();
}
