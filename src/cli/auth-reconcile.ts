// `auth reconcile -f`: RBAC roles and bindings brought up to the file's content the way
// kube-apiserver's bootstrap reconciliation does it: a missing object is created; an existing
// role gets the rules it lacks (and loses extra ones with --remove-extra-permissions); a
// binding gets the subjects it lacks (--remove-extra-subjects), and is recreated when its
// roleRef differs. Each object prints `<kind.group>/<name> reconciled` and what was needed.

import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import type { KObject } from '../api/types';
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

const has = (list: string[] | undefined, v: string) => (list ?? []).includes('*') || (list ?? []).includes(v);

/** Whether `r` allows everything `want` does (every atomic combination). */
function covers(r: Rule, want: Rule): boolean {
  if (!(want.verbs ?? []).every((v) => has(r.verbs, v))) return false;
  if (want.nonResourceURLs?.length) return want.nonResourceURLs.every((u) => (r.nonResourceURLs ?? []).some((x) => x === '*' || x === u || (x.endsWith('*') && u.startsWith(x.slice(0, -1)))));
  if (!(want.apiGroups ?? []).every((g) => has(r.apiGroups, g))) return false;
  if (!(want.resources ?? []).every((x) => has(r.resources, x))) return false;
  if (!(r.resourceNames ?? []).length) return true;
  return (want.resourceNames ?? []).length > 0 && want.resourceNames!.every((n) => r.resourceNames!.includes(n));
}

const goList = (l: string[] | undefined) => `[${(l ?? []).join(' ')}]`;
const ruleText = (r: Rule) => `{Verbs:${goList(r.verbs)} APIGroups:${goList(r.apiGroups)} Resources:${goList(r.resources)} ResourceNames:${goList(r.resourceNames)} NonResourceURLs:${goList(r.nonResourceURLs)}}`;
const subjectText = (s: Subject) => `{Kind:${s.kind} APIGroup:${s.apiGroup ?? ''} Name:${s.name} Namespace:${s.namespace ?? ''}}`;
const sameSubject = (a: Subject, b: Subject) => a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');

interface Outcome {
  operation: 'none' | 'create' | 'update' | 'recreate';
  object: KObject;
  lines: string[];
}

/** printResults' lines (kubectl writes them to stderr): what was added, and removed. */
function changeLines(what: 'rules' | 'subjects', missing: string[], extra: string[]): string[] {
  return [...(missing.length ? [`\tmissing ${what} added:`, ...missing.map((t) => `\t\t${t}`)] : []), ...(extra.length ? [`\textra ${what} removed:`, ...extra.map((t) => `\t\t${t}`)] : [])];
}

function reconcileRole(want: KObject, live: KObject | undefined, removeExtra: boolean): Outcome {
  const wantRules = (want.rules as Rule[] | undefined) ?? [];
  // A new role: all its rules are missing ones (kubectl's ReconcileCreate result).
  if (!live) return { operation: 'create', object: want, lines: changeLines('rules', wantRules.map(ruleText), []) };
  const liveRules = (live.rules as Rule[] | undefined) ?? [];
  const missing = wantRules.filter((w) => !liveRules.some((l) => covers(l, w)));
  const extra = removeExtra ? liveRules.filter((l) => !wantRules.some((w) => covers(w, l))) : [];
  const lines = changeLines('rules', missing.map(ruleText), extra.map(ruleText));
  if (!missing.length && !extra.length) return { operation: 'none', object: live, lines };
  const rules = [...liveRules.filter((l) => !extra.includes(l)), ...missing];
  return { operation: 'update', object: { ...live, rules } as KObject, lines };
}

function reconcileBinding(want: KObject, live: KObject | undefined, removeExtra: boolean): Outcome {
  const wantSubjects = (want.subjects as Subject[] | undefined) ?? [];
  const all = changeLines('subjects', wantSubjects.map(subjectText), []);
  if (!live) return { operation: 'create', object: want, lines: all };
  if (JSON.stringify(live.roleRef) !== JSON.stringify(want.roleRef)) return { operation: 'recreate', object: want, lines: all };
  const liveSubjects = (live.subjects as Subject[] | undefined) ?? [];
  const missing = wantSubjects.filter((w) => !liveSubjects.some((l) => sameSubject(l, w)));
  const extra = removeExtra ? liveSubjects.filter((l) => !wantSubjects.some((w) => sameSubject(l, w))) : [];
  const lines = changeLines('subjects', missing.map(subjectText), extra.map(subjectText));
  if (!missing.length && !extra.length) return { operation: 'none', object: live, lines };
  return { operation: 'update', object: { ...live, subjects: [...liveSubjects.filter((s) => !extra.includes(s)), ...missing] } as KObject, lines };
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
  const print = await mutationPrinter(ctx, flags, dryRun);
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
    const out = isRole ? reconcileRole(want, live, Boolean(flags.removeExtraPermissions)) : reconcileBinding(want, live, Boolean(flags.removeExtraSubjects));
    let result = out.object;
    if (dryRun !== 'client') {
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
    ctx.out(print(result, 'reconciled'));
    if (out.operation !== 'none') ctx.err(`\treconciliation required ${out.operation}\n${out.lines.map((l) => l + '\n').join('')}`);
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
