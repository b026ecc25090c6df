// Fields of alpha features that kube-apiserver v1.32 ships switched off. The schemas know
// them (they are v1.32 API fields, so `validate` accepts them, as kubeconform does), but the
// API server drops them on write unless the stored object already uses them
// (dropDisabledPodFields in pkg/api/pod/util.go), so a cluster never acts on them.
//
// As data: the feature, and how to find and clear its fields in a pod spec.

import { ApiError } from './errors';
import type { KObject } from './types';

interface DisabledPodFeature {
  /** The feature gate, for the reader. */
  gate: string;
  /** Whether the pod spec uses the feature's fields. */
  inUse(spec: any): boolean;
  /** Clears them. */
  drop(spec: any): void;
}

const DISABLED: DisabledPodFeature[] = [
  {
    gate: 'ImageVolume', // alpha in 1.31 and 1.32
    inUse: (spec) => (spec.volumes ?? []).some((v: any) => v?.image !== undefined),
    drop: (spec) => (spec.volumes ?? []).forEach((v: any) => v && delete v.image),
  },
  {
    gate: 'PodLevelResources', // alpha in 1.32
    inUse: (spec) => spec.resources !== undefined,
    drop: (spec) => delete spec.resources,
  },
];

/** Where each kind holds its pod spec (PodSpec or a pod template's). */
const POD_SPEC_PATH: Record<string, string[]> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

function podSpecOf(obj: KObject | undefined): any {
  const path = obj && POD_SPEC_PATH[obj.kind];
  if (!path) return undefined;
  let at: any = obj;
  for (const k of path) {
    if (!at || typeof at !== 'object') return undefined;
    at = at[k];
  }
  return at && typeof at === 'object' && !Array.isArray(at) ? at : undefined;
}

/**
 * Drops the disabled features' fields from `next` unless `current` (an update's stored
 * object) uses them. An image volume left with no source is refused as kube-apiserver's
 * validation refuses it (defaulting to emptyDir happened before, at decoding).
 */
export function dropDisabledFields(next: KObject, current?: KObject, group = ''): void {
  const spec = podSpecOf(next);
  if (!spec) return;
  const old = podSpecOf(current);
  const volumes: any[] = Array.isArray(spec.volumes) ? spec.volumes : [];
  const noSource = (v: any) => v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).every((k) => k === 'name');
  // SetDefaults_Volume: a volume naming no source is an emptyDir.
  for (const v of volumes) if (noSource(v)) v.emptyDir = {};
  for (const f of DISABLED) if (!(old && f.inUse(old))) f.drop(spec);
  const prefix = POD_SPEC_PATH[next.kind].join('.');
  const sourceless = volumes.flatMap((v: any, i: number) => (noSource(v) ? [{ field: `${prefix}.volumes[${i}]`, type: 'Required value' as const, detail: 'must specify a volume type' }] : []));
  if (sourceless.length) throw ApiError.invalid(next.kind, group, next.metadata?.name ?? '', sourceless);
}
