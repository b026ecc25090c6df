// Writes over REST: create (POST), update (PUT), patch (PATCH: JSON patch, merge patch,
// strategic merge patch, server-side apply), delete and deletecollection, and the scale
// and binding subresources. Every one honours dryRun=All and fieldValidation.

import { GO_TYPE_META_PROBE, goJsonKind, goUnmarshalTypeError, parseGoJson } from '../../util/go-format';
import { parseAllDocuments } from 'yaml';
import { keepExactInts, LONG_NUMBER, MAY_HOLD_INF_NAN, unsupportedFloat, YAML_OPTIONS } from '../../manifest/yaml-compat';
import { MAX_NESTING_DEPTH, nestingTooDeepAt } from '../../manifest/nesting';
import { ApiError } from '../errors';
import { pluralGroup } from '../resources';
import { writeScale } from '../scale';
import type { DeleteOptions, PropagationPolicy } from '../server';
import { applyJsonMergePatch, applyJsonPatch, applyStrategicMergePatch, supportsStrategicMerge } from '../apply/index';
import { JSON_PATCH_REFUSED } from '../apply/json-patch';
import { patchDecodeError, type PatchKind } from '../apply/patch-decode';
import { deepCopy, type KObject } from '../types';
import { deepEqual } from '../../util/json-equal';
import { dryRunOf, type RestHandler, type Target } from './handler';
import { contentTypeOf } from './negotiate';
import { selectorOptions } from './list';
import { badRequest, errorResponse, jsonResponse, RestError, unsupportedMediaType } from './status';
import { applyFieldValidation } from './field-validation';
import { decodeProtobuf } from './protobuf';
import type { ApiRequest, ApiResponse } from './types';
import { pastFloat64Literal, sortedKeys, stringifyJson } from '../../util/exact-json';
import type { Document } from 'yaml';

const BODY_TYPES = 'application/json, application/yaml, application/vnd.kubernetes.protobuf';
const PATCH_KINDS: Record<string, PatchKind> = { 'application/json-patch+json': 'json', 'application/merge-patch+json': 'merge', 'application/strategic-merge-patch+json': 'strategic' };
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

/** Decodes a JSON or YAML request body into an object (Status 400/415 otherwise). */
export function decodeBody(req: ApiRequest, allowed: string[] = ['application/json', 'application/yaml']): unknown {
  const ct = contentTypeOf(req.headers['content-type']) || 'application/json';
  if (ct === 'application/vnd.kubernetes.protobuf' && allowed.includes('application/json')) {
    // kubectl's typed clients (create, auth, drain...) send k8s.io/api kinds as protobuf.
    try {
      return decodeProtobuf(req.body ?? Buffer.alloc(0));
    } catch {
      throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
    }
  }
  if (!allowed.includes(ct)) {
    throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: ${allowed === PATCH_TYPES ? PATCH_TYPES.join(', ') : BODY_TYPES}`);
  }
  const text = (req.body ?? Buffer.alloc(0)).toString('utf8');
  if (!text.trim()) throw badRequest('the body of the request was empty');
  // Bounded before any parser or later pass recurses into it: 3 MiB of brackets overflowed
  // the stack ("Maximum call stack size exceeded") or held the event loop for over 30 s.
  if (nestingTooDeepAt(text) !== undefined) {
    throw badRequest(`${ct.endsWith('yaml') ? 'error converting YAML to JSON' : "couldn't get version/kind; json parse error"}: the document exceeds the maximum nesting depth of ${MAX_NESTING_DEPTH}`);
  }
  if (ct.endsWith('yaml')) {
    let value: unknown;
    try {
      // sigs.k8s.io/yaml's reading, as kube-apiserver's: go-yaml v2's scalars (`yes`, `0644`,
      // `1e400` a string), the first document only.
      const first = ([] as Document[]).concat(parseAllDocuments(text, { ...YAML_OPTIONS, uniqueKeys: true }) as Document[])[0];
      if (!first) throw badRequest('the body of the request was empty');
      if (first.errors.length) throw first.errors[0];
      // An int past 2^53 stays exact (a bigint), as in a JSON body.
      if (LONG_NUMBER.test(text)) keepExactInts(first);
      value = first.toJS({ maxAliasCount: 100 });
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw badRequest(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
    }
    const inf = MAY_HOLD_INF_NAN.test(text) ? unsupportedFloat(value) : undefined;
    if (inf) throw badRequest(`error converting YAML to JSON: json: unsupported value: ${inf}`);
    return value;
  }
  const parsed = parseGoJson(text);
  if ('error' in parsed) throw badRequest(`couldn't get version/kind; json parse error: ${parsed.error}`);
  // JSON.parse reads a number past float64 as Infinity (then null, then a default): Go refuses it.
  const past = pastFloat64Literal(text);
  if (past && unsupportedFloat(parsed.value)) throw badRequest(`json: cannot unmarshal number ${past} into Go value of type float64`);
  return parsed.value;
}

export function decodeObject(req: ApiRequest): KObject {
  const body = decodeBody(req);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(`couldn't get version/kind; json parse error: ${goUnmarshalTypeError(goJsonKind(body), GO_TYPE_META_PROBE)}`);
  return body as KObject;
}

/**
 * The json serializer's gvkWithDefaults for a body decoded into a Go type: no kind or no
 * apiVersion is the endpoint's (the Python client sends its models without them).
 */
export function defaultTypeMeta(obj: Record<string, unknown>, gv: string, kind: string): void {
  if (obj.kind === undefined || obj.kind === '') obj.kind = kind;
  if (obj.apiVersion === undefined || obj.apiVersion === '') obj.apiVersion = gv;
}

/** Checks the body's type against the URL's and fills in what the URL says. */
export function prepareBody(t: Target, obj: KObject): KObject {
  // A custom resource is decoded as unstructured, which must name its kind.
  if (!t.rt.crd) defaultTypeMeta(obj, t.gv, t.rt.kind);
  if (obj.kind === undefined || obj.kind === '') throw badRequest(`Object 'Kind' is missing in '${stringifyJson(obj)}'`);
  if (obj.apiVersion !== undefined && obj.apiVersion !== t.gv) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${t.gv})`);
  }
  if (obj.kind !== t.rt.kind) throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${t.rt.kind})`);
  obj.apiVersion = t.gv;
  if (typeof obj.metadata !== 'object' || obj.metadata === null || Array.isArray(obj.metadata)) obj.metadata = {};
  if (t.rt.namespaced) {
    const ns = obj.metadata.namespace;
    if (ns && t.namespace && ns !== t.namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    obj.metadata.namespace = t.namespace ?? ns;
    if (!obj.metadata.namespace) throw badRequest('the server could not find the requested resource');
  }
  return obj;
}

export function warningHeaders(warnings: string[]): Record<string, string> {
  if (!warnings.length) return {};
  return { warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') };
}

/**
 * Runs a write with a sink for its warnings (kube-apiserver's warning.AddWarning: each text
 * once) and puts them on its answer, a failure's too (kube-apiserver sends them with the Status).
 */
async function warned(write: (warn: (text: string) => void) => Promise<ApiResponse>): Promise<ApiResponse> {
  const warnings: string[] = [];
  const warn = (text: string) => void (warnings.includes(text) || warnings.push(text));
  let res: ApiResponse;
  try {
    res = await write(warn);
  } catch (e) {
    if (!warnings.length) throw e;
    res = errorResponse(e);
  }
  return warnings.length ? { ...res, headers: { ...res.headers, ...warningHeaders(warnings) } } : res;
}

export function createObject(h: RestHandler, req: ApiRequest, t: Target): Promise<ApiResponse> {
  return warned(async (warn) => {
    const obj = prepareBody(t, decodeObject(req));
    const dryRun = dryRunOf(req);
    for (const w of await applyFieldValidation(h, req, t, obj)) warn(w);
    const created = await h.api.create(obj, { dryRun, fieldManager: managerOf(req), user: req.user, warn });
    return h.respondObject(req, t, created, 201, false);
  });
}

export function updateObject(h: RestHandler, req: ApiRequest, t: Target, status: boolean): Promise<ApiResponse> {
  return warned(async (warn) => {
    const obj = prepareBody(t, decodeObject(req));
    if (obj.metadata.name !== undefined && obj.metadata.name !== t.name) {
      throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${t.name})`);
    }
    obj.metadata.name = t.name;
    const dryRun = dryRunOf(req);
    if (!status) for (const w of await applyFieldValidation(h, req, t, obj)) warn(w);
    const opts = { dryRun, fieldManager: managerOf(req), subresource: status ? undefined : t.subresource, user: req.user, warn };
    const updated = status ? await h.api.updateStatus(obj, opts) : await h.api.update(obj, opts);
    return h.respondObject(req, t, updated, 200, false);
  });
}

/** Applies a patch document of the request's type to `current` (a private copy). */
export function applyPatch(req: ApiRequest, t: Target, current: KObject): KObject {
  const ct = contentTypeOf(req.headers['content-type']);
  if (!PATCH_TYPES.includes(ct)) throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`);
  const patch = decodeBody({ ...req, headers: { ...req.headers, 'content-type': ct === 'application/apply-patch+yaml' ? 'application/yaml' : 'application/json' } });
  switch (ct) {
    case 'application/json-patch+json':
      try {
        return applyJsonPatch(current, patch); // which refuses a patch that is not a list, with the kind it is
      } catch (e) {
        // A failing operation: kube-apiserver answers NewGenericServerResponse(422), evanphx's text left out, its empty details kept.
        if (e instanceof ApiError && e.reason === 'Invalid' && !e.details.causes?.length) throw new RestError(422, 'Invalid', JSON_PATCH_REFUSED, {});
        throw e;
      }
    case 'application/merge-patch+json':
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badRequest('json: cannot unmarshal into Go value of type map[string]interface {}');
      return applyJsonMergePatch(current, patch);
    case 'application/strategic-merge-patch+json':
      if (t.rt.crd || !supportsStrategicMerge(t.rt.kind, t.gv)) {
        throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
      }
      // json.Unmarshal into a map: null leaves it empty (no change), any other non-object is Go's type error
      if (patch === null) return current;
      if (typeof patch !== 'object' || Array.isArray(patch)) throw badRequest(goUnmarshalTypeError(goJsonKind(patch), 'map[string]interface {}'));
      return applyStrategicMergePatch(current, patch as object, t.rt.kind, t.gv);
    default: {
      // Server-side apply: the applied configuration merged into the live object.
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badRequest('error decoding YAML: the applied configuration must be an object');
      const applied = patch as KObject;
      if (applied.apiVersion !== t.gv || applied.kind !== t.rt.kind) throw badRequest(`the API version in the data (${applied.apiVersion ?? ''}) does not match the expected API version (${t.gv})`);
      return t.rt.crd || !supportsStrategicMerge(t.rt.kind, t.gv) ? applyJsonMergePatch(current, applied) : applyStrategicMergePatch(current, applied, t.rt.kind, t.gv);
    }
  }
}

function fieldManagerOf(req: ApiRequest): string | undefined {
  const m = req.query.get('fieldManager');
  if (m !== null && (m.length > 128 || /[^\x20-\x7e]/.test(m))) throw badRequest(`fieldManager: Invalid value: "${m}": must be a valid field manager`);
  return m ?? undefined;
}

/** The manager of a write: the fieldManager parameter, else the user agent up to its first "/" (managerOrUserAgent). */
export function managerOf(req: ApiRequest): string {
  const m = fieldManagerOf(req);
  if (m) return m;
  const ua = req.headers['user-agent'];
  return (Array.isArray(ua) ? ua[0] : ua ?? '').split('/')[0];
}

/** `force` is for apply patches only, as in kube-apiserver. */
function forceOf(req: ApiRequest, apply: boolean): boolean {
  const f = req.query.get('force');
  if (f === null) return false;
  if (!apply) throw badRequest('force: Invalid value: true: may not be specified for non-apply patch');
  return f === 'true' || f === '1';
}

/** The applied configuration of an apply patch, checked against the URL. */
function appliedConfig(req: ApiRequest, t: Target): KObject {
  const body = decodeBody({ ...req, headers: { ...req.headers, 'content-type': 'application/yaml' } });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('error decoding YAML: the applied configuration must be an object');
  const applied = body as KObject;
  if (applied.apiVersion !== t.gv || applied.kind !== t.rt.kind) throw badRequest(`the API version in the data (${applied.apiVersion ?? ''}) does not match the expected API version (${t.gv})`);
  prepareBody(t, applied);
  if (applied.metadata.name !== undefined && applied.metadata.name !== t.name) throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${t.name})`);
  if (applied.metadata.managedFields !== undefined) throw badRequest('metadata.managedFields must be nil');
  applied.metadata.name = t.name;
  return applied;
}

export function patchObject(h: RestHandler, req: ApiRequest, t: Target, status: boolean): Promise<ApiResponse> {
  return warned(async (warn) => {
    const dryRun = dryRunOf(req);
    const ct = contentTypeOf(req.headers['content-type']);
    const apply = ct === 'application/apply-patch+yaml';
    const manager = managerOf(req);
    const force = forceOf(req, apply);
    if (apply) {
      if (!fieldManagerOf(req)) throw badRequest('PATCH, application/apply-patch+yaml requests must include the fieldManager parameter');
      return applyConfig(h, req, t, status, { dryRun, fieldManager: manager, force, warn });
    }
    for (let attempt = 0; ; attempt++) {
      const current = await h.api.tryGet(t.rt, t.namespace, t.name!);
      if (!current) throw ApiError.notFound(pluralGroup(t.rt), t.name!);
      const rv = current.metadata.resourceVersion;
      const base = h.external(t, current);
      // Re-encoded from a Go map, as kube-apiserver's patchers do: the decoder meets its keys sorted.
      const applied = applyPatch(req, t, deepCopy(base));
      const patched = sortedKeys(applied) as KObject;
      if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) throw badRequest('the patch produced something that is not an object');
      // A patch that changes nothing writes nothing (no managedFields entry, no new resourceVersion).
      if (status ? deepEqual(patched.status, base.status) : deepEqual(patched, base)) return h.respondObject(req, t, current, 200, false);
      patched.metadata ??= {};
      if (patched.metadata.name !== t.name) throw badRequest(`the name of the object (${patched.metadata.name}) does not match the name on the URL (${t.name})`);
      if (t.rt.namespaced && patched.metadata.namespace !== t.namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      // A resourceVersion the patch set is a precondition; otherwise the read one (retried).
      const precondition = patched.metadata.resourceVersion !== rv;
      if (!precondition) patched.metadata.resourceVersion = rv;
      const dropped = status ? [] : await applyFieldValidation(h, req, t, patched);
      for (const w of dropped) warn(w);
      // Nothing but unknown fields (dropped): nothing to write either.
      if (dropped.length && deepEqual(patched, base)) return h.respondObject(req, t, current, 200, false);
      // pods/ephemeralcontainers writes through its subresource (validation lets it add containers).
      const undecodable = patchDecodeError(PATCH_KINDS[ct], base, applied, (req.body ?? '').toString());
      const opts = { dryRun, fieldManager: manager, subresource: status ? undefined : t.subresource, user: req.user, warn, patch: true, undecodable };
      try {
        const updated = status ? await h.api.updateStatus(patched, opts) : await h.api.update(patched, opts);
        return h.respondObject(req, t, updated, 200, false);
      } catch (e) {
        if (!precondition && e instanceof ApiError && e.reason === 'Conflict' && attempt < 5) continue;
        throw e;
      }
    }
  });
}

/** An apply patch: the object created (201) or merged into (200), as ApiServer.apply does it for the in-process CLI too. */
async function applyConfig(h: RestHandler, req: ApiRequest, t: Target, status: boolean, opts: { dryRun: boolean; fieldManager: string; force: boolean; warn: (text: string) => void }): Promise<ApiResponse> {
  // A missing object is NotFound before its body is looked at when applied through /status (which never creates).
  if (status && !(await h.api.tryGet(t.rt, t.namespace, t.name!))) throw ApiError.notFound(pluralGroup(t.rt), t.name!);
  const config = appliedConfig(req, t);
  for (const w of await applyFieldValidation(h, req, t, config)) opts.warn(w);
  const { object, created } = await h.api.apply(t.rt, config, { ...opts, status, subresource: t.subresource, user: req.user });
  return h.respondObject(req, t, object, created ? 201 : 200, false);
}

function deleteOptions(req: ApiRequest): DeleteOptions & { preconditions?: { uid?: string; resourceVersion?: string } } {
  let body: Record<string, any> = {};
  if (req.body && req.body.length && req.body.toString('utf8').trim()) {
    const b = decodeBody(req);
    if (typeof b !== 'object' || b === null || Array.isArray(b)) throw badRequest('the body of the request must be a DeleteOptions object');
    body = b as Record<string, any>;
  }
  const opts: DeleteOptions & { preconditions?: { uid?: string; resourceVersion?: string } } = { dryRun: dryRunOf(req, body) };
  const grace = req.query.get('gracePeriodSeconds') ?? body.gracePeriodSeconds;
  if (grace !== undefined && grace !== null) {
    const n = Number(grace);
    if (!Number.isInteger(n)) throw badRequest(`gracePeriodSeconds: Invalid value: "${grace}"`);
    opts.gracePeriodSeconds = Math.max(0, n);
  }
  const policy = req.query.get('propagationPolicy') ?? body.propagationPolicy;
  if (policy !== undefined && policy !== null) {
    if (!['Background', 'Foreground', 'Orphan'].includes(policy)) {
      throw ApiError.invalid('DeleteOptions', '', '', [{ field: 'propagationPolicy', type: 'Unsupported value', value: JSON.stringify(policy), detail: 'supported values: "Foreground", "Background", "Orphan", "nil"' }]);
    }
    opts.propagationPolicy = policy as PropagationPolicy;
  }
  const orphan = req.query.get('orphanDependents') ?? body.orphanDependents;
  if (opts.propagationPolicy === undefined && (orphan === true || orphan === 'true')) opts.propagationPolicy = 'Orphan';
  if (body.preconditions) opts.preconditions = body.preconditions;
  return opts;
}

export function deleteObject(h: RestHandler, req: ApiRequest, t: Target): Promise<ApiResponse> {
  return warned(async (warn) => {
    const opts = deleteOptions(req);
    const current = await h.api.get(t.rt, t.namespace, t.name!);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw new ApiError('Conflict', `Operation cannot be fulfilled on ${pluralGroup(t.rt)} "${t.name}": Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`, { name: t.name, kind: t.rt.plural });
    }
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw new ApiError('Conflict', `Operation cannot be fulfilled on ${pluralGroup(t.rt)} "${t.name}": Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`, { name: t.name, kind: t.rt.plural });
    }
    const last = await h.api.delete(t.rt, t.namespace, t.name!, { ...opts, user: req.user, warn });
    const still = opts.dryRun ? undefined : await h.api.tryGet(t.rt, t.namespace, t.name!);
    if (still) return h.respondObject(req, t, still, 200, false);
    if (t.rt.kind === 'Pod' || opts.dryRun) return h.respondObject(req, t, last, 200, false);
    const details: Record<string, unknown> = { name: t.name, kind: t.rt.plural, uid: current.metadata.uid };
    if (t.rt.group) details.group = t.rt.group;
    return jsonResponse(200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details });
  });
}

export async function deleteCollection(h: RestHandler, req: ApiRequest, t: Target): Promise<ApiResponse> {
  const opts = deleteOptions(req);
  const { items } = await h.api.list(t.rt, selectorOptions(t, req));
  const deleted: KObject[] = [];
  for (const o of items) {
    try {
      deleted.push(await h.api.delete(t.rt, o.metadata.namespace, o.metadata.name!, opts));
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
    }
  }
  return h.encode(200, { kind: `${t.rt.kind}List`, apiVersion: t.gv, metadata: { resourceVersion: String(await h.api.store.currentRev()) }, items: deleted.map((o) => h.external(t, o)) }, 'json');
}

// ---------- scale ----------

export { scaleOf } from '../scale';

/** PUT or PATCH of the scale subresource: its body (a Scale, or a patch of the current one) read once the object is. */
export async function updateScale(h: RestHandler, req: ApiRequest, t: Target, method: string): Promise<ApiResponse> {
  const scaleTarget = { ...t, rt: { ...t.rt, kind: 'Scale', crd: t.rt.crd && 'scale' }, gv: 'autoscaling/v1' };
  const wanted = (scale: KObject): KObject => {
    if (method === 'PATCH') return applyPatch(req, scaleTarget, scale);
    const body = decodeObject(req);
    if (body.kind !== 'Scale') throw badRequest(`the kind in the data (${body.kind ?? ''}) does not match the expected kind (Scale)`);
    return body;
  };
  return warned(async (warn) => jsonResponse(200, await writeScale(h.api, t.rt, t.namespace, t.name!, wanted, { dryRun: dryRunOf(req), fieldManager: managerOf(req), user: req.user, warn })));
}

export async function bindPod(h: RestHandler, req: ApiRequest, t: Target): Promise<ApiResponse> {
  const body = decodeObject(req);
  const node = body.target?.name;
  if (typeof node !== 'string' || !node) {
    throw ApiError.invalid('Binding', '', body.metadata?.name ?? t.name ?? '', [{ field: 'target.name', type: 'Required value' }]);
  }
  if (dryRunOf(req)) return jsonResponse(201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  await h.api.bindPod(t.namespace!, t.name!, node);
  return jsonResponse(201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
