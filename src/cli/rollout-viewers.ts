// What kubectl's rollout sub-commands compute, apart from their flags (polymorphichelpers):
// the status viewers, the revision history, rollback, and the pause/resume/restart changes
// to an object, for Deployments, StatefulSets and DaemonSets. rollout.ts holds the commands.

import { ApiError, CliError } from '../api/errors';
import { pluralGroup, type ResourceType } from '../api/resources';
import type { ObjectSource } from './object-source';
import { deepEqual } from '../util/json-equal';
import { deepCopy, type KObject } from '../api/types';
import type { CliContext } from './context';
import type { DryRunMode } from './flags/dry-run';
import { formatApiError, formatError } from './format-error';

// ---------- shared helpers (also used by wait, taint, drain) ----------

/**
 * kubectl's CheckErr for what a command collected: one error prints in its standard form
 * (`error: ...`, `Error from server (...): ...`); several print one per line, API errors in
 * their standard form and the others bare (cmdutil.MultipleErrors).
 */
export function aggregateErrorText(errs: Array<unknown>): string {
  if (errs.length === 1) return typeof errs[0] === 'string' ? errs[0] : formatError(errs[0]);
  return errs
    .map((e) => {
      if (typeof e === 'string') return e.endsWith('\n') ? e : e + '\n';
      if (e instanceof ApiError) return formatApiError(e);
      return `${(e as Error).message}\n`;
    })
    .join('');
}

/** Go's time.RFC3339 in the local zone, as `time.Now().Format(time.RFC3339)` prints it. */
export function rfc3339Local(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  const base = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  const off = -d.getTimezoneOffset();
  if (off === 0) return `${base}Z`;
  const a = Math.abs(off);
  return `${base}${off > 0 ? '+' : '-'}${p(Math.floor(a / 60))}:${p(a % 60)}`;
}

/**
 * The longest a wait without a timeout may run. With a daemon the cluster moves by itself
 * and kubectl's "forever" is kept; in-process, an endless wait would spin the cluster
 * clock without end, so it is bounded (one hour of cluster time).
 */
export async function unboundedWaitMs(ctx: CliContext): Promise<number> {
  const { daemonRunning } = await import('./daemon-control');
  return (await daemonRunning(ctx)) ? Number.POSITIVE_INFINITY : 60 * 60_000;
}

/** `Pod`, `Deployment.apps`: schema.GroupKind's String(). */
export function groupKind(t: ResourceType): string {
  return t.group ? `${t.kind}.${t.group}` : t.kind;
}


export const isApps = (t: ResourceType, kind: string) => t.group === 'apps' && t.kind === kind;

// Kinds kubectl's GroupKindElement knows (for which "no ... has been implemented" is said);
// any other kind fails one step earlier, in the visitor.
const VISITABLE = new Set(['DaemonSet', 'Deployment', 'Job', 'Pod', 'ReplicaSet', 'ReplicationController', 'StatefulSet', 'CronJob']);

export function notImplemented(t: ResourceType, what: string): CliError {
  if (!VISITABLE.has(t.kind)) return new CliError(`error retrieving ${what === 'history viewer' ? 'history' : what} for "${groupKind(t)}", no visitor method exists for {${t.group} ${t.kind}}`); // %v of the GroupKindElement struct
  return new CliError(`no ${what} has been implemented for "${groupKind(t)}"`);
}

function typeOf(source: ObjectSource, apiVersion: string, kind: string): ResourceType {
  return source.registry.forKind(apiVersion, kind);
}

// ---------- status viewers (polymorphichelpers/rollout_status.go) ----------

export interface StatusResult {
  message: string;
  done: boolean;
}

/** The status line of one object, or a thrown CliError (progress deadline, bad revision). */
export function rolloutStatus(obj: KObject, revision: number): StatusResult {
  switch (obj.kind) {
    case 'Deployment':
      return deploymentStatus(obj, revision);
    case 'DaemonSet':
      return daemonSetStatus(obj);
    case 'StatefulSet':
      return statefulSetStatus(obj);
  }
  throw new CliError(`no status viewer has been implemented for ${obj.kind}`);
}

function deploymentStatus(d: KObject, revision: number): StatusResult {
  const name = d.metadata.name;
  if (revision > 0) {
    const raw = d.metadata.annotations?.['deployment.kubernetes.io/revision'];
    const have = raw === undefined ? 0 : Number(raw);
    if (!Number.isInteger(have)) throw new CliError(`cannot get the revision of deployment "${name}": strconv.ParseInt: parsing "${raw}": invalid syntax`);
    if (have !== revision) throw new CliError(`desired revision (${revision}) is different from the running revision (${have})`);
  }
  const st = d.status ?? {};
  if ((d.metadata.generation ?? 0) <= (st.observedGeneration ?? 0)) {
    const progressing = (st.conditions ?? []).find((c: any) => c.type === 'Progressing');
    if (progressing?.reason === 'ProgressDeadlineExceeded') throw new CliError(`deployment "${name}" exceeded its progress deadline`);
    const updated = st.updatedReplicas ?? 0;
    if (d.spec?.replicas !== undefined && updated < d.spec.replicas) {
      return { message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${d.spec.replicas} new replicas have been updated...\n`, done: false };
    }
    if ((st.replicas ?? 0) > updated) {
      return { message: `Waiting for deployment "${name}" rollout to finish: ${(st.replicas ?? 0) - updated} old replicas are pending termination...\n`, done: false };
    }
    if ((st.availableReplicas ?? 0) < updated) {
      return { message: `Waiting for deployment "${name}" rollout to finish: ${st.availableReplicas ?? 0} of ${updated} updated replicas are available...\n`, done: false };
    }
    return { message: `deployment "${name}" successfully rolled out\n`, done: true };
  }
  return { message: 'Waiting for deployment spec update to be observed...\n', done: false };
}

function daemonSetStatus(ds: KObject): StatusResult {
  if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') throw new CliError('rollout status is only available for RollingUpdate strategy type');
  const st = ds.status ?? {};
  const name = ds.metadata.name;
  if ((ds.metadata.generation ?? 0) <= (st.observedGeneration ?? 0)) {
    const desired = st.desiredNumberScheduled ?? 0;
    if ((st.updatedNumberScheduled ?? 0) < desired) {
      return { message: `Waiting for daemon set "${name}" rollout to finish: ${st.updatedNumberScheduled ?? 0} out of ${desired} new pods have been updated...\n`, done: false };
    }
    if ((st.numberAvailable ?? 0) < desired) {
      return { message: `Waiting for daemon set "${name}" rollout to finish: ${st.numberAvailable ?? 0} of ${desired} updated pods are available...\n`, done: false };
    }
    return { message: `daemon set "${name}" successfully rolled out\n`, done: true };
  }
  return { message: 'Waiting for daemon set spec update to be observed...\n', done: false };
}

function statefulSetStatus(sts: KObject): StatusResult {
  const strategy = sts.spec?.updateStrategy ?? {};
  if ((strategy.type ?? 'RollingUpdate') !== 'RollingUpdate') throw new CliError('rollout status is only available for RollingUpdate strategy type');
  const st = sts.status ?? {};
  if (!st.observedGeneration || (sts.metadata.generation ?? 0) > st.observedGeneration) {
    return { message: 'Waiting for statefulset spec update to be observed...\n', done: false };
  }
  const replicas: number | undefined = sts.spec?.replicas;
  if (replicas !== undefined && (st.readyReplicas ?? 0) < replicas) {
    return { message: `Waiting for ${replicas - (st.readyReplicas ?? 0)} pods to be ready...\n`, done: false };
  }
  if (strategy.rollingUpdate) {
    const partition = strategy.rollingUpdate.partition;
    if (replicas !== undefined && partition !== undefined && partition !== null) {
      if ((st.updatedReplicas ?? 0) < replicas - partition) {
        return { message: `Waiting for partitioned roll out to finish: ${st.updatedReplicas ?? 0} out of ${replicas - partition} new pods have been updated...\n`, done: false };
      }
    }
    return { message: `partitioned roll out complete: ${st.updatedReplicas ?? 0} new pods have been updated...\n`, done: true };
  }
  if (st.updateRevision !== st.currentRevision) {
    return { message: `waiting for statefulset rolling update to complete ${st.updatedReplicas ?? 0} pods at revision ${st.updateRevision}...\n`, done: false };
  }
  return { message: `statefulset rolling update complete ${st.currentReplicas ?? 0} pods at revision ${st.currentRevision}...\n`, done: true };
}

// ---------- history ----------

export interface HistoryEntry {
  revision: number;
  /** The pod template of the revision, as `rollout history --revision` describes it. */
  template: any;
  changeCause?: string;
  /** The revision's own object: the ReplicaSet or the ControllerRevision. */
  source: KObject;
  /**
   * What `-o` prints (GetHistory): the ReplicaSet, or the StatefulSet/DaemonSet with the
   * ControllerRevision applied (applyStatefulSetHistory, applyDaemonSetHistory).
   */
  printed: KObject;
}

const CHANGE_CAUSE = 'kubernetes.io/change-cause';
const REVISION = 'deployment.kubernetes.io/revision';

function ownedBy(objs: KObject[], owner: KObject): KObject[] {
  return objs.filter((o) => (o.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === owner.metadata.uid));
}

/**
 * The revisions of a Deployment (its ReplicaSets) or StatefulSet/DaemonSet (ControllerRevisions),
 * listed as kubectl lists them: by the object's label selector, then kept when it controls them.
 */
export async function rolloutHistory(source: ObjectSource, obj: KObject): Promise<HistoryEntry[]> {
  const ns = obj.metadata.namespace;
  const byRevision = new Map<number, HistoryEntry>();
  const { selectorToString } = await import('../api/selectors');
  const selector = selectorToString(obj.spec?.selector);
  if (obj.kind === 'Deployment') {
    const rss = ownedBy(await source.list(typeOf(source, 'apps/v1', 'ReplicaSet'), ns, selector), obj);
    for (const rs of rss) {
      const raw = rs.metadata.annotations?.[REVISION];
      const revision = raw === undefined ? 0 : Number(raw);
      if (!Number.isInteger(revision)) continue;
      const template = deepCopy(rs.spec?.template ?? {});
      const cause = rs.metadata.annotations?.[CHANGE_CAUSE];
      template.metadata ??= {};
      template.metadata.annotations ??= {};
      if (cause) template.metadata.annotations[CHANGE_CAUSE] = cause;
      byRevision.set(revision, { revision, template, changeCause: template.metadata.annotations[CHANGE_CAUSE], source: rs, printed: rs });
    }
  } else {
    const crs = ownedBy(await source.list(typeOf(source, 'apps/v1', 'ControllerRevision'), ns, selector), obj);
    const { applyStrategicMergePatch } = await import('../api/apply/strategic-merge');
    for (const cr of crs) {
      const revision = Number(cr.revision ?? 0);
      // The revision's data is a strategic merge patch of the object (its template says
      // `$patch: replace`): kubectl applies it to the object as it is now.
      const applied = applyStrategicMergePatch(obj, cr.data ?? {}, String(obj.kind), obj.apiVersion);
      byRevision.set(revision, { revision, template: applied.spec?.template ?? {}, changeCause: cr.metadata.annotations?.[CHANGE_CAUSE], source: cr, printed: applied });
    }
  }
  return [...byRevision.values()].sort((a, b) => a.revision - b.revision);
}

/** describe.DescribePodTemplate written to a plain buffer: the tabs stay, as kubectl prints them. */
async function rawTemplate(template: any): Promise<string> {
  const { PrefixWriter } = await import('../printers/describe/prefix-writer');
  const { describePodTemplate } = await import('../printers/describe/pod-template');
  class RawWriter extends PrefixWriter {
    private raw = '';
    override write(level: number, text: string): void {
      this.raw += '  '.repeat(level) + text;
    }
    override writeLine(...parts: string[]): void {
      this.raw += parts.join(' ') + '\n';
    }
    override flush(): void {}
    override toString(): string {
      return this.raw;
    }
  }
  const w = new RawWriter();
  describePodTemplate(template, w);
  return w.toString();
}

/** history.go's tabbedString: tabwriter with padding 2. */
function historyTable(entries: HistoryEntry[]): string {
  const rows = [['REVISION', 'CHANGE-CAUSE'], ...entries.map((e) => [String(e.revision), e.changeCause || '<none>'])];
  const w = Math.max(...rows.map((r) => r[0].length)) + 2;
  return rows.map((r) => r[0].padEnd(w) + r[1] + '\n').join('');
}

/** ViewHistory: the text after `<kind>/<name> ` (without the printer's final newline). */
export async function viewHistory(source: ObjectSource, obj: KObject, revision: number): Promise<string> {
  const entries = await rolloutHistory(source, obj);
  if (entries.length === 0) return 'No rollout history found.';
  if (revision > 0) {
    const e = entries.find((x) => x.revision === revision);
    if (!e) throw new CliError('unable to find the specified revision');
    return rawTemplate(e.template);
  }
  return historyTable(entries);
}

// ---------- rollback (polymorphichelpers/rollback.go) ----------

const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

function revisionNotFound(r: number): CliError {
  return new CliError(`unable to find specified revision ${r} in history`);
}

/** Pod templates equal apart from the pod-template-hash label. */
function equalIgnoreHash(a: any, b: any): boolean {
  const strip = (t: any) => {
    const c = deepCopy(t ?? {});
    if (c.metadata?.labels) {
      delete c.metadata.labels['pod-template-hash'];
      if (Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
    }
    return c;
  };
  return deepEqual(strip(a), strip(b));
}

/** Rolls back; returns the operation kubectl prints (`rolled back`, `skipped rollback (...)`). */
export async function rollback(source: ObjectSource, type: ResourceType, obj: KObject, toRevision: number, dryRun: DryRunMode): Promise<string> {
  if (toRevision < 0) throw revisionNotFound(toRevision);
  const ns = obj.metadata.namespace;
  const name = obj.metadata.name!;
  const current = await source.tryGet(type, ns, name);
  if (!current) throw ApiError.notFound(pluralGroup(type), name);
  const entries = await rolloutHistory(source, current);
  // kubectl's PATCH carries no field manager: the server names it after the user agent, `kubectl`.
  const write = (patchType: 'json' | 'strategic', patch: unknown) => source.patch(type, ns, name, patchType, JSON.stringify(patch), { dryRun: dryRun === 'server', fieldManager: 'kubectl' });
  if (current.kind === 'Deployment') {
    let target: HistoryEntry | undefined;
    if (toRevision === 0) {
      // the second newest revision
      target = entries.length >= 2 ? entries[entries.length - 2] : undefined;
      if (!target) throw new CliError(`no rollout history found for deployment "${name}"`);
    } else {
      target = entries.find((e) => e.revision === toRevision);
      if (!target) throw revisionNotFound(toRevision);
    }
    const rsTemplate = deepCopy(target.source.spec?.template ?? {});
    if (dryRun === 'client') return rawTemplate(rsTemplate);
    if (current.spec?.paused) throw new CliError("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again");
    if (equalIgnoreHash(rsTemplate, current.spec?.template)) return `skipped rollback (current template already matches revision ${toRevision})`;
    if (rsTemplate.metadata?.labels) delete rsTemplate.metadata.labels['pod-template-hash'];
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(current.metadata.annotations ?? {})) if (ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
    for (const [k, v] of Object.entries(target.source.metadata.annotations ?? {})) if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
    try {
      // getDeploymentPatch: a JSON patch replacing the template and the annotations.
      await write('json', [
        { op: 'replace', path: '/spec/template', value: rsTemplate },
        { op: 'replace', path: '/metadata/annotations', value: annotations },
      ]);
    } catch (e) {
      throw new CliError(`failed restoring revision ${toRevision}: ${(e as Error).message}`);
    }
    return 'rolled back';
  }
  // StatefulSet / DaemonSet: ControllerRevisions
  if (toRevision === 0 && entries.length <= 1) throw new CliError('no last revision to roll back to');
  const target = toRevision === 0 ? entries[entries.length - 2] : entries.find((e) => e.revision === toRevision);
  if (!target) throw revisionNotFound(toRevision);
  // printPodTemplate: history's printTemplate (a plain buffer, the tabs kept)
  if (dryRun === 'client') return `will roll back to ${await rawTemplate(target.template)}`;
  // statefulsetMatch, daemonSetMatch: the patch that would restore the current template is the revision's data
  if (deepEqual({ spec: { template: { ...(current.spec?.template ?? {}), $patch: 'replace' } } }, target.source.data)) return `skipped rollback (current template already matches revision ${toRevision})`;
  try {
    // The revision's data is a strategic merge patch (its template says `$patch: replace`).
    await write('strategic', target.source.data);
  } catch (e) {
    throw new CliError(`failed restoring revision ${toRevision}: ${(e as Error).message}`);
  }
  return 'rolled back';
}

// ---------- pause / resume / restart (objectpauser, objectresumer, objectrestarter) ----------

export type ObjectChange = (obj: KObject, now: number) => void;

export const pauser: ObjectChange = (o) => {
  if (o.kind !== 'Deployment') throw new Error('pausing is not supported');
  if (o.spec?.paused) throw new Error('is already paused');
  o.spec.paused = true;
};

export const resumer: ObjectChange = (o) => {
  if (o.kind !== 'Deployment') throw new Error('resuming is not supported');
  if (!o.spec?.paused) throw new Error('is not paused');
  // false is omitted, as the typed object encodes it (kubectl's patch: "paused":null).
  delete o.spec.paused;
};

export const restarter: ObjectChange = (o, now) => {
  if (!['Deployment', 'DaemonSet', 'StatefulSet'].includes(String(o.kind))) throw new Error('restarting is not supported');
  if (o.kind === 'Deployment' && o.spec?.paused) throw new Error("can't restart paused deployment (run rollout resume first)");
  o.spec ??= {};
  o.spec.template ??= {};
  o.spec.template.metadata ??= {};
  o.spec.template.metadata.annotations = { ...(o.spec.template.metadata.annotations ?? {}), 'kubectl.kubernetes.io/restartedAt': rfc3339Local(now) };
};

