// kube-apiserver's patchers decode the object they patched themselves (k8s.io/apiserver
// endpoints/handlers/patch.go), so a value its decoder refuses there (a Quantity that does
// not parse) is not the body decoder's 400 but NewInvalid(GroupKind{}, "", ...): a 422 for
// the field `patch` whose value is what the patcher decoded. A strategic merge patch: the
// patch map as %+v prints it (applyPatchToObject). A JSON or merge patch: the patched JSON
// as gopkg.in/evanphx/json-patch.v4 writes it (jsonPatcher): the containers it unmarshaled
// into Go maps (the document, and those the patch walked into) with their keys sorted, every
// other value as the bytes it was given (the object as encoded, the patch's own values).

import { ApiError } from '../errors';
import { byteOrder, goJson, goQuote, goSprint } from '../../util/go-format';
import { parseJson } from '../../util/exact-json';
import type { KObject } from '../types';

export type PatchKind = 'strategic' | 'merge' | 'json';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A patch write's answer to a message of its decoder; `fromMap`: the patched object is decoded from a map (strategic merge), not JSON. */
export interface Undecodable {
  (message: string): ApiError;
  fromMap: boolean;
}

/** The 422 kube-apiserver's patchers answer when the patched object does not decode. */
export function undecodablePatch(value: string, message: string): ApiError {
  return ApiError.invalid('', '', '', [{ field: 'patch', type: 'Invalid value', value: goQuote(value), detail: message }]);
}

/**
 * The error a patch write answers for `message` (the decoder's): `current` the object as
 * encoded before the patch, `patched` after it (keys as the patch left them), `patchText` the
 * patch document (JSON; parsed only when a write fails).
 */
export function patchDecodeError(kind: PatchKind, current: KObject, patched: KObject, patchText: string): Undecodable {
  const answer = (message: string): ApiError => {
    const patch = parseJson(patchText);
    return undecodablePatch(kind === 'strategic' ? goSprint(patch) : kind === 'merge' ? mergedJson(current, patch) : jsonPatchedJson(patched, patch), message);
  };
  return Object.assign(answer, { fromMap: kind === 'strategic' });
}

/** pruneNulls: a value the merge sets where nothing was, its maps without null members (and so re-marshaled, sorted). */
function pruned(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(pruned);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = pruned(x);
  return out;
}

/** json-patch.v4 MergePatch's output: mergeDocs over partialDoc maps. */
function mergedJson(doc: unknown, patch: unknown): string {
  if (!isObj(doc) || !isObj(patch)) return goJson(patch, '', false);
  const keys = new Set(Object.keys(doc).filter((k) => doc[k] !== undefined));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) keys.delete(k);
    else keys.add(k);
  }
  const members = [...keys].sort(byteOrder).map((k) => {
    const cur = doc[k];
    const p = patch[k];
    let text: string;
    if (p === undefined) text = goJson(cur, '', false);
    else if (cur === null || cur === undefined || !isObj(cur)) text = goJson(pruned(p), '', true);
    else if (isObj(p)) text = mergedJson(cur, p);
    else text = goJson(p, '', false);
    return `${goJson(k)}:${text}`;
  });
  return `{${members.join(',')}}`;
}

/** json-patch.v4 Apply's output: the document and every container an operation's path walked through are maps (sorted). */
function jsonPatchedJson(patched: unknown, ops: unknown): string {
  const walked = new Set<string>(['']);
  for (const op of Array.isArray(ops) ? ops : []) {
    for (const path of [isObj(op) ? op.path : undefined, isObj(op) ? op.from : undefined]) {
      if (typeof path !== 'string') continue;
      const parts = path.split('/');
      for (let i = 2; i < parts.length; i++) walked.add(parts.slice(0, i).join('/'));
    }
  }
  const write = (v: unknown, at: string): string => {
    if (Array.isArray(v)) return `[${v.map((x, i) => write(x, `${at}/${i}`)).join(',')}]`;
    if (!isObj(v)) return goJson(v);
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    if (walked.has(at)) keys.sort(byteOrder);
    return `{${keys.map((k) => `${goJson(k)}:${write(v[k], `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`)}`).join(',')}}`;
  };
  return write(patched, '');
}
