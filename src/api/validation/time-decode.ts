// metav1.Time and metav1.MicroTime fields of built-in kinds as kube-apiserver decodes them:
// their UnmarshalJSON parses the string with time.Parse (time.RFC3339 for Time, RFC3339Micro
// for MicroTime) and fails the decoding at once with time.Parse's own error, before any saved
// type error and before strict decoding's unknown fields
// (apimachinery/pkg/apis/meta/v1/time.go, micro_time.go). The schemas mark such a field as a
// $ref to the Time or MicroTime definition.

import type { SchemaDocument } from './schema-store';
import { walkSchema } from './schema-walk';
import { getIn, type Path } from './field-path';
import { rfc3339ParseError } from './object-meta-decode';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const TIME_DEF = `${META}Time`;
const MICRO_DEF = `${META}MicroTime`;

/** Field names that are a Time or MicroTime somewhere (the walk's cheap first filter). */
export let TIME_FIELDS: ReadonlySet<string> = new Set();
/** Field names that are a map of Times somewhere (PodDisruptionBudgetStatus.disruptedPods). */
export let TIME_MAP_FIELDS: ReadonlySet<string> = new Set();
/** Field names that are a MicroTime somewhere: RFC3339 alone does not clear them. */
let MICRO_FIELDS: ReadonlySet<string> = new Set();
let namesOf: SchemaDocument | undefined;

export function loadTimeNames(doc: SchemaDocument): void {
  if (namesOf === doc) return;
  const times = new Set<string>();
  const maps = new Set<string>();
  const micro = new Set<string>();
  for (const def of Object.values(doc.definitions))
    for (const [name, p] of Object.entries(def.properties ?? {})) {
      const ref = p.$ref ?? p.items?.$ref;
      if (ref === `#/definitions/${TIME_DEF}` || ref === `#/definitions/${MICRO_DEF}`) times.add(name);
      if (ref === `#/definitions/${MICRO_DEF}`) micro.add(name);
      const inMap = typeof p.additionalProperties === 'object' ? p.additionalProperties.$ref : undefined;
      if (inMap === `#/definitions/${TIME_DEF}` || inMap === `#/definitions/${MICRO_DEF}`) maps.add(name);
    }
  TIME_FIELDS = times;
  TIME_MAP_FIELDS = maps;
  MICRO_FIELDS = micro;
  namesOf = doc;
}

// What time.Parse surely accepts (days up to 28 are in every month; the rest is checked by
// rfc3339ParseError): a regular expression test is ~100 times cheaper than the parse.
const PLAIN = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** True when the string `v` under the field name `k` surely decodes as its Time or MicroTime (no candidate then). */
export function plainTime(k: string | number, v: string): boolean {
  const plain = PLAIN.exec(v);
  // Six fractional digits suit a MicroTime too.
  return plain !== null && (plain[1]?.length === 7 || !(typeof k === 'string' && MICRO_FIELDS.has(k)));
}

/**
 * The first of the candidate strings (paths the walk found under a time field's name, in
 * document order) that its Time or MicroTime does not parse: time.Parse's error, or undefined.
 */
export function timeDecodeError(candidates: Path[], data: unknown, doc: SchemaDocument, rootDef: string): { path: Path; message: string } | undefined {
  for (const path of candidates) {
    const v = getIn(data, path);
    if (typeof v !== 'string') continue;
    const last = path[path.length - 1];
    const maybeMicro = typeof last === 'string' && MICRO_FIELDS.has(last);
    if (plainTime(last, v)) continue;
    // Most values parse as RFC3339: the schema is asked only about the others and MicroTime names.
    if (!maybeMicro && rfc3339ParseError(v) === '') continue;
    const def = walkSchema(doc, rootDef, path)?.def;
    if (def !== TIME_DEF && def !== MICRO_DEF) continue;
    const message = rfc3339ParseError(v, def === MICRO_DEF);
    if (message) return { path, message };
  }
  return undefined;
}
