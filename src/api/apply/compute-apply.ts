// The whole client-side `kubectl apply` decision for one object: create it, patch it, or
// leave it alone. The API server then defaults, validates and stores `result`.

import type { KObject } from '../types';
import { clone, removeNulls } from './json-util';
import { getLastApplied, LAST_APPLIED, withLastApplied } from './last-applied';
import { applyApplyPatch, createThreeWayMergePatch } from './strategic-merge';
import { supportsStrategicMerge } from './patch-meta';

export interface ApplyDecision {
  action: 'create' | 'patch' | 'unchanged';
  /** The patch kubectl would send (absent for create/unchanged). */
  patch?: object;
  /** 'strategic' for built-in kinds, 'merge' (JSON merge patch) for custom resources. */
  patchType?: 'strategic' | 'merge';
  /** The object after the operation (before server defaulting/validation). */
  result: KObject;
  /** The live object had no last-applied annotation: kubectl prints a warning. */
  missingAnnotation: boolean;
}

/**
 * `manifest` must already carry metadata.namespace for namespaced kinds. `live` is the
 * current object from the server, or undefined when it does not exist.
 */
export function computeApply(manifest: KObject, live: KObject | undefined, opts: { annotate?: boolean; overwrite?: boolean } = {}): ApplyDecision {
  // kubectl diff merges without annotating (GetModifiedConfiguration(obj, false)).
  const modified = opts.annotate === false ? unannotated(manifest) : withLastApplied(manifest);
  if (!live) return { action: 'create', result: removeNulls(modified), missingAnnotation: false };
  const original = getLastApplied(live);
  const missingAnnotation = original === undefined;
  // --overwrite=false throws MergeConflictError here, before any request.
  const patch = createThreeWayMergePatch(original, modified, live, manifest.kind, manifest.apiVersion, opts.overwrite ?? true);
  if (Object.keys(patch).length === 0) return { action: 'unchanged', result: clone(live), missingAnnotation };
  const patchType = supportsStrategicMerge(manifest.kind, manifest.apiVersion) ? 'strategic' : 'merge';
  const result = applyApplyPatch(live, patch, manifest.kind, manifest.apiVersion);
  return { action: 'patch', patch, patchType, result, missingAnnotation };
}

/** GetModifiedConfiguration(obj, annotate=false): the manifest with an annotations map (maybe empty) and no last-applied entry. */
function unannotated(manifest: KObject): KObject {
  const m = clone(manifest);
  m.metadata ??= {};
  const { [LAST_APPLIED]: _dropped, ...annotations } = (m.metadata.annotations ?? {}) as Record<string, string>;
  void _dropped;
  m.metadata.annotations = annotations;
  return m;
}
