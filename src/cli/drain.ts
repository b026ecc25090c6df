// `kubesim drain NODE`, as kubectl's pkg/cmd/drain and pkg/drain: cordon, filter the node's
// pods (DaemonSet-managed, local storage, unmanaged), evict them through the eviction
// subresource, which honours PodDisruptionBudgets (retried every 5s on a 429), wait for them
// to go, and report with kubectl's lines, warnings and errors. Through the daemon's API when
// it serves (the requests kubectl sends), else on the store in this process.

import { Option, type Command } from 'commander';
import { CliError } from '../api/errors';
import type { KObject } from '../api/types';
import { controllerOf, isPodTerminal } from '../controllers/controller-utils';
import type { CliContext } from './context';
import type { Program } from './root';
import { checkNodeArgs, cordonNodes, resolveNodes } from './cordon';
import { withObjectSource, type ObjectSource } from './object-source';
import { SELECTOR_HELP } from './flags/resource-builder-flags';
import { kubectlHelp } from './kubectl-help';
import { dryRunOption, parseDryRun, type DryRunMode } from './flags/dry-run';
import { parseDuration } from './flags/duration';
import { PrintedError } from './format-error';
import { unboundedWaitMs } from './rollout';

interface DrainFlags {
  selector?: string;
  podSelector?: string;
  force?: boolean;
  gracePeriod?: string;
  ignoreDaemonsets?: boolean;
  deleteEmptydirData?: boolean;
  deleteLocalData?: boolean;
  disableEviction?: boolean;
  timeout?: string;
  skipWaitForDeleteTimeout?: string;
  dryRun?: string | boolean;
  ignoreErrors?: boolean;
  chunkSize?: string;
}

// ---------- pod filters (pkg/drain/filters.go) ----------

const DAEMONSET_FATAL = 'DaemonSet-managed Pods (use --ignore-daemonsets to ignore)';
const DAEMONSET_WARNING = 'ignoring DaemonSet-managed Pods';
const LOCAL_STORAGE_FATAL = 'Pods with local storage (use --delete-emptydir-data to override)';
const LOCAL_STORAGE_WARNING = 'deleting Pods with local storage';
// kubectl 1.32's own text: its "cannot delete " prefix is doubled by the error list's
const UNMANAGED_FATAL = 'cannot delete Pods that declare no controller (use --force to override)';
const UNMANAGED_WARNING = 'deleting Pods that declare no controller';

interface PodDeleteStatus {
  delete: boolean;
  reason: 'Okay' | 'Skip' | 'Warning' | 'Error';
  message: string;
}

const okay = (): PodDeleteStatus => ({ delete: true, reason: 'Okay', message: '' });
const skip = (): PodDeleteStatus => ({ delete: false, reason: 'Skip', message: '' });
const warning = (del: boolean, message: string): PodDeleteStatus => ({ delete: del, reason: 'Warning', message });
const fatal = (message: string): PodDeleteStatus => ({ delete: false, reason: 'Error', message });

export interface DrainOptions {
  force: boolean;
  ignoreDaemonSets: boolean;
  deleteEmptyDirData: boolean;
  skipWaitForDeleteTimeoutSeconds: number;
}

export interface PodDelete {
  pod: KObject;
  status: PodDeleteStatus;
}


/** filterPods with makeFilters(): the last filter's verdict is the pod's (as upstream). */
export async function filterPods(source: ObjectSource, pods: KObject[], o: DrainOptions, now: number): Promise<PodDelete[]> {
  const dsType = source.registry.forKind('apps/v1', 'DaemonSet');
  const filters: Array<(pod: KObject) => PodDeleteStatus | Promise<PodDeleteStatus>> = [
    (pod) => {
      const del = pod.metadata.deletionTimestamp;
      if (o.skipWaitForDeleteTimeoutSeconds > 0 && del && (now - Date.parse(del)) / 1000 > o.skipWaitForDeleteTimeoutSeconds) return skip();
      return okay();
    },
    async (pod) => {
      const ref = controllerOf(pod);
      if (!ref || ref.kind !== 'DaemonSet') return okay();
      if (isPodTerminal(pod)) return okay();
      if (!await source.tryGet(dsType, pod.metadata.namespace, ref.name)) {
        const msg = `daemonsets.apps "${ref.name}" not found`;
        return o.force ? warning(true, msg) : fatal(msg);
      }
      return o.ignoreDaemonSets ? warning(false, DAEMONSET_WARNING) : fatal(DAEMONSET_FATAL);
    },
    (pod) => (pod.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined ? skip() : okay()),
    (pod) => {
      if (!(pod.spec?.volumes ?? []).some((v: any) => v.emptyDir)) return okay();
      if (isPodTerminal(pod)) return okay();
      return o.deleteEmptyDirData ? warning(true, LOCAL_STORAGE_WARNING) : fatal(LOCAL_STORAGE_FATAL);
    },
    (pod) => {
      if (isPodTerminal(pod)) return okay();
      if (controllerOf(pod)) return okay();
      return o.force ? warning(true, UNMANAGED_WARNING) : fatal(UNMANAGED_FATAL);
    },
  ];
  const out: PodDelete[] = [];
  for (const pod of pods) {
    let status = okay();
    for (const f of filters) {
      status = await f(pod);
      if (!status.delete) break;
    }
    out.push({ pod, status });
  }
  return out;
}

const ref = (p: KObject) => `${p.metadata.namespace}/${p.metadata.name}`;

/** Groups pod refs by message, in order of first appearance. */
function byMessage(items: PodDelete[], keep: (s: PodDeleteStatus) => boolean): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const x of items) {
    if (!keep(x.status)) continue;
    const msg = x.status.message || 'unexpected error';
    m.set(msg, [...(m.get(msg) ?? []), ref(x.pod)]);
  }
  return m;
}

export function podDeleteErrors(items: PodDelete[]): string[] {
  return [...byMessage(items, (s) => !s.delete && s.reason === 'Error')].map(([msg, pods]) => `cannot delete ${msg}: ${pods.join(', ')}`);
}

export function podDeleteWarnings(items: PodDelete[]): string {
  return [...byMessage(items, (s) => s.reason === 'Warning')].map(([msg, pods]) => `${msg}: ${pods.join(', ')}`).join('; ');
}

/** What an eviction's refusal is: gone (404), a budget that says later (429), or final. */
function evictionOutcome(e: unknown): 'notFound' | 'retry' | 'error' {
  const reason = (e as { reason?: unknown }).reason;
  if (reason === 'NotFound') return 'notFound';
  return reason === 'TooManyRequests' ? 'retry' : 'error';
}

// ---------- durations as Go prints them ----------

/** time.Duration.String() for whole milliseconds (`30s`, `1m0s`, `1h0m0s`, `500ms`). */
export function goDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '2562047h47m16.854775807s';
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  if (h) return `${h}h${m}m${sec}`;
  if (m) return `${m}m${sec}`;
  return sec;
}

// ---------- evicting / deleting with waits ----------

interface PodProgress {
  pod: KObject;
  phase: 'evict' | 'wait' | 'done';
  nextAt: number;
  waitUntil: number;
  error?: string;
}

/**
 * evictPods / deletePods: every pod proceeds on its own (kubectl runs one goroutine each),
 * stepping on the cluster clock; returns the errors, kubectl's texts.
 */
async function removePods(ctx: CliContext, source: ObjectSource, pods: KObject[], opts: { eviction: boolean; gracePeriod: number; timeoutMs: number; dryRun: DryRunMode }): Promise<string[]> {
  if (pods.length === 0) return [];
  const podType = source.registry.forKind('v1', 'Pod');
  const globalTimeout = opts.timeoutMs > 0 ? opts.timeoutMs : Number.POSITIVE_INFINITY;
  // On the clock the source's poll runs on (the cluster's in-process, the wall clock remote), from the first step.
  let deadline: number | undefined;
  const grace = opts.gracePeriod >= 0 ? opts.gracePeriod : undefined;
  // kubectl starts a goroutine per pod, in order; Go runs the last one started first (the
  // scheduler's runnext), then the others in order: so go its lines with one P (GOMAXPROCS=1).
  const started = opts.eviction && pods.length > 1 ? [pods[pods.length - 1], ...pods.slice(0, -1)] : pods;
  const state: PodProgress[] = started.map((pod) => ({ pod, phase: 'evict', nextAt: Number.NEGATIVE_INFINITY, waitUntil: 0 }));
  const gone = async (p: KObject) => {
    const o = await source.tryGet(podType, p.metadata.namespace, p.metadata.name!);
    return !o || o.metadata.uid !== p.metadata.uid;
  };
  const name = (p: KObject) => p.metadata.name!;
  const ns = (p: KObject) => p.metadata.namespace!;

  if (!opts.eviction) {
    // deletePods: delete all, then wait for all (the overall timeout, or forever).
    for (const p of pods) {
      try {
        await source.delete(podType, ns(p), name(p), { gracePeriodSeconds: grace, dryRun: opts.dryRun === 'server' });
      } catch (e) {
        if (!/not found/.test((e as Error).message)) return [(e as Error).message];
      }
    }
    if (opts.dryRun === 'server') return [];
    const pending = new Set(pods);
    const step = async () => {
      for (const p of [...pending]) {
        if (await gone(p)) {
          pending.delete(p);
          ctx.out(`pod/${name(p)} deleted\n`);
        }
      }
      return pending.size === 0;
    };
    const limit = Number.isFinite(globalTimeout) ? globalTimeout : await unboundedWaitMs(ctx);
    return (await source.poll(ctx, step, limit)) ? [] : ['timed out waiting for the condition'];
  }

  const step = async (now: number): Promise<boolean> => {
    deadline ??= now + globalTimeout;
    for (const s of state) {
      const p = s.pod;
      if (s.phase === 'evict' && now >= s.nextAt) {
        ctx.out(`evicting pod ${ns(p)}/${name(p)}${opts.dryRun === 'server' ? ' (server dry run)' : ''}\n`);
        if (now >= deadline) {
          s.phase = 'done';
          s.error = `error when evicting pods/"${name(p)}" -n "${ns(p)}": global timeout reached: ${goDuration(globalTimeout)}`;
          continue;
        }
        try {
          await source.evict(ns(p), name(p), { gracePeriodSeconds: grace, dryRun: opts.dryRun === 'server' });
        } catch (e) {
          if (!(e instanceof Error) || !('reason' in e)) throw e; // not the server's answer
          const outcome = evictionOutcome(e);
          if (outcome === 'notFound') {
            s.phase = 'done';
          } else if (outcome === 'retry') {
            ctx.err(`error when evicting pods/"${name(p)}" -n "${ns(p)}" (will retry after 5s): ${e.message}\n`);
            s.nextAt = now + 5000;
          } else {
            s.phase = 'done';
            s.error = `error when evicting pods/"${name(p)}" -n "${ns(p)}": ${e.message}`;
          }
          continue;
        }
        if (opts.dryRun === 'server') {
          s.phase = 'done';
          continue;
        }
        s.phase = 'wait';
        // The pod's grace period, plus the simulated kubelet's reaction time.
        s.waitUntil = now + ((grace ?? p.spec?.terminationGracePeriodSeconds ?? 30) + 5) * 1000;
      }
      if (s.phase === 'wait') {
        if (await gone(p)) {
          s.phase = 'done';
          ctx.out(`pod/${name(p)} evicted\n`);
        } else if (now >= deadline) {
          s.phase = 'done';
          s.error = `error when waiting for pod "${name(p)}" in namespace "${ns(p)}" to terminate: global timeout reached: ${goDuration(globalTimeout)}`;
        } else if (now > s.waitUntil) {
          s.phase = 'done';
          s.error = `error when waiting for pod "${name(p)}" in namespace "${ns(p)}" to terminate: timed out waiting for the condition`;
        }
      }
    }
    return state.every((s) => s.phase === 'done');
  };
  {
    // The loop ends by itself at the global timeout; without one, in-process waits are bounded.
    // (an attempt due at the deadline comes up to 5s after it, hence the slack).
    const limit = Number.isFinite(globalTimeout) ? globalTimeout + 10_000 : await unboundedWaitMs(ctx);
    const ok = await source.poll(ctx, step, limit);
    if (!ok) {
      for (const s of state) {
        if (s.phase !== 'done') s.error = `error when evicting pods/"${name(s.pod)}" -n "${ns(s.pod)}": global timeout reached: ${goDuration(Number.isFinite(globalTimeout) ? globalTimeout : limit)}`;
      }
    }
  }
  return state.filter((s) => s.error).map((s) => s.error!);
}

/** utilerrors.Aggregate's Error(): one message, or `[a, b]` (duplicates dropped). */
function aggregateMessage(errs: string[]): string {
  const uniq = [...new Set(errs)];
  return uniq.length === 1 ? uniq[0] : `[${uniq.join(', ')}]`;
}

// ---------- the verb ----------

function intFlag(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^[+-]?\d+$/.test(v.trim())) throw new CliError(`invalid argument "${v}" for "--${name}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}

/** Cordons the nodes, then evicts (or deletes) each one's pods: the nodes left undrained, with their errors. */
async function drainNodes(
  ctx: CliContext,
  source: ObjectSource,
  args: string[],
  flags: DrainFlags,
  options: DrainOptions,
  o: { dryRun: DryRunMode; gracePeriod: number; timeoutMs: number },
): Promise<{ fatalErrors: string[][]; remaining: string[] }> {
  const { dryRun } = o;
  const nodes = await resolveNodes(source, args, flags);
  const podType = source.registry.forKind('v1', 'Pod');
  // kubectl lists them cluster-wide by field selector (and the --pod-selector labels).
  const podsOn = async (nodeName: string) => filterPods(source, await source.list(podType, undefined, flags.podSelector, `spec.nodeName=${nodeName}`), options, source.now());

  await cordonNodes(ctx, source, nodes, true, dryRun);

  const fatalErrors: string[][] = [];
  const remaining: string[] = [];
  for (const node of nodes) {
    const nodeName = node.metadata.name!;
    const list = await podsOn(nodeName);
    let errs = podDeleteErrors(list);
    if (errs.length === 0) {
      const warnings = podDeleteWarnings(list);
      if (warnings) ctx.err(`Warning: ${warnings}\n`);
      const toRemove = list.filter((x) => x.status.delete).map((x) => x.pod);
      if (dryRun === 'client') {
        for (const p of toRemove) ctx.out(`evicting pod ${ref(p)} (dry run)\n`);
      } else {
        errs = await removePods(ctx, source, toRemove, { eviction: !flags.disableEviction, gracePeriod: o.gracePeriod, timeoutMs: o.timeoutMs, dryRun });
        if (errs.length) {
          const pending = (await podsOn(nodeName)).filter((x) => x.status.delete);
          if (pending.length) {
            ctx.err(`There are pending pods in node "${nodeName}" when an error occurred: ${aggregateMessage(errs)}\n`);
            for (const x of pending) ctx.err(`pod/${x.pod.metadata.name}\n`);
          }
        }
      }
    }
    if (errs.length === 0) {
      ctx.out(`node/${nodeName} drained${dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : ''}\n`);
      continue;
    }
    ctx.err(`error: unable to drain node "${nodeName}" due to error: ${aggregateMessage(errs)}, continuing command...\n`);
    fatalErrors.push(errs);
    remaining.push(nodeName);
  }
  return { fatalErrors, remaining };
}

export async function runDrain(ctx: CliContext, args: string[], flags: DrainFlags, cmdPath: string): Promise<number> {
  const dryRun = parseDryRun(ctx, flags.dryRun);
  const gracePeriod = intFlag('grace-period', flags.gracePeriod, -1);
  const timeoutMs = parseDuration(flags.timeout ?? '0s');
  const skipWait = intFlag('skip-wait-for-delete-timeout', flags.skipWaitForDeleteTimeout, 0);
  if (flags.deleteLocalData) ctx.err('Flag --delete-local-data has been deprecated, This option is deprecated and will be deleted. Use --delete-emptydir-data.\n');
  checkNodeArgs(args, flags, 'drain NODE', cmdPath);
  // A bad --pod-selector fails before anything is written.
  if (flags.podSelector) (await import('../api/selectors')).parseLabelSelector(flags.podSelector);
  const options: DrainOptions = {
    force: !!flags.force,
    ignoreDaemonSets: !!flags.ignoreDaemonsets,
    deleteEmptyDirData: !!(flags.deleteEmptydirData || flags.deleteLocalData),
    skipWaitForDeleteTimeoutSeconds: skipWait,
  };
  const { fatalErrors, remaining } = await withObjectSource(ctx, (source) => drainNodes(ctx, source, args, flags, options, { dryRun, gracePeriod, timeoutMs }));
  if (remaining.length) {
    ctx.err(`There are pending nodes to be drained:\n${remaining.map((n) => ` ${n}\n`).join('')}`);
    // CheckErr on an aggregate of aggregates: one node → its errors one per line; several →
    // each node's aggregate message on its own line.
    const lines = fatalErrors.length === 1 ? [...new Set(fatalErrors[0])] : fatalErrors.map(aggregateMessage);
    throw new PrintedError(lines.map((l) => l + '\n').join(''));
  }
  return 0;
}

const DRAIN_LONG = `Drain node in preparation for maintenance.

 The given node will be marked unschedulable to prevent new pods from arriving. 'drain' evicts the pods if the API server supports https://kubernetes.io/docs/concepts/workloads/pods/disruptions/ eviction https://kubernetes.io/docs/concepts/workloads/pods/disruptions/ . Otherwise, it will use normal DELETE to delete the pods. The 'drain' evicts or deletes all pods except mirror pods (which cannot be deleted through the API server).  If there are daemon set-managed pods, drain will not proceed without --ignore-daemonsets, and regardless it will not delete any daemon set-managed pods, because those pods would be immediately replaced by the daemon set controller, which ignores unschedulable markings.  If there are any pods that are neither mirror pods nor managed by a replication controller, replica set, daemon set, stateful set, or job, then drain will not delete any pods unless you use --force.  --force will also allow deletion to proceed if the managing resource of one or more pods is missing.

 'drain' waits for graceful termination. You should not operate on the machine until the command completes.

 When you are ready to put the node back into service, use kubectl uncordon, which will make the node schedulable again.

https://kubernetes.io/images/docs/kubectl_drain.svg Workflowhttps://kubernetes.io/images/docs/kubectl_drain.svg`;

const DRAIN_EXAMPLE = `  # Drain node "foo", even if there are pods not managed by a replication controller, replica set, job, daemon set, or stateful set on it
  kubectl drain foo --force
  
  # As above, but abort if there are pods not managed by a replication controller, replica set, job, daemon set, or stateful set, and use a grace period of 15 minutes
  kubectl drain foo --grace-period=900`;

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('drain')
    .description('Drain node in preparation for maintenance')
    .usage('NODE [flags]')
    .argument('[nodes...]')
    .option('--chunk-size <n>', 'Return large lists in chunks rather than all at once. Pass 0 to disable. This flag is beta and may change in the future.', '500')
    .option('--delete-emptydir-data', 'Continue even if there are pods using emptyDir (local data that will be deleted when the node is drained).')
    // Deprecated and hidden in kubectl; still accepted.
    .addOption(new Option('--delete-local-data', 'Deprecated: use --delete-emptydir-data.').hideHelp())
    .option('--disable-eviction', 'Force drain to use delete, even if eviction is supported. This will bypass checking PodDisruptionBudgets, use with caution.')
    .addOption(dryRunOption())
    .option('--force', 'Continue even if there are pods that do not declare a controller.')
    .option('--grace-period <seconds>', 'Period of time in seconds given to each pod to terminate gracefully. If negative, the default value specified in the pod will be used.', '-1')
    .option('--ignore-daemonsets', 'Ignore DaemonSet-managed pods.')
    .addOption(new Option('--ignore-errors', 'Ignore errors occurred between drain nodes in group.').hideHelp())
    .option('--pod-selector <selector>', 'Label selector to filter pods on the node')
    .option('-l, --selector <selector>', SELECTOR_HELP)
    .option('--skip-wait-for-delete-timeout <seconds>', 'If pod DeletionTimestamp older than N seconds, skip waiting for the pod.  Seconds must be greater than 0 to skip.', '0')
    .option('--timeout <duration>', 'The length of time to wait before giving up, zero means infinite', '0s');
  kubectlHelp(cmd, p.name, { long: DRAIN_LONG, example: DRAIN_EXAMPLE, use: 'drain NODE' }, { 'chunk-size': '500', 'grace-period': '-1', 'skip-wait-for-delete-timeout': '0', timeout: '0s' })
    .action(p.action((ctx, nodes: string[], flags: DrainFlags) => runDrain(ctx, nodes, flags, `${p.name} drain`)));
}
