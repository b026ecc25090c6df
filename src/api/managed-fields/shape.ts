// The structural schema server-side apply walks: which maps are structs (declared fields),
// which are free maps (every key its own field), which lists are associative (merged by key),
// sets, or atomic. Built from the generated JSON Schemas plus the strategic-merge metadata
// (patch-meta.ts), the way structured-merge-diff reads x-kubernetes-list-type/-map-keys and
// patch merge keys from kube-apiserver's OpenAPI. Custom resources use deduced shapes.

import { fieldMeta, patchSchemaFor, type FieldMeta, type PatchSchema } from '../apply/patch-meta';
import type { JsonSchema, SchemaDocument } from '../validation/schema-store';

export type Shape =
  | { k: 'scalar' }
  /** An atomic struct, map or list: owned and replaced as one value. */
  | { k: 'atomic' }
  /** Declared fields; undeclared keys fall back to `elem` (or are deduced). */
  | { k: 'struct'; field: (name: string) => Shape | undefined; elem?: Shape }
  | { k: 'map'; elem: Shape }
  | { k: 'list'; rel: 'set' | 'map'; keys: string[]; keyDefaults: Record<string, unknown>; elem: Shape }
  /** No schema: objects are free maps, lists atomic (structured-merge-diff's deduced type). */
  | { k: 'deduced' };

export const SCALAR: Shape = { k: 'scalar' };
export const ATOMIC: Shape = { k: 'atomic' };
export const DEDUCED: Shape = { k: 'deduced' };

/** `+structType=atomic` / `x-kubernetes-map-type: atomic` types of k8s.io/api. */
const ATOMIC_DEFS = new Set([
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
  'io.k8s.api.core.v1.LocalObjectReference',
  'io.k8s.api.core.v1.ConfigMapKeySelector',
  'io.k8s.api.core.v1.SecretKeySelector',
  'io.k8s.api.core.v1.ObjectFieldSelector',
  'io.k8s.api.core.v1.ResourceFieldSelector',
  'io.k8s.api.core.v1.NodeSelector',
  'io.k8s.api.core.v1.ConfigMapEnvSource',
  'io.k8s.api.core.v1.SecretEnvSource',
  'io.k8s.api.core.v1.TypedLocalObjectReference',
  'io.k8s.api.core.v1.TopologySelectorTerm',
  'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference',
]);

/** x-kubernetes-list-map-keys where they are more than the patch merge key. */
const MORE_KEYS: Record<string, string[]> = {
  containerPort: ['containerPort', 'protocol'],
  port: ['port', 'protocol'],
  topologyKey: ['topologyKey', 'whenUnsatisfiable'],
};
/** Defaults of key fields (a key the item omits takes its default, as in the OpenAPI). */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

export class ShapeResolver {
  private readonly byRef = new Map<string, Shape>();
  /** Roots by apiVersion/kind: a shape is a pure function of the schemas, and its fields' shapes are built once. */
  private readonly roots = new Map<string, Shape>();

  constructor(private readonly doc: SchemaDocument) {}

  /** The shape of a built-in kind, or DEDUCED (custom resources, unknown kinds). */
  root(apiVersion: string, kind: string): Shape {
    const id = `${apiVersion}/${kind}`;
    let shape = this.roots.get(id);
    if (!shape) {
      const def = this.doc.roots[id];
      shape = !def || !this.doc.definitions[def] ? DEDUCED : this.fromSchema({ $ref: `#/definitions/${def}` }, patchSchemaFor(kind, apiVersion));
      this.roots.set(id, shape);
    }
    return shape;
  }

  private fromSchema(js: JsonSchema, patch: PatchSchema | undefined, meta: FieldMeta = {}): Shape {
    let s = js;
    let ref: string | undefined;
    for (let i = 0; s.$ref && i < 10; i++) {
      ref = s.$ref.replace('#/definitions/', '');
      s = this.doc.definitions[ref] ?? {};
    }
    if (ref && ATOMIC_DEFS.has(ref)) return ATOMIC;
    // A named type with no strategic-merge context below it is the same shape everywhere.
    const cacheable = ref !== undefined && patch === undefined && !meta.strategy;
    if (cacheable && this.byRef.has(ref!)) return this.byRef.get(ref!)!;
    const shape = this.build(s, patch, meta);
    if (cacheable) this.byRef.set(ref!, shape);
    return shape;
  }

  private build(s: JsonSchema, patch: PatchSchema | undefined, meta: FieldMeta): Shape {
    if (s.type === 'array' || s.items) {
      const inner = meta.schema;
      const elem = s.items ? this.fromSchema(s.items, inner) : DEDUCED;
      if (meta.strategy === 'merge' && meta.mergeKey) {
        return { k: 'list', rel: 'map', keys: MORE_KEYS[meta.mergeKey] ?? [meta.mergeKey], keyDefaults: KEY_DEFAULTS, elem };
      }
      if (meta.strategy === 'merge') return { k: 'list', rel: 'set', keys: [], keyDefaults: {}, elem: SCALAR };
      return ATOMIC;
    }
    if (s.properties) {
      const props = s.properties;
      const cache = new Map<string, Shape | undefined>();
      const field = (name: string): Shape | undefined => {
        if (!cache.has(name)) {
          const p = Object.prototype.hasOwnProperty.call(props, name) ? props[name] : undefined;
          const fm = patch ? fieldMeta(patch, name) : {};
          cache.set(name, p ? this.fromSchema(p, fm.schema, fm) : undefined);
        }
        return cache.get(name);
      };
      return { k: 'struct', field };
    }
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      return { k: 'map', elem: this.fromSchema(s.additionalProperties, undefined) };
    }
    if (s.type === 'object') return DEDUCED;
    return SCALAR;
  }
}

/** The child shape of a map key under `shape` (undefined: an undeclared field). */
export function childShape(shape: Shape, key: string): { shape: Shape; declared: boolean } {
  if (shape.k === 'struct') {
    const f = shape.field(key);
    if (f) return { shape: f, declared: true };
    return { shape: shape.elem ?? DEDUCED, declared: false };
  }
  if (shape.k === 'map') return { shape: shape.elem, declared: false };
  return { shape: DEDUCED, declared: false };
}

/** What a value is under a shape once deduced shapes are resolved by the value itself. */
export function resolve(shape: Shape, v: unknown): Shape {
  if (shape.k !== 'deduced') return shape;
  if (isObject(v)) return { k: 'map', elem: DEDUCED };
  if (Array.isArray(v)) return ATOMIC;
  return SCALAR;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
