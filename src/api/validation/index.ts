// Public surface of the API server's validation. Heavy parts (the precompiled schemas)
// load on demand: call `loadSchemas()` once before validating. The validator the API server
// runs on writes is apiValidator() in ../validator-adapter.ts (the only one).
export { loadSchemas, loadedSchemas, generatedDir, rootKey, SCHEMA_KUBERNETES_VERSION } from './schema-store';
export type { SchemaDocument, JsonSchema } from './schema-store';
export { validateSchema, hasBuiltinSchema, type SchemaIssue, type SchemaRule } from './validate-schema';
export { validateSemantics, base64Error } from './validate-semantics';
export { validateUpdate } from './validate-update';
export { compileCrdSchema, validateCustomResource, type CrdValidator } from './crd-schema';
export { cronScheduleError } from './cron-schedule';
export { formatPath } from './field-path';
export { editDistance, closest } from './suggest';
