// Which requests a ValidatingAdmissionPolicy (spec.matchConstraints) or its binding
// (spec.matchResources) applies to, as kube-apiserver's admission/plugin/policy/matching
// and webhook/predicates (rules, namespace, object) decide: namespace and object
// selectors, excluded rules, then the resource rules (operation, group, version,
// resource/subresource, scope, resourceNames), with matchPolicy Equivalent trying the
// resource's other served versions.

import { ApiError } from '../errors';
import { fromLabelSelectorSpec, matchesLabels, type LabelSelectorSpec } from '../selectors';
import type { KObject } from '../types';
import type { Requester } from '../strategies/types';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface GVR {
  group: string;
  version: string;
  resource: string;
}

export interface GVK {
  group: string;
  version: string;
  kind: string;
}

/** admission.Attributes: one request as admission sees it. */
export interface AdmissionAttributes {
  operation: Operation;
  resource: GVR;
  subresource: string;
  kind: GVK;
  /** The request's name ('' for a create whose name is generated). */
  name: string;
  /** '' for a cluster-scoped object (a Namespace's own request: its name). */
  namespace: string;
  object: KObject | null;
  oldObject: KObject | null;
  dryRun: boolean;
  user?: Requester;
  /** The resource's other served versions (matchPolicy Equivalent). */
  versions: string[];
  /** The labels of the request's namespace (NotFound when it does not exist). */
  namespaceLabels(): Promise<Record<string, string>>;
}

/** What matched: the resource and kind the rule named (an equivalent version's, with Equivalent). */
export interface Matched {
  resource: GVR;
  kind: GVK;
}

interface Rule {
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  operations?: string[];
  scope?: string;
  resourceNames?: string[];
}

export interface MatchResources {
  namespaceSelector?: LabelSelectorSpec | null;
  objectSelector?: LabelSelectorSpec | null;
  resourceRules?: Rule[] | null;
  excludeResourceRules?: Rule[] | null;
  matchPolicy?: string;
}

const exactOrWildcard = (items: string[] | undefined, requested: string) => (items ?? []).some((i) => i === '*' || i === requested);

/** rules.Matcher.Matches for one rule against a resource. */
function ruleMatches(rule: Rule, a: AdmissionAttributes, resource: GVR): boolean {
  const isNamespace = resource.group === '' && resource.version === 'v1' && resource.resource === 'namespaces';
  const scope = rule.scope ?? '*';
  if (scope === 'Namespaced' && (isNamespace || a.namespace === '')) return false;
  if (scope === 'Cluster' && !(isNamespace || a.namespace === '')) return false;
  if (scope !== '*' && scope !== 'Namespaced' && scope !== 'Cluster') return false;
  if (!(rule.operations ?? []).some((op) => op === '*' || op === a.operation)) return false;
  if (!exactOrWildcard(rule.apiGroups, resource.group) || !exactOrWildcard(rule.apiVersions, resource.version)) return false;
  return (rule.resources ?? []).some((r) => {
    const [res, sub = ''] = r.split(/\/(.*)/s);
    return (res === '*' || res === resource.resource) && (sub === '*' || sub === a.subresource);
  });
}

const named = (rule: Rule, a: AdmissionAttributes) => !rule.resourceNames?.length || rule.resourceNames.includes(a.name);

/** matchesResourceRules: the request's own resource first, then (Equivalent) its other versions. */
function matchesRules(rules: Rule[], matchPolicy: string | undefined, a: AdmissionAttributes): Matched | undefined {
  for (const rule of rules) if (ruleMatches(rule, a, a.resource) && named(rule, a)) return { resource: a.resource, kind: a.kind };
  // Equivalent unless Exact: the API's default (SetDefaults_MatchResources), which kubesim does not store.
  if (matchPolicy === 'Exact') return undefined;
  for (const rule of rules) {
    for (const version of a.versions) {
      if (version === a.resource.version) continue;
      const resource = { ...a.resource, version };
      if (ruleMatches(rule, a, resource) && named(rule, a)) return { resource, kind: { ...a.kind, version } };
    }
  }
  return undefined;
}

/** A LabelSelector as metav1.LabelSelectorAsSelector parses it; an invalid one is an InternalError. */
function selector(spec: LabelSelectorSpec | null | undefined) {
  try {
    return fromLabelSelectorSpec(spec ?? {});
  } catch (e) {
    throw new ApiError('InternalError', `Internal error occurred: ${(e as Error).message}`);
  }
}

const labelsOf = (o: KObject | null) => (o ? (o.metadata?.labels ?? {}) : undefined);

/**
 * matching.Matcher.Matches: the resource matched, or undefined. Selectors missing are `{}`
 * (their defaults); a namespace that does not exist is its NotFound once the rules match.
 */
export async function matchResources(mr: MatchResources, a: AdmissionAttributes): Promise<Matched | undefined> {
  let nsError: unknown;
  const nsSel = selector(mr.namespaceSelector);
  if (nsSel.requirements.length && (a.namespace !== '' || a.resource.resource === 'namespaces')) {
    try {
      // A Namespace's own request is selected by its own labels.
      const labels = a.resource.resource === 'namespaces' && a.resource.group === '' ? labelsOf(a.object) ?? labelsOf(a.oldObject) ?? {} : await a.namespaceLabels();
      if (!matchesLabels(nsSel, labels)) return undefined;
    } catch (e) {
      nsError = e;
    }
  }
  const objSel = selector(mr.objectSelector);
  if (objSel.requirements.length) {
    const hit = (o: KObject | null) => o !== null && matchesLabels(objSel, labelsOf(o));
    if (!hit(a.object) && !hit(a.oldObject)) return undefined;
  }
  if (matchesRules(mr.excludeResourceRules ?? [], mr.matchPolicy, a)) return undefined;
  const matched = mr.resourceRules?.length ? matchesRules(mr.resourceRules, mr.matchPolicy, a) : { resource: a.resource, kind: a.kind };
  if (!matched) return undefined;
  if (nsError) throw nsError;
  return matched;
}
