// The errors of an update, in kube-apiserver's order: rest.BeforeUpdate runs
// validateCommonFields (ValidateObjectMetaAccessor of the new object, then
// ValidateObjectMetaAccessorUpdate, which validates its labels, annotations, owner references
// and managed fields again) and then the kind's strategy.ValidateUpdate, whose own order
// differs by kind, all into one Invalid error. Metadata errors thus come more than once: the
// message says each once, the Status causes keep every one (ApiError.invalid, NewInvalid).

import type { FieldError } from '../errors';

/** What the strategy's ValidateUpdate appends, in its order (each a part named below). */
type Part = 'objectMeta' | 'updateMeta' | 'object' | 'update';

// objectMeta: ValidateObjectMeta of the new object; updateMeta: ValidateObjectMetaUpdate;
// object: the rest of ValidateX(new); update: the rest of ValidateXUpdate (immutable fields).
const STRATEGY_ORDER: Record<string, Part[]> = {
  // ValidatePodUpdate: metadata update, validatePodMetadataAndSpec, then what may not change.
  Pod: ['updateMeta', 'objectMeta', 'object', 'update'],
  // jobStrategy.ValidateUpdate: ValidateJob, then ValidateJobUpdate.
  Job: ['objectMeta', 'object', 'updateMeta', 'update'],
  // ValidateServiceUpdate, ValidateConfigMapUpdate, ValidateSecretUpdate: the immutable fields, then ValidateX of the new object.
  Service: ['updateMeta', 'update', 'objectMeta', 'object'],
  ConfigMap: ['updateMeta', 'update', 'objectMeta', 'object'],
  Secret: ['updateMeta', 'update', 'objectMeta', 'object'],
  // ValidateXUpdate: metadata update and the spec (not the metadata again), then the selector's immutability.
  Deployment: ['updateMeta', 'object', 'update'],
  ReplicaSet: ['updateMeta', 'object', 'update'],
  DaemonSet: ['updateMeta', 'object', 'update'],
  StatefulSet: ['updateMeta', 'object', 'update'],
};
/** Most ValidateXUpdate functions: ValidateObjectMetaUpdate, ValidateX(new), then the immutable fields (ValidatePersistentVolumeClaimUpdate...). */
const DEFAULT_ORDER: Part[] = ['updateMeta', 'objectMeta', 'object', 'update'];
/** customResourceValidator.ValidateUpdate: ValidateObjectMetaAccessorUpdate, then the schema and the rules (no ValidateObjectMeta). */
const CUSTOM_RESOURCE_ORDER: Part[] = ['updateMeta', 'object', 'update'];

const isMeta = (e: FieldError) => e.field === 'metadata' || e.field.startsWith('metadata.') || e.field.startsWith('metadata[');
/** The new object's metadata errors ValidateObjectMetaAccessorUpdate repeats. */
const REVALIDATED = /^metadata\.(labels|annotations|ownerReferences|managedFields)\b/;

/**
 * The update's errors: `objectErrs` of the new object (its validation as on create),
 * `updateErrs` of the change (ValidateXUpdate's immutable fields), `crd` for a custom resource.
 */
export function orderUpdateErrors(kind: string, crd: boolean, objectErrs: FieldError[], updateErrs: FieldError[]): FieldError[] {
  if (!objectErrs.length && !updateErrs.length) return [];
  const objectMeta = objectErrs.filter(isMeta);
  const updateMeta = [...updateErrs.filter(isMeta), ...objectMeta.filter((e) => REVALIDATED.test(e.field))];
  const parts: Record<Part, FieldError[]> = { objectMeta, updateMeta, object: objectErrs.filter((e) => !isMeta(e)), update: updateErrs.filter((e) => !isMeta(e)) };
  const order = crd ? CUSTOM_RESOURCE_ORDER : STRATEGY_ORDER[kind] ?? DEFAULT_ORDER;
  return [...objectMeta, ...updateMeta, ...order.flatMap((p) => parts[p])];
}
