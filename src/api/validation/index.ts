// Public surface of the API server's validation. Heavy parts (the precompiled schemas)
// load on demand: call `loadValidator()` (or `loadSchemas()`) once before validating.
import type { FieldError } from '../errors';
import type { ResourceType } from '../resources';
import type { KObject } from '../types';
import { loadSchemas } from './schema-store';
import { validateSchema } from './validate-schema';
import { validateSemantics } from './validate-semantics';
import { validateUpdate } from './validate-update';
import { compileCrdSchema, applyCrdDefaults } from './crd-schema';
import { splitApiVersion } from '../resources';

export { loadSchemas, loadedSchemas, generatedDir, rootKey, SCHEMA_KUBERNETES_VERSION } from './schema-store';
export type { SchemaDocument, JsonSchema } from './schema-store';
export { validateSchema, hasBuiltinSchema, type SchemaIssue, type SchemaRule } from './validate-schema';
export { validateSemantics, selectorMatches, base64Error } from './validate-semantics';
export { validateUpdate } from './validate-update';
export { compileCrdSchema, applyCrdDefaults, validateCustomResource, type CrdValidator } from './crd-schema';
export { cronScheduleError } from './cron-schedule';
export { formatPath } from './field-path';
export { editDistance, closest } from './suggest';

/** The Validator the ApiServer takes (see src/api/server.ts). */
export interface ServerValidator {
  schemaErrors(obj: KObject, rt: ResourceType, crd?: KObject): string[];
  validate(obj: KObject, rt: ResourceType): FieldError[];
  validateUpdate(oldObj: KObject, newObj: KObject, rt: ResourceType): FieldError[];
}

/**
 * Loads the schemas and returns the server-side validator: `schemaErrors` gives the strict
 * decoding texts (`unknown field "spec.replica"`, wrong types); missing required fields are
 * left to `validate`, as in the apiserver.
 */
export async function loadValidator(): Promise<ServerValidator> {
  await loadSchemas();
  return {
    schemaErrors(obj, rt, crd) {
      const issues = rt.crd
        ? crd
          ? compileCrdSchema(crd, splitApiVersion(obj.apiVersion).version)(obj)
          : []
        : validateSchema(obj, rt).filter((i) => i.rule !== 'schema/required');
      return issues.map((i) => i.decodeMessage ?? i.message);
    },
    validate: validateSemantics,
    validateUpdate,
  };
}

export { applyCrdDefaults as defaultCustomResource };
