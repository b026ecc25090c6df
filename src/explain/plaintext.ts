// `kubectl explain` plaintext output: a port of kubectl v1.32's
// pkg/explain/v2/templates/plaintext.tmpl over the OpenAPI v3 view of the schemas.
// Kept close to the template's structure so its quirks (blank lines, the 4-space line after
// a description, descriptions of referenced types appended) come out the same.

import { indent, wrapString } from './word-wrap';
import { resolveRef, type OpenApiSchema, type OpenApiView } from './openapi-view';

export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

export interface ExplainRequest {
  gvk: Gvk;
  /** The root schema of the kind (its definition). */
  root: OpenApiSchema;
  fieldPath: string[];
  recursive: boolean;
}

/** The requested field is missing; `header` was already printed by kubectl when it says so. */
export class FieldNotFoundError extends Error {
  constructor(
    readonly field: string,
    readonly header: string,
  ) {
    super(`field "${field}" does not exist`);
  }
}

export function explainHeader(gvk: Gvk): string {
  return `${gvk.group ? `GROUP:      ${gvk.group}\n` : ''}KIND:       ${gvk.kind}\nVERSION:    ${gvk.version}\n\n`;
}

export function renderExplain(view: OpenApiView, req: ExplainRequest): string {
  const header = explainHeader(req.gvk);
  const body = output(view, req.root, req.fieldPath, req.recursive, new Set());
  if (!body) throw new FieldNotFoundError(req.fieldPath[req.fieldPath.length - 1], header);
  return header + body + '\n';
}

const hasMapItems = (s: OpenApiSchema): boolean => Boolean(s.additionalProperties) && typeof s.additionalProperties !== 'boolean';
const truthy = (v: unknown): boolean =>
  v !== undefined && v !== null && v !== '' && v !== false && v !== 0 && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);

function output(view: OpenApiView, schema: OpenApiSchema, path: string[], recursive: boolean, history: Set<string>): string {
  const ref: string = schema.$ref ?? '';
  const next = new Set(history).add(ref);
  const resolved = resolveRef(view, ref) ?? schema;
  if (path.length === 0) {
    let s = 'DESCRIPTION:\n' + indent(4, wrapString(description(view, resolved) || '<empty>', 76)) + '\n';
    const fields = fieldList(view, resolved, 1, new Set(), recursive);
    if (fields) s += 'FIELDS:\n' + fields;
    return s;
  }
  if (ref && history.has(ref)) return '';
  const sub = resolved.properties?.[path[0]];
  if (truthy(resolved.properties) && truthy(sub)) {
    let s = '';
    if (path.length === 1) s += `FIELD: ${path[0]} <${typeGuess(view, sub)}>\n` + enumLong(sub) + '\n\n';
    return s + output(view, sub, path.slice(1), recursive, new Set());
  }
  if (truthy(resolved.items)) return output(view, resolved.items, path, recursive, next);
  if (hasMapItems(resolved)) return output(view, resolved.additionalProperties, path, recursive, next);
  for (const alt of resolved.allOf ?? []) {
    const s = output(view, alt, path, recursive, next);
    if (s) return s;
  }
  return '';
}

function fieldList(view: OpenApiView, schema: OpenApiSchema, level: number, history: Set<string>, recursive: boolean): string {
  const ref: string = schema.$ref ?? '';
  if (ref && history.has(ref)) return '';
  const next = new Set(history).add(ref);
  const resolved = resolveRef(view, ref) ?? schema;
  let s = '';
  for (const k of Object.keys(resolved.properties ?? {}).sort()) {
    s += fieldDetail(view, k, resolved, recursive, level);
    if (recursive) s += fieldList(view, resolved.properties[k], level + 1, next, recursive);
  }
  for (const alt of resolved.allOf ?? []) s += fieldList(view, alt, level, next, recursive);
  if (truthy(resolved.items)) s += fieldList(view, resolved.items, level, next, recursive);
  if (hasMapItems(resolved)) s += fieldList(view, resolved.additionalProperties, level, next, recursive);
  return s;
}

function fieldDetail(view: OpenApiView, name: string, parent: OpenApiSchema, short: boolean, level: number): string {
  const ind = level * 2;
  const field = parent.properties[name] as OpenApiSchema;
  let s = indent(ind, name) + `\t<${typeGuess(view, field)}>`;
  if (Array.isArray(parent.required) && parent.required.includes(name)) s += ' -required-';
  s += enumShort(field, ind) + '\n';
  if (!short) s += indent(ind + 2, wrapString(field.description || '<no description>', 78 - ind)) + '\n\n';
  return s;
}

function description(view: OpenApiView, schema: OpenApiSchema): string {
  const s = resolveRef(view, schema.$ref) ?? schema;
  let out = '';
  if (s.description) out += s.description + '\n';
  for (const alt of s.allOf ?? []) out += description(view, alt);
  if (truthy(s.items)) out += description(view, s.items);
  if (hasMapItems(s)) out += description(view, s.additionalProperties);
  return out;
}

export function typeGuess(view: OpenApiView, s: OpenApiSchema): string {
  if (truthy(s.items)) return '[]' + typeGuess(view, s.items);
  if (hasMapItems(s)) return 'map[string]' + typeGuess(view, s.additionalProperties);
  if (Array.isArray(s.allOf) && s.allOf.length === 1 && !truthy(s.properties)) return typeGuess(view, s.allOf[0]);
  if (s.$ref) {
    const target = resolveRef(view, s.$ref);
    if (!target || !target.type || target.type === 'object') {
      const name = String(s.$ref).split('/').pop()!;
      return name.split('.').pop() || 'Object';
    }
    return target.type;
  }
  if (s.type === 'object') return 'Object';
  return s.type || 'Object';
}

const enumValue = (v: unknown): string => (v === '' ? '""' : String(v));

function enumShort(s: OpenApiSchema, ind: number): string {
  if (!Array.isArray(s.enum) || s.enum.length === 0) return '';
  const shown = s.enum.slice(0, 4).map(enumValue).join(', ');
  return '\n' + ' '.repeat(ind) + 'enum: ' + shown + (s.enum.length > 4 ? ', ....' : '');
}

function enumLong(s: OpenApiSchema): string {
  if (!Array.isArray(s.enum) || s.enum.length === 0) return '';
  return 'ENUM:' + s.enum.map((v) => '\n    ' + enumValue(v)).join('');
}
