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

export function crdRootSchema(crd: KObject, version: string): OpenApiSchema | undefined {
  const schema = crdVersionSchema(crd, version) as OpenApiSchema | undefined;
  return schema && kubeNativeRoot(schema);
}

/** A CRD version's schema with apiVersion, kind and metadata as the builder adds them (buildKubeNative). */
export function kubeNativeRoot(schema: OpenApiSchema): OpenApiSchema {
  const root: OpenApiSchema = JSON.parse(JSON.stringify(schema));
  root.type ??= 'object';
  root.properties = {
    ...(root.properties ?? {}),
    apiVersion: { type: 'string', description: API_VERSION_DOC },
    kind: { type: 'string', description: KIND_DOC },
    metadata: { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }], description: METADATA_DOC },
  };
  return root;
}
