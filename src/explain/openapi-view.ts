// kubesim's generated JSON Schemas seen the way kube-apiserver publishes them in OpenAPI v3,
// which is what kubectl explain's template walks: a field that points at another type is
// `{allOf: [{$ref}], description}`, Quantity and IntOrString are untyped `oneOf`s, and the
// strictness additions (apiVersion/kind enums, additionalProperties: false) are absent.

import type { JsonSchema, SchemaDocument } from '../api/validation/schema-store';

export type OpenApiSchema = Record<string, any>;

export interface OpenApiView {
  /** components.schemas, keyed by definition name. */
  schemas: Record<string, OpenApiSchema>;
  /** "apps/v1/Deployment" -> definition name */
  roots: Record<string, string>;
}

const REF_PREFIX = '#/components/schemas/';

export function toOpenApiView(doc: SchemaDocument): OpenApiView {
  const schemas: Record<string, OpenApiSchema> = {};
  for (const [name, s] of Object.entries(doc.definitions)) schemas[name] = convert(s);
  return { schemas, roots: doc.roots };
}

function wrapRef(ref: string): OpenApiSchema {
  return { allOf: [{ $ref: ref }], default: {} };
}

function convert(s: JsonSchema): OpenApiSchema {
  const out: OpenApiSchema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref') out.$ref = String(v).replace('#/definitions/', REF_PREFIX);
    else if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as Record<string, JsonSchema>).map(([pk, pv]) => [pk, convertProperty(pk, pv)]));
    else if (k === 'x-kubesim-doc' || k === 'x-kubesim-type') continue;
    else if (k === 'additionalProperties' && typeof v === 'boolean') continue;
    else if (k === 'items' || k === 'additionalProperties') out[k] = convert(v as JsonSchema);
    else if (k === 'anyOf') out.anyOf = (v as JsonSchema[]).map(convert);
    else out[k] = v;
  }
  const special = s['x-kubesim-type'];
  if (special) {
    delete out.anyOf;
    delete out.type;
    out.oneOf = special === 'quantity' ? [{ type: 'string' }, { type: 'number' }] : [{ type: 'integer' }, { type: 'string' }];
  }
  return out;
}

function convertProperty(name: string, p: JsonSchema): OpenApiSchema {
  const c = convert(p);
  if (c.$ref) {
    const w = wrapRef(c.$ref);
    if (p['x-kubesim-doc']) w.description = p['x-kubesim-doc'];
    return w;
  }
  if (c.items?.$ref) c.items = wrapRef(c.items.$ref);
  if (c.additionalProperties?.$ref) c.additionalProperties = wrapRef(c.additionalProperties.$ref);
  // The enums on apiVersion/kind only serve kubesim's strict decoding; the API has none.
  if (name === 'apiVersion' || name === 'kind') delete c.enum;
  return c;
}

export function resolveRef(view: OpenApiView, ref: unknown): OpenApiSchema | undefined {
  if (typeof ref !== 'string' || !ref.startsWith(REF_PREFIX)) return undefined;
  return view.schemas[ref.slice(REF_PREFIX.length)];
}
