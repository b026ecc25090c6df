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

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const SPECIAL = /[&<>"']/;
export const esc = (v: unknown): string => {
  const s = String(v ?? '');
  return SPECIAL.test(s) ? s.replace(/[&<>"']/g, (c) => ESC[c]) : s;
};

/** What the picture needs of a pod, computed once per object version (watch events bring new objects). */
interface PodView {
  status: string;
  /** The status word, with READY when a Running pod is not ready yet ("Running, 0/1 ready"). */
  label: string;
  ready: string;
  restarts: number;
  cpu: number;
  memory: number;
  /** The block's HTML, built when first drawn. */
  readonly html: string;
}
const views = new WeakMap<K8sObject, PodView>();

export function viewOf(pod: K8sObject, now: number): PodView {
  let v = views.get(pod);
  if (!v) {
    // The status word does not depend on the time (only the "(5m ago)" of RESTARTS does).
    const s = podStatus(pod as any, now);
    const r = podRequests(pod);
    let html: string | undefined;
    const [up, of] = s.ready.split('/');
    const view: PodView = {
      status: s.status, ready: s.ready, label: s.status === 'Running' && up !== of ? `Running, ${s.ready} ready` : s.status, restarts: restartsOf(s.restarts), cpu: r.cpu, memory: r.memory,
      get html() {
        return (html ??= podButtonHtml(pod, view));
      },
    };
    v = view;
    views.set(pod, v);
  }
  return v;
}

export interface Filter {
  namespace: string; // '' = all
  matches: (labels: Record<string, string> | undefined) => boolean;
}

export const visible = (pod: K8sObject, f: Filter): boolean => (!f.namespace || pod.metadata.namespace === f.namespace) && f.matches(pod.metadata.labels);

/** A status word's family: what its colour and its symbol say (the word itself is always shown). */
export function family(status: string): { cls: string; icon: string } {
  if (status === 'Running') return { cls: 'ok', icon: '●' };
  if (status.startsWith('Running, ')) return { cls: 'wait', icon: '◌' };
  if (status === 'Completed' || status === 'Succeeded') return { cls: 'done', icon: '✓' };
  if (status === 'Terminating') return { cls: 'term', icon: '…' };
  if (status === 'Pending' || status === 'ContainerCreating' || status === 'PodInitializing' || status.startsWith('Init:') && !/Err|BackOff|Error/.test(status)) return { cls: 'wait', icon: '◌' };
  return { cls: 'bad', icon: '✖' };
}

export function restartsOf(restarts: string): number {
  return Number.parseInt(restarts, 10) || 0;
}

const restartsText = (n: number): string => `↻ ${n} restart${n === 1 ? '' : 's'}`;

/** Updates a drawn block to a pod's new view without parsing HTML (same pod, same shelf). */
export function patchBlock(el: HTMLElement, v: PodView): void {
  el.className = `pod ${family(v.label).cls}`;
  el.dataset.status = v.status;
  el.dataset.restarts = String(v.restarts);
  (el.children[1] as HTMLElement).textContent = v.label;
  const r = el.children[2] as HTMLElement | undefined;
  if (v.restarts > 0) {
    if (r) r.textContent = restartsText(v.restarts);
    else {
      const span = document.createElement('span');
      span.className = 'restarts';
      span.textContent = restartsText(v.restarts);
      el.appendChild(span);
    }
  } else r?.remove();
}

function podButtonHtml(pod: K8sObject, v: PodView): string {
  const f = family(v.label);
  const n = v.restarts;
  const restarts = n > 0 ? `<span class="restarts">${restartsText(n)}</span>` : '';
  return `<button type="button" class="pod ${f.cls}" data-pod="${esc(keyOf(pod))}" data-status="${esc(v.status)}" data-restarts="${n}"><b>${esc(pod.metadata.name)}</b><span class="pstatus">${esc(v.label)}</span>${restarts}</button>`;
}

function fmtCpu(m: number): string {
  return m % 1000 === 0 ? `${m / 1000}` : `${m}m`;
}

function fmtMem(b: number): string {
  const units: Array<[string, number]> = [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]];
  for (const [u, v] of units) if (b >= v) return `${Math.round((b / v) * 10) / 10}${u}`;
  return `${b}`;
}

/** A room bar (ARIA meter; widths in 5 % steps as classes: the page allows no inline styles). */
function meter(label: string, used: number, total: number, show: (v: number) => string): string {
  const pct = total > 0 ? Math.round((used / total) * 100) : 0;
  const step = Math.min(20, Math.round(pct / 5));
  return `<div class="room"><span class="rlabel">${label}</span><span class="bar" role="meter" aria-label="${label} requested" aria-valuemin="0" aria-valuemax="${total}" aria-valuenow="${used}" aria-valuetext="${show(used)} of ${show(total)}"><span class="fill w${step}${used > total ? ' over' : pct >= 90 ? ' high' : ''}"></span></span><span class="rtext">${show(used)} / ${show(total)} (${pct}%)${used > total ? ' over' : ''}</span></div>`;
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
  const status = nodeTable.cells(node as any, now)[1] ?? '';
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
      const r = viewOf(p, now);
      cpu += r.cpu;
      mem += r.memory;
      count++;
    }
    if (visible(p, f)) shown.push(p);
  }
  const groups = grouped(shown)
    .map(([g, pods]) => `<li class="group"><span class="gname">${g ? esc(g) : 'no controller'}</span><div class="blocks">${pods.map((p) => viewOf(p, now).html).join('')}</div></li>`)
    .join('');
  return `<div class="shead">${shelfHeadHtml(nodeName, status, stopped, cpu, cpuTotal, mem, memTotal, count, podsTotal)}</div>
<ul class="groups" aria-label="pods on ${esc(nodeName)}">${groups || '<li class="empty">no pods</li>'}</ul>`;
}

/** The room a shelf's pods take (the requests of the pods that hold room). */
export function shelfRoom(m: Model, nodeName: string, now: number): { cpu: number; mem: number; count: number } {
  let cpu = 0;
  let mem = 0;
  let count = 0;
  for (const k of m.podsByPlace.get(nodeName) ?? []) {
    const p = m.objects.pods.get(k);
    if (!p || !holdsRoom(p)) continue;
    const r = viewOf(p, now);
    cpu += r.cpu;
    mem += r.memory;
    count++;
  }
  return { cpu, mem, count };
}

/** Just the shelf's heading and room bars (after a pod's requests or phase changed in place). */
export function shelfHead(m: Model, nodeName: string, now: number, stopped: Record<string, number>): string {
  const node = m.objects.nodes.get(nodeName);
  if (!node) return '';
  const alloc = node.status?.allocatable ?? {};
  const r = shelfRoom(m, nodeName, now);
  return shelfHeadHtml(nodeName, nodeTable.cells(node as any, now)[1] ?? '', stopped, r.cpu, quantityOr0(alloc.cpu, 'cpu'), r.mem, quantityOr0(alloc.memory, 'memory'), r.count, Number.parseInt(String(alloc.pods ?? '0'), 10) || 0);
}

function shelfHeadHtml(nodeName: string, status: string, stopped: Record<string, number>, cpu: number, cpuTotal: number, mem: number, memTotal: number, count: number, podsTotal: number): string {
  const power = stopped[nodeName] !== undefined ? '<span class="tag bad">○ powered off</span>' : '';
  const ready = status.split(',')[0] === 'Ready';
  return `<h3><button type="button" class="nodebtn" data-node="${esc(nodeName)}">${esc(nodeName)}</button> <span class="tag ${ready ? 'ok' : 'bad'}">${ready ? '●' : '✖'} ${esc(status)}</span>${power}</h3>
<div class="rooms">${meter('CPU', cpu, cpuTotal, fmtCpu)}${meter('Memory', mem, memTotal, fmtMem)}${meter('Pods', count, podsTotal, String)}</div>`;
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
  // A list of thousands helps nobody: the first ones, and how many more.
  const more = pods.length > PENDING_SHOWN ? `<p>… and ${pods.length - PENDING_SHOWN} more waiting pods (filter by namespace or label to see them).</p>` : '';
  return `<p>${pods.length} pod${pods.length === 1 ? '' : 's'} waiting.</p><ul class="waiting">${pods
    .slice(0, PENDING_SHOWN)
    .map((p) => `<li>${viewOf(p, now).html}<p class="reason">${esc(waitingReason(p))}</p></li>`)
    .join('')}</ul>${more}`;
}

const PENDING_SHOWN = 50;

const revision = (o: K8sObject): number => Number(o.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);

/** One Deployment's section contents: its ReplicaSets, oldest revision first, their pods counted by status. */
export function deploySectionHtml(m: Model, depKey: string, f: Filter, now: number): string {
  const d = m.objects.deployments.get(depKey);
  if (!d) return '';
  const sets = [...(m.rsByDeploy.get(depKey) ?? [])].map((k) => m.objects.replicasets.get(k)).filter((x): x is K8sObject => !!x).sort((a, b) => revision(a) - revision(b));
  const newest = Math.max(0, ...sets.map(revision));
  const st = d.status ?? {};
  const rows = sets
    .map((rs) => {
      const counts = new Map<string, number>();
      let total = 0;
      for (const k of m.podsByRs.get(keyOf(rs)) ?? []) {
        const p = m.objects.pods.get(k);
        if (!p || !visible(p, f)) continue;
        const v = viewOf(p, now);
        const s = v.label === v.status ? v.status : 'Running, not ready';
        counts.set(s, (counts.get(s) ?? 0) + 1);
        total++;
      }
      const chips = [...counts.entries()].sort().map(([s, n]) => `<span class="chip ${family(s).cls}">${esc(s)} ${n}</span>`).join(' ');
      const want = rs.spec?.replicas ?? 0;
      const role = want > 0 ? (revision(rs) === newest ? 'new' : 'old') : 'old, scaled down';
      return `<li class="rs" data-rs="${esc(keyOf(rs))}"><span class="rsname">${esc(rs.metadata.name)}</span> <span class="rsmeta">revision ${revision(rs)} (${role}): ${total} pod${total === 1 ? '' : 's'}, wants ${want}</span> ${chips}</li>`;
    })
    .join('');
  return `<h3>${esc(depKey)} <span class="rsmeta">${st.readyReplicas ?? 0}/${d.spec?.replicas ?? 0} ready, ${st.updatedReplicas ?? 0} up to date</span></h3><ul class="rslist">${rows}</ul>`;
}

/** The Deployments shown (namespace filter), in order. */
export function shownDeploys(m: Model, f: Filter): string[] {
  return [...m.objects.deployments.values()].filter((d) => !f.namespace || d.metadata.namespace === f.namespace).map(keyOf).sort();
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
