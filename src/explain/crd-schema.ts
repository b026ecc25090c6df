// The OpenAPI view kube-apiserver publishes for a custom resource: the CRD version's
// openAPIV3Schema with apiVersion, kind and metadata filled in like a built-in kind's.

import { crdVersionSchema } from '../api/crd';
import type { KObject } from '../api/types';
import type { OpenApiSchema } from './openapi-view';

const API_VERSION_DOC =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DOC =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const METADATA_DOC = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
// An embedded resource's type meta has its own wording (builder.go addEmbeddedProperties).
const EMBEDDED_API_VERSION_DOC =
  'apiVersion defines the versioned schema of this representation of an object. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const EMBEDDED_KIND_DOC =
  'kind is a string value representing the type of this object. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const METADATA = () => ({ allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }], description: METADATA_DOC });

export function crdRootSchema(crd: KObject, version: string): OpenApiSchema | undefined {
  const schema = crdVersionSchema(crd, version) as OpenApiSchema | undefined;
  return schema && kubeNativeRoot(schema);
}

/**
 * A CRD version's schema with apiVersion, kind and metadata as the builder adds them
 * (buildKubeNative): at the root, and at every embedded resource below it. `v2` is the
 * /openapi/v2 build, where a node that keeps unknown fields gets nothing.
 */
export function kubeNativeRoot(schema: OpenApiSchema, v2 = false): OpenApiSchema {
  const root: OpenApiSchema = JSON.parse(JSON.stringify(schema));
  root.type ??= 'object';
  root.properties = {
    ...(root.properties ?? {}),
    apiVersion: { type: 'string', description: API_VERSION_DOC },
    kind: { type: 'string', description: KIND_DOC },
    metadata: METADATA(),
  };
  // v2's junctors are gone by now (ToStructuralOpenAPIV2)
  if (!v2) unfoldIntOrString(root);
  addEmbeddedProperties(root, v2);
  return root;
}

const INT_OR_STRING = () => [{ type: 'integer' }, { type: 'string' }];
const isIntOrString = (anyOf: unknown) => Array.isArray(anyOf) && JSON.stringify(anyOf) === JSON.stringify(INT_OR_STRING());

/**
 * Structural.Unfold: an x-kubernetes-int-or-string node says what it is with anyOf (integer or
 * string), before its own allOf when it has an anyOf already; one that says so is left alone.
 */
function unfoldIntOrString(s: OpenApiSchema): void {
  for (const p of Object.values(s.properties ?? {})) unfoldIntOrString(p as OpenApiSchema);
  if (s.items && typeof s.items === 'object' && !Array.isArray(s.items)) unfoldIntOrString(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') unfoldIntOrString(s.additionalProperties);
  if (s['x-kubernetes-int-or-string'] !== true || isIntOrString(s.anyOf) || (Array.isArray(s.allOf) && isIntOrString(s.allOf[0]?.anyOf))) return;
  if (s.anyOf === undefined) s.anyOf = INT_OR_STRING();
  else s.allOf = [{ anyOf: INT_OR_STRING() }, ...(s.allOf ?? [])];
}

/**
 * addEmbeddedProperties: children first, then the node itself if it is an
 * x-kubernetes-embedded-resource: apiVersion, kind and metadata set (over what the CRD
 * declares), kind then apiVersion appended to required. In v2 a node keeping unknown fields
 * is left alone: these properties would make kubectl's validation refuse the unknown ones.
 */
function addEmbeddedProperties(s: OpenApiSchema, v2: boolean): void {
  for (const p of Object.values(s.properties ?? {})) addEmbeddedProperties(p as OpenApiSchema, v2);
  if (s.items && typeof s.items === 'object' && !Array.isArray(s.items)) addEmbeddedProperties(s.items, v2);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') addEmbeddedProperties(s.additionalProperties, v2);
  if (v2 && s['x-kubernetes-preserve-unknown-fields'] === true) return;
  if (s['x-kubernetes-embedded-resource'] !== true) return;
  s.properties = {
    ...(s.properties ?? {}),
    apiVersion: { type: 'string', description: EMBEDDED_API_VERSION_DOC },
    kind: { type: 'string', description: EMBEDDED_KIND_DOC },
    metadata: METADATA(),
  };
  const required: string[] = Array.isArray(s.required) ? s.required : [];
  s.required = [...required, ...['kind', 'apiVersion'].filter((f) => !required.includes(f))];
}
