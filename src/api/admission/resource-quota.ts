// ResourceQuota: what an object adds to a namespace's usage, and the admission check that
// refuses a create going over a quota's hard limits (kube-apiserver's ResourceQuota plugin,
// with its messages). The quota controller (src/controllers/resource-quota.ts) uses the same
// usage function to fill status.used.

import type { KObject } from '../types';
import { bytes, cpuMillis, formatQuantity, newQuantity } from '../quantity';

/** Resource names measured in CPU (millicores internally); others are bytes or counts. */
const CPU = new Set(['requests.cpu', 'limits.cpu', 'cpu']);
const BYTES = new Set(['requests.memory', 'limits.memory', 'memory', 'requests.storage', 'requests.ephemeral-storage', 'limits.ephemeral-storage', 'ephemeral-storage']);

/** Legacy object-count names and the plural they count. */
const LEGACY_COUNTS: Record<string, string> = {
  pods: 'pods',
  services: 'services',
  configmaps: 'configmaps',
  secrets: 'secrets',
  persistentvolumeclaims: 'persistentvolumeclaims',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

export function isTerminalPod(p: KObject): boolean {
  return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
}

function parse(name: string, v: unknown): number {
  try {
    if (CPU.has(name)) return cpuMillis(v as string);
    if (BYTES.has(name)) return bytes(v as string);
    return Number(bytes(v as string));
  } catch {
    return 0;
  }
}

/** A quota amount as the API prints it (`500m`, `1`, `1Gi`, `3`). */
export function formatAmount(name: string, n: number): string {
  if (CPU.has(name)) return n % 1000 === 0 ? String(n / 1000) : `${n}m`;
  // Whole Ki..Ei multiples with a binary suffix, the rest in decimal (`1Gi`, `1500`, `2M`).
  if (BYTES.has(name)) return formatQuantity(newQuantity(n, n % 1024 === 0 ? 'BinarySI' : 'DecimalSI'));
  return String(n);
}

/** Sum of one resource over a pod's containers, with init containers as the scheduler counts them. */
function podAmount(pod: KObject, which: 'requests' | 'limits', res: 'cpu' | 'memory' | 'ephemeral-storage'): number {
  const read = (c: any) => {
    const v = c?.resources?.[which]?.[res];
    if (v === undefined) return 0;
    return res === 'cpu' ? cpuMillis(v) : bytes(v);
  };
  const main = (pod.spec?.containers ?? []).reduce((a: number, c: any) => a + read(c), 0);
  const init = Math.max(0, ...(pod.spec?.initContainers ?? []).map(read));
  return Math.max(main, init);
}

/** What one object contributes to resource `name` of a quota (0 when it does not count). */
export function usageOf(obj: KObject, plural: string, group: string, name: string): number {
  const legacy = LEGACY_COUNTS[name];
  if (legacy) return legacy === plural && !(plural === 'pods' && isTerminalPod(obj)) ? 1 : 0;
  if (name.startsWith('count/')) {
    const want = name.slice('count/'.length);
    const mine = group ? `${plural}.${group}` : plural;
    return want === mine && !(plural === 'pods' && isTerminalPod(obj)) ? 1 : 0;
  }
  if (plural === 'services' && !group) {
    if (name === 'services.nodeports') return obj.spec?.type === 'NodePort' || obj.spec?.type === 'LoadBalancer' ? (obj.spec?.ports ?? []).length : 0;
    if (name === 'services.loadbalancers') return obj.spec?.type === 'LoadBalancer' ? 1 : 0;
  }
  if (plural === 'persistentvolumeclaims' && !group && name === 'requests.storage') {
    const v = obj.spec?.resources?.requests?.storage;
    return v === undefined ? 0 : bytes(v);
  }
  if (plural === 'pods' && !group && !isTerminalPod(obj)) {
    const m = /^(requests|limits)?\.?(cpu|memory|ephemeral-storage)$/.exec(name);
    if (m) return podAmount(obj, (m[1] as 'requests' | 'limits' | undefined) ?? 'requests', m[2] as 'cpu' | 'memory' | 'ephemeral-storage');
  }
  return 0;
}

function qosBestEffort(pod: KObject): boolean {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].every(
    (c: any) => !Object.keys(c?.resources?.requests ?? {}).length && !Object.keys(c?.resources?.limits ?? {}).length,
  );
}

function scopeMatches(scope: string, pod: KObject, op = 'Exists', values: string[] = []): boolean {
  switch (scope) {
    case 'Terminating':
      return pod.spec?.activeDeadlineSeconds != null;
    case 'NotTerminating':
      return pod.spec?.activeDeadlineSeconds == null;
    case 'BestEffort':
      return qosBestEffort(pod);
    case 'NotBestEffort':
      return !qosBestEffort(pod);
    case 'PriorityClass': {
      const pc = pod.spec?.priorityClassName;
      if (op === 'Exists') return !!pc;
      if (op === 'DoesNotExist') return !pc;
      if (op === 'In') return !!pc && values.includes(pc);
      if (op === 'NotIn') return !pc || !values.includes(pc);
      return false;
    }
    case 'CrossNamespacePodAffinity': {
      const terms = [...(pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []), ...(pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [])];
      return terms.some((t: any) => (t.namespaces ?? []).length || t.namespaceSelector);
    }
    default:
      return false;
  }
}

/** Whether a quota tracks this object: a quota with scopes tracks only the pods they select. */
export function quotaTracks(quota: KObject, obj: KObject, plural: string, group: string): boolean {
  const scopes: string[] = quota.spec?.scopes ?? [];
  const exprs: any[] = quota.spec?.scopeSelector?.matchExpressions ?? [];
  if (!scopes.length && !exprs.length) return true;
  if (plural !== 'pods' || group) return false;
  return scopes.every((sc) => scopeMatches(sc, obj)) && exprs.every((e) => scopeMatches(e.scopeName, obj, e.operator, e.values));
}

/** The compute resources a pod must state when a quota limits them (the plugin's "must specify"). */
function missingCompute(pod: KObject, hard: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const m = /^(requests|limits)?\.?(cpu|memory)$/.exec(name);
    if (!m) continue;
    const which = m[1] ?? 'requests';
    const lacking = (pod.spec?.containers ?? []).filter((c: any) => c?.resources?.[which]?.[m[2]] === undefined).map((c: any) => c.name);
    if (lacking.length) out.push(`${which}.${m[2]} for: ${lacking.join(',')}`);
  }
  return [...new Set(out)];
}

/**
 * Why creating `obj` would break a quota of its namespace, in the API server's words
 * (`exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2`), or undefined.
 * `existing(plural, group)` lists the namespace's current objects of a kind.
 */
export function quotaViolation(obj: KObject, plural: string, group: string, quotas: KObject[], existing: (plural: string, group: string) => KObject[]): string | undefined {
  for (const q of [...quotas].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1))) {
    if (!quotaTracks(q, obj, plural, group)) continue;
    const hard: Record<string, unknown> = q.spec?.hard ?? {};
    if (plural === 'pods' && !group) {
      const missing = missingCompute(obj, hard);
      if (missing.length) return `failed quota: ${q.metadata.name}: must specify ${missing.join('; ')}`;
    }
    const over: Array<{ name: string; requested: number; used: number; limit: number }> = [];
    for (const name of Object.keys(hard).sort()) {
      const requested = usageOf(obj, plural, group, name);
      if (!requested) continue;
      const limit = parse(name, hard[name]);
      const used = usedIn(name, existing, q);
      if (used + requested > limit) over.push({ name, requested, used, limit });
    }
    if (over.length) {
      const list = (f: (o: (typeof over)[number]) => number) => over.map((o) => `${o.name}=${formatAmount(o.name, f(o))}`).join(',');
      return `exceeded quota: ${q.metadata.name}, requested: ${list((o) => o.requested)}, used: ${list((o) => o.used)}, limited: ${list((o) => o.limit)}`;
    }
  }
  return undefined;
}

/** Which kind a quota resource name counts, as [plural, group]; undefined for unknown names. */
export function countedKind(name: string): [string, string] | undefined {
  if (LEGACY_COUNTS[name]) return [LEGACY_COUNTS[name], ''];
  if (name.startsWith('count/')) {
    const [plural, ...g] = name.slice('count/'.length).split('.');
    return [plural, g.join('.')];
  }
  if (name.startsWith('services.')) return ['services', ''];
  if (name === 'requests.storage') return ['persistentvolumeclaims', ''];
  if (/^(requests\.|limits\.)?(cpu|memory|ephemeral-storage)$/.test(name)) return ['pods', ''];
  return undefined;
}

/** Current usage of one quota resource in a namespace (only what the quota's scopes select). */
export function usedIn(name: string, existing: (plural: string, group: string) => KObject[], quota: KObject): number {
  const kind = countedKind(name);
  if (!kind) return 0;
  return existing(kind[0], kind[1]).reduce((sum, o) => sum + (quotaTracks(quota, o, kind[0], kind[1]) ? usageOf(o, kind[0], kind[1], name) : 0), 0);
}

/**
 * The namespace's objects of every kind the quotas count (only the quota resources `wanted`
 * accepts), listed once up front: quotaViolation and usedIn then look them up synchronously.
 */
export async function countedObjects(
  quotas: KObject[],
  list: (plural: string, group: string) => Promise<KObject[]>,
  wanted: (resourceName: string) => boolean = () => true,
): Promise<(plural: string, group: string) => KObject[]> {
  const lists = new Map<string, KObject[]>();
  for (const q of quotas) {
    for (const name of Object.keys(q.spec?.hard ?? {})) {
      const kind = countedKind(name);
      if (!kind || !wanted(name) || lists.has(`${kind[0]}/${kind[1]}`)) continue;
      lists.set(`${kind[0]}/${kind[1]}`, await list(kind[0], kind[1]));
    }
  }
  return (plural, group) => lists.get(`${plural}/${group}`) ?? [];
}
