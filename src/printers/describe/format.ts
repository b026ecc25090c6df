// Shared formatting helpers of describe.go: multi-line labels/annotations/taints/
// tolerations, label selectors, controller refs.
import { isObject, type KObject } from '../../api/types';
import { LEVEL_0, type PrefixWriter } from './prefix-writer';
import { labelSelectorMatches, type LabelSelectorSpec } from '../../api/selectors';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const MAX_ANNOTATION_LEN = 140;

/** Byte-order string comparison (Go's sort.Strings). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortedKeys(m: Record<string, unknown> | undefined): string[] {
  return Object.keys(m ?? {}).sort(compareStrings);
}

/** Go's `%v` for scalars (nil → <nil>). */
export function goValue(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (Array.isArray(v)) return '[' + v.map(goValue).join(' ') + ']';
  if (isObject(v)) return 'map[' + sortedKeys(v).map((k) => `${k}:${goValue(v[k])}`).join(' ') + ']';
  return String(v);
}

/** `%v` of a Go slice of strings: `[a b]`. */
export function goList(v: unknown): string {
  return '[' + (Array.isArray(v) ? v.map((x) => String(x)).join(' ') : '') + ']';
}

export function str(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

export function num(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && !isNaN(Number(v)) ? Number(v) : 0;
}

export function stringOrNone(s: string): string {
  return s.length > 0 ? s : '<none>';
}

/** printLabelsMultilineWithIndent */
export function printLabelsMultiline(
  w: PrefixWriter,
  title: string,
  labels: Record<string, string> | undefined,
  initialIndent = '',
  innerIndent = '\t',
): void {
  w.write(LEVEL_0, `${initialIndent}${title}:${innerIndent}`);
  const keys = sortedKeys(labels);
  if (keys.length === 0) {
    w.writeLine('<none>');
    return;
  }
  keys.forEach((key, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, initialIndent);
      w.write(LEVEL_0, innerIndent);
    }
    w.write(LEVEL_0, `${key}=${labels![key]}\n`);
  });
}

function shorten(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) + '...' : s;
}

/** printAnnotationsMultiline: sorted, last-applied hidden, long values folded. */
export function printAnnotationsMultiline(w: PrefixWriter, title: string, annotations: Record<string, string> | undefined): void {
  w.write(LEVEL_0, `${title}:\t`);
  const keys = sortedKeys(annotations).filter((k) => k !== LAST_APPLIED);
  if (keys.length === 0) {
    w.writeLine('<none>');
    return;
  }
  const indent = '\t';
  keys.forEach((key, i) => {
    if (i !== 0) w.write(LEVEL_0, indent);
    const value = str(annotations![key]).replace(/\n$/, '');
    if (value.length + key.length + 2 > MAX_ANNOTATION_LEN || value.includes('\n')) {
      w.write(LEVEL_0, `${key}:\n`);
      for (const s of value.split('\n')) w.write(LEVEL_0, `${indent}  ${shorten(s, MAX_ANNOTATION_LEN - 2)}\n`);
    } else {
      w.write(LEVEL_0, `${key}: ${value}\n`);
    }
  });
}

/** labels.FormatLabels: `a=b,c=d` sorted, or <none>. */
export function formatLabels(m: Record<string, string> | undefined): string {
  const keys = sortedKeys(m);
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${m![k]}`).join(',');
}

/** labels.Selector.String() of metav1.LabelSelectorAsSelector (empty string for everything/nothing). */
export function selectorString(sel: unknown): string {
  if (!isObject(sel)) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const k of sortedKeys(sel.matchLabels)) reqs.push({ key: k, text: `${k}=${sel.matchLabels[k]}` });
  for (const e of Array.isArray(sel.matchExpressions) ? sel.matchExpressions : []) {
    const key = str(e?.key);
    const values = (Array.isArray(e?.values) ? e.values.map(String) : []).sort(compareStrings);
    switch (e?.operator) {
      case 'In':
        reqs.push({ key, text: `${key} in (${values.join(',')})` });
        break;
      case 'NotIn':
        reqs.push({ key, text: `${key} notin (${values.join(',')})` });
        break;
      case 'Exists':
        reqs.push({ key, text: key });
        break;
      case 'DoesNotExist':
        reqs.push({ key, text: `!${key}` });
        break;
    }
  }
  // Requirements are sorted by key (stable for equal keys).
  return reqs
    .map((r, i) => ({ ...r, i }))
    .sort((a, b) => compareStrings(a.key, b.key) || a.i - b.i)
    .map((r) => r.text)
    .join(',');
}

/** metav1.FormatLabelSelector: like selectorString but <none> when empty. */
export function formatLabelSelector(sel: unknown): string {
  const s = selectorString(sel);
  return s === '' ? '<none>' : s;
}

/** Does a map selector / LabelSelector match these labels? */
export function selectorMatches(sel: unknown, labels: Record<string, string> | undefined): boolean {
  if (!isObject(sel)) return false;
  const l = labels ?? {};
  if ('matchLabels' in sel || 'matchExpressions' in sel) return labelSelectorMatches(sel as LabelSelectorSpec, l);
  return Object.entries(sel).every(([k, v]) => l[k] === v);
}

/** The controller ownerReference, if any. */
export function controllerOf(obj: KObject): { kind: string; name: string; uid: string } | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}

export function printController(obj: KObject): string {
  const ref = controllerOf(obj);
  return ref ? `${ref.kind}/${ref.name}` : '';
}

function taintString(t: any): string {
  const key = str(t?.key);
  const value = str(t?.value);
  const effect = str(t?.effect);
  if (effect === '') return value === '' ? key : `${key}=${value}:`;
  return value === '' ? `${key}:${effect}` : `${key}=${value}:${effect}`;
}

export function printTaintsMultiline(w: PrefixWriter, title: string, taints: any[] | undefined, initialIndent = '', innerIndent = '\t'): void {
  w.write(LEVEL_0, `${initialIndent}${title}:${innerIndent}`);
  if (!taints || taints.length === 0) {
    w.writeLine('<none>');
    return;
  }
  const sorted = [...taints].sort((a, b) => compareStrings(`${str(a.effect)},${str(a.key)}`, `${str(b.effect)},${str(b.key)}`));
  sorted.forEach((t, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, initialIndent);
      w.write(LEVEL_0, innerIndent);
    }
    w.write(LEVEL_0, `${taintString(t)}\n`);
  });
}

export function printTolerationsMultiline(w: PrefixWriter, title: string, tolerations: any[] | undefined, initialIndent = '', innerIndent = '\t'): void {
  w.write(LEVEL_0, `${initialIndent}${title}:${innerIndent}`);
  if (!tolerations || tolerations.length === 0) {
    w.writeLine('<none>');
    return;
  }
  const sorted = [...tolerations].sort((a, b) => compareStrings(str(a.key), str(b.key)));
  sorted.forEach((t, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, initialIndent);
      w.write(LEVEL_0, innerIndent);
    }
    let line = str(t.key);
    if (str(t.value) !== '') line += `=${t.value}`;
    if (str(t.effect) !== '') line += `:${t.effect}`;
    if (t.operator === 'Exists' && str(t.value) === '') line += str(t.key) !== '' || str(t.effect) !== '' ? ' op=Exists' : 'op=Exists';
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) line += ` for ${t.tolerationSeconds}s`;
    w.write(LEVEL_0, line + '\n');
  });
}

/** Go's %t / printBool. */
export function printBool(v: unknown): string {
  return v === true ? 'True' : 'False';
}

export function printBoolPtr(v: unknown): string {
  return v === undefined || v === null ? '<unset>' : printBool(v);
}

/** storageutil.GetAccessModesAsString: RWO,ROX,RWX,RWOP in that fixed order. */
export function accessModesAsString(modes: unknown): string {
  const list = Array.isArray(modes) ? modes : [];
  const out: string[] = [];
  if (list.includes('ReadWriteOnce')) out.push('RWO');
  if (list.includes('ReadOnlyMany')) out.push('ROX');
  if (list.includes('ReadWriteMany')) out.push('RWX');
  if (list.includes('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}
