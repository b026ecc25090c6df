// The scale subresource (autoscaling/v1 Scale) of Deployments, ReplicaSets, StatefulSets,
// ReplicationControllers and custom resources that declare one: what its GET answers, and
// a write of it (PUT, or PATCH computed on the current Scale) as the registry's scale
// storage does it. One place for the REST handler and the in-process CLI.

import { ApiError, INT32_MAX, INT32_MIN } from './errors';
import { goJsonNumber, goUnmarshalTypeError } from '../util/go-format';
import { pluralGroup, type ResourceType } from './resources';
import { retryOnConflict } from './retry';
import { selectorToString } from './selectors';
import type { ApiServer } from './server';
import type { Requester } from './strategies/types';
import { deepCopy, type KObject } from './types';

export function scaleOf(obj: KObject, rt?: ResourceType): Record<string, unknown> {
  const m = obj.metadata;
  const cr = rt?.crdSubresources?.scale;
  let specReplicas: unknown, statusReplicas: unknown, sel: string;
  if (cr) {
    // apiextensions-apiserver scaleFromCustomResource: the CRD's paths; missing values are 0 and "".
    specReplicas = nested(obj, cr.specReplicasPath);
    statusReplicas = nested(obj, cr.statusReplicasPath);
    const s = cr.labelSelectorPath ? nested(obj, cr.labelSelectorPath) : undefined;
    sel = typeof s === 'string' ? s : '';
  } else {
    const selector = obj.spec?.selector;
    sel = selector === undefined ? '' : obj.kind === 'ReplicationController' ? Object.entries(selector as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',') : selectorToString(selector);
    specReplicas = obj.spec?.replicas;
    statusReplicas = obj.status?.replicas;
  }
  const status: Record<string, unknown> = { replicas: statusReplicas ?? 0 };
  if (sel) status.selector = sel;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: specReplicas ?? 0 },
    status,
  };
}

/** A CRD scale path (".spec.replicas": dotted, no arrays) split into fields. */
function pathOf(jsonPath: string): string[] {
  return jsonPath.replace(/^\./, '').split('.');
}

function nested(obj: KObject, jsonPath: string): unknown {
  let v: any = obj;
  for (const f of pathOf(jsonPath)) v = v?.[f];
  return v;
}

/** The object with the scale's replica count written where its kind keeps it. */
function withReplicas(current: KObject, rt: ResourceType, replicas: number): KObject {
  const path = rt.crdSubresources?.scale?.specReplicasPath;
  if (!path) return { ...current, spec: { ...current.spec, replicas } };
  const next = deepCopy(current);
  const fields = pathOf(path);
  let at: any = next;
  for (const f of fields.slice(0, -1)) at = at[f] = at[f] !== null && typeof at[f] === 'object' ? at[f] : {};
  at[fields[fields.length - 1]!] = replicas;
  return next;
}

/**
 * Writes the replica count of `wanted(current Scale)` into the object. A resourceVersion in
 * the wanted Scale is a precondition (its Conflict is the answer); otherwise a write that
 * lost a race is read and made again. Answers the Scale as written (a dry run's: as it would be).
 */
export async function writeScale(
  api: ApiServer,
  rt: ResourceType,
  namespace: string | undefined,
  name: string,
  wanted: (scale: KObject) => KObject | Promise<KObject>,
  opts: { dryRun?: boolean; fieldManager?: string; user?: Requester; warn?: (text: string) => void },
): Promise<Record<string, unknown>> {
  const updated = await retryOnConflict(
    () => api.get(rt, namespace, name),
    async (current) => {
      const want = await wanted(scaleOf(current, rt) as KObject);
      const replicas = want.spec?.replicas;
      // autoscaling/v1 ScaleSpec.Replicas is int32: outside it the body does not decode
      // (checked here, not by the schema validator, which a CLI write may not load).
      if (typeof replicas === 'number' && (replicas > INT32_MAX || replicas < INT32_MIN)) {
        throw ApiError.badRequest(`Scale in version "v1" cannot be handled as a Scale: ${goUnmarshalTypeError(`number ${goJsonNumber(replicas)}`, 'int32', 'ScaleSpec', 'spec.replicas')}`);
      }
      if (!Number.isInteger(replicas) || replicas < 0) {
        throw ApiError.invalid('Scale', 'autoscaling', name, [{ field: 'spec.replicas', type: 'Invalid value', value: String(replicas), detail: 'must be greater than or equal to 0' }]);
      }
      const wantRv = want.metadata?.resourceVersion;
      if (wantRv !== undefined && wantRv !== '' && wantRv !== current.metadata.resourceVersion) throw ApiError.conflict(pluralGroup(rt), name);
      return withReplicas(current, rt, replicas);
    },
    (next) => api.update(next, { dryRun: opts.dryRun, fieldManager: opts.fieldManager, subresource: 'scale', user: opts.user, warn: opts.warn }),
  );
  return scaleOf(updated, rt);
}
