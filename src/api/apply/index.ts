// Public surface of the apply/patch machinery.
export { LAST_APPLIED, lastAppliedJson, getLastApplied, withLastApplied, goJson } from './last-applied';
export { computeApply, type ApplyDecision } from './compute-apply';
export {
  createThreeWayMergePatch,
  createTwoWayMergePatch,
  applyStrategicMergePatch,
  applyApplyPatch,
  PatchError,
  MergeConflictError,
} from './strategic-merge';
export { applyJsonMergePatch, createJsonMergePatch, createThreeWayJsonMergePatch } from './json-merge-patch';
export { applyJsonPatch, type JsonPatchOp } from './json-patch';
export { patchSchemaFor, supportsStrategicMerge, type PatchSchema, type FieldMeta } from './patch-meta';
