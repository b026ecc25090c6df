// Where a workload keeps its pod template, so lint and image checks read every kind alike.

import type { KObject } from '../api/types';
import { labelSelectorMatches as specMatches } from '../api/selectors';

export type Path = (string | number)[];

export interface PodTemplateRef {
  /** Path of the pod spec inside the object. */
  specPath: Path;
  spec: any;
  labels: Record<string, string>;
}

const TEMPLATE_PATHS: Record<string, Path> = {
  Deployment: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  PodTemplate: ['template'],
};

function at(obj: any, path: Path): any {
  let cur = obj;
  for (const p of path) cur = cur == null ? undefined : cur[p];
  return cur;
}

export function podTemplate(obj: KObject): PodTemplateRef | undefined {
  if (obj.kind === 'Pod') return isObj(obj.spec) ? { specPath: ['spec'], spec: obj.spec, labels: obj.metadata?.labels ?? {} } : undefined;
  const base = TEMPLATE_PATHS[obj.kind];
  if (!base) return undefined;
  const t = at(obj, base);
  if (!isObj(t) || !isObj(t.spec)) return undefined;
  return { specPath: [...base, 'spec'], spec: t.spec, labels: isObj(t.metadata?.labels) ? t.metadata.labels : {} };
}

function isObj(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every container of a pod spec with its list name and index. */
export function containersOf(spec: any): { list: string; index: number; c: any }[] {
  const out: { list: string; index: number; c: any }[] = [];
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    const cs = spec?.[list];
    if (Array.isArray(cs)) cs.forEach((c, index) => isObj(c) && out.push({ list, index, c }));
  }
  return out;
}

export function imagesOf(obj: KObject): string[] {
  const t = podTemplate(obj);
  return t ? containersOf(t.spec).map((x) => x.c.image).filter((i): i is string => typeof i === 'string' && i !== '') : [];
}

/** `spec.replicas` for kinds that have it (default 1); undefined for others. */
export function replicasOf(obj: KObject): number | undefined {
  if (['Deployment', 'ReplicaSet', 'ReplicationController', 'StatefulSet'].includes(obj.kind)) return typeof obj.spec?.replicas === 'number' ? obj.spec.replicas : 1;
  return undefined;
}

/** `{matchLabels, matchExpressions}` matcher; an empty selector matches everything. */
export function labelSelectorMatches(sel: any, labels: Record<string, string>): boolean {
  return isObj(sel) && specMatches(sel, labels);
}

export function mapSelectorMatches(sel: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(sel).every(([k, v]) => labels[k] === String(v));
}
