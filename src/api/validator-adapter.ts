// Connects the validation modules (src/api/validation) to the API server's Validator
// interface and to the CLI's position-aware checks. Loading the generated validators is
// asynchronous and heavy, so it happens once, only for verbs that write or validate.

import type { Validator } from './server';
import type { ResourceType } from './resources';
import type { KObject } from './types';
import { loadSchemas } from './validation/schema-store';
import { validateSchema, wrapMapInt32, type SchemaIssue } from './validation/validate-schema';
import { validateSemantics } from './validation/validate-semantics';
import { validateEphemeralContainersUpdate, validateUpdate } from './validation/validate-update';
import { splitApiVersion } from './resources';
import { crdHasRules } from './crd';
import type { CrdValidators } from './validation/crd-schema';

let loaded = false;
// CRD schemas need ajv (and ajv-formats): loaded with the rest, so reads never pay for them.
let crdSchemas: typeof import('./validation/crd-schema') | undefined;

export async function loadValidation(): Promise<void> {
  if (loaded) return;
  [crdSchemas] = await Promise.all([import('./validation/crd-schema'), loadSchemas()]);
  loaded = true;
}

/** The client-side schema issues of a built-in object (kubectl checks no custom resource before the server). */
export function schemaIssues(obj: KObject, rt: ResourceType): SchemaIssue[] {
  if (!loaded) throw new Error('schemaIssues before loadValidation()');
  return validateSchema(obj, rt);
}

/**
 * The Validator the API server runs on every write (schemas must be loaded: loadValidation).
 * One per API server: its CRD validators are its cluster's.
 */
export function apiValidator(): Validator {
  let crdValidators: CrdValidators | undefined;
  /** Schema issues of one object: built-in schemas, or its CRD's openAPIV3Schema (the server's checks). */
  /** `old` (on update) and `rules` (false: the schema alone) concern CRD CEL rules. */
  const schemaIssuesWith = (obj: KObject, rt: ResourceType, def: KObject | undefined, old?: KObject, rules = true, status = false, blocked = false): SchemaIssue[] => {
    if (!rt.crd) return validateSchema(obj, rt, true);
    if (!def) return [];
    if (!crdSchemas) throw new Error('schemaIssues before loadValidation()');
    crdValidators ??= new crdSchemas.CrdValidators();
    return crdValidators.for(def, splitApiVersion(obj.apiVersion).version)(obj, old, rules, status, blocked);
  };
  return {
    schemaErrors: (obj, rt, crd, fromMap = false) => {
      if (!loaded) return [];
      // Decoding a strategic merge patch's map wraps an int64 into an int32 field (no error).
      if (fromMap) wrapMapInt32(obj, rt);
      // Missing required fields are the validator's business (`Required value`), not the decoder's;
      // a custom resource decodes as any JSON but its metadata: only those and its unknown fields fail decoding.
      const issues = inDocumentOrder(obj, schemaIssuesWith(obj, rt, crd, undefined, false).filter((i) => i.rule !== 'schema/required' && (!rt.crd || i.rule === 'schema/unknown-field' || i.decodeError)));
      // A value of the wrong type fails the decoding itself (its first error); only a body that
      // decodes is checked for unknown fields, all in one runtime.strictDecodingError.
      const typed = issues.find((i) => i.immediate) ?? issues.find((i) => i.rule !== 'schema/unknown-field');
      if (typed) return [(fromMap ? typed.convertMessage : undefined) ?? typed.decodeMessage ?? typed.message];
      return issues.length ? [`strict decoding error: ${issues.map((i) => i.decodeMessage ?? i.message).join(', ')}`] : [];
    },
    validate: (obj, rt, crd, old, status = false) => {
      const errs = validateSemantics(obj, rt).filter((e) => !status || /^status\b/.test(e.field));
      // customResourceStrategy.Validate/ValidateUpdate: the CRD's structural schema, then its CEL rules (422).
      // The metadata's errors come first, and a blocking one (a name required, annotations too long) blocks the rules.
      if (rt.crd && loaded) for (const i of schemaIssuesWith(obj, rt, crd, old, true, status, errs.some(crdSchemas!.blocksRules))) if (i.cause) errs.push(i.cause);
      return errs;
    },
    validateUpdate: (oldObj, newObj, rt, subresource) => {
      if (subresource === 'ephemeralcontainers' && rt.kind === 'Pod' && !rt.group) return validateEphemeralContainersUpdate(oldObj, newObj);
      const errs = validateUpdate(oldObj, newObj, rt);
      // A CRD update is refused for a rule that does not compile, as its create (the CRD strategy).
      if (rt.kind === 'CustomResourceDefinition' && crdSchemas && crdHasRules(newObj)) errs.push(...crdSchemas.crdRuleErrors(newObj, oldObj));
      return errs;
    },
  };
}

/**
 * The issues in the order the decoder meets them (sigs.k8s.io/json reads the body once, depth
 * first, in its keys' order: the first type error wins, unknown fields are listed as met),
 * not the schema's order. The body's own order: kubectl sends its keys sorted, the CLI too.
 */
function inDocumentOrder(obj: KObject, issues: SchemaIssue[]): SchemaIssue[] {
  if (issues.length < 2) return issues;
  const position = (path: SchemaIssue['path']): number[] => {
    const at: number[] = [];
    let node: unknown = obj;
    for (const seg of path) {
      if (node === null || typeof node !== 'object') break;
      at.push(typeof seg === 'number' ? seg : Object.keys(node).indexOf(seg));
      node = (node as Record<string | number, unknown>)[seg];
    }
    return at;
  };
  const keyed = issues.map((i) => ({ i, at: position(i.path) }));
  keyed.sort((a, b) => {
    for (let k = 0; k < Math.min(a.at.length, b.at.length); k++) if (a.at[k] !== b.at[k]) return a.at[k] - b.at[k];
    return a.at.length - b.at.length;
  });
  return keyed.map((k) => k.i);
}
