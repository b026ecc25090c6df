// apimachinery's name, label and annotation rules with their exact messages.
import type { FieldError } from '../errors';
import { goQuote, goStringSlice } from '../../util/go-format';
import { splitApiVersion } from '../resources';
import { isDns1035Label, isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue } from './string-rules';

/** Go's %q of a value's string form (go-format's goQuote), as field errors quote values. */
export function q(s: unknown): string {
  return goQuote(String(s));
}

export function invalid(field: string, value: string, detail: string): FieldError {
  return { field, type: 'Invalid value', value, detail };
}

export function required(field: string, detail?: string): FieldError {
  return detail ? { field, type: 'Required value', detail } : { field, type: 'Required value' };
}

export function labelErrors(labels: unknown, field: string): FieldError[] {
  const out: FieldError[] = [];
  if (!labels || typeof labels !== 'object') return out;
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    for (const m of isQualifiedName(k)) out.push(invalid(field, q(k), m));
    if (typeof v === 'string') for (const m of isValidLabelValue(v)) out.push(invalid(field, q(v), m));
  }
  return out;
}

const TOTAL_ANNOTATION_SIZE = 256 * 1024;

export function annotationErrors(ann: unknown, field: string): FieldError[] {
  const out: FieldError[] = [];
  if (!ann || typeof ann !== 'object') return out;
  let total = 0;
  for (const [k, v] of Object.entries(ann as Record<string, unknown>)) {
    for (const m of isQualifiedName(k.toLowerCase())) out.push(invalid(field, q(k), m));
    total += k.length + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  }
  if (total > TOTAL_ANNOTATION_SIZE) out.push({ field, type: 'Too long', detail: `must have at most ${TOTAL_ANNOTATION_SIZE} bytes` });
  return out;
}

export type NameRule = 'subdomain' | 'label' | 'dns1035' | 'path-segment' | 'none';

/**
 * metadata.name / generateName checks, as ValidateObjectMeta does; `at`: the metadata's path.
 * `full`: also generation, ownerReferences, finalizers and managedFields (ValidateObjectMetaAccessor's
 * whole list, as an embedded resource's metadata gets it).
 */
export function objectMetaErrors(meta: any, nameRule: NameRule, namespaced: boolean, at = 'metadata', full = false): FieldError[] {
  const out: FieldError[] = [];
  const m = meta ?? {};
  const check = (s: string): string[] =>
    nameRule === 'subdomain' ? isDns1123Subdomain(s)
      : nameRule === 'label' ? isDns1123Label(s)
        : nameRule === 'dns1035' ? isDns1035Label(s)
          : nameRule === 'path-segment' ? pathSegmentErrors(s)
            : [];
  if (m.generateName && typeof m.generateName === 'string') {
    // The prefix may end in '-'; the server appends 5 random characters.
    const probe = m.generateName.replace(/-$/, '') || 'a';
    for (const msg of check(probe + (nameRule === 'none' ? '' : 'a'))) out.push(invalid(`${at}.generateName`, q(m.generateName), msg));
  }
  if (!m.name && !m.generateName) out.push(required(`${at}.name`, 'name or generateName is required'));
  else if (typeof m.name === 'string' && m.name) for (const msg of check(m.name)) out.push(invalid(`${at}.name`, q(m.name), msg));
  // A namespace on a cluster-scoped object is cleared by the server, not rejected.
  if (namespaced && m.namespace) for (const msg of isDns1123Label(m.namespace)) out.push(invalid(`${at}.namespace`, q(m.namespace), msg));
  if (full && (typeof m.generation === 'number' || typeof m.generation === 'bigint') && m.generation < 0) out.push(invalid(`${at}.generation`, String(m.generation), 'must be greater than or equal to 0'));
  out.push(...labelErrors(m.labels, `${at}.labels`));
  out.push(...annotationErrors(m.annotations, `${at}.annotations`));
  if (full) out.push(...ownerReferenceErrors(m.ownerReferences, `${at}.ownerReferences`), ...finalizerErrors(m.finalizers, `${at}.finalizers`), ...managedFieldsErrors(m.managedFields, `${at}.managedFields`));
  return out;
}

/** %#v of a *bool: nil, or an address (kube's is the pointer's, different every time). */
const boolPointer = (v: unknown) => (typeof v === 'boolean' ? '(*bool)(0xc000a1b2c8)' : '(*bool)(nil)');
const str = (v: unknown) => (typeof v === 'string' ? v : '');
/** %#v of a metav1.OwnerReference. */
const goOwnerReference = (r: any) =>
  `v1.OwnerReference{APIVersion:${goQuote(str(r.apiVersion))}, Kind:${goQuote(str(r.kind))}, Name:${goQuote(str(r.name))}, UID:${goQuote(str(r.uid))}, Controller:${boolPointer(r.controller)}, BlockOwnerDeletion:${boolPointer(r.blockOwnerDeletion)}}`;

/** apimachinery ValidateOwnerReferences. */
function ownerReferenceErrors(refs: unknown, field: string): FieldError[] {
  if (!Array.isArray(refs)) return [];
  const out: FieldError[] = [];
  let firstController = '';
  for (const r of refs as any[]) {
    if (!r || typeof r !== 'object') continue;
    const apiVersion = str(r.apiVersion);
    // schema.FromAPIVersionAndKind: a version ParseGroupVersion refuses (two slashes or more) is no version.
    const { group, version } = apiVersion.split('/').length > 2 ? { group: '', version: '' } : splitApiVersion(apiVersion);
    if (!version) out.push(invalid(`${field}.apiVersion`, goQuote(apiVersion), 'version must not be empty'));
    if (!str(r.kind)) out.push(invalid(`${field}.kind`, '""', 'kind must not be empty'));
    if (!str(r.name)) out.push(invalid(`${field}.name`, '""', 'name must not be empty'));
    if (!str(r.uid)) out.push(invalid(`${field}.uid`, '""', 'uid must not be empty'));
    if (!group && version === 'v1' && r.kind === 'Event') out.push(invalid(field, goOwnerReference(r), '/v1, Kind=Event is disallowed from being an owner'));
    if (r.controller === true) {
      const name = `${str(r.kind)}/${str(r.name)}`;
      if (firstController) {
        const all = `[]v1.OwnerReference{${(refs as any[]).map((x) => goOwnerReference(x ?? {})).join(', ')}}`;
        out.push(invalid(field, all, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}`));
      } else firstController = name;
    }
  }
  return out;
}

/** apimachinery ValidateFinalizers. */
function finalizerErrors(finalizers: unknown, field: string): FieldError[] {
  if (!Array.isArray(finalizers)) return [];
  const out: FieldError[] = [];
  for (const f of finalizers) if (typeof f === 'string') for (const msg of isQualifiedName(f)) out.push(invalid(field, goQuote(f), msg));
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    out.push(invalid(field, goStringSlice(finalizers.map(str)), 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return out;
}

// unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. Made on
// first use: a RegExp with Unicode properties costs ~6 M instructions to create (ICU's ranges),
// at every command's load of this module otherwise (round 94 of docs/perf-issue-18.md).
let printable: RegExp | undefined;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** apimachinery ValidateManagedFields (ValidateFieldManager for each manager). */
function managedFieldsErrors(entries: unknown, field: string): FieldError[] {
  if (!Array.isArray(entries)) return [];
  const out: FieldError[] = [];
  entries.forEach((e: any, i) => {
    const at = `${field}[${i}]`;
    const op = str(e?.operation);
    if (op !== 'Apply' && op !== 'Update') out.push(invalid(`${at}.operation`, goQuote(op), 'must be `Apply` or `Update`'));
    const fieldsType = str(e?.fieldsType);
    if (fieldsType && fieldsType !== 'FieldsV1') out.push(invalid(`${at}.fieldsType`, goQuote(fieldsType), 'must be `FieldsV1`'));
    const manager = str(e?.manager);
    // Printable ASCII (every manager kubesim's own components name): one byte a character, all printable.
    const ascii = PRINTABLE_ASCII.test(manager);
    if ((ascii ? manager.length : Buffer.byteLength(manager)) > 128) out.push({ field: `${at}.manager`, type: 'Too long', detail: 'may not be more than 128 bytes' });
    let pos = 0;
    if (!ascii) for (const ch of manager) {
      if (!(printable ??= /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u).test(ch)) {
        const cp = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
        out.push(invalid(`${at}.manager`, goQuote(manager), `invalid character U+${cp} (at position ${pos})`));
      }
      pos += Buffer.byteLength(ch);
    }
    if (Buffer.byteLength(str(e?.subresource)) > 256) out.push({ field: `${at}.subresource`, type: 'Too long', detail: 'may not be more than 256 bytes' });
  });
  return out;
}

function pathSegmentErrors(s: string): string[] {
  if (s === '.' || s === '..') return [`may not be '${s}'`];
  // IsValidPathSegmentName: each of NameMayNotContain ('/', '%') it contains.
  return ['/', '%'].filter((c) => s.includes(c)).map((c) => `may not contain '${c}'`);
}
