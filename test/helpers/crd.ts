// The CustomResourceDefinition the tests of custom resources write: one version, served and
// stored, with a structural schema whose root is an object. Each test gives only what it is
// about (the schema's body, subresources); the skeleton is written once, here.

import { parse } from 'yaml';
import type { KObject } from '../../src/api/types';

export interface CrdOptions {
  plural: string;
  kind: string;
  /** default example.com */
  group?: string;
  singular?: string;
  scope?: 'Namespaced' | 'Cluster';
  /** default v1 */
  version?: string;
  /** YAML under openAPIV3Schema after `type: object`, unindented (`properties: ...`); may be empty. */
  schema?: string;
  /** YAML of the version after its schema, unindented (`subresources: ...`). */
  versionExtra?: string;
}

const indent = (text: string, by: string) => text.replace(/^(?=.)/gm, by);
const lines = (text: string) => (text && !text.endsWith('\n') ? `${text}\n` : text);

/**
 * The CRD `<plural>.<group>` as a YAML document (ends in a newline). Without `versionExtra` it
 * ends in openAPIV3Schema's body: more of it, indented 8 spaces, may follow.
 */
export function crdYaml(o: CrdOptions): string {
  const group = o.group ?? 'example.com';
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${o.plural}.${group}}
spec:
  group: ${group}
  scope: ${o.scope ?? 'Namespaced'}
  names: {plural: ${o.plural}, kind: ${o.kind}${o.singular ? `, singular: ${o.singular}` : ''}}
  versions:
  - name: ${o.version ?? 'v1'}
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
${indent(lines(o.schema ?? ''), '        ')}${indent(lines(o.versionExtra ?? ''), '    ')}`;
}

/** The same CRD as an object (for tests that create it through the API in-process). */
export const crdObject = (o: CrdOptions): KObject => parse(crdYaml(o)) as KObject;
