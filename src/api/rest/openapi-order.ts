// The key order of kube-apiserver's /openapi/v3 documents: kube-openapi's spec3 and spec
// types marshalled by go-json-experiment (MarshalNextJSON, deterministic): a struct's fields
// in Go field order, then its inlined map (extensions, a Schema's extra keys, a Responses'
// status codes) with sorted keys; every Go map (paths, properties, content, components'
// schemas, a default's object) with sorted keys. Keys no struct knows keep their place at
// the end, sorted, as an inlined map's.

type Json = Record<string, unknown>;
type Order = (v: Json) => Json;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Go's sorted map of `each(value)`. */
const mapOf = (each: (v: unknown) => unknown) => (v: unknown): unknown => {
  if (!isObject(v)) return v;
  const out: Json = {};
  for (const k of Object.keys(v).sort(byKey)) out[k] = each(v[k]);
  return out;
};
const listOf = (each: (v: unknown) => unknown) => (v: unknown): unknown => (Array.isArray(v) ? v.map(each) : v);

/** interface{} values (default, enum, example): maps sorted at every depth. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  return isObject(v) ? mapOf(plain)(v) : v;
}

/** A struct: `fields` in their Go order (each with how its value is ordered), then the rest sorted. */
function struct(fields: [string, (v: unknown) => unknown][]): Order {
  const rank = new Map(fields.map(([k, each], i) => [k, { i, each }]));
  const cmp = (a: string, b: string) => (rank.get(a)?.i ?? Infinity) - (rank.get(b)?.i ?? Infinity) || byKey(a, b);
  return (v) => {
    const out: Json = {};
    // An object's own few keys sorted by rank: cheaper than looking up every field a struct has.
    for (const k of Object.keys(v).sort(cmp)) out[k] = (rank.get(k)?.each ?? plain)(v[k]);
    return out;
  };
}

const as = (o: () => Order) => (v: unknown): unknown => (isObject(v) ? o()(v) : v);
const same = (v: unknown) => v;

/** spec.Schema: SchemaProps, SwaggerSchemaProps, $schema, $ref; extensions and extra keys after. */
const schema: Order = struct([
  ['id', same], ['description', same], ['type', same], ['nullable', same], ['format', same], ['title', same], ['default', plain],
  ['maximum', same], ['exclusiveMaximum', same], ['minimum', same], ['exclusiveMinimum', same], ['maxLength', same], ['minLength', same],
  ['pattern', same], ['maxItems', same], ['minItems', same], ['uniqueItems', same], ['multipleOf', same], ['enum', plain],
  ['maxProperties', same], ['minProperties', same], ['required', same],
  ['items', (v) => (Array.isArray(v) ? v.map(as(() => schema)) : as(() => schema)(v))],
  ['allOf', listOf(as(() => schema))], ['oneOf', listOf(as(() => schema))], ['anyOf', listOf(as(() => schema))], ['not', as(() => schema)],
  ['properties', mapOf(as(() => schema))], ['additionalProperties', as(() => schema)], ['patternProperties', mapOf(as(() => schema))],
  ['dependencies', plain], ['additionalItems', as(() => schema)], ['definitions', mapOf(as(() => schema))],
  ['discriminator', same], ['readOnly', same], ['externalDocs', plain], ['example', plain], ['$schema', same], ['$ref', same],
]);

const mediaType: Order = struct([['schema', as(() => schema)], ['example', plain], ['examples', plain], ['encoding', plain]]);
const content = mapOf(as(() => mediaType));
const parameter: Order = struct([
  ['$ref', same], ['name', same], ['in', same], ['description', same], ['required', same], ['deprecated', same], ['allowEmptyValue', same],
  ['style', same], ['explode', same], ['allowReserved', same], ['schema', as(() => schema)], ['content', content], ['example', plain], ['examples', plain],
]);
const requestBody: Order = struct([['$ref', same], ['description', same], ['content', content], ['required', same]]);
const response: Order = struct([['$ref', same], ['description', same], ['headers', plain], ['content', content], ['links', plain]]);
/**
 * Responses: `default`, then the status codes and extensions (one inlined map, sorted). A JS
 * object puts integer keys first whatever the order: kubesim's operations have no responses yet.
 */
const responses: Order = (v) => {
  const out: Json = {};
  if ('default' in v) out.default = as(() => response)(v.default);
  for (const k of Object.keys(v).filter((x) => x !== 'default').sort(byKey)) out[k] = k.startsWith('x-') ? plain(v[k]) : as(() => response)(v[k]);
  return out;
};
const operation: Order = struct([
  ['tags', same], ['summary', same], ['description', same], ['externalDocs', plain], ['operationId', same], ['parameters', listOf(as(() => parameter))],
  ['requestBody', as(() => requestBody)], ['responses', as(() => responses)], ['deprecated', same], ['security', plain], ['servers', plain],
]);
const op = as(() => operation);
const pathItem: Order = struct([
  ['$ref', same], ['summary', same], ['description', same], ['get', op], ['put', op], ['post', op], ['delete', op], ['options', op],
  ['head', op], ['patch', op], ['trace', op], ['servers', plain], ['parameters', listOf(as(() => parameter))],
]);
const info: Order = struct([['description', same], ['title', same], ['termsOfService', same], ['contact', plain], ['license', plain], ['version', same]]);

/** One schema in kube's key order (a document's components, ordered once and reused). */
export const openApiSchemaOrdered: Order = schema;

/**
 * spec3.OpenAPI (openapi, info, paths, components) of `paths` and the component schemas
 * `schemas`, each already ordered by openApiSchemaOrdered (not walked again).
 */
export function openApiV3Document(meta: Json, paths: Json, schemas: Record<string, Json>): Json {
  const sorted: Json = {};
  for (const k of Object.keys(schemas).sort(byKey)) sorted[k] = schemas[k];
  return { openapi: '3.0.0', info: info(meta), paths: mapOf(as(() => pathItem))(paths), components: { schemas: sorted } };
}
