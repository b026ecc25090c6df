// kube-scheduler's default filter and score plugins over an in-memory snapshot of nodes
// and the pods bound to them. Pure: no API calls. The reason texts and their
// "resolvable by preemption" flags are those of the v1.32 plugins, so that the
// FailedScheduling message (see failureMessage) reads exactly like kube-scheduler's.

import type { KObject } from '../api/types';
import { cpuMillis, bytes } from '../api/quantity';
import { fromLabelSelectorSpec, matchesLabels, matchesNodeSelectorTerm, podMatchesNodeSelection, type LabelSelectorSpec } from '../api/selectors';

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
  usedPorts: Set<string>;
}

/** A filter failure on one node: the reasons and whether preemption could fix it. */
export interface NodeStatus {
  reasons: string[];
  unresolvable: boolean;
}

const zero = (): Resources => ({ cpu: 0, memory: 0, ephemeral: 0 });

function q(fn: (s: string) => number, v: unknown): number {
  if (v === undefined || v === null) return 0;
  try {
    return fn(String(v));
  } catch {
    return 0;
  }
}

function containerRes(c: any): Resources {
  const r = c?.resources?.requests ?? {};
  return { cpu: q(cpuMillis, r.cpu), memory: q(bytes, r.memory), ephemeral: q(bytes, r['ephemeral-storage']) };
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
  const withDefaults = (r: Resources, c: any): Resources => {
    if (!nonZero) return r;
    const req = c?.resources?.requests ?? {};
    return { cpu: req.cpu === undefined ? 100 : r.cpu, memory: req.memory === undefined ? 200 * 1024 * 1024 : r.memory, ephemeral: r.ephemeral };
  };
  let sum = zero();
  for (const c of pod.spec?.containers ?? []) sum = add(sum, withDefaults(containerRes(c), c));
  let sidecars = zero();
  let initMax = zero();
  for (const c of pod.spec?.initContainers ?? []) {
    const r = withDefaults(containerRes(c), c);
    if (c.restartPolicy === 'Always') {
      sidecars = add(sidecars, r);
      initMax = max(initMax, sidecars);
    } else {
      initMax = max(initMax, add(r, sidecars));
    }
  }
  let total = max(add(sum, sidecars), initMax);
  const oh = pod.spec?.overhead;
  if (oh) total = add(total, { cpu: q(cpuMillis, oh.cpu), memory: q(bytes, oh.memory), ephemeral: q(bytes, oh['ephemeral-storage']) });
  return total;
}

function hostPorts(pod: KObject): string[] {
  const out: string[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (p.hostPort) out.push(`${p.protocol ?? 'TCP'}/${p.hostIP ?? '0.0.0.0'}/${p.hostPort}`);
    }
  }
  return out;
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

export function newNodeInfo(node: KObject): NodeInfo {
  const a = node.status?.allocatable ?? node.status?.capacity ?? {};
  return {
    node,
    name: node.metadata.name!,
    labels: node.metadata.labels ?? {},
    allocatable: { cpu: q(cpuMillis, a.cpu), memory: q(bytes, a.memory), ephemeral: q(bytes, a['ephemeral-storage']), pods: Number(a.pods ?? 110) },
    requested: zero(),
    nonZero: { cpu: 0, memory: 0 },
    pods: [],
    usedPorts: new Set(),
  };
}

export function addPod(ni: NodeInfo, pod: KObject): void {
  ni.pods.push(pod);
  ni.requested = add(ni.requested, podRequests(pod));
  const nz = podRequests(pod, true);
  ni.nonZero = { cpu: ni.nonZero.cpu + nz.cpu, memory: ni.nonZero.memory + nz.memory };
  for (const p of hostPorts(pod)) ni.usedPorts.add(p);
}

export function removePod(ni: NodeInfo, pod: KObject): void {
  const i = ni.pods.findIndex((p) => p.metadata.uid === pod.metadata.uid);
  if (i < 0) return;
  const [old] = ni.pods.splice(i, 1);
  const r = podRequests(old);
  ni.requested = { cpu: ni.requested.cpu - r.cpu, memory: ni.requested.memory - r.memory, ephemeral: ni.requested.ephemeral - r.ephemeral };
  const nz = podRequests(old, true);
  ni.nonZero = { cpu: ni.nonZero.cpu - nz.cpu, memory: ni.nonZero.memory - nz.memory };
  ni.usedPorts = new Set(ni.pods.flatMap(hostPorts));
}

// ---------- tolerations, node affinity ----------

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

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
  podPorts?: string[];
}

/** Runs the filters in kube-scheduler's order; the first failing plugin decides the node's status. */
export function filterNode(pod: KObject, ni: NodeInfo, fctx: FilterContext): NodeStatus | undefined {
  const spec = pod.spec ?? {};
  const tols = spec.tolerations;
  // NodeUnschedulable
  if (ni.node.spec?.unschedulable && !toleratesTaint(tols, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) {
    return { reasons: ['node(s) were unschedulable'], unresolvable: true };
  }
  // NodeName
  if (spec.nodeName && spec.nodeName !== ni.name) return { reasons: ["node(s) didn't match the requested node name"], unresolvable: true };
  // TaintToleration
  for (const t of (ni.node.spec?.taints ?? []) as Taint[]) {
    if (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') continue;
    if (!toleratesTaint(tols, t)) return { reasons: [`node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`], unresolvable: true };
  }
  // NodeAffinity
  if (!matchesNodeSelection(pod, ni.node)) return { reasons: ["node(s) didn't match Pod's node affinity/selector"], unresolvable: true };
  // NodePorts
  const ports = (fctx.podPorts ??= hostPorts(pod));
  if (ports.length && portsConflict(ni.usedPorts, ports)) return { reasons: ["node(s) didn't have free ports for the requested pod ports"], unresolvable: false };
  // NodeResourcesFit
  const fit = fitReasons((fctx.podReq ??= podRequests(pod)), ni);
  if (fit.length) return { reasons: fit, unresolvable: false };
  // PodTopologySpread
  if (spec.topologySpreadConstraints?.length) {
    const s = topologySpreadStatus(pod, ni, fctx.nodes.values(), fctx.spreadCache);
    if (s) return s;
  }
  // InterPodAffinity (state computed once per pod, not per node)
  fctx.affinity ??= affinityState(pod, fctx);
  if (fctx.affinity.existingAnti.size || fctx.affinity.affinity.length || fctx.affinity.anti.length) {
    const s = interPodAffinityStatus(ni, fctx.affinity);
    if (s) return s;
  }
  return undefined;
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

const MAX_SCORE = 100;

// Hoisted: closures created per node cost more than the arithmetic (esbuild keepNames).
function part(req: number, cap: number): number {
  return cap <= 0 || req > cap ? 0 : ((cap - req) * MAX_SCORE) / cap;
}

function leastAllocated(pod: Resources, ni: NodeInfo): number {
  return (part(ni.nonZero.cpu + pod.cpu, ni.allocatable.cpu) + part(ni.nonZero.memory + pod.memory, ni.allocatable.memory)) / 2;
}

function balanced(pod: Resources, ni: NodeInfo): number {
  const fc = Math.min(1, (ni.nonZero.cpu + pod.cpu) / Math.max(1, ni.allocatable.cpu));
  const fm = Math.min(1, (ni.nonZero.memory + pod.memory) / Math.max(1, ni.allocatable.memory));
  const mean = (fc + fm) / 2;
  const std = Math.sqrt(((fc - mean) ** 2 + (fm - mean) ** 2) / 2);
  return (1 - std) * MAX_SCORE;
}

function normalize(raw: number[], reverse = false): number[] {
  const maxV = Math.max(0, ...raw.map(Math.abs));
  return raw.map((v) => {
    if (maxV === 0) return reverse ? MAX_SCORE : 0;
    const s = (v * MAX_SCORE) / maxV;
    return reverse ? MAX_SCORE - s : s;
  });
}

/**
 * Scores the feasible nodes (default weights: fit 1, balanced 1, node affinity 2, pod
 * affinity 2, spread 2, taints 3); returns the totals in the same order.
 */
export function scoreNodes(pod: KObject, feasible: NodeInfo[], fctx: FilterContext): number[] {
  const req = podRequests(pod, true);
  const ns = pod.metadata.namespace ?? 'default';
  const totals = feasible.map((ni) => leastAllocated(req, ni) + balanced(req, ni));

  // NodeAffinity preferred terms
  const pref = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  if (pref.length) {
    const raw = feasible.map((ni) => pref.reduce((s: number, p: any) => s + (matchesNodeSelectorTerm(p.preference, ni.node) ? p.weight ?? 0 : 0), 0));
    normalize(raw).forEach((s, i) => (totals[i] += 2 * s));
  }
  // TaintToleration: fewer intolerable PreferNoSchedule taints is better
  {
    const raw = feasible.map((ni) => ((ni.node.spec?.taints ?? []) as Taint[]).filter((t) => t.effect === 'PreferNoSchedule' && !toleratesTaint(pod.spec?.tolerations, t)).length);
    normalize(raw, true).forEach((s, i) => (totals[i] += 3 * s));
  }
  // InterPodAffinity preferred terms (both directions of the incoming pod's terms)
  const aff = pod.spec?.affinity ?? {};
  const prefAff = aff.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  const prefAnti = aff.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  if (prefAff.length || prefAnti.length) {
    fctx.allPods ??= liveBoundPods(fctx);
    const all = fctx.allPods;
    const raw = feasible.map((ni) => {
      let s = 0;
      for (const w of prefAff) for (const [p, n] of all) if (sameDomain(w.podAffinityTerm.topologyKey, ni, n) && termMatches(w.podAffinityTerm, ns, p, fctx)) s += w.weight;
      for (const w of prefAnti) for (const [p, n] of all) if (sameDomain(w.podAffinityTerm.topologyKey, ni, n) && termMatches(w.podAffinityTerm, ns, p, fctx)) s -= w.weight;
      return s;
    });
    const minV = Math.min(...raw);
    const maxV = Math.max(...raw);
    raw.forEach((v, i) => (totals[i] += 2 * (maxV === minV ? 0 : ((v - minV) * MAX_SCORE) / (maxV - minV))));
  }
  // PodTopologySpread: explicit ScheduleAnyway constraints, else the system default of
  // spreading a controller's pods over hostnames.
  const soft = spreadConstraints(pod, 'ScheduleAnyway');
  const owner = (pod.metadata.ownerReferences ?? []).find((o: any) => o.controller);
  if (soft.length || (owner && !pod.spec?.topologySpreadConstraints?.length)) {
    const softCounts = soft.map((c: any) => [c.topologyKey, domainCounts(pod, c, fctx.nodes.values())] as const);
    const raw = feasible.map((ni) => {
      if (soft.length) return softCounts.reduce((s: number, [k, counts]: readonly [string, Map<string, number>]) => s + (counts.get(ni.labels[k]) ?? 0), 0);
      return ni.pods.filter((p) => (p.metadata.ownerReferences ?? []).some((o: any) => o.uid === owner!.uid)).length;
    });
    normalize(raw, true).forEach((s, i) => (totals[i] += 2 * s));
  }
  return totals;
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

