// The planned course of a running container from its start: its output, its exit, and its
// probes' results on their schedule. A shell script in `command` is interpreted
// (shell.ts); an image the catalog knows runs its entrypoint's behaviour (logs, required
// environment, ports); the kubesim.io/* annotations inject what neither can say.

import type { KObject } from '../api/types';
import type { ControllerContext } from '../controllers/types';
import { parseDuration } from '../cli/flags/duration';
import { findEntry, imageBehaviour, renderLogLine, requirementMet, versionFor, type PortSpec, type RunSpec } from '../sim/catalog';
import { containerScript, runScript, type LiveNet, type ShellRun } from '../shell/run';
import { parseImage } from './images';
import { injectedFailure, runProbe, type Listeners, type ProbeTarget } from './probes';
import type { CState } from './runtime-state';

/** A container's next wake (`endsAt`: see Result.endsAfterMs). */
export interface Wake {
  at: number;
  periodic: boolean;
  endsAt?: number;
}

export interface RunPlan {
  run?: ShellRun;
  exitAt?: number;
  exitCode: number;
  reason: string;
  /** Probe that kills the container (liveness/startup failure threshold). */
  killedBy?: 'liveness' | 'startup';
  /** Probe failures before the horizon: time and event message. */
  failures: Array<{ at: number; kind: string; message: string }>;
  /** When the container became ready (readiness passes), if it did. */
  readyAt?: number;
  startupDoneAt?: number;
  nextWake?: Wake;
}

export function podAnnotation(pod: KObject, key: string): string | undefined {
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

/** Ports a script's own server listens on (busybox httpd, nc -l, python -m http.server). */
function scriptPorts(script: string): PortSpec[] {
  const out: PortSpec[] = [];
  for (const m of script.matchAll(/\bhttpd\b[^;|&\n]*?-p\s*(?:[\d.]+:)?(\d+)/g)) out.push({ port: Number(m[1]) });
  for (const m of script.matchAll(/\bnc\b[^;|&\n]*?-l[^;|&\n]*?-p\s*(\d+)/g)) out.push({ port: Number(m[1]) });
  for (const m of script.matchAll(/\bpython3?\s+-m\s+http\.server(?:\s+(\d+))?/g)) out.push({ port: Number(m[1] ?? 8000) });
  return out;
}

export interface Course {
  behaviour?: RunSpec;
  listeners: Listeners;
}

/** What runs in the container: the catalog image's entrypoint, a script, or something opaque. */
function courseOf(spec: any, start: number, script: string | undefined): Course {
  const img = parseImage(spec.image ?? '');
  const entry = img ? findEntry(img.domain, img.path) : undefined;
  if (script !== undefined) {
    // A script is the container's process: only servers it starts itself listen.
    const ports = scriptPorts(script);
    return { listeners: entry || ports.length ? { known: true, ports, from: start, startedAt: start } : { known: false } };
  }
  if (!entry) return { listeners: { known: false } };
  const behaviour = imageBehaviour(entry, img!.tag, spec.command ?? [], spec.args ?? []);
  if (!behaviour) return { listeners: { known: false } };
  return { behaviour, listeners: { known: true, ports: behaviour.ports ?? [], from: start + (behaviour.listenAfterMs ?? 0), startedAt: start } };
}

/** Where a container started at `start` listens, and what its image does (the network and the probes agree on it). */
export function containerCourse(spec: any, start: number): Course {
  return courseOf(spec, start, containerScript(spec.command, spec.args));
}

export function planRun(pod: KObject, spec: any, c: CState, ctx: ControllerContext, env: Record<string, string>, files: Record<string, string>, now: number, ip: string, lookaheadMs: number, net?: LiveNet): RunPlan {
  const start = c.startedAt!;
  const horizon = now + lookaheadMs;
  const plan: RunPlan = { exitCode: 0, reason: 'Completed', failures: [] };
  const script = containerScript(spec.command, spec.args);
  const exitCodeAnn = podAnnotation(pod, 'exit-code');
  const exitAfter = durationMs(podAnnotation(pod, 'exit-after'));
  const injectedExit = exitCodeAnn !== undefined || exitAfter !== undefined;
  const course = courseOf(spec, start, script);
  const b = course.behaviour;
  if (script !== undefined) {
    // a container with stdin: its script waits on reading it until an attach sends it (and closes it, with stdinOnce)
    const sent = c.stdinSent?.containerID === c.containerID ? c.stdinSent : undefined;
    const stdin = spec.stdin ? { text: sent?.text ?? '', open: !sent?.closed, atMs: sent?.atMs } : undefined;
    plan.run = runScript(script, { env, hostname: pod.metadata.name!, files, startMs: start, image: spec.image, stdin }, horizon, net);
    if (plan.run.exit) {
      plan.exitAt = plan.run.exit.atMs;
      plan.exitCode = plan.run.exit.code;
    }
  } else if (b) {
    const img = parseImage(spec.image)!;
    const vars = { version: versionFor(findEntry(img.domain, img.path)!, img.tag), podIP: ip, hostname: pod.metadata.name! };
    const unmet = (b.requires ?? []).find((r) => !requirementMet(r, env));
    const blocks = unmet ? [{ at: 0, lines: unmet.logs }] : (b.logs ?? []);
    const lines = blocks.flatMap((blk) => blk.lines.map((text) => ({ atMs: start + (blk.at ?? 0), text: renderLogLine(text, start + (blk.at ?? 0), vars) })));
    plan.run = { lines, fileEvents: [], truncated: false };
    if (unmet) {
      plan.exitAt = start;
      plan.exitCode = unmet.exitCode;
      course.listeners = { known: true, ports: [], from: start, startedAt: start };
    } else if (b.shell && !injectedExit && !spec.stdin) {
      plan.exitAt = start; // a shell (or REPL) exits at once without stdin (kept open by -i: it waits on it)
    } else if (b.exitCode !== undefined && !injectedExit) {
      plan.exitAt = lines.length ? lines[lines.length - 1].atMs : start;
      plan.exitCode = b.exitCode;
    }
  } else if ((pod.metadata.ownerReferences ?? []).some((o: any) => o.kind === 'Job') && !injectedExit) {
    plan.exitAt = start + ctx.profile.timings.jobDurationMs;
  }
  const logsAnn = podAnnotation(pod, 'logs');
  if (logsAnn !== undefined && script === undefined) plan.run = { lines: logsAnn.split('\n').map((text) => ({ atMs: start, text })), fileEvents: [], truncated: false };
  if (injectedExit) {
    const at = start + (exitAfter ?? 0);
    if (plan.exitAt === undefined || at < plan.exitAt) {
      plan.exitAt = at;
      plan.exitCode = Number(exitCodeAnn ?? 0) || 0;
    }
  }
  const ended = c.processExit;
  if (ended && ended.containerID === c.containerID && (plan.exitAt === undefined || ended.atMs < plan.exitAt)) {
    plan.exitAt = ended.atMs;
    plan.exitCode = ended.exitCode;
  }
  if (plan.exitAt !== undefined) plan.reason = plan.exitCode === 0 ? 'Completed' : 'Error';
  const oom = durationMs(podAnnotation(pod, 'oom-after'));
  if (oom !== undefined && (plan.exitAt === undefined || start + oom < plan.exitAt)) {
    plan.exitAt = start + oom;
    plan.exitCode = 137;
    plan.reason = 'OOMKilled';
  }
  planProbes(pod, spec, plan, { ip, containerPorts: spec.ports ?? [], listeners: course.listeners, run: plan.run, files }, start, Math.min(plan.exitAt ?? horizon, horizon), now);
  plan.nextWake = nextWake(plan, now);
  // A process reading its stdin ends when an attached session ends it: the kubelet's PLEG
  // relist (every second) is how that exit is seen.
  if (spec.stdin && plan.exitAt === undefined && (!plan.nextWake || plan.nextWake.at > now + RELIST_MS)) plan.nextWake = { at: now + RELIST_MS, periodic: plan.nextWake?.periodic ?? true };
  return plan;
}

const RELIST_MS = 1000;

const LABEL: Record<string, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

/** Probes on their schedule from the container start; the startup probe gates the others. */
function planProbes(pod: KObject, spec: any, plan: RunPlan, target: ProbeTarget, start: number, limit: number, now: number): void {
  const failMode = (podAnnotation(pod, 'probe-fail') ?? '').split(',').map((s) => s.trim());
  const probeFails = (kind: string, p: any, at: number): string | undefined => (failMode.includes(kind) ? injectedFailure(p, target.ip) : runProbe(p, target, at));
  const times = (p: any, from: number) => {
    const out: number[] = [];
    const period = (p.periodSeconds ?? 10) * 1000;
    for (let t = from + (p.initialDelaySeconds ?? 0) * 1000; t <= limit && out.length < 2000; t += period) out.push(t);
    return out;
  };
  const fail = (kind: string, at: number, msg: string) => plan.failures.push({ at, kind, message: `${LABEL[kind]} probe failed: ${msg}` });
  const kill = (kind: 'liveness' | 'startup', at: number) => {
    if (plan.exitAt === undefined || at < plan.exitAt) {
      plan.exitAt = at;
      plan.exitCode = 137;
      plan.reason = 'Error';
      plan.killedBy = kind;
    }
  };
  let afterStartup = start;
  if (spec.startupProbe) {
    let fails = 0;
    for (const t of times(spec.startupProbe, start)) {
      const msg = probeFails('startup', spec.startupProbe, t);
      if (!msg) {
        plan.startupDoneAt = t;
        break;
      }
      fail('startup', t, msg);
      if (++fails >= (spec.startupProbe.failureThreshold ?? 3)) {
        kill('startup', t);
        break;
      }
    }
    afterStartup = plan.startupDoneAt ?? Infinity;
  }
  if (afterStartup === Infinity) return;
  if (spec.livenessProbe) {
    let fails = 0;
    for (const t of times(spec.livenessProbe, afterStartup)) {
      if (plan.exitAt !== undefined && t >= plan.exitAt) break;
      const msg = probeFails('liveness', spec.livenessProbe, t);
      if (!msg) {
        fails = 0;
        continue;
      }
      fail('liveness', t, msg);
      if (++fails >= (spec.livenessProbe.failureThreshold ?? 3)) {
        kill('liveness', t);
        break;
      }
    }
  }
  if (!spec.readinessProbe) plan.readyAt = afterStartup;
  else {
    for (const t of times(spec.readinessProbe, afterStartup)) {
      if (plan.exitAt !== undefined && t >= plan.exitAt) break;
      const msg = probeFails('readiness', spec.readinessProbe, t);
      if (!msg) {
        plan.readyAt ??= t;
        continue;
      }
      fail('readiness', t, msg);
      if (plan.readyAt !== undefined) {
        // readiness flapping is not modelled beyond the first failure after ready: not ready from then on
        if (t <= now) plan.readyAt = undefined;
        break;
      }
    }
  }
  plan.failures.sort((a, b) => a.at - b.at);
}

/**
 * The next time something happens after now; periodic when only steady work remains, with
 * `endsAt` when besides it the command ends by itself (Result.endsAfterMs).
 */
function nextWake(plan: RunPlan, now: number): RunPlan['nextWake'] {
  const wakes: Array<{ at: number; periodic: boolean }> = [];
  const endsAt = plan.exitAt !== undefined && plan.exitAt > now ? plan.exitAt : undefined;
  const nextLine = plan.run?.lines.find((l) => l.atMs > now);
  if (nextLine) wakes.push({ at: nextLine.atMs, periodic: true });
  const nextFail = plan.failures.find((f) => f.at > now);
  if (nextFail) wakes.push({ at: nextFail.at, periodic: nextFail.kind === 'readiness' });
  if (plan.readyAt !== undefined && plan.readyAt > now) wakes.push({ at: plan.readyAt, periodic: false });
  if (plan.startupDoneAt !== undefined && plan.startupDoneAt > now) wakes.push({ at: plan.startupDoneAt, periodic: false });
  // a request of the script waiting for its moment (answered by the cluster as it is then)
  if (plan.run?.netAt !== undefined && plan.run.netAt > now) wakes.push({ at: plan.run.netAt, periodic: true });
  // The key waits for progress if any of its wakes does, even when a periodic one comes first.
  const periodic = wakes.every((w) => w.periodic);
  if (endsAt !== undefined) wakes.push({ at: endsAt, periodic: false });
  wakes.sort((a, b) => a.at - b.at);
  if (!wakes.length) return undefined;
  return periodic && endsAt !== undefined ? { at: wakes[0].at, periodic, endsAt } : { at: wakes[0].at, periodic };
}
