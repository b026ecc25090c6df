// Repeated owner references: kube-apiserver drops an ownerReferences entry equal to an
// earlier one (same uid, and the same in every field) from each create, update and patch,
// and warns (endpoints/handlers/rest.go dedupOwnerReferencesAndAddWarning). A create or
// update (POST, PUT) is deduplicated as the request comes in; a patch only once patched and
// through mutating admission, which its warning says.

import type { KObject, OwnerReference } from './types';

const WARNING_TAIL = 'API server dedups owner references in 1.20+, and may reject such requests as early as 1.24; please fix your requests; duplicate UID(s) observed: ';
/** DuplicateOwnerReferencesWarningFormat, without its %v (the UIDs joined with ", "). */
export const DUPLICATE_OWNER_REFERENCES = `.metadata.ownerReferences contains duplicate entries; ${WARNING_TAIL}`;
/** DuplicateOwnerReferencesAfterMutatingAdmissionWarningFormat, without its %v. */
export const DUPLICATE_OWNER_REFERENCES_AFTER_ADMISSION = `.metadata.ownerReferences contains duplicate entries after mutating admission happens; ${WARNING_TAIL}`;

// apiequality.Semantic.DeepEqual of two metav1.OwnerReference: strings ('' when absent), and
// the two *bool fields (nil, null or absent alike; false is not nil).
const STRINGS = ['apiVersion', 'kind', 'name', 'uid'] as const;
const BOOLS = ['controller', 'blockOwnerDeletion'] as const;
function sameReference(a: Partial<OwnerReference>, b: Partial<OwnerReference>): boolean {
  return STRINGS.every((k) => (a[k] ?? '') === (b[k] ?? '')) && BOOLS.every((k) => (a[k] ?? null) === (b[k] ?? null));
}

/** dedupOwnerReferences: the list without its repeats, and the uid of each repeat dropped, in order. */
export function dedupOwnerReferences(refs: readonly OwnerReference[]): { kept: OwnerReference[]; duplicates: string[] } {
  const kept: OwnerReference[] = [];
  const duplicates: string[] = [];
  const seen = new Set<string>();
  for (const ref of refs) {
    const r: Partial<OwnerReference> = ref ?? {}; // a null entry decodes as the zero reference
    const uid = r.uid ?? '';
    if (!seen.has(uid) || !kept.some((k) => sameReference(k ?? {}, r))) {
      seen.add(uid);
      kept.push(ref);
    } else duplicates.push(uid);
  }
  return { kept, duplicates };
}

/**
 * Drops `obj`'s repeated owner references in place and passes the warning to `warn`;
 * `afterAdmission`: a patch's wording. Nothing changes when there is no repeat.
 */
export function dedupOwnerReferencesAndWarn(obj: KObject, afterAdmission: boolean, warn?: (text: string) => void): void {
  const refs = obj.metadata?.ownerReferences;
  if (!Array.isArray(refs) || refs.length < 2) return;
  const { kept, duplicates } = dedupOwnerReferences(refs);
  if (!duplicates.length) return;
  warn?.((afterAdmission ? DUPLICATE_OWNER_REFERENCES_AFTER_ADMISSION : DUPLICATE_OWNER_REFERENCES) + duplicates.join(', '));
  obj.metadata.ownerReferences = kept;
}
