/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The cluster as a picture: a shelf per node (its room: CPU, memory and pod slots against
// what its pods request), a block per pod labelled with its status as `get pods` words it
// (the printer's own podStatus, bundled), pods waiting for a node beside the shelves with
// the scheduler's reason, and each Deployment's ReplicaSets side by side so a rolling
// update shows as one set draining into another. HTML is built as escaped strings and
// written per shelf, so a change redraws only the shelves it touches.

import type { K8sObject } from './client';
import { podStatus } from '../../printers/columns/pods';
import { nodes as nodeTable } from '../../printers/columns/cluster';
import { holdsRoom, keyOf, ownerOf, podRequests, quantityOr0, type Model } from './model';

export const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface Filter {
  namespace: string; // '' = all
  matches: (labels: Record<string, string> | undefined) => boolean;
}

export const visible = (pod: K8sObject, f: Filter): boolean => (!f.namespace || pod.metadata.namespace === f.namespace) && f.matches(pod.metadata.labels);

/** A status word's family: what its colour and its symbol say (the word itself is always shown). */
export function family(status: string): { cls: string; icon: string } {
  if (status === 'Running') return { cls: 'ok', icon: '●' };
  if (status === 'Completed' || status === 'Succeeded') return { cls: 'done', icon: '✓' };
  if (status === 'Terminating') return { cls: 'term', icon: '…' };
  if (status === 'Pending' || status === 'ContainerCreating' || status === 'PodInitializing' || status.startsWith('Init:') && !/Err|BackOff|Error/.test(status)) return { cls: 'wait', icon: '◌' };
  return { cls: 'bad', icon: '✖' };
}

export function restartsOf(restarts: string): number {
  return Number.parseInt(restarts, 10) || 0;
}

function block(pod: K8sObject, now: number): string {
  return `<li>${podButton(pod, now)}</li>`;
}

function podButton(pod: K8sObject, now: number): string {
  const s = podStatus(pod as any, now);
  const f = family(s.status);
  const n = restartsOf(s.restarts);
  const restarts = n > 0 ? `<span class="restarts">↻ ${n} restart${n === 1 ? '' : 's'}</span>` : '';
  const key = keyOf(pod);
  return `<button type="button" class="pod ${f.cls}" data-pod="${esc(key)}" data-status="${esc(s.status)}" data-restarts="${n}" aria-label="pod ${esc(key)}: ${esc(s.status)}, ready ${esc(s.ready)}${n ? `, ${n} restarts` : ''}"><span class="pname">${esc(pod.metadata.name)}</span><span class="pstatus"><span aria-hidden="true">${f.icon}</span> ${esc(s.status)}</span>${restarts}</button>`;
}

function fmtCpu(m: number): string {
  return m % 1000 === 0 ? `${m / 1000}` : `${m}m`;
}

function fmtMem(b: number): string {
  const units: Array<[string, number]> = [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]];
  for (const [u, v] of units) if (b >= v) return `${Math.round((b / v) * 10) / 10}${u}`;
  return `${b}`;
}

function meter(label: string, used: number, total: number, show: (v: number) => string): string {
  const pct = total > 0 ? Math.round((used / total) * 100) : 0;
  return `<div class="room"><span class="rlabel">${label}</span><meter min="0" max="${total || 1}" value="${Math.min(used, total || 1)}" high="${(total || 1) * 0.9}" optimum="0" aria-label="${label} requested ${show(used)} of ${show(total)}"></meter><span class="rtext">${show(used)} / ${show(total)} (${pct}%)${used > total ? ' over' : ''}</span></div>`;
}

/** Groups pods by their controller (a ReplicaSet's pods side by side), in name order. */
function grouped(pods: K8sObject[]): Array<[string, K8sObject[]]> {
  const groups = new Map<string, K8sObject[]>();
  for (const p of pods) {
    const o = ownerOf(p);
    const g = o ? `${o.kind}/${o.name}` : '';
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push(p);
  }
  const byName = (a: K8sObject, b: K8sObject) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);
  return [...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([g, list]) => [g, list.sort(byName)]);
}

export function shelfHtml(m: Model, nodeName: string, f: Filter, now: number, stopped: Record<string, number>): string {
  const node = m.objects.nodes.get(nodeName);
  if (!node) return '';
  const status = nodeTable.cells(node as any, now)[1];
  const alloc = node.status?.allocatable ?? {};
  const cpuTotal = quantityOr0(alloc.cpu, 'cpu');
  const memTotal = quantityOr0(alloc.memory, 'memory');
  const podsTotal = Number.parseInt(String(alloc.pods ?? '0'), 10) || 0;
  let cpu = 0;
  let mem = 0;
  let count = 0;
  const shown: K8sObject[] = [];
  for (const k of m.podsByPlace.get(nodeName) ?? []) {
    const p = m.objects.pods.get(k);
    if (!p) continue;
    if (holdsRoom(p)) {
      const r = podRequests(p);
      cpu += r.cpu;
      mem += r.memory;
      count++;
    }
    if (visible(p, f)) shown.push(p);
  }
  const power = stopped[nodeName] !== undefined ? '<span class="tag bad">⏻ powered off</span>' : '';
  const ready = status.split(',')[0] === 'Ready';
  const groups = grouped(shown)
    .map(([g, pods]) => `<li class="group"><span class="gname">${g ? esc(g) : 'no controller'}</span><ul class="blocks">${pods.map((p) => block(p, now)).join('')}</ul></li>`)
    .join('');
  return `<h3><button type="button" class="nodebtn" data-node="${esc(nodeName)}">${esc(nodeName)}</button> <span class="tag ${ready ? 'ok' : 'bad'}">${ready ? '●' : '✖'} ${esc(status)}</span>${power}</h3>
<div class="rooms">${meter('CPU', cpu, cpuTotal, fmtCpu)}${meter('Memory', mem, memTotal, fmtMem)}${meter('Pods', count, podsTotal, String)}</div>
<ul class="groups" aria-label="pods on ${esc(nodeName)}">${groups || '<li class="empty">no pods</li>'}</ul>`;
}

/** The scheduler's reason a pod waits: its PodScheduled condition's message. */
export function waitingReason(pod: K8sObject): string {
  const c = (pod.status?.conditions ?? []).find((x: any) => x?.type === 'PodScheduled');
  if (c?.status === 'False') return `${c.reason ?? 'Unschedulable'}: ${c.message ?? ''}`;
  return 'waiting for the scheduler';
}

export function pendingHtml(m: Model, f: Filter, now: number): string {
  const pods: K8sObject[] = [];
  for (const k of m.podsByPlace.get('') ?? []) {
    const p = m.objects.pods.get(k);
    if (p && visible(p, f) && holdsRoom(p)) pods.push(p);
  }
  pods.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  if (!pods.length) return '<p class="empty">No pod is waiting for a node.</p>';
  return `<ul class="waiting">${pods
    .map((p) => `<li>${podButton(p, now)}<p class="reason">${esc(waitingReason(p))}</p></li>`)
    .join('')}</ul>`;
}

const revision = (o: K8sObject): number => Number(o.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);

/** Each Deployment with its ReplicaSets, oldest revision first, and their pods counted by status. */
export function rolloutsHtml(m: Model, f: Filter, now: number): string {
  const rsByOwner = new Map<string, K8sObject[]>();
  for (const rs of m.objects.replicasets.values()) {
    const o = ownerOf(rs);
    if (o?.kind !== 'Deployment') continue;
    const k = `${rs.metadata.namespace}/${o.name}`;
    let l = rsByOwner.get(k);
    if (!l) rsByOwner.set(k, (l = []));
    l.push(rs);
  }
  const podsByRs = new Map<string, Map<string, number>>();
  for (const p of m.objects.pods.values()) {
    const o = ownerOf(p);
    if (o?.kind !== 'ReplicaSet' || !visible(p, f)) continue;
    const k = `${p.metadata.namespace}/${o.name}`;
    let counts = podsByRs.get(k);
    if (!counts) podsByRs.set(k, (counts = new Map()));
    const s = podStatus(p as any, now).status;
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  const deps = [...m.objects.deployments.values()].filter((d) => !f.namespace || d.metadata.namespace === f.namespace).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  if (!deps.length) return '<p class="empty">No Deployments.</p>';
  return deps
    .map((d) => {
      const sets = (rsByOwner.get(keyOf(d)) ?? []).sort((a, b) => revision(a) - revision(b));
      const st = d.status ?? {};
      const rows = sets
        .map((rs) => {
          const counts = podsByRs.get(keyOf(rs)) ?? new Map<string, number>();
          const total = [...counts.values()].reduce((a, b) => a + b, 0);
          const chips = [...counts.entries()].sort().map(([s, n]) => `<span class="chip ${family(s).cls}"><span aria-hidden="true">${family(s).icon}</span> ${esc(s)} ${n}</span>`).join(' ');
          const want = rs.spec?.replicas ?? 0;
          const role = want > 0 ? (revision(rs) === Math.max(...sets.map(revision)) ? 'new' : 'old') : 'old, scaled down';
          return `<li class="rs" data-rs="${esc(keyOf(rs))}"><span class="rsname">${esc(rs.metadata.name)}</span> <span class="rsmeta">revision ${revision(rs)} (${role}): ${total} pod${total === 1 ? '' : 's'}, wants ${want}</span> ${chips}</li>`;
        })
        .join('');
      return `<section class="deploy" aria-label="deployment ${esc(keyOf(d))}"><h3>${esc(keyOf(d))} <span class="rsmeta">${st.readyReplicas ?? 0}/${d.spec?.replicas ?? 0} ready, ${st.updatedReplicas ?? 0} up to date</span></h3><ul class="rslist">${rows}</ul></section>`;
    })
    .join('');
}

const evTime = (e: K8sObject): string => e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '';

export function sortedEvents(m: Model, f: { namespace: string }, limit: number, about?: (e: K8sObject) => boolean): K8sObject[] {
  const list = [...m.objects.events.values()].filter((e) => (!f.namespace || e.metadata.namespace === f.namespace) && (!about || about(e)));
  list.sort((a, b) => (evTime(a) < evTime(b) ? 1 : evTime(a) > evTime(b) ? -1 : 0));
  return list.slice(0, limit);
}

export function eventsHtml(events: K8sObject[]): string {
  if (!events.length) return '<p class="empty">No events.</p>';
  return `<ol class="timeline">${events
    .map((e) => {
      const warn = e.type === 'Warning';
      const io = e.involvedObject ?? {};
      const count = (e.count ?? e.series?.count ?? 1) > 1 ? ` (x${e.count ?? e.series?.count})` : '';
      return `<li class="${warn ? 'warn' : 'normal'}"><time>${esc(evTime(e).replace('T', ' ').replace('Z', ''))}</time> <span class="etype">${warn ? '⚠ Warning' : 'Normal'}</span> <b>${esc(e.reason)}</b> <span class="eobj">${esc(String(io.kind ?? '').toLowerCase())}/${esc(io.name)}</span>${count}: ${esc(e.message)}</li>`;
    })
    .join('')}</ol>`;
}
