// fieldValidation=Strict|Warn|Ignore: what happens to fields the schema does not know.
// Strict is the ApiServer's own strict decoding (an error); Warn and Ignore drop the
// unknown fields before the write, Warn with a Warning header per field, as kube-apiserver.

import type { ApiServer } from '../server';
import type { ResourceType } from '../resources';
import type { KObject } from '../types';
import type { RestHandler, Target } from './handler';
import { badRequest } from './status';
import type { ApiRequest } from './types';

const UNKNOWN = /unknown field "([^"]+)"/g;

/** Splits `spec.containers[0].foo` into ['spec', 'containers', 0, 'foo']. */
function pathOf(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

function removePath(obj: any, path: (string | number)[]): void {
  let cur = obj;
  for (let i = 0; i < path.length - 1; i++) {
    cur = cur?.[path[i] as any];
    if (cur === null || typeof cur !== 'object') return;
  }
  if (cur && typeof cur === 'object') delete cur[path[path.length - 1] as any];
}

/** Returns the warnings to send; changes `obj` in place for Warn and Ignore. */
export async function applyFieldValidation(h: RestHandler, req: ApiRequest, t: Target, obj: KObject): Promise<string[]> {
  const mode = req.query.get('fieldValidation') ?? 'Warn';
  if (!['Strict', 'Warn', 'Ignore'].includes(mode)) {
    throw badRequest(`fieldValidation: Unsupported value: "${mode}": supported values: "Ignore", "Strict", "Warn"`);
  }
  if (mode === 'Strict') return [];
  const fields = await dropUnknownFields(h.api, obj, t.rt);
  return mode === 'Warn' ? fields.map((f) => `unknown field "${f}"`) : [];
}

/**
 * fieldValidation=Warn|Ignore: removes from `obj` (in place) the fields its schema does not
 * know, as kube-apiserver's decoding drops them; returns their paths (for Warn's warnings).
 * The in-process CLI calls it where kubectl sends no fieldValidation (patch).
 */
export async function dropUnknownFields(api: ApiServer, obj: KObject, rt: ResourceType): Promise<string[]> {
  if (!api.validator) return [];
  const errs = api.validator.schemaErrors(obj, rt, await api.crdOf(rt));
  const fields: string[] = [];
  for (const e of errs) for (const m of e.matchAll(UNKNOWN)) fields.push(m[1]);
  // Deepest first, so that removing a parent never hides a child's path.
  for (const f of [...fields].sort((a, b) => b.length - a.length)) removePath(obj, pathOf(f));
  return fields;
}
