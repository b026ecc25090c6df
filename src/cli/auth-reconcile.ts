// `auth reconcile -f`: RBAC roles and bindings brought up to the file's content the way
// kube-apiserver's bootstrap reconciliation does it: a missing object is created; an existing
// role gets the rules it lacks (and loses extra ones with --remove-extra-permissions); a
// binding gets the subjects it lacks (--remove-extra-subjects), and is recreated when its
// roleRef differs. Each object prints `<kind.group>/<name> reconciled` and what was needed.

import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import { deepCopy, type KObject } from '../api/types';
import { deepEqual } from '../util/json-equal';
import { objectPath } from '../api/resources';
import type { CliContext } from './context';
import type { ObjectSource } from './object-source';
import type { Program } from './root';
import { addDryRunFlag, parseDryRun } from './flags/dry-run';
import { mutationPrinter } from './flags/mutation-output';
import { addPrintFlags, type PrintFlagValues } from './flags/print-flags';
import { addResourceBuilderFlags } from './flags/resource-builder-flags';
import { kubectlHelp } from './kubectl-help';


interface Rule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}
interface Subject {
  kind: string;
  apiGroup?: string;
  name: string;
  namespace?: string;
}

// ---------- component-helpers/auth/rbac/validation: Covers, BreakdownRule ----------

/** BreakdownRule: one rule per group, resource, verb (and resource name); non-resource URLs per verb. */
function breakdown(r: Rule): Rule[] {
  const out: Rule[] = [];
  for (const g of r.apiGroups ?? [])
    for (const res of r.resources ?? [])
      for (const v of r.verbs ?? []) {
        if (r.resourceNames?.length) for (const n of r.resourceNames) out.push({ verbs: [v], apiGroups: [g], resources: [res], resourceNames: [n] });
        else out.push({ verbs: [v], apiGroups: [g], resources: [res] });
      }
  for (const u of r.nonResourceURLs ?? []) for (const v of r.verbs ?? []) out.push({ verbs: [v], nonResourceURLs: [u] });
  return out;
}

const hasAll = (set: string[] | undefined, want: string[] | undefined) => (want ?? []).every((x) => (set ?? []).includes(x));

function resourceCoversAll(set: string[] | undefined, want: string[] | undefined): boolean {
  if ((set ?? []).includes('*') || hasAll(set, want)) return true;
  return (want ?? []).every((path) => (set ?? []).includes(path) || (path.includes('/') && (set ?? []).includes(`*/${path.slice(path.indexOf('/') + 1)}`)));
}

const urlCovers = (owner: string, sub: string) => owner === sub || (owner.endsWith('*') && sub.startsWith(owner.replace(/\*+$/, '')));

/** ruleCovers: whether `owner` allows the atomic rule `sub`. */
function ruleCovers(owner: Rule, sub: Rule): boolean {
  const verbs = (owner.verbs ?? []).includes('*') || hasAll(owner.verbs, sub.verbs);
  const groups = (owner.apiGroups ?? []).includes('*') || hasAll(owner.apiGroups, sub.apiGroups);
  const urls = (sub.nonResourceURLs ?? []).every((u) => (owner.nonResourceURLs ?? []).some((o) => urlCovers(o, u)));
  const names = !owner.resourceNames?.length || (sub.resourceNames?.length ? hasAll(owner.resourceNames, sub.resourceNames) : false);
  return verbs && groups && resourceCoversAll(owner.resources, sub.resources) && names && urls;
}

/** Covers: the atoms of `servant` that no rule of `owner` allows. */
const uncovered = (owner: Rule[], servant: Rule[]): Rule[] => servant.flatMap(breakdown).filter((sub) => !owner.some((o) => ruleCovers(o, sub)));

// ---------- component-helpers/auth/rbac/reconciliation ----------

const goList = (l: string[] | undefined) => `[${(l ?? []).join(' ')}]`;
const ruleText = (r: Rule) => `{Verbs:${goList(r.verbs)} APIGroups:${goList(r.apiGroups)} Resources:${goList(r.resources)} ResourceNames:${goList(r.resourceNames)} NonResourceURLs:${goList(r.nonResourceURLs)}}`;
const subjectText = (s: Subject) => `{Kind:${s.kind} APIGroup:${s.apiGroup ?? ''} Name:${s.name} Namespace:${s.namespace ?? ''}}`;
// Go's == on the Subject struct: every field, an absent one as ""
const sameSubject = (a: Subject, b: Subject) => a.kind === b.kind && (a.apiGroup ?? '') === (b.apiGroup ?? '') && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');
const sameRoleRef = (a: any, b: any) => ['apiGroup', 'kind', 'name'].every((k) => (a?.[k] ?? '') === (b?.[k] ?? ''));

interface Outcome {
  operation: 'none' | 'create' | 'update' | 'recreate';
  object: KObject;
  /** The existing object says `rbac.authorization.kubernetes.io/autoupdate: "false"`: nothing is written. */
  protected: boolean;
  missing: string[];
  extra: string[];
}

/** merge(expected, existing): the existing object's entries win; nil when both are. */
function merged(expected: Record<string, string> | undefined, existing: Record<string, string> | undefined): Record<string, string> | undefined {
  return expected || existing ? { ...expected, ...existing } : undefined;
}

/**
 * A copy of `live` with the expected labels and annotations merged in (computeReconciled*'s
 * start), and whether that changed it.
 */
function withMetadata(want: KObject, live: KObject): { object: KObject; changed: boolean } {
  const metadata = { ...live.metadata };
  let changed = false;
  for (const k of ['annotations', 'labels'] as const) {
    const m = merged(want.metadata[k], live.metadata[k]);
    if (!deepEqual(m ?? null, live.metadata[k] ?? null)) changed = true;
    if (m) metadata[k] = m;
  }
  return { object: { ...deepCopy(live), metadata } as KObject, changed };
}

/**
 * The union case (the missing entries appended to the existing ones) or, with --remove-extra-*,
 * the expected list itself (absent when the file has none); whether the object changed.
 */
function reconcileList<T>(object: KObject, field: 'rules' | 'subjects', live: T[], wanted: T[] | undefined, missing: T[], extra: T[], removeExtra: boolean): boolean {
  if (!removeExtra && missing.length) object[field] = [...live, ...missing];
  else if (removeExtra && (missing.length || extra.length)) {
    if (wanted === undefined) delete object[field];
    else object[field] = wanted;
  } else return false;
  return true;
}

const isProtected = (live: KObject) => live.metadata.annotations?.['rbac.authorization.kubernetes.io/autoupdate'] === 'false';

/** computeReconciledRole (ReconcileRoleOptions.run for a missing role: create it, every rule missing). */
function reconcileRole(want: KObject, live: KObject | undefined, removeExtra: boolean): Outcome {
  const wantRules = (want.rules as Rule[] | undefined) ?? [];
  if (!live) return { operation: 'create', object: want, protected: false, missing: wantRules.map(ruleText), extra: [] };
  const { object, changed } = withMetadata(want, live);
  let update = changed;
  const liveRules = (live.rules as Rule[] | undefined) ?? [];
  // extra permissions are not computed when both roles are aggregated
  const extra = want.aggregationRule && live.aggregationRule ? [] : uncovered(wantRules, liveRules);
  const missing = uncovered(liveRules, wantRules);
  if (reconcileList(object, 'rules', liveRules, want.rules, missing, extra, removeExtra)) update = true;
  // aggregationRuleCovers: the selectors one has that the other lacks
  const selectors = (r: any): unknown[] => r?.clusterRoleSelectors ?? [];
  const lacking = (owner: any, servant: any) => (owner ? selectors(servant).filter((s) => !selectors(owner).some((o) => deepEqual(o, s))) : selectors(servant));
  const missingSelectors = lacking(live.aggregationRule, want.aggregationRule);
  const extraSelectors = lacking(want.aggregationRule, live.aggregationRule);
  if (!want.aggregationRule && live.aggregationRule) {
    delete object.aggregationRule;
    update = true;
  } else if (!removeExtra && missingSelectors.length) {
    object.aggregationRule = { ...object.aggregationRule, clusterRoleSelectors: [...selectors(object.aggregationRule), ...missingSelectors] };
    update = true;
  } else if (removeExtra && (missingSelectors.length || extraSelectors.length)) {
    object.aggregationRule = want.aggregationRule;
    update = true;
  }
  return { operation: update ? 'update' : 'none', object, protected: isProtected(live), missing: missing.map(ruleText), extra: extra.map(ruleText) };
}

/** computeReconciledRoleBinding (a missing binding: created, every subject missing; another roleRef: recreated as the file says). */
function reconcileBinding(want: KObject, live: KObject | undefined, removeExtra: boolean): Outcome {
  const wantSubjects = (want.subjects as Subject[] | undefined) ?? [];
  if (!live) return { operation: 'create', object: want, protected: false, missing: wantSubjects.map(subjectText), extra: [] };
  if (!sameRoleRef(live.roleRef, want.roleRef)) return { operation: 'recreate', object: want, protected: isProtected(live), missing: [], extra: [] };
  const { object, changed } = withMetadata(want, live);
  let update = changed;
  const liveSubjects = (live.subjects as Subject[] | undefined) ?? [];
  // diffSubjectLists: each list's subjects the other lacks, once each
  const only = (a: Subject[], b: Subject[]) => a.filter((x, i) => !b.some((y) => sameSubject(x, y)) && a.findIndex((y) => sameSubject(x, y)) === i);
  const missing = only(wantSubjects, liveSubjects);
  const extra = only(liveSubjects, wantSubjects);
  if (reconcileList(object, 'subjects', liveSubjects, want.subjects, missing, extra, removeExtra)) update = true;
  return { operation: update ? 'update' : 'none', object, protected: isProtected(live), missing: missing.map(subjectText), extra: extra.map(subjectText) };
}

/** printResults' stderr: the operation (and the opt-out caveat), what is added, and (when asked to remove) removed. */
function resultText(out: Outcome, what: 'rules' | 'subjects', removeExtra: boolean): string {
  if (out.operation === 'none') return '';
  const caveat = out.protected ? ', but object opted out (rbac.authorization.kubernetes.io/autoupdate: false)' : '';
  const lines = [`\treconciliation required ${out.operation}${caveat}`];
  if (out.missing.length) lines.push(`\tmissing ${what} added:`, ...out.missing.map((t) => `\t\t${t}`));
  if (removeExtra && out.extra.length) lines.push(`\textra ${what} removed:`, ...out.extra.map((t) => `\t\t${t}`));
  return lines.map((l) => l + '\n').join('');
}

interface ReconcileFlags extends PrintFlagValues {
  filename: string[];
  kustomize?: string;
  recursive?: boolean;
  removeExtraPermissions?: boolean;
  removeExtraSubjects?: boolean;
  dryRun?: string | boolean;
}

async function runReconcile(ctx: CliContext, flags: ReconcileFlags): Promise<void> {
  if (!flags.filename.length && !flags.kustomize) throw new CliError('must specify one of -f and -k');
  let dryRun;
  try {
    dryRun = parseDryRun(ctx, flags.dryRun);
  } catch (e) {
    // reconcile reads the flag through cmdutil.GetDryRunStrategy's caller, which wraps its error.
    throw e instanceof CliError ? new CliError(`error accessing --dry-run flag for command reconcile: ${e.message}`) : e;
  }
  // kubectl's getClientSideDryRun refuses the server's dry run before reading any file.
  if (dryRun === 'server') throw new CliError('--dry-run=server for command reconcile is not supported yet');
  // kubectl's reconciler holds typed rbac/v1 objects: struct order, Go's zeros (a file's object, not yet created, has `creationTimestamp: null`)
  const print = await mutationPrinter(ctx, flags, dryRun, { typed: true });
  const { goTyped } = await import('../printers/go-order');
  const api = await ctx.api();
  // Each request kubectl sends as the acting user (--as): authorized and admitted as that user's.
  const source = await (await import('./object-source')).localSource(ctx, api);
  const check = await (await import('./impersonation')).requestCheck(ctx.flags, api);
  const { loadInput, prepareDocs, requireNamespace } = await import('./manifest-input');
  const { load } = await loadInput(ctx, { filename: flags.filename, kustomize: flags.kustomize, recursive: flags.recursive }, 'auth reconcile');
  const { items, errors } = await prepareDocs(ctx, api, load, 'auth reconcile', { validate: false });
  if (errors.length) throw new CliError(errors.join('').replace(/\n$/, ''));
  for (const item of items) {
    const kind = item.object.kind;
    if (item.type.group !== 'rbac.authorization.k8s.io' || !['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].includes(kind)) continue;
    // kubectl's builder here is Local(): without a mapping an object is namespaced only when its
    // file names a namespace, so a Role or RoleBinding without one keeps none (-n and the
    // context's namespace are not used): its GET is at the cluster scope, where no such object is.
    const ns = item.type.namespaced ? item.object.metadata?.namespace || undefined : undefined;
    requireNamespace(ctx, ns);
    const want = { ...item.object, metadata: { ...item.object.metadata } } as KObject;
    if (!item.type.namespaced) delete want.metadata.namespace;
    const unplaced = item.type.namespaced && ns === undefined;
    if (unplaced) await check('GET', objectPath(item.type, undefined, want.metadata.name!));
    const live = unplaced ? undefined : await source.tryGet(item.type, ns, want.metadata.name!);
    const isRole = kind.endsWith('Role');
    const removeExtra = Boolean(isRole ? flags.removeExtraPermissions : flags.removeExtraSubjects);
    const out = isRole ? reconcileRole(want, live, removeExtra) : reconcileBinding(want, live, removeExtra);
    let result = out.object;
    if (dryRun !== 'client' && !out.protected) {
      if (out.operation === 'create') {
        // tryEnsureNamespace's GET of the namespace "": client-go's own refusal.
        if (unplaced) throw new CliError('resource name may not be empty');
        if (ns) await ensureNamespace(source, ns);
        result = await source.create(item.type, want, { noFieldValidation: true });
      } else if (out.operation === 'update') {
        result = await source.update(item.type, out.object, { noFieldValidation: true });
      } else if (out.operation === 'recreate') {
        await source.delete(item.type, ns, want.metadata.name!, {});
        if (ns) await ensureNamespace(source, ns);
        result = await source.create(item.type, want, { noFieldValidation: true });
      }
    }
    ctx.out(print(goTyped(deepCopy(result)), 'reconciled'));
    ctx.err(resultText(out, isRole ? 'rules' : 'subjects', removeExtra));
  }
}

/**
 * The RBAC reconciler's tryEnsureNamespace, before it creates a Role or RoleBinding: a GET of
 * the namespace, and a POST of it when it is missing; NotFound, Forbidden and AlreadyExists
 * are no failure (the create of the object then says what is wrong).
 */
async function ensureNamespace(source: ObjectSource, ns: string): Promise<void> {
  const nsType = source.registry.forKind('v1', 'Namespace');
  const tolerated = (e: unknown, ...reasons: string[]) => e instanceof ApiError && reasons.includes(e.reason);
  try {
    if (await source.tryGet(nsType, undefined, ns)) return;
  } catch (e) {
    if (!tolerated(e, 'NotFound', 'Forbidden')) throw e;
  }
  try {
    await source.create(nsType, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } as KObject, { noFieldValidation: true });
  } catch (e) {
    if (!tolerated(e, 'AlreadyExists', 'Forbidden')) throw e;
  }
}

const RECONCILE_LONG = `Reconciles rules for RBAC role, role binding, cluster role, and cluster role binding objects.

 Missing objects are created, and the containing namespace is created for namespaced objects, if required.

 Existing roles are updated to include the permissions in the input objects, and remove extra permissions if --remove-extra-permissions is specified.

 Existing bindings are updated to include the subjects in the input objects, and remove extra subjects if --remove-extra-subjects is specified.

 This is preferred to 'apply' for RBAC resources so that semantically-aware merging of rules and subjects is done.`;

const RECONCILE_EXAMPLE = `  # Reconcile RBAC resources from a file
  kubectl auth reconcile -f my-rbac-rules.yaml`;

export function register(program: Command, p: Program): void {
  const auth = program.commands.find((c) => c.name() === 'auth');
  if (!auth) return;
  const cmd = auth
    .command('reconcile')
    .description('Reconciles rules for RBAC role, role binding, cluster role, and cluster role binding objects')
    .option('--remove-extra-permissions', 'If true, removes extra permissions added to roles')
    .option('--remove-extra-subjects', 'If true, removes extra subjects added to rolebindings');
  addResourceBuilderFlags(cmd, { filename: 'Filename, directory, or URL to files identifying the resource to reconcile.', kustomize: true, recursive: true });
  addPrintFlags(addDryRunFlag(cmd));
  kubectlHelp(cmd, p.name, { long: RECONCILE_LONG, example: RECONCILE_EXAMPLE, use: 'reconcile -f FILENAME' }).action(p.action((ctx, flags: ReconcileFlags) => runReconcile(ctx, flags)));
}
