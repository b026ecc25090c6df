// CustomResourceDefinition (apiextensions-apiserver pkg/registry/customresourcedefinition/
// strategy.go): a new CRD's status is empty but for the storage version in storedVersions,
// and an update that moves the storage version adds it there (old versions stay listed
// until someone migrates and trims them through the status subresource).

import { crdHasRules, crdSchemaRoots, crdStorageVersion } from '../crd';
import type { KObject } from '../types';
import type { FieldError } from '../errors';
import { isDns1035Label } from '../validation/string-rules';
import { goQuote } from '../../util/go-format';
import type { KindStrategy } from './types';

export const crdStrategy: KindStrategy = {
  // The cheap part of apiextensions validation.ValidateCustomResourceDefinition.
  async validate(obj: KObject): Promise<FieldError[]> {
    const errs: FieldError[] = [];
    const group: string = obj.spec?.group ?? '';
    const names = obj.spec?.names ?? {};
    const invalid = (field: string, value: string, detail: string) => errs.push({ field, type: 'Invalid value', value: goQuote(value), detail });
    if (obj.metadata?.name !== `${names.plural ?? ''}.${group}`) invalid('metadata.name', obj.metadata?.name ?? '', 'must be spec.names.plural+"."+spec.group');
    if (group && !group.includes('.')) invalid('spec.group', group, 'should be a domain with at least one dot');
    for (const f of ['plural', 'singular'] as const) {
      const v: string = names[f] ?? '';
      const why = v ? isDns1035Label(v) : [];
      if (why.length) invalid(`spec.names.${f}`, v, why.join(','));
    }
    for (const f of ['kind', 'listKind'] as const) {
      const v: string = names[f] ?? '';
      const why = v ? isDns1035Label(v.toLowerCase()) : [];
      if (why.length) invalid(`spec.names.${f}`, v, 'may have mixed case, but should otherwise match: ' + why.join(','));
    }
    errs.push(...(await patternErrors(obj)));
    // x-kubernetes-validations rules that do not compile (the CEL engine loads only for a CRD that has rules).
    if (crdHasRules(obj)) {
      errs.push(...(await import('../validation/crd-cel')).crdRuleErrors(obj));
    }
    return errs;
  },
  prepareStatusOnCreate(obj: KObject): void {
    const storage = crdStorageVersion(obj);
    // acceptedNames' plural and kind are not omitempty: an empty status still shows them.
    obj.status = { acceptedNames: { plural: '', kind: '' }, storedVersions: storage ? [storage] : [] };
  },
  prepareForUpdate(_host, _current: KObject, next: KObject): void {
    const storage = crdStorageVersion(next);
    if (!storage) return;
    next.status ??= { acceptedNames: { plural: '', kind: '' }, storedVersions: [] };
    const stored: string[] = next.status.storedVersions ?? [];
    if (!stored.includes(storage)) next.status.storedVersions = [...stored, storage];
  },
};

/**
 * Patterns that Go's regexp (RE2) does not compile, as apiextensions' structural schema
 * validation refuses them (validateValueValidation): a CRD is not stored with a pattern its
 * objects could not be checked against. Sorted as kube sorts its structural errors.
 */
async function patternErrors(crd: KObject): Promise<FieldError[]> {
  const found: { field: string; pattern: string }[] = [];
  const walk = (node: any, path: string): void => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return;
    if (typeof node.pattern === 'string' && node.pattern) found.push({ field: `${path}.pattern`, pattern: node.pattern });
    for (const [k, v] of Object.entries(node.properties ?? {})) walk(v, `${path}.properties[${k}]`);
    walk(node.items, `${path}.items`);
    walk(node.additionalProperties, `${path}.additionalProperties`);
    for (const j of ['allOf', 'anyOf', 'oneOf'] as const) if (Array.isArray(node[j])) node[j].forEach((v: unknown, i: number) => walk(v, `${path}.${j}[${i}]`));
    walk(node.not, `${path}.not`);
  };
  for (const [schema, path] of crdSchemaRoots(crd)) walk(schema, path);
  if (!found.length) return [];
  const { RE2JS } = await import('re2js');
  const errs: FieldError[] = [];
  for (const { field, pattern } of found) {
    try {
      RE2JS.compile(pattern);
    } catch (e) {
      errs.push({ field, type: 'Invalid value', value: goQuote(pattern), detail: `must be a valid regular expression, but isn't: ${(e as Error).message}` });
    }
  }
  const text = (e: FieldError) => `${e.field}: ${e.type}: ${e.value}: ${e.detail}`;
  return errs.sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
}
