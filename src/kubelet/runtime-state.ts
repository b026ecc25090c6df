// The kubelet's own records, kept as meta documents next to the store so any process (CLI,
// daemon) can continue a pod: each pod's runtime (container phases, restarts, back-offs),
// the node's IP allocations and the images present on each node.

import type { KObject } from '../api/types';
import type { ApiServer } from '../api/server';
import { fnv32a, hex64 } from '../sim/rng';

export type Phase = 'new' | 'config' | 'pulling' | 'pullFailed' | 'pullBackoff' | 'creating' | 'starting' | 'running' | 'exited' | 'crashBackoff' | 'terminated' | 'invalid' | 'neverPull';

export interface LastRun {
  exitCode: number;
  reason: string;
  startedAt: number;
  finishedAt: number;
  containerID: string;
}

export interface CState {
  name: string;
  init: boolean;
  /** An ephemeral container (`kubectl debug`): run once, never restarted, never ready. */
  ephemeral?: boolean;
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
  /** The run before `last` (lastState while `last` shows as the current state). */
  previous?: LastRun;
  /** The current run's end, once reached (phase terminated / crashBackoff). */
  ended?: LastRun;
  crashBackoffMs: number;
  pullBackoffMs: number;
  message?: string;
  /** The back-off message of the crash being recovered from, until the container starts again. */
  restartReason?: string;
  /** A config error being retried: it stays the waiting reason until the container is created. */
  configError?: string;
  /** Readiness and startup as last evaluated while running. */
  ready?: boolean;
  started?: boolean;
  /** The run's process ended by itself outside the plan: the shell an attach session drove exited. */
  processExit?: { containerID: string; exitCode: number; atMs: number };
  /** What attaches with -i sent the run's process (a container with `stdin: true`), and when the first did. */
  stdinSent?: { containerID: string; text: string; atMs: number; closed: boolean };
}

export interface PodRuntime {
  uid: string;
  /** The pod's namespace, name and node, so housekeeping can tell the record is orphaned (older records lack them). */
  namespace?: string;
  name?: string;
  node?: string;
  ip: string;
  startTime: number;
  containers: CState[];
  mountError?: string;
  mountEventAt?: number;
  killingAt?: number;
}


/** A pod's record, a copy of its own; `shared`: the store's, for a caller that changes nothing of it. */
export async function loadRuntime(api: ApiServer, uid: string, shared = false): Promise<PodRuntime | undefined> {
  return api.sim.podRuntime<PodRuntime>(uid, shared);
}

/** `rt` is handed over to the store: not changed afterwards (it may be frozen). */
export async function saveRuntime(api: ApiServer, uid: string, rt: PodRuntime | null): Promise<void> {
  await api.sim.setPodRuntime(uid, rt);
}

export function newCState(name: string, init: boolean, ephemeral = false): CState {
  const c: CState = { name, init, phase: 'new', restartCount: 0, logged: 0, probeEvents: 0, crashBackoffMs: 0, pullBackoffMs: 0 };
  if (ephemeral) c.ephemeral = true;
  return c;
}

/**
 * Pod IP from the node's podCIDR: 10.244.N.(2 + hash), the next free one on a collision.
 * Allocations are recorded per node (IP → pod uid), as host-local IPAM keeps them on disk;
 * an IP whose pod has no runtime any more is free again. No pod is listed.
 */
export async function allocatePodIP(api: ApiServer, node: KObject, uid: string): Promise<string> {
  const cidr: string = node.spec?.podCIDR ?? '10.244.0.0/24';
  const base = cidr.split('/')[0].split('.').slice(0, 3).join('.');
  const name = node.metadata.name!;
  // The store's own map (a node's allocations, read at each pod's first sync): only the
  // changed map is a copy, shallow (its values are strings).
  const owners = await api.sim.podIPs(name, true);
  const first = 2 + (fnv32a(uid) % 250);
  let n = first;
  for (let i = 0; i < 253; i++) {
    const ip = `${base}.${n}`;
    const owner = owners[ip];
    if (!owner || owner === uid || !(await loadRuntime(api, owner, true))) {
      await api.sim.setPodIPs(name, withOwner(owners, ip, uid)); // handed over
      return ip;
    }
    n = n >= 254 ? 2 : n + 1;
  }
  return `${base}.${first}`; // every address in use: the node is over its pod capacity anyway
}

/**
 * `owners` and one more allocation, a new map (the store keeps the old one frozen and shared).
 * Built as a dictionary (a null-prototype object starts in V8's dictionary mode), which the
 * file store keeps as it is: `{ ...owners, [ip]: uid }` of a node's ~100 allocations made a
 * new hidden class per pod (1.2–1.7 % of a 1,000- or 10,000-replica `reconcile
 * --until-stable`), then copied again into a dictionary by the store (docs/perf-issue-18.md
 * round 115). Same members in the same order, so the same JSON.
 */
function withOwner(owners: Record<string, string>, ip: string, uid: string): Record<string, string> {
  const next: Record<string, string> = Object.create(null);
  for (const k in owners) next[k] = owners[k];
  next[ip] = uid;
  return next;
}

/** A container ID unique to the pod, container and run. */
export function containerID(uid: string, name: string, restart: number): string {
  return `containerd://${hex64(`${uid}/${name}/${restart}`)}`;
}

/** Images on a node's containerd (pulled there, or put there by `kubesim image load`). */
export async function imagePresent(api: ApiServer, node: string, image: string): Promise<boolean> {
  return (await api.sim.images(node, true)).includes(image);
}

export async function markImagePresent(api: ApiServer, node: string, image: string): Promise<void> {
  const list = await api.sim.images(node, true);
  if (!list.includes(image)) await api.sim.setImages(node, [...list, image]);
}

export async function imagesOnNode(api: ApiServer, node: string): Promise<string[]> {
  return api.sim.images(node);
}

/** `kubesim image policy`: overrides the profile's `images.unknown` while the cluster lives. */
export async function imagePolicyOverride(api: ApiServer): Promise<'pull' | 'fail' | undefined> {
  return api.sim.imagePolicy();
}

export async function setImagePolicy(api: ApiServer, policy: 'pull' | 'fail'): Promise<void> {
  await api.sim.setImagePolicy(policy);
}

/**
 * The container's process ended now with `exitCode` (the runtime's report of it): the shell
 * reading an attached stdin exited (`exit`, the end of its input). Ignored unless that run is
 * still the one running.
 */
/**
 * An attach with -i sent `text` to the container's stdin and went away: with `stdinOnce` the
 * runtime closes the stdin then (the process reads the text, then its end); otherwise it stays
 * open for the next attach.
 */
export async function recordStdin(api: ApiServer, pod: KObject, container: string, text: string, stdinOnce: boolean): Promise<void> {
  await api.sim.atomically(async () => {
    const rt = await loadRuntime(api, pod.metadata.uid!);
    const c = rt?.containers.find((x) => x.name === container);
    if (!rt || !c || c.phase !== 'running' || !c.containerID) return;
    const prev = c.stdinSent?.containerID === c.containerID ? c.stdinSent : undefined;
    if (prev?.closed) return;
    c.stdinSent = { containerID: c.containerID, text: (prev?.text ?? '') + text, atMs: prev?.atMs ?? api.clock.now(), closed: stdinOnce };
    await saveRuntime(api, rt.uid, rt);
  });
}

export async function recordProcessExit(api: ApiServer, pod: KObject, container: string, exitCode: number): Promise<void> {
  await api.sim.atomically(async () => {
    const rt = await loadRuntime(api, pod.metadata.uid!);
    const c = rt?.containers.find((x) => x.name === container);
    if (!rt || !c || c.phase !== 'running' || !c.containerID) return;
    c.processExit = { containerID: c.containerID, exitCode, atMs: api.clock.now() };
    await saveRuntime(api, rt.uid, rt);
  });
}
