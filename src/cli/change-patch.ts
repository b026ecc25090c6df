// The patch kubectl sends for a verb's change to an object it has read (label, annotate,
// set, taint, cordon): a two-way strategic merge patch for built-in kinds, a JSON merge
// patch for the rest, serialised as Go's json.Marshal does (keys sorted).

import { createJsonMergePatch, createTwoWayMergePatch, supportsStrategicMerge } from '../api/apply/index';
import type { KObject } from '../api/types';
import { goJson } from '../util/go-format';

export function changePatch(original: KObject, modified: KObject, wanted: 'strategic' | 'merge'): { patchType: 'strategic' | 'merge'; text: string } {
  const patchType = wanted === 'strategic' && supportsStrategicMerge(original.kind, original.apiVersion) ? 'strategic' : 'merge';
  const patch = patchType === 'strategic' ? createTwoWayMergePatch(original, modified, original.kind, original.apiVersion) : createJsonMergePatch(original, modified);
  return { patchType, text: goJson(patch) };
}
