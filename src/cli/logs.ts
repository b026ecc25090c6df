// `kubesim logs`: the container output the simulated kubelet recorded (src/kubelet/logs.ts),
// chosen as kubectl and the kubelet choose it: the current run or `--previous`, the default
// container, the first pod of a workload, `-l` over several pods; with the kubelet's errors
// for containers that have no log yet. Containers whose program kubesim cannot run (an
// nginx image) get one line saying so, clearly marked as simulated.

import { Option, type Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import type { ApiServer } from '../api/server';
import { objectPath, resourcePath } from '../api/resources';
import type { KObject } from '../api/types';
// The kubelet's log and shell modules (and the file store behind them) load when `logs` runs.
const lazy: { logs?: typeof import('../kubelet/logs'); shell?: typeof import('../shell/run') } = {};
export async function loadLazy(): Promise<void> {
  lazy.logs ??= await import('../kubelet/logs');
  lazy.shell ??= await import('../shell/run');
}
const readLogs: typeof import('../kubelet/logs').readLogs = (...a) => lazy.logs!.readLogs(...a);
const containerScript: typeof import('../shell/run').containerScript = (...a) => lazy.shell!.containerScript(...a);
import type { CliContext } from './context';
import type { Program } from './root';
import { kubectlHelp } from './kubectl-help';
import { SELECTOR_HELP } from './flags/resource-builder-flags';
import { parseDuration } from './flags/duration';
import { buildListOptions } from './flags/selectors';
import { containerStatus, defaultContainer, findContainer, resolvePod, DEFAULT_CONTAINER_ANNOTATION } from '../exec/pod-target';
import { sleep } from '../util/sleep';

export interface LogsFlags {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  tail?: string;
  since?: string;
  sinceTime?: string;
  timestamps?: boolean;
  selector?: string;
  allContainers?: boolean;
  allPods?: boolean;
  prefix?: boolean;
  maxLogRequests?: string;
  limitBytes?: string;
  ignoreErrors?: boolean;
  podRunningTimeout?: string;
  requestTimeout?: string;
}

interface Source {
  pod: KObject;
  container: string;
}

/** kubectl's usage error for the arguments, naming the program typed. */
const usage = (program: string) => `expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee '${program} logs -h' for help and examples`;

function intFlag(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^[+-]?\d+$/.test(v.trim())) throw new CliError(`invalid argument "${v}" for "--${name}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}

function nanoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/**
 * Which run of the container the kubelet serves (validateContainerLogStatus), as the
 * restart number its log file is kept under; or the kubelet's error.
 */
export function logRun(pod: KObject, container: string, previous: boolean): { run: number; startedMs: number } | { error: string } {
  const podName = pod.metadata.name;
  const st = containerStatus(pod, container);
  if (!st) return { error: `container "${container}" in pod "${podName}" is not available` };
  const restarts: number = st.restartCount ?? 0;
  const last = st.lastState?.terminated;
  const { waiting, running, terminated } = st.state ?? {};
  // The last run is the current count while backing off (the restart has not happened yet).
  const lastRun = waiting?.reason === 'CrashLoopBackOff' ? restarts : restarts - 1;
  const at = (t: string | undefined) => Date.parse(t ?? '') || 0;
  if (previous) {
    if (!last?.containerID) return { error: `previous terminated container "${container}" in pod "${podName}" not found` };
    return { run: lastRun, startedMs: at(last.startedAt) };
  }
  if (running) return { run: restarts, startedMs: at(running.startedAt) };
  if (terminated) {
    if (terminated.containerID) return { run: restarts, startedMs: at(terminated.startedAt) };
    if (last?.containerID) return { run: lastRun, startedMs: at(last.startedAt) };
    return { error: `container "${container}" in pod "${podName}" is terminated` };
  }
  if (last) {
    if (!last.containerID) return { error: `container "${container}" in pod "${podName}" is terminated` };
    return { run: lastRun, startedMs: at(last.startedAt) };
  }
  if (waiting) {
    if (waiting.reason === 'ErrImagePull') return { error: `container "${container}" in pod "${podName}" is waiting to start: image can't be pulled` };
    if (waiting.reason === 'ImagePullBackOff') return { error: `container "${container}" in pod "${podName}" is waiting to start: trying and failing to pull image` };
    return { error: `container "${container}" in pod "${podName}" is waiting to start: ${waiting.reason}` };
  }
  return { error: `container "${container}" in pod "${podName}" is waiting to start - no logs yet` };
}

/** True when kubesim runs the container's program (a shell script or log annotation). */
function outputSimulated(pod: KObject, spec: any): boolean {
  return containerScript(spec?.command, spec?.args) !== undefined || pod.metadata.annotations?.['kubesim.io/logs'] !== undefined;
}

interface ReadOpts {
  timestamps?: boolean;
  tail?: number;
  sinceMs?: number;
}

/** The lines of one container run, or the kubelet's error. */
export function containerLogLines(api: ApiServer, pod: KObject, container: string, previous: boolean, opts: ReadOpts): { lines: string[] } | { error: string } {
  if (!pod.spec?.nodeName) return { lines: [] }; // not scheduled: the API server returns nothing
  const r = logRun(pod, container, previous);
  if ('error' in r) return r;
  const ns = pod.metadata.namespace ?? 'default';
  const lines = readLogs(api.sim, ns, pod.metadata.name!, container, r.run, opts);
  if (lines && lines.length) return { lines };
  const spec = findContainer(pod, container)?.spec;
  if (outputSimulated(pod, spec)) return { lines: lines ?? [] };
  if (opts.sinceMs !== undefined && r.startedMs < opts.sinceMs) return { lines: [] };
  if (opts.tail === 0) return { lines: [] };
  const text = `[kubesim] container "${container}" (image ${spec?.image ?? '?'}) started; its program's output is not simulated (give a command, or lines with the kubesim.io/logs annotation)`;
  return { lines: [opts.timestamps ? `${nanoTime(r.startedMs)} ${text}` : text] };
}

function containersOf(pod: KObject, flags: LogsFlags, ctx: CliContext, notices: boolean): string[] {
  if (flags.allContainers) {
    return [
      ...(pod.spec?.initContainers ?? []).map((c: any) => c.name),
      ...(pod.spec?.containers ?? []).map((c: any) => c.name),
      ...(pod.spec?.ephemeralContainers ?? []).map((c: any) => c.name),
    ];
  }
  if (flags.container) {
    if (!findContainer(pod, flags.container)) throw new CliError(`container ${flags.container} is not valid for pod ${pod.metadata.name}`);
    return [flags.container];
  }
  const ann = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (ann && !findContainer(pod, ann) && notices) ctx.err(`Default container name "${ann}" not found in pod ${pod.metadata.name}\n`);
  const d = defaultContainer(pod);
  if (d.notice && notices) ctx.err(d.notice);
  return [d.name];
}

export async function runLogs(ctx: CliContext, args: string[], flags: LogsFlags, program = ''): Promise<number> {
  await loadLazy();
  // Complete/Validate: kubectl's argument rules (run and debug pass one pod, so need no program name).
  if (flags.selector && args.length) throw new CliError('only one of selector or a resource name can be provided');
  if (!flags.selector && !args.length) throw new CliError(usage(program));
  if (args.length > 2) throw new CliError(usage(program));
  if (args.length === 2) {
    if (flags.container) throw new CliError(`only one of -c or an inline [CONTAINER] arg is allowed`);
    flags = { ...flags, container: args[1] };
  }
  if (flags.since && flags.sinceTime) throw new CliError('at most one of `sinceTime` or `sinceSeconds` may be specified');
  const limitBytes = intFlag('limit-bytes', flags.limitBytes, 0);
  if (limitBytes < 0) throw new CliError('--limit-bytes must be greater than 0');
  let tail = intFlag('tail', flags.tail, -1);
  if (tail < -1) throw new CliError('--tail must be greater than or equal to -1');
  if (flags.selector && flags.tail === undefined) tail = 10; // kubectl: 10 lines per pod with a selector
  const maxRequests = intFlag('max-log-requests', flags.maxLogRequests, 5);
  if (maxRequests <= 0) throw new CliError('--max-log-requests must be greater than 0');
  const api = await ctx.api();
  await catchUp(ctx, api);
  const now = api.clock.now();
  let sinceMs: number | undefined;
  if (flags.since) {
    const d = parseDuration(flags.since);
    if (d < 0) throw new CliError('--since must be greater than 0');
    if (d > 0) sinceMs = now - d;
  }
  if (flags.sinceTime) {
    sinceMs = Date.parse(flags.sinceTime);
    if (!/^\d{4}-\d\d-\d\dT/.test(flags.sinceTime) || Number.isNaN(sinceMs)) throw new CliError(`parsing time "${flags.sinceTime}" as "2006-01-02T15:04:05Z07:00": cannot parse "${flags.sinceTime}" as "2006"`);
  }

  // Which pods; --as: each request kubectl makes refused as kube-apiserver refuses the user
  const { actingUser, authorizeAs } = await import('./impersonation');
  const user = await actingUser(ctx.flags, api);
  const authorize = (path: string) => authorizeAs(api, user, 'GET', path);
  let pods: KObject[];
  const podType = api.resolve('pods');
  if (flags.selector) {
    const listOptions = buildListOptions(podType, flags.selector, undefined, ctx.namespace);
    await authorize(resourcePath(podType, ctx.namespace));
    pods = (await api.list(podType, listOptions)).items.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    if (!pods.length) {
      ctx.err(`No resources found in ${ctx.namespace} namespace.\n`);
      return 0;
    }
  } else {
    const pick = await resolvePod(api, ctx.namespace, args[0], authorize).catch((e) => {
      // kubectl logs words its builder's NotFound itself (logs.go Complete)
      throw e instanceof ApiError && e.reason === 'NotFound' ? new CliError(`error from server (NotFound): ${e.message} in namespace "${ctx.namespace}"`) : e;
    });
    if (pick.matched > 1) ctx.err(`Found ${pick.matched} pods, using pod/${pick.pod.metadata.name}\n`);
    pods = [pick.pod];
  }
  const sources: Source[] = pods.flatMap((pod) => containersOf(pod, flags, ctx, !flags.selector || pods.length === 1).map((container) => ({ pod, container })));
  if (flags.follow && sources.length > maxRequests) {
    throw new CliError(`you are attempting to follow ${sources.length} log streams, but maximum allowed concurrency is ${maxRequests}, use --max-log-requests to increase the limit`);
  }
  const prefixed = flags.prefix;
  const prefixOf = (s: Source) => (prefixed ? `[pod/${s.pod.metadata.name}/${s.container}] ` : '');
  let written = 0;
  const write = (text: string): boolean => {
    if (limitBytes > 0) {
      const left = limitBytes - written;
      if (left <= 0) return false;
      const b = Buffer.from(text);
      if (b.length > left) text = b.subarray(0, left).toString('utf8');
    }
    written += Buffer.byteLength(text);
    ctx.out(text);
    return true;
  };

  const opts: ReadOpts = { timestamps: flags.timestamps, tail: tail >= 0 ? tail : undefined, sinceMs };
  const printed = new Map<Source, number>();
  for (const s of sources) {
    await authorize(`${objectPath(podType, s.pod.metadata.namespace, s.pod.metadata.name!)}/log`);
    const r = containerLogLines(api, s.pod, s.container, !!flags.previous, opts);
    if ('error' in r) {
      if (flags.ignoreErrors) continue;
      throw ApiError.badRequest(r.error);
    }
    for (const l of r.lines) if (!write(prefixOf(s) + l + '\n')) return 0;
    printed.set(s, r.lines.length);
  }
  if (!flags.follow || flags.previous) return 0;
  return follow(ctx, api, sources, printed, flags, prefixOf, write);
}

/**
 * Without a daemon nothing has run the kubelet since the last verb that waited, while
 * cluster time kept going: let it write the output of the time that passed first.
 */
async function catchUp(ctx: CliContext, api: ApiServer): Promise<void> {
  const { ensureDaemonFor } = await import('./daemon-control');
  if (await ensureDaemonFor(ctx)) return;
  const { createControllerManager } = await import('../controllers');
  const { defaultProfile } = await import('../sim/profile');
  const profile = (await api.sim.profile<any>()) ?? defaultProfile(ctx.clusterName);
  const manager = createControllerManager({ api, clock: api.clock, rng: api.rng, profile, log: () => {} });
  await manager.runUntilStable({ timeoutMs: 0 });
}

/** Whether the container run we print is still going (its stream stays open). */
function stillRunning(pod: KObject | undefined, container: string, run: number): boolean {
  if (!pod) return false;
  const st = containerStatus(pod, container);
  return !!st?.state?.running && (st.restartCount ?? 0) === run;
}

/**
 * `-f`: keeps printing new lines until every followed container stops, or until
 * `--request-timeout` of cluster time. Without a daemon the cluster runs in this process;
 * without a timeout it moves at the pace of real time, so an endless loop reads naturally.
 */
async function follow(ctx: CliContext, api: ApiServer, sources: Source[], printed: Map<Source, number>, flags: LogsFlags, prefixOf: (s: Source) => string, write: (t: string) => boolean): Promise<number> {
  const { driveCluster } = await import('./drive-cluster');
  const STEP_MS = 1000;
  const timeout = flags.requestTimeout ? parseDuration(flags.requestTimeout) : 0;
  const start = api.clock.now();
  const podType = api.resolve('pods');
  // Runs as they were when following began: a restart ends the stream, as in kubectl.
  const runs = new Map<Source, number>();
  for (const s of sources) {
    const r = logRun(s.pod, s.container, false);
    if (!('error' in r)) runs.set(s, r.run);
  }
  let open = sources.filter((s) => runs.has(s) && stillRunning(s.pod, s.container, runs.get(s)!));
  // A container still being created is waited for (kubectl retries until it runs).
  for (;;) {
    for (const s of open) {
      const pod = await api.tryGet(podType, s.pod.metadata.namespace, s.pod.metadata.name!);
      const lines = readLogs(api.sim, s.pod.metadata.namespace ?? 'default', s.pod.metadata.name!, s.container, runs.get(s)!, { timestamps: flags.timestamps }) ?? [];
      for (const l of lines.slice(printed.get(s) ?? 0)) if (!write(prefixOf(s) + l + '\n')) return 0;
      printed.set(s, lines.length);
      if (!stillRunning(pod, s.container, runs.get(s)!)) open = open.filter((o) => o !== s);
    }
    if (!open.length) return 0;
    if (timeout > 0 && api.clock.now() - start >= timeout) return 0;
    const before = api.clock.now();
    await driveCluster(ctx, api, () => api.clock.now() - before >= STEP_MS, STEP_MS);
    if (!timeout) await sleep(STEP_MS);
  }
}

/** kubectl logs's Long, as cobra prints it. */
const LOGS_LONG = `Print the logs for a container in a pod or specified resource. If the pod has only one container, the container name is optional.`;

const LOGS_EXAMPLE = `  # Return snapshot logs from pod nginx with only one container
  kubectl logs nginx
  
  # Return snapshot logs from pod nginx, prefixing each line with the source pod and container name
  kubectl logs nginx --prefix
  
  # Return snapshot logs from pod nginx, limiting output to 500 bytes
  kubectl logs nginx --limit-bytes=500
  
  # Return snapshot logs from pod nginx, waiting up to 20 seconds for it to start running.
  kubectl logs nginx --pod-running-timeout=20s
  
  # Return snapshot logs from pod nginx with multi containers
  kubectl logs nginx --all-containers=true
  
  # Return snapshot logs from all pods in the deployment nginx
  kubectl logs deployment/nginx --all-pods=true
  
  # Return snapshot logs from all containers in pods defined by label app=nginx
  kubectl logs -l app=nginx --all-containers=true
  
  # Return snapshot logs from all pods defined by label app=nginx, limiting concurrent log requests to 10 pods
  kubectl logs -l app=nginx --max-log-requests=10
  
  # Return snapshot of previous terminated ruby container logs from pod web-1
  kubectl logs -p -c ruby web-1
  
  # Begin streaming the logs from pod nginx, continuing even if errors occur
  kubectl logs nginx -f --ignore-errors=true
  
  # Begin streaming the logs of the ruby container in pod web-1
  kubectl logs -f -c ruby web-1
  
  # Begin streaming the logs from all containers in pods defined by label app=nginx
  kubectl logs -f -l app=nginx --all-containers=true
  
  # Display only the most recent 20 lines of output in pod nginx
  kubectl logs --tail=20 nginx
  
  # Show all logs from pod nginx written in the last hour
  kubectl logs --since=1h nginx
  
  # Show all logs with timestamps from pod nginx starting from August 30, 2024, at 06:00:00 UTC
  kubectl logs nginx --since-time=2024-08-30T06:00:00Z --timestamps=true
  
  # Show logs from a kubelet with an expired serving certificate
  kubectl logs --insecure-skip-tls-verify-backend nginx
  
  # Return snapshot logs from first container of a job named hello
  kubectl logs job/hello
  
  # Return snapshot logs from container nginx-1 of a deployment named nginx
  kubectl logs deployment/nginx -c nginx-1`;

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('logs')
    .description('Print the logs for a container in a pod')
    .usage('[-f] [-p] (POD | TYPE/NAME) [-c CONTAINER] [options]')
    .argument('[args...]')
    .option('-c, --container <name>', 'Print the logs of this container')
    .option('-f, --follow', 'Specify if the logs should be streamed.')
    .option('-p, --previous', 'If true, print the logs for the previous instance of the container in a pod if it exists.')
    .option('--tail <lines>', 'Lines of recent log file to display. Defaults to -1 with no selector, showing all log lines otherwise 10, if a selector is provided.')
    .option('--since <duration>', 'Only return logs newer than a relative duration like 5s, 2m, or 3h. Defaults to all logs. Only one of since-time / since may be used.')
    .option('--since-time <time>', 'Only return logs after a specific date (RFC3339). Defaults to all logs. Only one of since-time / since may be used.')
    .option('--timestamps', 'Include timestamps on each line in the log output')
    .option('-l, --selector <selector>', SELECTOR_HELP)
    .option('--all-containers', 'Get all containers\' logs in the pod(s).')
    .option('--all-pods', 'Get logs from all pod(s). Sets prefix to true.')
    .option('--prefix', 'Prefix each log line with the log source (pod name and container name)')
    .option('--max-log-requests <n>', 'Specify maximum number of concurrent logs to follow when using by a selector. Defaults to 5.')
    .option('--limit-bytes <n>', 'Maximum bytes of logs to return. Defaults to no limit.')
    .option('--ignore-errors', 'If watching / following pod logs, allow for any errors that occur to be non-fatal')
    .option('--pod-running-timeout <duration>', 'The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running')
    // The simulated kubelet has no serving certificate to verify.
    .option('--insecure-skip-tls-verify-backend', 'Skip verifying the identity of the kubelet that logs are requested from.  In theory, an attacker could provide invalid log content back. You might want to use this if your kubelet serving certificates have expired.')
    // kubectl's global --request-timeout, which ends -f.
    .addOption(new Option('--request-timeout <duration>', 'With -f: stop following after this much cluster time (e.g. 30s).').hideHelp());
  kubectlHelp(cmd, p.name, { long: LOGS_LONG, example: LOGS_EXAMPLE, use: `logs ${cmd.usage()}` }, { 'limit-bytes': '0', 'max-log-requests': '5', 'pod-running-timeout': '20s', since: '0s', tail: '-1' })
    .action(p.action((ctx, args: string[], flags: LogsFlags) => runLogs(ctx, args, flags.allPods ? { ...flags, prefix: true } : flags, p.name)));
}
