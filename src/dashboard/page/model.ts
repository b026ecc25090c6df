/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// What the page knows of the cluster: the objects of each watched kind, indexed the way the
// picture is drawn (pods by node, ReplicaSets by Deployment), and what changed since the
// last drawing (dirty shelves and panels), so a burst of watch events redraws only those.

import type { K8sObject, WatchEvent } from './client';
import { cpuMillis, bytes } from '../../api/quantity';

export type Kind = 'pods' | 'nodes' | 'events' | 'replicasets' | 'deployments' | 'namespaces';
/** Every kind is listed, then watched (each watch is a WebSocket, outside the browser's six HTTP/1.1 connections per origin). */
export const WATCHED: Kind[] = ['nodes', 'pods', 'replicasets', 'events', 'deployments', 'namespaces'];

export const keyOf = (o: K8sObject): string => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

/** Where a pod is drawn: on its node's shelf, or waiting ('' = not bound). */
const placeOf = (p: K8sObject): string => String(p.spec?.nodeName ?? '');

export interface Dirty {
  all: boolean;
  shelves: Set<string>;
  /** Pods changed in place (same node): key → the version drawn before. */
  podChanges: Map<string, K8sObject>;
  pending: boolean;
  rollouts: boolean;
  /** Deployments (ns/name) whose ReplicaSets or pods changed. */
  deploys: Set<string>;
  events: boolean;
  namespaces: boolean;
  detail: boolean;
}

export class Model {
  readonly objects: Record<Kind, Map<string, K8sObject>> = {
    pods: new Map(),
    nodes: new Map(),
    events: new Map(),
    replicasets: new Map(),
    deployments: new Map(),
    namespaces: new Map(),
  };
  /** node name ('' for unbound) → pod keys. */
  readonly podsByPlace = new Map<string, Set<string>>();
  /** ReplicaSet (ns/name) → its pods' keys; Deployment (ns/name) → its ReplicaSets' keys. */
  readonly podsByRs = new Map<string, Set<string>>();
  readonly rsByDeploy = new Map<string, Set<string>>();
  dirty: Dirty = Model.clean(true);
  /** The object shown in the detail panel, to redraw it when it changes. */
  detailKey?: { kind: Kind; key: string };

  static clean(all = false): Dirty {
    return { all, shelves: new Set(), podChanges: new Map(), pending: false, rollouts: false, deploys: new Set(), events: false, namespaces: false, detail: false };
  }

  private place(key: string, pod: K8sObject | undefined, old: K8sObject | undefined): void {
    const before = old ? placeOf(old) : undefined;
    const after = pod ? placeOf(pod) : undefined;
    if (old && pod && before === after && before !== '' && !this.dirty.shelves.has(before!)) {
      // Same shelf: the block can be patched in place (the drawer decides).
      if (!this.dirty.podChanges.has(key)) this.dirty.podChanges.set(key, old);
      return;
    }
    if (before !== undefined && before !== after) this.podsByPlace.get(before)?.delete(key);
    if (after !== undefined) {
      let s = this.podsByPlace.get(after);
      if (!s) this.podsByPlace.set(after, (s = new Set()));
      s.add(key);
    }
    for (const p of [before, after]) {
      if (p === undefined) continue;
      if (p === '') this.dirty.pending = true;
      else this.dirty.shelves.add(p);
    }
  }

  /** Replaces a kind's objects with a fresh list. */
  load(kind: Kind, items: K8sObject[]): void {
    const m = this.objects[kind];
    m.clear();
    for (const o of items) m.set(keyOf(o), o);
    if (kind === 'pods') {
      this.podsByPlace.clear();
      this.podsByRs.clear();
      for (const [k, p] of m) {
        this.place(k, p, undefined);
        this.own(this.podsByRs, k, p, undefined, 'ReplicaSet');
      }
    }
    if (kind === 'replicasets') {
      this.rsByDeploy.clear();
      for (const [k, rs] of m) this.own(this.rsByDeploy, k, rs, undefined, 'Deployment');
    }
    this.dirty.all = true;
  }

  /** Keeps an owner → owned index; returns the owners (ns/name) touched. */
  private own(index: Map<string, Set<string>>, key: string, now: K8sObject | undefined, old: K8sObject | undefined, kind: string): string[] {
    const ownerKey = (o: K8sObject | undefined) => {
      const r = o && ownerOf(o);
      return r?.kind === kind ? `${o!.metadata.namespace}/${r.name}` : undefined;
    };
    const before = ownerKey(old);
    const after = ownerKey(now);
    if (before && before !== after) index.get(before)?.delete(key);
    if (after) {
      let set = index.get(after);
      if (!set) index.set(after, (set = new Set()));
      set.add(key);
    }
    return [before, after].filter((x): x is string => !!x);
  }

  /** The Deployment (ns/name) that owns a ReplicaSet (ns/name), if known. */
  deployOfRs(rsKey: string): string | undefined {
    const rs = this.objects.replicasets.get(rsKey);
    const o = rs && ownerOf(rs);
    return o?.kind === 'Deployment' ? `${rs!.metadata.namespace}/${o.name}` : undefined;
  }

  /** Brings a kind in line with a fresh list as the watch events that would have done it. */
  sync(kind: Kind, items: K8sObject[]): void {
    const m = this.objects[kind];
    const seen = new Set<string>();
    for (const o of items) {
      const k = keyOf(o);
      seen.add(k);
      const old = m.get(k);
      if (!old) this.apply(kind, { type: 'ADDED', object: o });
      else if (old.metadata.resourceVersion !== o.metadata.resourceVersion) this.apply(kind, { type: 'MODIFIED', object: o });
    }
    for (const [k, o] of [...m]) if (!seen.has(k)) this.apply(kind, { type: 'DELETED', object: o });
  }

  apply(kind: Kind, e: WatchEvent): void {
    const m = this.objects[kind];
    const key = keyOf(e.object);
    const old = m.get(key);
    if (e.type === 'DELETED') m.delete(key);
    else m.set(key, e.object);
    const now = e.type === 'DELETED' ? undefined : e.object;
    switch (kind) {
      case 'pods':
        this.place(key, now, old);
        for (const rs of this.own(this.podsByRs, key, now, old, 'ReplicaSet')) {
          const d = this.deployOfRs(rs);
          if (d) this.dirty.deploys.add(d);
        }
        break;
      case 'nodes':
        if (!old || !now) this.dirty.all = true; // shelves come or go: redraw the order
        else this.dirty.shelves.add(key);
        break;
      case 'replicasets':
        for (const d of this.own(this.rsByDeploy, key, now, old, 'Deployment')) this.dirty.deploys.add(d);
        break;
      case 'deployments':
        if (!old || !now) this.dirty.rollouts = true; // one comes or goes: redraw the list
        else this.dirty.deploys.add(key);
        break;
      case 'events':
        this.dirty.events = true;
        break;
      case 'namespaces':
        this.dirty.namespaces = true;
        break;
    }
    if (this.detailKey && this.detailKey.kind === kind && this.detailKey.key === key) this.dirty.detail = true;
    if (this.detailKey && kind === 'events') this.dirty.detail = true;
    if (this.detailKey?.kind === 'nodes' && kind === 'pods' && (placeOf(e.object) === this.detailKey.key || (old && placeOf(old) === this.detailKey.key))) this.dirty.detail = true;
  }

  takeDirty(): Dirty {
    const d = this.dirty;
    this.dirty = Model.clean();
    return d;
  }
}

export function ownerOf(o: K8sObject): { kind: string; name: string; uid?: string } | undefined {
  const refs = o.metadata.ownerReferences ?? [];
  return refs.find((r: any) => r?.controller) ?? refs[0];
}

/** A pod's requests as the scheduler counts them: the sum of its containers, or its largest init container if bigger. */
export function podRequests(pod: K8sObject): { cpu: number; memory: number } {
  const sum = { cpu: 0, memory: 0 };
  const q = (c: any, r: 'cpu' | 'memory') => {
    const v = c?.resources?.requests?.[r];
    if (v === undefined) return 0;
    try {
      return r === 'cpu' ? cpuMillis(v) : bytes(v);
    } catch {
      return 0;
    }
  };
  for (const c of pod.spec?.containers ?? []) {
    sum.cpu += q(c, 'cpu');
    sum.memory += q(c, 'memory');
  }
  for (const c of pod.spec?.initContainers ?? []) {
    if (c?.restartPolicy === 'Always') continue;
    sum.cpu = Math.max(sum.cpu, q(c, 'cpu'));
    sum.memory = Math.max(sum.memory, q(c, 'memory'));
  }
  return sum;
}

export function quantityOr0(v: unknown, kind: 'cpu' | 'memory'): number {
  if (v === undefined || v === null) return 0;
  try {
    return kind === 'cpu' ? cpuMillis(v as string) : bytes(v as string);
  } catch {
    return 0;
  }
}

/** Pods that are done no longer hold room on their node. */
export function holdsRoom(pod: K8sObject): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}
