// The type checking of kube-controller-manager's ValidatingAdmissionPolicy status controller
// (k8s.io/apiserver admission/plugin/policy/validating/typechecking.go): each validation's
// expression and messageExpression is compiled once per kind the policy's resourceRules name
// exactly (no wildcard, no subresource; at most 10 kinds a rule), with `object` and
// `oldObject` typed by the kind's OpenAPI schema. A failure is a warning in
// status.typeChecking; it never changes what the policy admits.
//
// kubesim's schemas have the fields of k8s.io/api but not every format kube's have (a Time
// is a plain string here, a Secret's data not bytes), so only the error that depends on
// fields alone is reported: cel-go's `undefined field`. A type mismatch kube would also warn
// of is not (no warning rather than one a real cluster does not give), and cel-js stops at an
// expression's first error where cel-go lists them all. `request`, `namespaceObject`,
// `params` and `variables` are dyn here (kube types them too): fewer warnings, never others.

import type { Environment } from '@marcbachmann/cel-js';
import type { KObject } from '../types';
import type { ResourceRegistry } from '../resources';
import type { OpenApiSchema } from '../../explain/openapi-view';
import { kindSchema } from '../rest/openapi';
import { celLibrary, withKubeFunctions } from '../validation/crd-cel-lib';
import { celIssue } from '../validation/crd-cel';
import { declareResourceType, undefinedFieldIssue } from '../validation/crd-cel-types';
import { declarePolicyVariables } from './policy-cel';

export interface ExpressionWarning {
  fieldRef: string;
  warning: string;
}

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/** typechecking.go maxTypesToCheck: a rule's kinds past this many are not checked. */
const MAX_TYPES_TO_CHECK = 10;

/** TypeChecker.Check: the warnings of a policy's validations, in their order (none: []). */
export async function policyTypeWarnings(policy: KObject, registry: ResourceRegistry, getCrd: (name: string) => Promise<KObject | undefined>): Promise<ExpressionWarning[]> {
  const checked: { gvk: Gvk; env: Environment }[] = [];
  const withParams = Boolean(policy.spec?.paramKind);
  for (const gvk of typesToCheck(policy, registry)) {
    const rt = registry.lookupKind(gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version, gvk.kind);
    const crd = rt?.crd ? await getCrd(rt.crd) : undefined;
    if (rt?.crd && !crd) continue;
    const schema = await kindSchema(gvk.group, gvk.version, gvk.kind, crd);
    if (!schema) continue; // resolver.ErrSchemaNotFound: the kind is skipped
    const env = celLibrary().clone();
    const type = declareResourceType(structural(schema.root, schema.components, new Map(), []), `${gvk.kind}0`, env);
    if (type) checked.push({ gvk, env: declarePolicyVariables(env, withParams, type) });
  }
  const warnings: ExpressionWarning[] = [];
  const check = (fieldRef: string, expression: unknown) => {
    if (typeof expression !== 'string' || !expression) return;
    const messages: string[] = [];
    for (const { gvk, env } of checked) {
      const result = env.check(withKubeFunctions(expression));
      const issue = result.valid ? undefined : undefinedFieldIssue(result.error, expression, celIssue);
      // TypeCheckingResult.String, joined by TypeCheckingResults.String.
      if (issue) messages.push(`${gvk.group}/${gvk.version}, Kind=${gvk.kind}: ${issue}\n`);
    }
    if (messages.length) warnings.push({ fieldRef, warning: messages.join('\n') });
  };
  const validations: any[] = Array.isArray(policy.spec?.validations) ? policy.spec.validations : [];
  validations.forEach((v, i) => {
    check(`spec.validations[${i}].expression`, v?.expression);
    check(`spec.validations[${i}].messageExpression`, v?.messageExpression);
  });
  return warnings;
}

/** typesToCheck: the kinds of the rules' exact groups, versions and resources, sorted by group, version and kind. */
function typesToCheck(policy: KObject, registry: ResourceRegistry): Gvk[] {
  const found = new Map<string, Gvk>();
  const sorted = () => [...found.values()].sort((a, b) => cmp(a.group, b.group) || cmp(a.version, b.version) || cmp(a.kind, b.kind));
  const strings = (l: unknown): string[] => (Array.isArray(l) ? l.map(String) : []);
  for (const rule of (policy.spec?.matchConstraints?.resourceRules ?? []) as any[]) {
    const groups = strings(rule?.apiGroups);
    const versions = strings(rule?.apiVersions);
    // A wildcard group or version gives the rule up; wildcard resources and subresources are skipped.
    if (!groups.length || groups.some((g) => g.includes('*')) || !versions.length || versions.some((v) => v.includes('*'))) continue;
    const resources = strings(rule?.resources).filter((r) => !/[*/]/.test(r));
    let count = 0;
    for (const group of groups.sort(cmp)) {
      for (const version of versions.sort(cmp)) {
        for (const resource of resources.sort(cmp)) {
          // RESTMapper.KindsFor: the kind serving the resource (plural or singular) in that version.
          const t = registry.all().find((x) => x.group === group && (x.plural === resource || x.singular === resource) && x.versions.includes(version));
          if (!t) continue;
          found.set(`${group}/${version}/${t.kind}`, { group, version, kind: t.kind });
          if (++count === MAX_TYPES_TO_CHECK) return sorted();
        }
      }
    }
  }
  return sorted();
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A node CEL sees as dyn (SchemaDeclType's int-or-string): what kubesim's schema cannot type as kube does. */
const DYN: OpenApiSchema = { 'x-kubernetes-int-or-string': true };

/**
 * The schema with its references resolved (the resolver's populateRefs), in the structural
 * form SchemaDeclType reads. A reference back into itself (JSONSchemaProps), a junction
 * (IntOrString, Quantity) or a node without a type (RawExtension) is dyn.
 */
function structural(s: OpenApiSchema, components: Record<string, OpenApiSchema>, memo: Map<string, OpenApiSchema>, path: string[]): OpenApiSchema {
  if (!s || typeof s !== 'object') return DYN;
  const ref: unknown = s.$ref ?? (Array.isArray(s.allOf) && s.allOf.length === 1 ? s.allOf[0]?.$ref : undefined);
  if (typeof ref === 'string') {
    const name = ref.replace(/^#\/(components\/schemas|definitions)\//, '');
    if (path.includes(name) || !components[name]) return DYN;
    let out = memo.get(name);
    if (!out) memo.set(name, (out = structural(components[name]!, components, memo, [...path, name])));
    return out;
  }
  if (s['x-kubernetes-int-or-string'] === true || s.oneOf || s.anyOf || !s.type) return DYN;
  const out: OpenApiSchema = { type: s.type };
  for (const k of ['format', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource']) if (s[k] !== undefined) out[k] = s[k];
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties as Record<string, OpenApiSchema>).map(([k, p]) => [k, structural(p, components, memo, path)]));
  if (s.items && typeof s.items === 'object') out.items = structural(s.items, components, memo, path);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = structural(s.additionalProperties, components, memo, path);
  return out;
}
