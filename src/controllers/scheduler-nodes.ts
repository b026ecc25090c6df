// kube-scheduler's NodeInfo for kubesim's snapshot: a node's allocatable numbers, the pods
// bound to it and what they request (as resourcehelper.PodRequests sums them), and the
// NodeTable that keeps the numbers the filter and score loops read side by side. Pure: no
// API calls; scheduler-plugins.ts filters and scores over these.

import type { KObject } from '../api/types';
import { cpuMillis, bytes } from '../api/quantity';

export interface Resources {
  cpu: number; // millicores
  memory: number; // bytes
  ephemeral: number; // bytes
}

export interface NodeInfo {
  node: KObject;
  name: string;
  labels: Record<string, string>;
  allocatable: Resources & { pods: number };
  requested: Resources;
  /** Requests with the scheduler's non-zero defaults (100m / 200Mi), used for scoring. */
  nonZero: { cpu: number; memory: number };
  pods: KObject[];
  /**
   * How many of `pods` name each owner uid in their ownerReferences (kept by addPod and
   * removePod): the default spreading score counts a controller's pods on every feasible
   * node for every pod it scores, which walked every bound pod per scheduled pod.
   */
  owners: Map<string, number>;
  usedPorts: Set<string>;
  /** From the node object (see setNode): read by every filter and score of every pod. */
  unschedulable: boolean;
  /** NoSchedule and NoExecute taints, in the node's order (TaintToleration filter). */
  hardTaints: Taint[];
  /** PreferNoSchedule taints (TaintToleration score). */
  preferTaints: Taint[];
  /** Its row in the snapshot's NodeTable, kept in step by setNode, addPod and removePod. */
  slot?: { table: NodeTable; index: number };
}

/**
 * The numbers the filter and score loops read, for every node of a snapshot side by side
 * (row = the node's place in the snapshot's order). Read from the NodeInfo objects, they
 * were five objects per node scattered over a large heap: the loops were memory-bound.
 */
export class NodeTable {
  readonly allocCpu: Float64Array;
  readonly allocMemory: Float64Array;
  readonly reqCpu: Float64Array;
  readonly reqMemory: Float64Array;
  readonly nonZeroCpu: Float64Array;
  readonly nonZeroMemory: Float64Array;
  readonly preferTaints: Float64Array;
  /**
   * What the plain filter reads, four numbers a row side by side (one cache line, not eight
   * arrays): how many more pods fit (allocatable - pods; -1 when the node is unschedulable or
   * has a NoSchedule/NoExecute taint), then the free cpu, memory and ephemeral storage
   * (allocatable - requested, the subtraction fitReasons makes).
   */
  readonly room: Float64Array;
  /** Bumped by every sync of the row: a fit score computed at another version is stale. */
  readonly version: Uint32Array;
  /** Rows with a PreferNoSchedule taint: with none, TaintToleration gives every node the full score. */
  preferTainted = 0;
  /**
   * NodeResourcesFit + BalancedAllocation per row, by the pod's requests (a few request
   * shapes): the sampling window moves on every pod, so a node is scored again about every
   * nodes/sampled pods, and only the node the previous pod went to has changed since.
   */
  private readonly fitCache = new Map<string, { score: Float64Array; at: Uint32Array }>();
  /**
   * Per controller uid scored lately (least recently used dropped first): how many of its
   * pods each row holds, NodeInfo.owners side by side. The default spreading score reads the
   * count on every sampled node for every pod a controller owns: a Map lookup per node on
   * 500 NodeInfo objects scattered over the heap was a quarter of scheduling a ReplicaSet's
   * pods at 5,000 nodes. countOwners keeps the rows in step.
   */
  private readonly ownerCounts = new Map<string, Int32Array>();
  private readonly nodes: NodeInfo[];

  constructor(nodes: NodeInfo[]) {
    this.nodes = nodes;
    const n = nodes.length;
    this.allocCpu = new Float64Array(n);
    this.allocMemory = new Float64Array(n);
    this.reqCpu = new Float64Array(n);
    this.reqMemory = new Float64Array(n);
    this.nonZeroCpu = new Float64Array(n);
    this.nonZeroMemory = new Float64Array(n);
    this.preferTaints = new Float64Array(n);
    this.room = new Float64Array(4 * n);
    this.version = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      nodes[i].slot = { table: this, index: i };
      this.sync(nodes[i]);
    }
  }

  sync(ni: NodeInfo): void {
    const i = ni.slot!.index;
    const a = ni.allocatable;
    const r = ni.requested;
    this.allocCpu[i] = a.cpu;
    this.allocMemory[i] = a.memory;
    this.reqCpu[i] = r.cpu;
    this.reqMemory[i] = r.memory;
    this.nonZeroCpu[i] = ni.nonZero.cpu;
    this.nonZeroMemory[i] = ni.nonZero.memory;
    this.preferTainted += (ni.preferTaints.length > 0 ? 1 : 0) - (this.preferTaints[i] > 0 ? 1 : 0);
    this.preferTaints[i] = ni.preferTaints.length;
    const at = 4 * i;
    this.room[at] = !ni.unschedulable && !ni.hardTaints.length ? a.pods - ni.pods.length : -1;
    this.room[at + 1] = a.cpu - r.cpu;
    this.room[at + 2] = a.memory - r.memory;
    this.room[at + 3] = a.ephemeral - r.ephemeral;
    this.version[i]++;
  }

  /** The fit scores remembered for pods with these requests (`at[row] === version[row]`: still valid). */
  fitScoresFor(nz: Resources, req: Resources): { score: Float64Array; at: Uint32Array } {
    const key = `${nz.cpu}/${nz.memory}/${req.cpu}/${req.memory}`;
    let c = this.fitCache.get(key);
    if (!c) {
      if (this.fitCache.size >= FIT_CACHE_SHAPES) this.fitCache.delete(this.fitCache.keys().next().value!);
      c = { score: new Float64Array(this.version.length), at: new Uint32Array(this.version.length) };
      this.fitCache.set(key, c);
    }
    return c;
  }

  /** Each row's count of the pods `uid` owns (NodeInfo.owners), side by side. */
  ownerCountsFor(uid: string): Int32Array {
    let c = this.ownerCounts.get(uid);
    if (c) {
      // Most recently used last.
      this.ownerCounts.delete(uid);
    } else {
      if (this.ownerCounts.size >= OWNER_COUNTS) this.ownerCounts.delete(this.ownerCounts.keys().next().value!);
      c = new Int32Array(this.nodes.length);
      for (let i = 0; i < c.length; i++) c[i] = this.nodes[i].owners.get(uid) ?? 0;
    }
    this.ownerCounts.set(uid, c);
    return c;
  }

  /** A row's count of `uid`'s pods changed (countOwners). */
  ownerCountChanged(uid: string, row: number, count: number): void {
    const c = this.ownerCounts.get(uid);
    if (c) c[row] = count;
  }
}

/** Request shapes whose fit scores a NodeTable remembers (oldest dropped first). */
const FIT_CACHE_SHAPES = 4;
/** Controllers whose per-row pod counts a NodeTable keeps (20 KB each at 5,000 nodes). */
const OWNER_COUNTS = 64;

function synced(ni: NodeInfo): void {
  if (ni.slot) ni.slot.table.sync(ni);
}

const zero = (): Resources => ({ cpu: 0, memory: 0, ephemeral: 0 });

// Parsed quantities by function and text: every pod's requests are read when it is
// scheduled and again when it is added to its node, and most pods share a few values.
const parsed = new Map<(s: string) => number, Map<string, number>>();

function q(fn: (s: string) => number, v: unknown): number {
  if (v === undefined || v === null) return 0;
  const text = String(v);
  let memo = parsed.get(fn);
  if (!memo) parsed.set(fn, (memo = new Map()));
  let n = memo.get(text);
  if (n === undefined) {
    try {
      n = fn(text);
    } catch {
      n = 0;
    }
    if (memo.size >= 10_000) memo.clear();
    memo.set(text, n);
  }
  return n;
}

function containerRes(c: any, nonZero: boolean): Resources {
  const r = c?.resources?.requests ?? {};
  const cpu = q(cpuMillis, r.cpu);
  const memory = q(bytes, r.memory);
  const ephemeral = q(bytes, r['ephemeral-storage']);
  // The scheduler's non-zero defaults for a request not given (scoring).
  if (nonZero) return { cpu: r.cpu === undefined ? 100 : cpu, memory: r.memory === undefined ? 200 * 1024 * 1024 : memory, ephemeral };
  return { cpu, memory, ephemeral };
}

function add(a: Resources, b: Resources): Resources {
  return { cpu: a.cpu + b.cpu, memory: a.memory + b.memory, ephemeral: a.ephemeral + b.ephemeral };
}

function max(a: Resources, b: Resources): Resources {
  return { cpu: Math.max(a.cpu, b.cpu), memory: Math.max(a.memory, b.memory), ephemeral: Math.max(a.ephemeral, b.ephemeral) };
}

/**
 * The pod's effective requests (resourcehelper.PodRequests): the sum over containers and
 * sidecars, or the largest init container (plus the sidecars started before it) if bigger,
 * plus overhead.
 */
export function podRequests(pod: KObject, nonZero = false): Resources {
  // Runs twice per scheduled pod: sums in numbers, not an object per container.
  let cpu = 0;
  let memory = 0;
  let ephemeral = 0;
  for (const c of pod.spec?.containers ?? []) {
    const r = containerRes(c, nonZero);
    cpu += r.cpu;
    memory += r.memory;
    ephemeral += r.ephemeral;
  }
  let total: Resources;
  const inits: any[] | undefined = pod.spec?.initContainers;
  if (!inits?.length) {
    total = { cpu: Math.max(cpu, 0), memory: Math.max(memory, 0), ephemeral: Math.max(ephemeral, 0) };
  } else {
    let sidecars = zero();
    let initMax = zero();
    for (const c of inits) {
      const r = containerRes(c, nonZero);
      if (c.restartPolicy === 'Always') {
        sidecars = add(sidecars, r);
        initMax = max(initMax, sidecars);
      } else {
        initMax = max(initMax, add(r, sidecars));
      }
    }
    total = max(add({ cpu, memory, ephemeral }, sidecars), initMax);
  }
  const oh = pod.spec?.overhead;
  if (oh) total = add(total, { cpu: q(cpuMillis, oh.cpu), memory: q(bytes, oh.memory), ephemeral: q(bytes, oh['ephemeral-storage']) });
  return total;
}

export function hostPorts(pod: KObject): string[] {
  const out: string[] = [];
  const each = (list: any[] | undefined) => {
    for (const c of list ?? []) {
      for (const p of c.ports ?? []) {
        if (p.hostPort) out.push(`${p.protocol ?? 'TCP'}/${p.hostIP ?? '0.0.0.0'}/${p.hostPort}`);
      }
    }
  };
  // Init containers first, as before; no joined copy of the two lists per pod.
  each(pod.spec?.initContainers);
  each(pod.spec?.containers);
  return out;
}

export function newNodeInfo(node: KObject): NodeInfo {
  const ni = { name: node.metadata.name!, requested: zero(), nonZero: { cpu: 0, memory: 0 }, pods: [], owners: new Map(), usedPorts: new Set() } as unknown as NodeInfo;
  setNode(ni, node);
  return ni;
}

/** Takes the node object's fields (a new node, or a changed one): the pods stay. */
export function setNode(ni: NodeInfo, node: KObject): void {
  const a = node.status?.allocatable ?? node.status?.capacity ?? {};
  const taints = (node.spec?.taints ?? []) as Taint[];
  ni.node = node;
  ni.labels = node.metadata.labels ?? {};
  ni.allocatable = { cpu: q(cpuMillis, a.cpu), memory: q(bytes, a.memory), ephemeral: q(bytes, a['ephemeral-storage']), pods: Number(a.pods ?? 110) };
  ni.unschedulable = !!node.spec?.unschedulable;
  ni.hardTaints = taints.filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  ni.preferTaints = taints.filter((t) => t.effect === 'PreferNoSchedule');
  synced(ni);
}

/** What a pod takes on its node, as addPod counts it. */
export interface PodFootprint {
  req: Resources;
  nonZero: Resources;
  ports: string[];
}

/**
 * `known`: the footprint the filters and scores already worked out for this pod (a binding
 * changes only spec.nodeName), so a bound pod's requests are not parsed again.
 */
export function addPod(ni: NodeInfo, pod: KObject, known?: PodFootprint): void {
  ni.pods.push(pod);
  ni.requested = add(ni.requested, known?.req ?? podRequests(pod));
  const nz = known?.nonZero ?? podRequests(pod, true);
  ni.nonZero = { cpu: ni.nonZero.cpu + nz.cpu, memory: ni.nonZero.memory + nz.memory };
  for (const p of known?.ports ?? hostPorts(pod)) ni.usedPorts.add(p);
  countOwners(ni, pod, 1);
  synced(ni);
}

/** Adds `by` to the node's count of each owner uid the pod names (once per uid, as a `some` over them counts it). */
function countOwners(ni: NodeInfo, pod: KObject, by: 1 | -1): void {
  const refs: Array<{ uid?: string }> | undefined = pod.metadata.ownerReferences;
  if (!refs?.length) return;
  for (let i = 0; i < refs.length; i++) {
    const uid = refs[i].uid;
    if (uid === undefined) continue;
    let seen = false;
    for (let j = 0; j < i && !seen; j++) seen = refs[j].uid === uid;
    if (seen) continue;
    const n = (ni.owners.get(uid) ?? 0) + by;
    if (n === 0) ni.owners.delete(uid);
    else ni.owners.set(uid, n);
    ni.slot?.table.ownerCountChanged(uid, ni.slot.index, n);
  }
}

export function removePod(ni: NodeInfo, pod: KObject): void {
  const i = ni.pods.findIndex((p) => p.metadata.uid === pod.metadata.uid);
  if (i < 0) return;
  const [old] = ni.pods.splice(i, 1);
  const r = podRequests(old);
  ni.requested = { cpu: ni.requested.cpu - r.cpu, memory: ni.requested.memory - r.memory, ephemeral: ni.requested.ephemeral - r.ephemeral };
  const nz = podRequests(old, true);
  ni.nonZero = { cpu: ni.nonZero.cpu - nz.cpu, memory: ni.nonZero.memory - nz.memory };
  // Recounted from the pods left (two may name one port) only when the pod took any: a
  // node's running pods' status updates each move a pod off and back on.
  if (hostPorts(old).length) ni.usedPorts = new Set(ni.pods.flatMap(hostPorts));
  countOwners(ni, old, -1);
  synced(ni);
}

/** A node taint (spec.taints[]). */
export interface Taint {
  key: string;
  value?: string;
  effect: string;
}
