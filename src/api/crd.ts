// CustomResourceDefinitions register kinds: a stored CRD becomes a ResourceType that
// `get`, `apply` and validation resolve like a built-in one.

import type { CrdSubresources, ResourceType } from './resources';
import type { KObject } from './types';
import { withEmbeddedObjectMeta } from './validation/embedded-meta';
import { stringifyJson } from '../util/exact-json';
import { cloneJson } from '../store/clone';

export function crdResourceType(crd: KObject): ResourceType | undefined {
  return resourceTypeFor(crd, crd.spec?.names);
}

/**
 * The type kube-apiserver serves for a CRD, or none yet: apiextensions-apiserver's crdHandler
 * serves a CRD's resources only while NamesAccepted or Established is True (404 before), and
 * under status.acceptedNames, as its discovery lists them. Here the naming and establishing
 * controllers run with every CRD write, so the two conditions are True together (Established
 * stays True if a later rename conflicts, and the names accepted before keep being served).
 */
export function servedCrdType(crd: KObject): ResourceType | undefined {
  const conditions: { type?: string; status?: string }[] = crd.status?.conditions ?? [];
  if (!conditions.some((c) => (c.type === 'NamesAccepted' || c.type === 'Established') && c.status === 'True')) return undefined;
  return resourceTypeFor(crd, crd.status?.acceptedNames);
}

function resourceTypeFor(crd: KObject, names: Record<string, any> | undefined): ResourceType | undefined {
  const spec = crd.spec;
  if (!spec?.group || !names?.kind || !names?.plural) return undefined;
  const served: any[] = (spec.versions ?? []).filter((v: any) => v?.served !== false);
  if (!served.length) return undefined;
  const storage = served.find((v) => v.storage) ?? served[0];
  const versions = [storage.name, ...served.map((v) => v.name).filter((n: string) => n !== storage.name)];
  // Each served version's subresources are its own (the status of a version without /status is written with the object).
  const perVersion: Record<string, CrdSubresources> = {};
  const ofStorage = JSON.stringify(subresourcesOf(storage));
  for (const v of served) if (JSON.stringify(subresourcesOf(v)) !== ofStorage) perVersion[v.name] = subresourcesOf(v);
  return {
    group: spec.group,
    version: versions[0],
    versions,
    kind: names.kind,
    plural: names.plural,
    singular: names.singular ?? names.kind.toLowerCase(),
    shortNames: names.shortNames ?? [],
    namespaced: spec.scope !== 'Cluster',
    categories: names.categories ?? [],
    verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
    crd: crd.metadata.name,
    crdSubresources: subresourcesOf(storage),
    ...(Object.keys(perVersion).length ? { crdVersionSubresources: perVersion } : {}),
  };
}

/** The subresources a served version declares: status and scale only if there. */
function subresourcesOf(version: any): CrdSubresources {
  const sub = version?.subresources ?? {};
  const scale = sub.scale;
  return {
    status: sub.status != null,
    ...(scale != null ? { scale: { specReplicasPath: scale.specReplicasPath ?? '', statusReplicasPath: scale.statusReplicasPath ?? '', labelSelectorPath: scale.labelSelectorPath } } : {}),
  };
}

/**
 * The schema of one version of a CRD (openAPIV3Schema), if any; a v1beta1 CRD (`validate` reads
 * old files) may give one schema for all its versions, in spec.validation.
 */
export function crdVersionSchema(crd: KObject, version: string): Record<string, any> | undefined {
  const v = (crd.spec?.versions ?? []).find((x: any) => x?.name === version);
  return v?.schema?.openAPIV3Schema ?? crd.spec?.validation?.openAPIV3Schema;
}

/** Whether any version's schema has CEL rules (x-kubernetes-validations): the CEL engine loads only then. */
export function crdHasRules(crd: KObject): boolean {
  return stringifyJson(crd.spec?.versions ?? []).includes('"x-kubernetes-validations"');
}

/**
 * A CRD's schemas as kube-apiserver validates them, each with its field path and version:
 * the internal API holds one schema in spec.validation when every version has the same one
 * (the v1 -> internal conversion), else each in spec.versions[i].schema.
 */
export function crdSchemaRoots(crd: KObject): [schema: any, path: string, version: string | undefined][] {
  const versions: any[] = crd.spec?.versions ?? [];
  const schemas = versions.map((v) => v?.schema?.openAPIV3Schema);
  const same = schemas.length > 0 && schemas.every((s) => JSON.stringify(s) === JSON.stringify(schemas[0]));
  return same ? [[schemas[0], 'spec.validation.openAPIV3Schema', versions[0]?.name]] : schemas.map((s, i) => [s, `spec.versions[${i}].schema.openAPIV3Schema`, versions[i]?.name]);
}

/** The storage version of a CRD (the one `storage: true`), if any. */
export function crdStorageVersion(crd: KObject): string | undefined {
  return (crd.spec?.versions ?? []).find((v: any) => v?.storage === true)?.name;
}

interface CrdCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** apiextensions helpers.SetCRDCondition: the transition time moves only when the status does. */
function setCondition(conditions: CrdCondition[], c: CrdCondition, now: string): void {
  const old = conditions.find((x) => x.type === c.type);
  if (!old) {
    conditions.push({ type: c.type, status: c.status, lastTransitionTime: now, reason: c.reason, message: c.message });
    return;
  }
  if (old.status !== c.status || !old.lastTransitionTime) {
    old.status = c.status;
    old.lastTransitionTime = now;
  }
  old.reason = c.reason;
  old.message = c.message;
}

/** equalToAcceptedOrFresh: a name is ours already, or nobody's. */
function nameConflict(requested: string, accepted: string, used: Set<string>): string | undefined {
  if (requested === accepted || !used.has(requested)) return undefined;
  return `"${requested}" is already in use`;
}

/**
 * The status kube-apiserver's NamingConditionController and EstablishingController give a
 * CRD (apiextensions-apiserver pkg/controller/status/naming_controller.go,
 * establish/establishing_controller.go): each name of spec.names not already claimed by
 * another CRD of the group (their status.acceptedNames) is accepted; NamesAccepted says
 * whether all were, and a CRD whose names were all accepted once is Established for good.
 * `group` is every CRD of the cluster, this one included, with their current status.
 */
export function crdNamingStatus(crd: KObject, all: KObject[], now: string): Record<string, any> {
  const usedResources = new Set<string>();
  const usedKinds = new Set<string>();
  for (const other of all) {
    if (other.spec?.group !== crd.spec?.group) continue;
    const a = other.status?.acceptedNames ?? {};
    for (const n of [a.plural, a.singular, ...(a.shortNames ?? [])]) usedResources.add(n ?? '');
    usedKinds.add(a.kind ?? '');
    usedKinds.add(a.listKind ?? '');
  }
  const requested = crd.spec?.names ?? {};
  const accepted = crd.status?.acceptedNames ?? {};
  const names: Record<string, any> = { ...accepted };
  let conflict: { reason: string; message: string } | undefined;
  const check = (field: string, reason: string, used: Set<string>) => {
    const why = nameConflict(requested[field] ?? '', accepted[field] ?? '', used);
    if (why) conflict = { reason, message: why };
    else names[field] = requested[field];
  };
  check('plural', 'PluralConflict', usedResources);
  check('singular', 'SingularConflict', usedResources);
  const wantShort: string[] = requested.shortNames ?? [];
  const haveShort: string[] = accepted.shortNames ?? [];
  if (JSON.stringify(wantShort) !== JSON.stringify(haveShort)) {
    const errs = wantShort.filter((s) => !haveShort.includes(s)).map((s) => nameConflict(s, '', usedResources)).filter((e): e is string => !!e);
    // utilerrors.NewAggregate: one error alone, several as "[a, b]".
    if (errs.length) conflict = { reason: 'ShortNamesConflict', message: errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]` };
    else names.shortNames = requested.shortNames;
  }
  check('kind', 'KindConflict', usedKinds);
  check('listKind', 'ListKindConflict', usedKinds);
  names.categories = requested.categories;

  // CustomResourceDefinitionNames' field order; plural and kind are never omitted.
  const acceptedNames: Record<string, any> = { plural: names.plural ?? '' };
  if (names.singular) acceptedNames.singular = names.singular;
  if (names.shortNames?.length) acceptedNames.shortNames = names.shortNames;
  acceptedNames.kind = names.kind ?? '';
  if (names.listKind) acceptedNames.listKind = names.listKind;
  if (names.categories?.length) acceptedNames.categories = names.categories;

  const conditions: CrdCondition[] = (crd.status?.conditions ?? []).map((c: CrdCondition) => ({ ...c }));
  setCondition(conditions, conflict ? { type: 'NamesAccepted', status: 'False', ...conflict } : { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' }, now);
  // The naming controller leaves Established as it was (NotAccepted when new) and the
  // establishing controller sets it once the names are accepted; both are applied here at once.
  const established = conditions.find((c) => c.type === 'Established');
  if (established?.status !== 'True') {
    if (!conflict) setCondition(conditions, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, now);
    else if (!established) setCondition(conditions, { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }, now);
  }
  const { conditions: _c, acceptedNames: _a, storedVersions, ...rest } = crd.status ?? {};
  return { conditions, acceptedNames, storedVersions: storedVersions ?? [], ...rest };
}

type Schema = Record<string, any>;

/** The schema of the version an object names (its apiVersion), else the storage version's. */
function schemaFor(obj: KObject, crd: KObject): Schema | undefined {
  const version = String(obj.apiVersion ?? '').split('/').pop() ?? '';
  return (crdVersionSchema(crd, version) ?? crdVersionSchema(crd, crdStorageVersion(crd) ?? '')) as Schema | undefined;
}

/**
 * Decoding a custom resource (apiextensions-apiserver unstructuredSchemaCoercer): a null
 * where the schema says the field is not nullable and has no default is removed
 * (structuraldefaulting.PruneNonNullableNullsWithoutDefaults), before validation sees it;
 * one with a default is left for withCrdDefaults. Then each embedded resource's metadata is
 * written back as ObjectMeta (objectmeta.CoerceWithOptions): empty fields omitted, a zero
 * creationTimestamp removed (unknown fields are strict decoding's: refused or dropped). In place.
 */
export function coerceDecoded(obj: KObject, crd: KObject): void {
  const schema = schemaFor(obj, crd);
  if (!schema) return;
  const nullsPruned = crd.spec?.preserveUnknownFields ? obj : (withoutNulls(obj, schema) as KObject);
  const out = withEmbeddedObjectMeta(nullsPruned, schema, false);
  if (out === obj) return;
  for (const k of Object.keys(obj)) if (!(k in out)) delete obj[k];
  Object.assign(obj, out);
}

/**
 * A custom resource as kube-apiserver decodes it from storage (the codec of
 * crdConversionRESTOptionsGetter): fields its schema does not know pruned
 * (structuralpruning.Prune), non-nullable nulls without a default pruned, embedded resources'
 * metadata coerced to ObjectMeta (malformed fields dropped), then its defaults
 * (withCrdDefaults), so an object stored under an older schema reads as the CRD says now.
 * Copy on write, as withCrdDefaults.
 */
export function asDecodedFromStorage(obj: KObject, crd: KObject): KObject {
  const schema = schemaFor(obj, crd);
  if (!schema) return obj;
  const coerced = crd.spec?.preserveUnknownFields ? obj : withoutNulls(pruned(obj, schema, true), schema);
  return defaulted(withEmbeddedObjectMeta(coerced, schema, true), schema) as KObject;
}

/** Copy on write: `x` itself when nothing changed, else a shallow copy of each changed level. */
function withoutNulls(x: unknown, s: Schema | undefined): unknown {
  if (x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) return mapItems(x, (v) => withoutNulls(v, s?.items));
  const map = x as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(map)) {
    const sub = fieldSchema(s, k);
    if (map[k] === null && sub && !sub.nullable && sub.default == null) delete (out ??= { ...map })[k];
    else {
      const v = withoutNulls(map[k], sub);
      if (v !== map[k]) (out ??= { ...map })[k] = v;
    }
  }
  return out ?? map;
}

function mapItems(x: unknown[], f: (v: unknown) => unknown): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < x.length; i++) {
    const v = f(x[i]);
    if (v !== x[i]) (out ??= x.slice())[i] = v;
  }
  return out ?? x;
}

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * structuralpruning.Prune, copy on write: a field neither a property nor allowed by
 * additionalProperties is dropped, unless x-kubernetes-preserve-unknown-fields keeps it; the
 * root and embedded resources keep apiVersion, kind and metadata. A value under a schema-less
 * additionalProperties (true) keeps no fields of its own.
 */
function pruned(x: unknown, s: Schema | undefined, root = false): unknown {
  const keep = s?.['x-kubernetes-preserve-unknown-fields'] === true;
  if (x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) {
    if (keep) return s!.items ? mapItems(x, (v) => pruned(v, { ...s!.items, 'x-kubernetes-preserve-unknown-fields': true })) : x;
    return mapItems(x, (v) => pruned(v, s?.items));
  }
  const map = x as Record<string, unknown>;
  if (!s) return keep || !Object.keys(map).length ? map : {};
  const meta = root || s['x-kubernetes-embedded-resource'] === true;
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(map)) {
    if (meta && META_FIELDS.has(k)) continue;
    let v: unknown;
    if (s.properties && Object.prototype.hasOwnProperty.call(s.properties, k)) v = pruned(map[k], s.properties[k]);
    else if (s.additionalProperties !== undefined) v = pruned(map[k], typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
    else if (keep) continue;
    else {
      delete (out ??= { ...map })[k];
      continue;
    }
    if (v !== map[k]) (out ??= { ...map })[k] = v;
  }
  return out ?? map;
}

/** A field's schema: its property, else additionalProperties when that is a schema. */
function fieldSchema(s: Schema | undefined, k: string): Schema | undefined {
  if (s?.properties && Object.prototype.hasOwnProperty.call(s.properties, k)) return s.properties[k];
  return typeof s?.additionalProperties === 'object' ? s.additionalProperties : undefined;
}

/**
 * A custom resource with its schema's defaults (structuraldefaulting.Default), as
 * kube-apiserver applies them when it decodes a request body (create, update, patch, apply)
 * and when it reads an object from storage: a missing property, or a null one the schema
 * does not allow, gets its default (deep-copied, then defaulted inside); defaults go only
 * into objects that exist, into array items and additionalProperties values. A default of
 * null is never applied. Copy on write: `obj` itself (which may be frozen) when nothing is
 * defaulted, else a copy sharing what did not change.
 */
export function withCrdDefaults(obj: KObject, crd: KObject): KObject {
  const schema = schemaFor(obj, crd);
  return schema ? (defaulted(obj, schema) as KObject) : obj;
}

const nonNullableNull = (x: unknown, s: Schema | undefined): boolean => x === null && s != null && !s.nullable;
const copyJson = (v: unknown): unknown => (v === null || v === undefined ? null : cloneJson(v));

function defaulted(x: unknown, s: Schema | undefined): unknown {
  if (!s || x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) {
    const items: Schema | undefined = Array.isArray(s.items) ? undefined : s.items;
    let out: unknown[] | undefined;
    for (let i = 0; i < x.length; i++) {
      const v = defaulted(nonNullableNull(x[i], items) ? copyJson(items!.default) : x[i], items);
      if (v !== x[i]) (out ??= x.slice())[i] = v;
    }
    return out ?? x;
  }
  const map = x as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  const set = (k: string, v: unknown) => ((out ??= { ...map })[k] = v);
  const props: Record<string, Schema> = s.properties ?? {};
  for (const k of Object.keys(props)) {
    const p = props[k];
    if (p?.default == null) continue;
    if (!Object.prototype.hasOwnProperty.call(map, k) || nonNullableNull(map[k], p)) set(k, copyJson(p.default));
  }
  const additional: Schema | undefined = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  for (const k of Object.keys(out ?? map)) {
    const before = (out ?? map)[k];
    let v: unknown;
    if (Object.prototype.hasOwnProperty.call(props, k)) v = defaulted(before, props[k]);
    else if (additional) v = defaulted(nonNullableNull(before, additional) ? copyJson(additional.default) : before, additional);
    else continue;
    if (v !== before) set(k, v);
  }
  return out ?? map;
}
