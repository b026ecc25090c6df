// metadata.managedFields as kube-apiserver keeps them (k8s.io/apimachinery's managedfields
// and structured-merge-diff's merge.Updater): every write records the fields its manager
// changed (operation Update), server-side apply records the applied configuration's fields
// (operation Apply), merges by ownership, prunes what the applier stopped applying, and
// refuses to change another manager's fields without force (409 with the conflicts).

import { ApiError } from '../errors';
import type { Undecodable } from '../apply/patch-decode';
import type { KObject } from '../types';
import { loadSchemas } from '../validation/schema-store';
import { FieldSet, pathString } from './fieldset';
import { isObject, ShapeResolver, type Shape } from './shape';
import { compare, typedValueErrors, merge, removePath, toFieldSet, type Comparison } from './typed';
import { deepEqual } from '../../util/json-equal';
import { cloneJson, sharedFieldSet } from '../../store/clone';
import { stringifyJson } from '../../util/exact-json';
import { renamedFields } from '../conversion/events';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

interface Owner {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
  /** The FieldsV1 it was read from, reused while `set` is unchanged (no re-encoding). */
  raw?: { set: FieldSet; fieldsV1: Record<string, unknown> };
}

/** One entry per (manager, operation, subresource), and per apiVersion for updates. */
function ownerKey(o: { manager: string; operation: string; apiVersion: string; subresource?: string }): string {
  // Length-prefixed (unambiguous), cheaper than a JSON array per call.
  const v = o.operation === 'Update' ? o.apiVersion : '';
  return `${o.manager.length}:${o.manager}${o.operation.length}:${o.operation}${v.length}:${v}${o.subresource ?? ''}`;
}

/**
 * The sets of FieldsV1 objects a store keeps (frozen, shared: clone.ts), by the object: every
 * update decodes the stored object's entries, and a pod's are the same few frozen instances
 * across its writes and across pods. Sound because a FieldSet is never changed once built
 * (difference and union make new ones) and a frozen FieldsV1 never changes.
 */
const decodedSets = new WeakMap<object, FieldSet>();

function setOf(fieldsV1: unknown): FieldSet {
  if (typeof fieldsV1 !== 'object' || fieldsV1 === null || !Object.isFrozen(fieldsV1)) return FieldSet.fromFieldsV1(fieldsV1);
  let set = decodedSets.get(fieldsV1);
  if (!set) {
    decodedSets.set(fieldsV1, (set = FieldSet.fromFieldsV1(fieldsV1)));
    frozenSetsDecoded++;
  }
  return set;
}
/** Frozen FieldsV1 objects decoded rather than found in decodedSets (tests). */
let frozenSetsDecoded = 0;
export const frozenSetsDecodedCount = (): number => frozenSetsDecoded;

function decode(entries: unknown): Map<string, Owner> {
  const out = new Map<string, Owner>();
  if (!Array.isArray(entries)) return out;
  for (const e of entries as ManagedFieldsEntry[]) {
    if (typeof e !== 'object' || e === null || typeof e.manager !== 'string' || (e.operation !== 'Apply' && e.operation !== 'Update')) continue;
    const set = setOf(e.fieldsV1);
    const o: Owner = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion ?? '', subresource: e.subresource || undefined, time: e.time, set };
    if (e.fieldsV1 && typeof e.fieldsV1 === 'object') o.raw = { set, fieldsV1: e.fieldsV1 };
    out.set(ownerKey(o), o);
  }
  return out;
}

/** Sorted as kube-apiserver sorts them: operation, time, manager, apiVersion. */
function encode(owners: Map<string, Owner>): ManagedFieldsEntry[] {
  const list = [...owners.values()].filter((o) => !o.set.empty());
  list.sort((p, q) => cmp(p.operation, q.operation) || cmp(p.time ?? '', q.time ?? '') || cmp(p.manager, q.manager) || cmp(p.apiVersion, q.apiVersion));
  return list.map((o) => {
    const e: ManagedFieldsEntry = { manager: o.manager, operation: o.operation, apiVersion: o.apiVersion };
    if (o.time) e.time = o.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = o.raw?.set === o.set ? o.raw.fieldsV1 : o.set.toFieldsV1();
    if (o.subresource) e.subresource = o.subresource;
    return e;
  });
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Fields no manager owns (stripMetaManager). */
const STRIP = FieldSet.fromPaths([
  ['f:apiVersion'], ['f:kind'], ['f:metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map((f) => ['f:metadata', 'f:' + f]),
]);

let resolver: ShapeResolver | undefined;

async function shapeOf(apiVersion: string, kind: string): Promise<Shape> {
  resolver ??= new ShapeResolver((await loadSchemas()).doc);
  return resolver.root(apiVersion, kind);
}

export interface TrackContext {
  apiVersion: string;
  kind: string;
  /** The kind has a status subresource: the main resource does not own status, and back. */
  statusSplit: boolean;
  /** 'status' or 'scale' for writes through those subresources. */
  subresource?: string;
  /** RFC 3339 time of the write. */
  now: string;
}

/** Narrows a set to what the endpoint written through may own. */
const STATUS = FieldSet.fromPaths([['f:status']]);

function scope(set: FieldSet, ctx: TrackContext): FieldSet {
  if (ctx.subresource === 'status') return set.only('f:status');
  const s = ctx.statusSplit ? set.recursiveDifference(STATUS) : set;
  return s.difference(STRIP);
}

function scoped(c: Comparison, ctx: TrackContext): Comparison {
  return { added: scope(c.added, ctx), modified: scope(c.modified, ctx), removed: scope(c.removed, ctx) };
}

function withoutManaged(o: KObject): KObject {
  if (!o.metadata?.managedFields) return o;
  const { managedFields, ...metadata } = o.metadata;
  void managedFields;
  return { ...o, metadata };
}

/**
 * The object a create is compared with: the kind's Go zero value as encoding/json writes it
 * (struct fields that are not pointers are there, empty), so that only pointer fields and
 * list items get their own "." entry, as on a real cluster.
 */
function zeroObject(kind: string, shape: Shape): Record<string, unknown> {
  const has = (f: string) => shape.k === 'struct' && shape.field(f) !== undefined;
  const z: Record<string, unknown> = { metadata: { creationTimestamp: null } };
  if (has('spec')) z.spec = {};
  if (has('status')) z.status = {};
  const template = () => ({ metadata: { creationTimestamp: null }, spec: { containers: null } });
  switch (kind) {
    case 'Pod':
      z.spec = { containers: null };
      break;
    case 'Deployment':
      z.spec = { selector: null, template: template(), strategy: {} };
      break;
    case 'StatefulSet':
    case 'DaemonSet':
      z.spec = { selector: null, template: template(), updateStrategy: {} };
      break;
    case 'ReplicaSet':
    case 'Job':
      z.spec = { template: template() };
      break;
    case 'CronJob':
      z.spec = { jobTemplate: { metadata: { creationTimestamp: null }, spec: { template: template() } } };
      break;
    case 'Service':
      z.status = { loadBalancer: {} };
      break;
    case 'Event':
      // its ObjectReference and EventSource structs, and its Times (null), core/v1's or events.k8s.io/v1's
      if (has('regarding')) Object.assign(z, { eventTime: null, regarding: {}, deprecatedSource: {}, deprecatedFirstTimestamp: null, deprecatedLastTimestamp: null });
      else Object.assign(z, { involvedObject: {}, source: {}, firstTimestamp: null, lastTimestamp: null, eventTime: null });
      break;
  }
  return z;
}

/** The owners an update starts from: the ones sent, unless none were (then the live ones). */
function baseOwners(current: KObject | undefined, next: KObject): Map<string, Owner> {
  const sent = next.metadata?.managedFields;
  if (Array.isArray(sent) && sent.length === 1 && isObject(sent[0]) && Object.keys(sent[0]).length === 0) return new Map();
  if (Array.isArray(sent) && sent.length) return decode(sent);
  return decode(current?.metadata?.managedFields);
}

/** `o` as the write's version names its fields (kube's fieldmanager converts both objects to the request's version). */
function inVersion(o: KObject, ctx: TrackContext): KObject {
  return o.apiVersion === ctx.apiVersion ? o : (renamedFields(o, ctx.apiVersion, ctx.kind) ?? o);
}

/** What a write changed and removed, as one version names the fields. */
interface Change {
  changed: FieldSet;
  removed: FieldSet;
}

/**
 * What changed as each owner's version names the fields (structured-merge-diff's Updater
 * compares the objects converted to every manager's version): `c`'s, the request's, unless
 * an owner's version names them otherwise (an Event's core/v1 and events.k8s.io/v1 fields).
 */
function changesIn(c: Comparison, lhs: Record<string, unknown>, rhs: Record<string, unknown>, ctx: TrackContext): (apiVersion: string) => Change {
  const own = { changed: c.added.union(c.modified), removed: c.removed };
  const byVersion = new Map([[ctx.apiVersion, own]]);
  return (apiVersion) => {
    let found = byVersion.get(apiVersion);
    if (!found) {
      const l = renamedFields(lhs as KObject, apiVersion, ctx.kind);
      const r = renamedFields(rhs as KObject, apiVersion, ctx.kind);
      const oc = l && r && resolver ? scoped(compare(l, r, resolver.root(apiVersion, ctx.kind)), ctx) : undefined;
      found = oc ? { changed: oc.added.union(oc.modified), removed: oc.removed } : own;
      byVersion.set(apiVersion, found);
    }
    return found;
  };
}

/** The Update bookkeeping of one write; returns the owners (with this manager's changes). */
function recordUpdate(owners: Map<string, Owner>, lhs: Record<string, unknown>, rhs: Record<string, unknown>, shape: Shape, manager: string, ctx: TrackContext): void {
  const changesOf = changesIn(scoped(compare(lhs, rhs, shape), ctx), lhs, rhs, ctx);
  const { changed, removed } = changesOf(ctx.apiVersion);
  const key = ownerKey({ manager, operation: 'Update', apiVersion: ctx.apiVersion, subresource: ctx.subresource });
  const own = owners.get(key);
  // A manager re-writing only fields it already owns (the kubelet's status): its set, minus
  // what changed and was removed, plus what changed, is its set as it was; kept with the
  // FieldsV1 it was read from (nothing to re-encode).
  const kept = own && !changed.empty() && own.set.covers(changed) && !own.set.overlaps(removed) ? own : undefined;
  for (const [k, o] of owners) {
    if (o === kept) continue;
    const ch = changesOf(o.apiVersion);
    o.set = o.set.difference(ch.changed).difference(ch.removed);
    if (o.set.empty()) owners.delete(k);
  }
  if (changed.empty()) return;
  if (kept) {
    // Where the general path would have emptied and re-added it, it moves last (tie order).
    if (changed.covers(kept.set)) owners.delete(key);
    owners.set(key, { ...kept, time: ctx.now });
    return;
  }
  const prev = owners.get(key);
  owners.set(key, { manager, operation: 'Update', apiVersion: ctx.apiVersion, subresource: ctx.subresource, time: ctx.now, set: prev ? prev.set.union(changed) : changed });
}

/**
 * The managed fields after an Update by `manager` that changed only `changed`, values of
 * fields no other manager owns (a Lease renewal's spec.renewTime), without comparing the
 * objects: recordUpdate's outcome for that comparison. undefined when another manager owns
 * one of them (the general path decides who keeps what).
 */
export function changedOwnFields(current: KObject, changed: FieldSet, manager: string, ctx: TrackContext): ManagedFieldsEntry[] | undefined {
  const owners = baseOwners(current, { metadata: {} } as KObject);
  const key = ownerKey({ manager, operation: 'Update', apiVersion: ctx.apiVersion, subresource: ctx.subresource });
  for (const [k, o] of owners) if (k !== key && o.set.overlaps(changed)) return undefined;
  const own = owners.get(key);
  // Emptied by the change and re-added, it moves last (recordUpdate's tie order).
  if (own && changed.covers(own.set)) owners.delete(key);
  if (own && own.set.covers(changed)) owners.set(key, { ...own, time: ctx.now });
  else owners.set(key, { manager, operation: 'Update', apiVersion: ctx.apiVersion, subresource: ctx.subresource, time: ctx.now, set: own ? own.set.union(changed) : changed });
  return encode(owners);
}

function setManaged(obj: KObject, owners: Map<string, Owner>): void {
  const entries = encode(owners);
  obj.metadata ??= {};
  if (entries.length) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

/**
 * Sets next.metadata.managedFields for a create (current undefined) or an update by
 * `manager`. `next` must be the object as it will be stored (defaulted).
 */
export async function trackUpdate(current: KObject | undefined, next: KObject, manager: string, ctx: TrackContext): Promise<void> {
  const shape = resolver ? resolver.root(ctx.apiVersion, ctx.kind) : await shapeOf(ctx.apiVersion, ctx.kind);
  // A create that sends no managedFields: the one entry it gets may be known by its keys.
  // Compared as the version written through names the fields (an Event's events.k8s.io/v1 ones).
  const nextView = inVersion(withoutManaged(next), ctx);
  const memo = !current && next.metadata?.managedFields === undefined ? createdNode(inScope(nextView, ctx), ctx) : undefined;
  const known = memo?.created;
  if (known !== undefined) {
    const owners = new Map<string, Owner>();
    if (known) owners.set('', { manager, operation: 'Update', apiVersion: ctx.apiVersion, subresource: ctx.subresource, time: ctx.now, set: known.set, raw: { set: known.set, fieldsV1: known.fieldsV1 } });
    setManaged(next, owners);
    return;
  }
  const owners = baseOwners(current, next);
  const lhs = current ? inVersion(withoutManaged(current), ctx) : zeroObject(ctx.kind, shape);
  recordUpdate(owners, inScope(lhs, ctx), inScope(nextView, ctx), shape, manager, ctx);
  setManaged(next, owners);
  if (memo !== undefined) {
    const [only] = owners.values();
    memo.created = only ? { set: only.set, fieldsV1: sharedFieldSet((next.metadata.managedFields as ManagedFieldsEntry[])[0].fieldsV1!) } : null;
    createdCount++;
  }
  if (!current) createsComputed++;
}

/**
 * The field sets creates record, by the created object's keys (see createdNode): a trie
 * whose steps are the kind, the endpoint, then the object's keys and its values' kinds in
 * order. Sets are never changed once built (difference and union make new ones), so one is
 * shared; so is its FieldsV1, frozen as the store keeps it (not copied per create).
 */
interface CreatedNode {
  /** The next step by a marker: '{', '}', '0' (null), a scalar's typeof, or one of the context's values. */
  marks?: Map<string, CreatedNode>;
  /** The next step by a member's name. */
  names?: Map<string, CreatedNode>;
  /** What a create of an object with exactly these keys records (null: no entry); undefined until one was tracked. */
  created?: { set: FieldSet; fieldsV1: Record<string, unknown> } | null;
}
let createdRoot: CreatedNode = {};
let createdCount = 0;
let createdSteps = 0;
/** Creates whose set was computed rather than taken from the memo (tests). */
let createsComputed = 0;
export const createsComputedCount = (): number => createsComputed;
/** Remembered creates, and trie steps, before it is emptied (a bound, as the memo's before). */
const MAX_CREATED = 1000;
/**
 * Remembered creates whose object holds a list: a list's text is a step, so distinct ones
 * (a DaemonSet's pods, each naming its node) share little; a few sets, not a thousand pods'.
 */
const MAX_CREATED_WITH_LISTS = 32;
let createdWithLists = 0;
const MAX_CREATED_STEPS = 100_000;

/** Empties the memo of created field sets (tests: each create then computes its set). */
export function forgetCreatedFields(): void {
  createdRoot = {};
  createdCount = 0;
  createdSteps = 0;
  createdWithLists = 0;
}

function stepOf(node: CreatedNode, by: 'marks' | 'names', token: string): CreatedNode {
  const m = (node[by] ??= new Map());
  let next = m.get(token);
  if (next === undefined) {
    m.set(token, (next = {}));
    createdSteps++;
  }
  return next;
}

/**
 * What a create records depends on the kind, the endpoint and which keys the object has with
 * which kinds of values (the zero object it is compared with holds only nulls and empty
 * objects), not on its scalars, as long as it holds no list: list items are keyed by their
 * values. So the Events that components write by the thousand, all with the same keys, get
 * their FieldsV1 from the memo instead of a comparison and an encoding each. The object's
 * keys are followed in the trie of what was seen (Map lookups by its own key strings: a
 * joined text of them was a kilobyte and a hash of it per create). A list is followed by
 * its whole text (what a list records depends on its keys' values, a set's on every value):
 * the pods a ReplicaSet creates, whose lists (containers, owner references) are the same,
 * get their set from the memo as Events do.
 */
function createdNode(o: Record<string, unknown>, ctx: TrackContext): CreatedNode | undefined {
  if (createdCount >= MAX_CREATED || createdSteps >= MAX_CREATED_STEPS || createdWithLists >= MAX_CREATED_WITH_LISTS) forgetCreatedFields();
  let node = stepOf(stepOf(createdRoot, 'marks', ctx.apiVersion), 'marks', ctx.kind);
  node = stepOf(stepOf(node, 'marks', ctx.statusSplit ? 's' : '-'), 'marks', ctx.subresource ?? '');
  const walk: KeyWalk = { node, steps: 0, lists: false };
  if (!keysOf(o, walk)) return undefined;
  if (walk.lists && walk.node.created === undefined) createdWithLists++;
  return walk.node;
}

/** Objects with more keys than this are not remembered (a ConfigMap of thousands of keys would make a deep trie). */
const MAX_KEY_PARTS = 400;

interface KeyWalk {
  node: CreatedNode;
  steps: number;
  /** A list was met (its text is a step). */
  lists: boolean;
}

function keysOf(v: unknown, w: KeyWalk): boolean {
  if (w.steps++ > MAX_KEY_PARTS) return false;
  if (v === null) w.node = stepOf(w.node, 'marks', '0');
  else if (Array.isArray(v)) {
    // A list is one step, its JSON text ('[' starts no other mark): what it records depends on
    // its items' values (a keyed list's keys, a set's values), and the comparison, as JSON,
    // leaves out members that are undefined.
    w.lists = true;
    w.node = stepOf(w.node, 'marks', stringifyJson(v));
  } else if (typeof v !== 'object') w.node = stepOf(w.node, 'marks', typeof v);
  else {
    w.node = stepOf(w.node, 'marks', '{');
    for (const k in v) {
      if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
      w.node = stepOf(w.node, 'names', k);
      if (!keysOf((v as Record<string, unknown>)[k], w)) return false;
    }
    w.node = stepOf(w.node, 'marks', '}');
  }
  return true;
}

/** Only the part of an object the write may own (scope() drops the rest): less to compare. */
function inScope(o: Record<string, unknown>, ctx: TrackContext): Record<string, unknown> {
  if (ctx.subresource === 'status') return o.status === undefined ? {} : { status: o.status };
  if (ctx.statusSplit && o.status !== undefined) {
    const { status, ...rest } = o;
    void status;
    return rest;
  }
  return o;
}

/** Without a manager (controllers): keep what the object had, unless the writer sent its own. */
export function keepManaged(current: KObject, next: KObject): void {
  const sent = next.metadata?.managedFields;
  if (Array.isArray(sent) && sent.length && !deepEqual(sent, current.metadata?.managedFields)) {
    setManaged(next, baseOwners(current, next));
    return;
  }
  if (current.metadata?.managedFields) next.metadata.managedFields = current.metadata.managedFields;
  else delete next.metadata?.managedFields;
}

export interface FieldConflict {
  manager: string;
  /** fieldpath's rendering: `.spec.replicas`. */
  field: string;
}

/** 409 Conflict, kube-apiserver's message; `causes` are FieldManagerConflict causes. */
export class ApplyConflictError extends ApiError {
  constructor(readonly conflicts: FieldConflict[]) {
    super('Conflict', conflictMessage(conflicts));
  }
}

function conflictMessage(c: FieldConflict[]): string {
  if (c.length === 1) return `Apply failed with 1 conflict: conflict with ${c[0].manager}: ${c[0].field}`;
  const by = new Map<string, string[]>();
  for (const x of c) by.set(x.manager, [...(by.get(x.manager) ?? []), x.field]);
  const lines: string[] = [];
  for (const m of [...by.keys()].sort()) {
    lines.push(`conflicts with ${m}:`);
    for (const f of by.get(m)!) lines.push(`- ${f}`);
  }
  return `Apply failed with ${c.length} conflicts: ${lines.join('\n')}`;
}

/** printManager: `"name"`, with its subresource, and `using <apiVersion>` for updates. */
function printOwner(o: Owner): string {
  let s = JSON.stringify(o.manager);
  if (o.subresource) s += ` with subresource ${JSON.stringify(o.subresource)}`;
  if (o.operation === 'Update') s += ` using ${o.apiVersion}`;
  return s;
}

/**
 * The fieldmanager's error when the configuration is no typed value: an error it makes no
 * Status of, so a 500 without a reason (`Error from server: failed to create typed patch object ...`).
 */
function typedPatchError(config: KObject, ctx: TrackContext, errs: string[]): ApiError {
  const detail = errs.length === 1 ? errs[0] : ['errors:', ...errs.map((e) => `  ${e}`)].join('\n');
  return new ApiError('', `failed to create typed patch object (${objectGVKNN(config, ctx)}): ${detail}`);
}

/** The schema.GroupVersionKind an apply's errors print (`apps/v1, Kind=Deployment`, `/v1, Kind=ResourceQuota`). */
function gvkText(ctx: TrackContext): string {
  const [group, version] = ctx.apiVersion.includes('/') ? ctx.apiVersion.split('/') : ['', ctx.apiVersion];
  return `${group}/${version}, Kind=${ctx.kind}`;
}

/** The fieldmanager's objectGVKNN: `namespace/name; group/version, Kind=K`. */
function objectGVKNN(config: KObject, ctx: TrackContext): string {
  return `${config.metadata?.namespace ?? ''}/${config.metadata?.name ?? ''}; ${gvkText(ctx)}`;
}

/**
 * The fieldmanager's error when the merged object does not convert to its Go type (a
 * Quantity that does not parse, a fraction for an int: structured-merge-diff took them):
 * runtime.Scheme's unstructuredToTyped wrapped, no Status again (a 500 without a reason).
 */
export function appliedObjectError(config: KObject, ctx: TrackContext): Undecodable {
  const answer = (message: string) =>
    new ApiError('', `failed to convert new object (${objectGVKNN(config, ctx)}) to proper version: unable to convert unstructured object to ${gvkText(ctx)}: ${message}`);
  return Object.assign(answer, { fromMap: true });
}

/**
 * Server-side apply of `config` by `manager` onto `live` (undefined: the object does not
 * exist yet). Returns the object to store, its managedFields set. Throws ApplyConflictError.
 */
export async function serverSideApply(live: KObject | undefined, config: KObject, manager: string, force: boolean, ctx: TrackContext): Promise<KObject> {
  const shape = await shapeOf(ctx.apiVersion, ctx.kind);
  const zero = zeroObject(ctx.kind, shape);
  const base = live ? withoutManaged(live) : undefined;
  const owners = decode(live?.metadata?.managedFields);
  if (base && owners.size === 0) {
    // An object nobody was tracking: everything in it belongs to "before-first-apply".
    recordUpdate(owners, zero, base, shape, 'before-first-apply', ctx);
  }
  const applied = withoutManaged(config);
  const dups = typedValueErrors(applied, shape);
  if (dups.length) throw typedPatchError(config, ctx, dups);
  const configSet = scope(toFieldSet(applied, shape), ctx);
  let merged = merge(base ?? {}, applied, shape) as KObject;
  merged = cloneJson(merged);
  // An apply through /status is its own entry, as kube-apiserver keeps it (subresource: status).
  const key = ownerKey({ manager, operation: 'Apply', apiVersion: ctx.apiVersion, subresource: ctx.subresource });
  const last = owners.get(key);
  if (last) {
    // Prune: what this manager applied last time and not now goes, unless someone else owns it.
    let others = new FieldSet();
    for (const [k, o] of owners) if (k !== key) others = others.union(o.set);
    others = others.union(configSet);
    const gone = last.set.difference(configSet).paths();
    for (const p of gone.reverse()) {
      if (others.has(p) || others.hasDescendants(p)) continue;
      removePath(merged, p, shape);
    }
  }
  owners.delete(key);
  const changesOf = changesIn(scoped(compare(base ?? zero, merged, shape), ctx), base ?? zero, merged, ctx);
  const conflicts: FieldConflict[] = [];
  for (const o of owners.values()) {
    for (const p of o.set.intersection(changesOf(o.apiVersion).changed).paths()) conflicts.push({ manager: printOwner(o), field: pathString(p) });
  }
  if (conflicts.length && !force) throw new ApplyConflictError(conflicts);
  for (const [k, o] of owners) {
    const ch = changesOf(o.apiVersion);
    o.set = o.set.difference(ch.changed).difference(ch.removed);
    if (o.set.empty()) owners.delete(k);
  }
  const noop = base !== undefined && deepEqual(base, merged);
  owners.set(key, { manager, operation: 'Apply', apiVersion: ctx.apiVersion, subresource: ctx.subresource, time: noop && last?.time ? last.time : ctx.now, set: configSet });
  setManaged(merged, owners);
  return merged;
}
