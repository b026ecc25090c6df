// kube-scheduler's default filter and score plugins over an in-memory snapshot of nodes
// and the pods bound to them. Pure: no API calls. The reason texts and their
// "resolvable by preemption" flags are those of the v1.32 plugins, so that the
// FailedScheduling message (see failureMessage) reads exactly like kube-scheduler's.

import type { KObject } from '../api/types';
import { fromLabelSelectorSpec, matchesLabels, matchesNodeSelectorTerm, podMatchesNodeSelection, type LabelSelectorSpec } from '../api/selectors';
import { hostPorts, podRequests, type NodeInfo, type NodeTable, type PodFootprint, type Resources, type Taint } from './scheduler-nodes';

/** A filter failure on one node: the reasons and whether preemption could fix it. */
export interface NodeStatus {
  reasons: string[];
  unresolvable: boolean;
}

function portsConflict(used: Set<string>, want: string[]): boolean {
  for (const w of want) {
    const [proto, ip, port] = w.split('/');
    if (used.has(w)) return true;
    for (const u of used) {
      const [uproto, uip, uport] = u.split('/');
      if (uproto === proto && uport === port && (uip === '0.0.0.0' || ip === '0.0.0.0')) return true;
    }
  }
  return false;
}

/** The incoming pod's footprint from what filtering and scoring it worked out (fctx). */
export function footprintOf(pod: KObject, fctx: FilterContext): PodFootprint {
  return { req: (fctx.podReq ??= podRequests(pod)), nonZero: (fctx.podNonZero ??= podRequests(pod, true)), ports: (fctx.podPorts ??= hostPorts(pod)) };
}

// ---------- tolerations, node affinity ----------

export function toleratesTaint(tols: any[] | undefined, taint: Taint): boolean {
  return (tols ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

/** nodeSelector and requiredDuringScheduling node affinity (NodeAffinity filter). */
function matchesNodeSelection(pod: KObject, node: KObject): boolean {
  return podMatchesNodeSelection(pod.spec, node);
}

// ---------- pod affinity ----------

export interface AffinityContext {
  /** Namespace labels, for namespaceSelector. */
  namespaceLabels: (ns: string) => Record<string, string> | undefined;
  /** All nodes, by name (topology values of bound pods). */
  nodes: Map<string, NodeInfo>;
}

function termMatches(term: any, ownerNs: string, candidate: KObject, actx: AffinityContext): boolean {
  const ns = candidate.metadata.namespace ?? 'default';
  const names: string[] = term.namespaces ?? [];
  const nsSel = term.namespaceSelector;
  let nsOk: boolean;
  if (!names.length && nsSel == null) nsOk = ns === ownerNs;
  else {
    nsOk = names.includes(ns);
    if (!nsOk && nsSel != null) {
      try {
        nsOk = matchesLabels(fromLabelSelectorSpec(nsSel as LabelSelectorSpec), actx.namespaceLabels(ns) ?? {});
      } catch {
        nsOk = false;
      }
    }
  }
  if (!nsOk) return false;
  try {
    const sel = fromLabelSelectorSpec(term.labelSelector ?? null);
    if (!matchesLabels(sel, candidate.metadata.labels ?? {})) return false;
  } catch {
    return false;
  }
  // matchLabelKeys: the term only selects pods sharing those label values with the owner (not modelled: rarely used)
  return true;
}

function sameDomain(topologyKey: string, a: NodeInfo, b: NodeInfo | undefined): boolean {
  if (!b) return false;
  const va = a.labels[topologyKey];
  return va !== undefined && b.labels[topologyKey] === va;
}

function liveBoundPods(actx: AffinityContext): Array<[KObject, NodeInfo]> {
  const out: Array<[KObject, NodeInfo]> = [];
  for (const ni of actx.nodes.values()) for (const p of ni.pods) out.push([p, ni]);
  return out;
}

/** What the incoming pod's required (anti-)affinity needs, precomputed once per pod. */
export interface AffinityState {
  /** `key=value` domains where an existing pod's anti-affinity rejects the incoming pod. */
  existingAnti: Set<string>;
  /** Per required affinity term: its key, the domains holding a matching pod, and whether the pod may seed the group. */
  affinity: Array<{ key: string; domains: Set<string>; seed: boolean }>;
  /** Per required anti-affinity term: its key and the domains holding a matching pod. */
  anti: Array<{ key: string; domains: Set<string> }>;
}

export function affinityState(pod: KObject, actx: AffinityContext & { antiAffinityPods?: Array<[KObject, NodeInfo]>; allPods?: Array<[KObject, NodeInfo]> }): AffinityState {
  const ns = pod.metadata.namespace ?? 'default';
  const existingAnti = new Set<string>();
  const withAnti = actx.antiAffinityPods ?? liveBoundPods(actx).filter(([p]) => p.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length);
  for (const [other, otherNode] of withAnti) {
    for (const t of other.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      const v = otherNode.labels[t.topologyKey];
      if (v !== undefined && termMatches(t, other.metadata.namespace ?? 'default', pod, actx)) existingAnti.add(`${t.topologyKey}=${v}`);
    }
  }
  const aff = pod.spec?.affinity ?? {};
  const affTerms = aff.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  const antiTerms = aff.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  const state: AffinityState = { existingAnti, affinity: [], anti: [] };
  if (!affTerms.length && !antiTerms.length) return state;
  const all = (actx.allPods ??= liveBoundPods(actx));
  const domainsOf = (t: any) => {
    const d = new Set<string>();
    for (const [p, n] of all) {
      const v = n.labels[t.topologyKey];
      if (v !== undefined && termMatches(t, ns, p, actx)) d.add(v);
    }
    return d;
  };
  for (const t of affTerms) {
    const domains = domainsOf(t);
    const anyMatch = domains.size > 0 || all.some(([p]) => termMatches(t, ns, p, actx));
    state.affinity.push({ key: t.topologyKey, domains, seed: !anyMatch && termMatches(t, ns, pod, actx) });
  }
  for (const t of antiTerms) state.anti.push({ key: t.topologyKey, domains: domainsOf(t) });
  return state;
}

/** InterPodAffinity filter for one node; undefined when it passes. */
export function interPodAffinityStatus(ni: NodeInfo, st: AffinityState): NodeStatus | undefined {
  for (const a of st.affinity) {
    const v = ni.labels[a.key];
    if (v !== undefined && (a.domains.has(v) || a.seed)) continue;
    return { reasons: ["node(s) didn't match pod affinity rules"], unresolvable: true };
  }
  for (const a of st.anti) {
    const v = ni.labels[a.key];
    if (v !== undefined && a.domains.has(v)) return { reasons: ["node(s) didn't match pod anti-affinity rules"], unresolvable: false };
  }
  if (st.existingAnti.size) {
    for (const [k, v] of Object.entries(ni.labels)) {
      if (st.existingAnti.has(`${k}=${v}`)) return { reasons: ["node(s) didn't satisfy existing pods anti-affinity rules"], unresolvable: false };
    }
  }
  return undefined;
}

// ---------- topology spread ----------

function spreadConstraints(pod: KObject, when: 'DoNotSchedule' | 'ScheduleAnyway'): any[] {
  return (pod.spec?.topologySpreadConstraints ?? []).filter((c: any) => (c.whenUnsatisfiable ?? 'DoNotSchedule') === when);
}

function spreadSelector(c: any): (labels: Record<string, string>) => boolean {
  try {
    const sel = fromLabelSelectorSpec(c.labelSelector ?? null);
    return (l) => matchesLabels(sel, l);
  } catch {
    return () => false;
  }
}

/** Matching pod counts per topology value over nodes eligible for the pod (nodeAffinityPolicy Honor). */
function domainCounts(pod: KObject, c: any, nodes: Iterable<NodeInfo>): Map<string, number> {
  const sel = spreadSelector(c);
  const ns = pod.metadata.namespace ?? 'default';
  const counts = new Map<string, number>();
  for (const ni of nodes) {
    const v = ni.labels[c.topologyKey];
    if (v === undefined) continue;
    if ((c.nodeAffinityPolicy ?? 'Honor') === 'Honor' && !matchesNodeSelection(pod, ni.node)) continue;
    let n = counts.get(v) ?? 0;
    for (const p of ni.pods) if ((p.metadata.namespace ?? 'default') === ns && !p.metadata.deletionTimestamp && sel(p.metadata.labels ?? {})) n++;
    counts.set(v, n);
  }
  return counts;
}

export function topologySpreadStatus(pod: KObject, ni: NodeInfo, nodes: Iterable<NodeInfo>, cache: Map<any, Map<string, number>>): NodeStatus | undefined {
  for (const c of spreadConstraints(pod, 'DoNotSchedule')) {
    const v = ni.labels[c.topologyKey];
    if (v === undefined) return { reasons: ["node(s) didn't match pod topology spread constraints (missing required label)"], unresolvable: true };
    let counts = cache.get(c);
    if (!counts) cache.set(c, (counts = domainCounts(pod, c, nodes)));
    let min = Infinity;
    for (const n of counts.values()) min = Math.min(min, n);
    if (c.minDomains && counts.size < c.minDomains) min = 0;
    if (min === Infinity) min = 0;
    const self = spreadSelector(c)(pod.metadata.labels ?? {}) ? 1 : 0;
    if ((counts.get(v) ?? 0) + self - min > (c.maxSkew ?? 1)) {
      return { reasons: ["node(s) didn't match pod topology spread constraints"], unresolvable: false };
    }
  }
  return undefined;
}

// ---------- the filter chain ----------

export interface FilterContext extends AffinityContext {
  /** Per-pod caches (topology counts); create a fresh one per pod. */
  spreadCache: Map<any, Map<string, number>>;
  /** Every bound pod with its node (computed lazily, only for pods with affinity terms). */
  allPods?: Array<[KObject, NodeInfo]>;
  /** Bound pods carrying required anti-affinity (kept by the snapshot: usually few). */
  antiAffinityPods?: Array<[KObject, NodeInfo]>;
  affinity?: AffinityState;
  /** The incoming pod's requests and host ports (computed once per pod). */
  podReq?: Resources;
  /** With the scheduler's non-zero defaults (scoring). */
  podNonZero?: Resources;
  podPorts?: string[];
  /** The pod's side of the filters (computed once per pod; reset it with `affinity`). */
  plan?: PodFilterPlan;
}

/** What the filters need from the incoming pod, worked out once per pod (not per node). */
class PodFilterPlan {
  readonly tolerations: any[] | undefined;
  readonly nodeName: string | undefined;
  /** A nodeSelector or required node affinity terms (without either, every node matches). */
  readonly nodeSelection: boolean;
  readonly ports: string[];
  readonly cpu: number;
  readonly memory: number;
  readonly ephemeral: number;
  readonly spread: boolean;
  /** Whether InterPodAffinity can reject a node (worked out when a node first gets that far). */
  affinity: boolean | undefined = undefined;

  constructor(pod: KObject, req: Resources, ports: string[]) {
    const spec = pod.spec ?? {};
    this.tolerations = spec.tolerations;
    this.nodeName = spec.nodeName || undefined;
    this.nodeSelection = Object.keys(spec.nodeSelector ?? {}).length > 0 || !!spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    this.ports = ports;
    this.cpu = req.cpu;
    this.memory = req.memory;
    this.ephemeral = req.ephemeral;
    this.spread = !!spec.topologySpreadConstraints?.length;
  }
}

/** Runs the filters in kube-scheduler's order; the first failing plugin decides the node's status. */
export function filterNode(pod: KObject, ni: NodeInfo, fctx: FilterContext): NodeStatus | undefined {
  // Runs for hundreds of nodes per pod: what depends on the pod alone is worked out once
  // (fctx.plan), what depends on the node alone once per node version (setNode), and a
  // node that passes allocates nothing.
  const plan = planOf(pod, fctx);
  const tols = plan.tolerations;
  // NodeUnschedulable
  if (ni.unschedulable && !toleratesTaint(tols, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) {
    return { reasons: ['node(s) were unschedulable'], unresolvable: true };
  }
  // NodeName
  if (plan.nodeName !== undefined && plan.nodeName !== ni.name) return { reasons: ["node(s) didn't match the requested node name"], unresolvable: true };
  // TaintToleration
  const taints = ni.hardTaints;
  for (let i = 0; i < taints.length; i++) {
    const t = taints[i];
    if (!toleratesTaint(tols, t)) return { reasons: [`node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`], unresolvable: true };
  }
  // NodeAffinity
  if (plan.nodeSelection && !matchesNodeSelection(pod, ni.node)) return { reasons: ["node(s) didn't match Pod's node affinity/selector"], unresolvable: true };
  // NodePorts
  if (plan.ports.length && portsConflict(ni.usedPorts, plan.ports)) return { reasons: ["node(s) didn't have free ports for the requested pod ports"], unresolvable: false };
  // NodeResourcesFit
  if (!fits(plan, ni)) return { reasons: fitReasons(fctx.podReq!, ni), unresolvable: false };
  // PodTopologySpread
  if (plan.spread) {
    const s = topologySpreadStatus(pod, ni, fctx.nodes.values(), fctx.spreadCache);
    if (s) return s;
  }
  // InterPodAffinity (state computed once per pod, not per node)
  if (affinityFilters(pod, plan, fctx)) {
    const s = interPodAffinityStatus(ni, fctx.affinity!);
    if (s) return s;
  }
  return undefined;
}

function planOf(pod: KObject, fctx: FilterContext): PodFilterPlan {
  return (fctx.plan ??= new PodFilterPlan(pod, (fctx.podReq ??= podRequests(pod)), (fctx.podPorts ??= hostPorts(pod))));
}

/** Whether the InterPodAffinity filter can reject any node for this pod (its state is worked out once). */
function affinityFilters(pod: KObject, plan: PodFilterPlan, fctx: FilterContext): boolean {
  if (plan.affinity === undefined) {
    const st = (fctx.affinity ??= affinityState(pod, fctx));
    plan.affinity = st.existingAnti.size > 0 || st.affinity.length > 0 || st.anti.length > 0;
  }
  return plan.affinity;
}

/** fitReasons(req, ni).length === 0, without building the list. */
function fits(plan: PodFilterPlan, ni: NodeInfo): boolean {
  const a = ni.allocatable;
  const r = ni.requested;
  return !(
    ni.pods.length + 1 > a.pods ||
    (plan.cpu > 0 && plan.cpu > a.cpu - r.cpu) ||
    (plan.memory > 0 && plan.memory > a.memory - r.memory) ||
    (plan.ephemeral > 0 && plan.ephemeral > a.ephemeral - r.ephemeral)
  );
}

/**
 * selectHost done inside the Filter loop (see pickByFit): the fit scores the table remembers
 * for the pod's request shape, the tie draw, and out, the chosen row (-1: none fit).
 */
export interface InlinePick {
  nz: Resources;
  req: Resources;
  cache: { score: Float64Array; at: Uint32Array };
  rng: () => number;
  best: number;
}

/**
 * The InlinePick for a pod whose total score is NodeResourcesFit + BalancedAllocation plus
 * the same constant on every node (scoreNodes then adds: no preferred node or pod affinity
 * terms, no spreading score, TaintToleration's full 300 as no node has a PreferNoSchedule
 * taint); undefined otherwise. Its nodes are then ordered by the fit score alone.
 */
export function pickByFit(pod: KObject, table: NodeTable, fctx: FilterContext, rng: () => number): InlinePick | undefined {
  const spec = pod.spec;
  const aff = spec?.affinity;
  if (table.preferTainted !== 0 || aff?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length) return undefined;
  if (aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length || aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length) return undefined;
  // PodTopologySpread scores explicit constraints, else the default spreading of a controller's pods.
  if (spec?.topologySpreadConstraints?.length || (pod.metadata.ownerReferences ?? []).some((o: any) => o.controller)) return undefined;
  const nz = (fctx.podNonZero ??= podRequests(pod, true));
  const req = (fctx.podReq ??= podRequests(pod));
  return { nz, req, cache: table.fitScoresFor(nz, req), rng, best: -1 };
}

/** NodeResourcesFit + BalancedAllocation of the table's row `r` for the pod of `cache`, remembered until the row changes. */
function fitScoreOf(table: NodeTable, cache: { score: Float64Array; at: Uint32Array }, nz: Resources, req: Resources, r: number): number {
  if (cache.at[r] !== table.version[r]) {
    cache.score[r] = fitScores(nz, req, table.nonZeroCpu[r], table.nonZeroMemory[r], table.reqCpu[r], table.reqMemory[r], table.allocCpu[r], table.allocMemory[r]);
    cache.at[r] = table.version[r];
  }
  return cache.score[r];
}

/**
 * The Filter phase over `nodes` from `startAt` on (wrapping around), until `want` nodes
 * pass or every node was examined: fills `feasible` and `rejected`, returns how many nodes
 * were examined. For a pod that only its requests can keep off an untainted, schedulable
 * node (most pods), such a node is checked inline; any other goes through filterNode.
 * Same outcome as filterNode on every node, a fraction of its cost.
 * With `pick` (pickByFit), each feasible node is scored and selectHost's reservoir runs as
 * it is found (same order, same draws as scoreNodes then the selection over `feasible`):
 * `pick.best` is the chosen row and `feasible` is left as it was. Three passes over 500 of
 * 5,000 nodes per pod were a third of scheduling's own CPU.
 */
export function findFeasibleNodes(pod: KObject, nodes: NodeInfo[], table: NodeTable, startAt: number, want: number, fctx: FilterContext, feasible: NodeInfo[], feasibleRows: Int32Array, rejected: Array<[string, NodeStatus]>, count?: { found: number }, pick?: InlinePick): number {
  const total = nodes.length;
  const plan = planOf(pod, fctx);
  const plain = plan.nodeName === undefined && !plan.nodeSelection && !plan.ports.length && !plan.spread && !affinityFilters(pod, plan, fctx);
  const room = table.room;
  const { cpu, memory, ephemeral } = plan;
  // Filled by index (`feasibleRows` is the snapshot's, as long as the node list): pushing
  // hundreds of nodes per pod regrew both arrays, a fifth of what a binding allocated.
  let found = 0;
  let examined = 0;
  let bestScore = 0;
  let ties = 0;
  for (; examined < total && found < want; examined++) {
    let i = startAt + examined;
    if (i >= total) i -= total;
    // fits(plan, nodes[i]) on the table's copy of the node's numbers (pod counts are integers:
    // pods + 1 > allocatable is room < 1)
    const r = 4 * i;
    if (
      !plain ||
      room[r] < 1 ||
      (cpu > 0 && cpu > room[r + 1]) ||
      (memory > 0 && memory > room[r + 2]) ||
      (ephemeral > 0 && ephemeral > room[r + 3])
    ) {
      const ni = nodes[i];
      const s = filterNode(pod, ni, fctx);
      if (s) {
        rejected.push([ni.name, s]);
        continue;
      }
    }
    if (pick) {
      // selectHost: the highest score wins; nodes with exactly that score are sampled one by
      // one (reservoir sampling, each kept with probability 1/count), as kube-scheduler does.
      const score = fitScoreOf(table, pick.cache, pick.nz, pick.req, i);
      if (found === 0 || score > bestScore) {
        bestScore = score;
        pick.best = i;
        ties = 1;
      } else if (score === bestScore) {
        ties++;
        if (pick.rng() * ties < 1) pick.best = i;
      }
      found++;
      continue;
    }
    feasible[found] = nodes[i];
    feasibleRows[found++] = i;
  }
  // With `count`, `feasible` is a buffer kept from pod to pod (a new array of hundreds of
  // nodes per pod was a tenth of what scheduling allocated): its length is left as it is.
  if (count) count.found = found;
  else if (!pick) feasible.length = found;
  return examined;
}

export function fitReasons(req: Resources, ni: NodeInfo, extraPods = 0): string[] {
  const out: string[] = [];
  if (ni.pods.length + 1 + extraPods > ni.allocatable.pods) out.push('Too many pods');
  if (req.cpu > 0 && req.cpu > ni.allocatable.cpu - ni.requested.cpu) out.push('Insufficient cpu');
  if (req.memory > 0 && req.memory > ni.allocatable.memory - ni.requested.memory) out.push('Insufficient memory');
  if (req.ephemeral > 0 && req.ephemeral > ni.allocatable.ephemeral - ni.requested.ephemeral) out.push('Insufficient ephemeral-storage');
  return out;
}


// ---------- scoring ----------
// As kube-scheduler: every plugin scores a node with an int64 in 0..100 (after its
// NormalizeScore), the framework multiplies it by the plugin's weight and adds the products;
// selectHost then takes the highest total, breaking exact ties by reservoir sampling.

const MAX_SCORE = 100;

/** Go's int64 `a / b` for 0 <= a < 2^53, b > 0 (truncated; the float quotient corrected where it rounded up). */
function idiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  if (q * b > a) q--;
  else if ((q + 1) * b <= a) q++;
  return q;
}

/** noderesources leastRequestedScore: the share left free, in 0..100. */
function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return idiv((capacity - requested) * MAX_SCORE, capacity);
}

/**
 * NodeResourcesFit (LeastAllocated, cpu and memory weight 1) on the non-zero requests, plus
 * NodeResourcesBalancedAllocation on the requests as they are (useRequested); a resource the
 * node has none of is left out of both, as kube-scheduler's score does.
 */
function fitScores(nz: Resources, req: Resources, nzCpu: number, nzMemory: number, reqCpu: number, reqMemory: number, allocCpu: number, allocMemory: number): number {
  let least = 0;
  let weights = 0;
  let fc = -1;
  let fm = -1;
  if (allocCpu !== 0) {
    least += leastRequested(nzCpu + nz.cpu, allocCpu);
    weights++;
    fc = Math.min(1, (reqCpu + req.cpu) / allocCpu);
  }
  if (allocMemory !== 0) {
    least += leastRequested(nzMemory + nz.memory, allocMemory);
    weights++;
    fm = Math.min(1, (reqMemory + req.memory) / allocMemory);
  }
  // balancedResourceScorer: with two fractions the deviation is half their difference; with one, none.
  const std = fc >= 0 && fm >= 0 ? Math.abs((fc - fm) / 2) : 0;
  return (weights ? Math.trunc(least / weights) : 0) + Math.trunc((1 - std) * MAX_SCORE);
}

/** helper.DefaultNormalizeScore (raw scores >= 0): scaled to 0..100 of the highest, reversed on request; weighted into `totals`. */
function addNormalized(totals: number[] | Float64Array, raw: number[], weight: number, reverse = false): void {
  let maxV = 0;
  for (let i = 0; i < raw.length; i++) if (raw[i] > maxV) maxV = raw[i];
  for (let i = 0; i < raw.length; i++) {
    let s: number;
    if (maxV === 0) s = reverse ? MAX_SCORE : 0;
    else {
      s = idiv(MAX_SCORE * raw[i], maxV);
      if (reverse) s = MAX_SCORE - s;
    }
    totals[i] += weight * s;
  }
}

/**
 * Scores the feasible nodes (default weights: fit 1, balanced 1, node affinity 2, pod
 * affinity 2, spread 2, taints 3); returns the integer totals in the same order.
 * ImageLocality (weight 1) scores 0 everywhere here: node objects list no images.
 */
export function scoreNodes(pod: KObject, feasible: NodeInfo[], fctx: FilterContext, rows?: { table: NodeTable; index: Int32Array; totals: Float64Array; count?: number }): ArrayLike<number> {
  const nz = (fctx.podNonZero ??= podRequests(pod, true));
  const req = (fctx.podReq ??= podRequests(pod));
  const ns = pod.metadata.namespace ?? 'default';
  // The first `count` entries of a reused buffer, or all of them.
  const n = rows?.count ?? feasible.length;
  // Plain loops over the table's numbers when there is one: this runs for hundreds of nodes per pod.
  // Into the snapshot's buffer when there is one (the first n entries are this pod's).
  const totals = rows ? rows.totals : new Array<number>(n);
  // No node of the table has a PreferNoSchedule taint (the usual case): TaintToleration's
  // full score is added in the fit loop, not by two more passes over the nodes (the totals
  // are integer sums: the order of the additions does not matter).
  const untainted = rows !== undefined && rows.table.preferTainted === 0;
  if (rows) {
    const { table, index } = rows;
    const cache = table.fitScoresFor(nz, req);
    const taintScore = untainted ? 3 * MAX_SCORE : 0;
    for (let i = 0; i < n; i++) totals[i] = fitScoreOf(table, cache, nz, req, index[i]) + taintScore;
  } else {
    for (let i = 0; i < n; i++) {
      const ni = feasible[i];
      totals[i] = fitScores(nz, req, ni.nonZero.cpu, ni.nonZero.memory, ni.requested.cpu, ni.requested.memory, ni.allocatable.cpu, ni.allocatable.memory);
    }
  }

  // NodeAffinity preferred terms
  const pref = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  if (pref.length) {
    const raw = mapNodes(feasible, n, (ni) => pref.reduce((s: number, p: any) => s + (matchesNodeSelectorTerm(p.preference, ni.node) ? p.weight ?? 0 : 0), 0));
    addNormalized(totals, raw, 2);
  }
  // TaintToleration: fewer intolerable PreferNoSchedule taints is better
  if (!untainted) {
    const tols = pod.spec?.tolerations;
    let raw: number[] | undefined;
    for (let i = 0; i < n; i++) {
      if (rows ? rows.table.preferTaints[rows.index[i]] === 0 : !feasible[i].preferTaints.length) continue;
      let c = 0;
      for (const t of feasible[i].preferTaints) if (!toleratesTaint(tols, t)) c++;
      if (c) (raw ??= new Array<number>(n).fill(0))[i] = c;
    }
    // No node with an intolerable one (the usual case): every node gets the full score, as addNormalized gives.
    if (raw) addNormalized(totals, raw, 3, true);
    else for (let i = 0; i < n; i++) totals[i] += 3 * MAX_SCORE;
  }
  // InterPodAffinity preferred terms (both directions of the incoming pod's terms)
  const aff = pod.spec?.affinity ?? {};
  const prefAff = aff.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  const prefAnti = aff.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  if (prefAff.length || prefAnti.length) {
    fctx.allPods ??= liveBoundPods(fctx);
    const all = fctx.allPods;
    const raw = mapNodes(feasible, n, (ni) => {
      let s = 0;
      for (const w of prefAff) for (const [p, n] of all) if (sameDomain(w.podAffinityTerm.topologyKey, ni, n) && termMatches(w.podAffinityTerm, ns, p, fctx)) s += w.weight;
      for (const w of prefAnti) for (const [p, n] of all) if (sameDomain(w.podAffinityTerm.topologyKey, ni, n) && termMatches(w.podAffinityTerm, ns, p, fctx)) s -= w.weight;
      return s;
    });
    // InterPodAffinity's NormalizeScore: (score - min) / (max - min) of 100, in float64, truncated.
    let minV = Infinity;
    let maxV = -Infinity;
    for (const v of raw) {
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    raw.forEach((v, i) => (totals[i] += 2 * (maxV === minV ? 0 : Math.trunc(MAX_SCORE * ((v - minV) / (maxV - minV))))));
  }
  // PodTopologySpread: explicit ScheduleAnyway constraints, else the system default of
  // spreading a controller's pods over hostnames.
  const soft = spreadConstraints(pod, 'ScheduleAnyway');
  const owner = (pod.metadata.ownerReferences ?? []).find((o: any) => o.controller);
  if (soft.length || (owner && !pod.spec?.topologySpreadConstraints?.length)) {
    let raw: number[];
    if (soft.length) {
      const softCounts = soft.map((c: any) => [c.topologyKey, domainCounts(pod, c, fctx.nodes.values())] as const);
      raw = mapNodes(feasible, n, (ni) => softCounts.reduce((s: number, [k, counts]: readonly [string, Map<string, number>]) => s + (counts.get(ni.labels[k]) ?? 0), 0));
    } else if (rows) {
      // The owner's pods per node from the table's row of counts, not a lookup on each NodeInfo.
      const counts = rows.table.ownerCountsFor(owner!.uid);
      raw = new Array<number>(n);
      for (let i = 0; i < n; i++) raw[i] = counts[rows.index[i]];
    } else raw = mapNodes(feasible, n, (ni) => ni.owners.get(owner!.uid) ?? 0);
    addNormalized(totals, raw, 2, true);
  }
  return totals;
}

/** `fn` over the first `n` nodes. */
function mapNodes<T>(nodes: NodeInfo[], n: number, fn: (ni: NodeInfo) => T): T[] {
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = fn(nodes[i]);
  return out;
}

// ---------- the message ----------

/** "0/3 nodes are available: 1 node(s) had …, 2 Insufficient cpu." — histogram sorted as strings. */
export function fitErrorMessage(numNodes: number, statuses: NodeStatus[], preFilterMsg?: string): string {
  let msg = `0/${numNodes} nodes are available:`;
  if (preFilterMsg) msg += ` ${preFilterMsg}.`;
  else {
    const counts = new Map<string, number>();
    for (const s of statuses) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort();
    if (parts.length) msg += ` ${parts.join(', ')}.`;
  }
  return msg;
}

