// Navigation in the generated schemas along an object path, keeping track of the OpenAPI
// definition that owns each node: kubectl's messages name it
// (`unknown field "replica" in io.k8s.api.apps.v1.DeploymentSpec`).
import type { JsonSchema, SchemaDocument } from './schema-store';

export interface Located {
  schema: JsonSchema;
  /** The definition whose properties apply at this node (for unknown/missing fields). */
  def: string;
  /** The definition and its field that contain this node (for `invalid type for Def.field`). */
  ownerDef?: string;
  ownerField?: string;
}

const PREFIX = '#/definitions/';

export function refName(s: JsonSchema): string | undefined {
  return s.$ref?.startsWith(PREFIX) ? s.$ref.slice(PREFIX.length) : undefined;
}

export function walkSchema(doc: SchemaDocument, rootDef: string, path: (string | number)[]): Located | undefined {
  let def = rootDef;
  let schema = doc.definitions[rootDef];
  let fieldInDef: string | undefined;
  let ownerDef: string | undefined;
  let ownerField: string | undefined;
  if (!schema) return undefined;
  for (const seg of path) {
    const next = childSchema(schema, seg);
    if (!next) return undefined;
    ownerDef = def;
    ownerField = fieldInDef ?? String(seg);
    const r = refName(next);
    if (r) {
      def = r;
      fieldInDef = undefined;
      schema = doc.definitions[r] ?? {};
    } else {
      fieldInDef = ownerField;
      schema = next;
    }
  }
  return { schema, def, ownerDef, ownerField };
}

export function childSchema(s: JsonSchema, seg: string | number): JsonSchema | undefined {
  if (typeof seg === 'number') return s.type === 'array' ? s.items : undefined;
  if (s.properties && Object.prototype.hasOwnProperty.call(s.properties, seg)) return s.properties[seg];
  if (typeof s.additionalProperties === 'object') return s.additionalProperties;
  return undefined;
}

export function resolve(doc: SchemaDocument, s: JsonSchema): JsonSchema {
  const r = refName(s);
  return r ? doc.definitions[r] ?? {} : s;
}

/** The type word kubectl uses for a schema: integer, string, boolean, array, map, number. */
export function schemaTypeWord(doc: SchemaDocument, s: JsonSchema): string {
  const r = resolve(doc, s);
  if (r['x-kubesim-type'] === 'int-or-string') return 'integer or string';
  if (r['x-kubesim-type'] === 'quantity') return 'string';
  if (r.type === 'object') return 'map';
  return r.type ?? 'any';
}

/** The type word of a JSON value, as kubectl reports the `got` side. */
export function valueTypeWord(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'object') return 'map';
  return typeof v;
}

/** Property names of an object schema (empty for maps and scalars). */
export function propertyNames(doc: SchemaDocument, s: JsonSchema): string[] {
  return Object.keys(resolve(doc, s).properties ?? {});
}
