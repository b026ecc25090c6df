// `kubesim top node|pod`: resource usage from the simulated metrics-server
// (src/exec/metrics.ts), printed as kubectl's TopCmdPrinter does: every cell TAB-terminated
// through the get-table tabwriter (so lines keep their trailing padding), `123m` / `45Mi`.

import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import { GET_TABLE, tabwrite } from '../printers/tabwriter';
import { cpuMillis, bytes } from '../api/quantity';
import { formatCpu, formatMemory, podTotal, type PodMetrics, type Usage } from '../exec/metrics';
import { nodeUsages, podUsages } from '../exec/metrics-source';
import type { CliContext } from './context';
import type { Program } from './root';
import { groupHelp, kubectlHelp } from './kubectl-help';
import { selectorListOptions } from '../api/list-options';
import { metricsApiListed } from '../api/apiservices';
import { objectPath, resourcePath, type ResourceType } from '../api/resources';
import type { ListOptions } from '../api/server';
import { SELECTOR_HELP } from './flags/resource-builder-flags';

export interface TopNodeFlags {
  selector?: string;
  noHeaders?: boolean;
  sortBy?: string;
  showCapacity?: boolean;
  useProtocolBuffers?: boolean;
}

export interface TopPodFlags extends TopNodeFlags {
  fieldSelector?: string;
  containers?: boolean;
  allNamespaces?: boolean;
  sum?: boolean;
}

/** kubectl's metricsCreationDelay: younger pods without metrics are "not available yet". */
const METRICS_CREATION_DELAY_MS = 2 * 60_000;

/** TopOptions.Validate: pure. */
export function validateTop(sortBy: string | undefined, name: string | undefined, selectors: Array<string | undefined>): void {
  if (sortBy && sortBy !== 'cpu' && sortBy !== 'memory') throw new CliError('--sort-by accepts only cpu or memory');
  if (name && selectors.some((s) => s)) throw new CliError('only one of NAME or selector can be provided');
}

/**
 * The metrics list's filters. kubectl top parses both selectors itself (labels.Parse,
 * fields.ParseSelector: `error: <why>`); a field the metrics API does not select on is its
 * BadRequest, printed as it is (no resource Builder to add "Unable to find ...").
 */
function topListOptions(type: ResourceType, labelSelector: string | undefined, fieldSelector: string | undefined, namespace: string | undefined): ListOptions {
  const clientSide = (e: unknown) => (e instanceof ApiError ? new CliError(e.message) : e);
  try {
    selectorListOptions(type, labelSelector, undefined, namespace);
  } catch (e) {
    throw clientSide(e);
  }
  try {
    return selectorListOptions(type, labelSelector, fieldSelector, namespace);
  } catch (e) {
    throw /^invalid (field )?selector/.test((e as Error).message) ? clientSide(e) : e;
  }
}

/** The metrics API's path kubectl top reads (metrics.k8s.io/v1beta1). */
function metricsPath(plural: 'pods' | 'nodes', namespace: string | undefined, name: string | undefined): string {
  return `/apis/metrics.k8s.io/v1beta1${namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

/** --as: kubectl top's requests, in its order, refused as kube-apiserver refuses them. */
async function authorizeTop(ctx: CliContext, api: ApiServer, paths: string[]): Promise<void> {
  const { actingUser, authorizeAs } = await import('./impersonation');
  const user = await actingUser(ctx.flags, api);
  for (const path of paths) await authorizeAs(api, user, 'GET', path);
}

const cell = (v: string) => `${v}\t`;

function usageCells(u: Usage, available?: { cpuMilli: number; memBytes: number }): string {
  let s = cell(formatCpu(u.cpuMilli));
  if (available) s += cell(`${available.cpuMilli ? Math.trunc((u.cpuMilli / available.cpuMilli) * 100) : 0}%`);
  s += cell(formatMemory(u.memBytes));
  if (available) s += cell(`${available.memBytes ? Math.trunc((u.memBytes / available.memBytes) * 100) : 0}%`);
  return s;
}

export interface NodeRow {
  name: string;
  usage?: Usage;
  available: { cpuMilli: number; memBytes: number };
}

/** The `top node` table; nodes without metrics last, as `<unknown>`. */
export function formatNodeTop(rows: NodeRow[], opts: { noHeaders?: boolean; sortBy?: string }): string {
  const measured = rows.filter((r) => r.usage);
  const missing = rows.filter((r) => !r.usage).sort((a, b) => a.name.localeCompare(b.name));
  sortBy(measured, (r) => r.usage!, (r) => r.name, opts.sortBy);
  let text = '';
  if (!opts.noHeaders) text += ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)'].map(cell).join('') + '\n';
  for (const r of measured) text += cell(r.name) + usageCells(r.usage!, r.available) + '\n';
  for (const r of missing) text += cell(r.name) + cell('<unknown>').repeat(4) + '\n';
  return tabwrite(text, GET_TABLE);
}

/** The `top pod` table (`--containers`: one line per container; `--sum`: totals). */
export function formatPodTop(metrics: PodMetrics[], opts: { noHeaders?: boolean; sortBy?: string; withNamespace?: boolean; containers?: boolean; sum?: boolean }): string {
  let text = '';
  let columns = 3;
  if (!opts.noHeaders) {
    if (opts.withNamespace) {
      text += cell('NAMESPACE');
      columns++;
    }
    if (opts.containers) {
      text += cell('POD');
      columns++;
    }
    text += ['NAME', 'CPU(cores)', 'MEMORY(bytes)'].map(cell).join('') + '\n';
  }
  const sorted = [...metrics];
  sortBy(sorted, podTotal, (m) => (opts.withNamespace ? `${m.namespace}\x00${m.name}` : m.name), opts.sortBy);
  for (const m of sorted) {
    const ns = opts.withNamespace ? cell(m.namespace) : '';
    if (opts.containers) {
      const cs = [...m.containers];
      sortBy(cs, (c) => c, (c) => c.name, opts.sortBy);
      for (const c of cs) text += ns + cell(m.name) + cell(c.name) + usageCells(c) + '\n';
    } else text += ns + cell(m.name) + usageCells(podTotal(m)) + '\n';
  }
  if (opts.sum) {
    const total = metrics.map(podTotal).reduce((a, u) => ({ cpuMilli: a.cpuMilli + u.cpuMilli, memBytes: a.memBytes + u.memBytes }), { cpuMilli: 0, memBytes: 0 });
    text += cell('').repeat(columns - 2) + cell('________') + cell('________') + '\n';
    text += cell('').repeat(columns - 3) + cell('') + usageCells(total) + '\n';
  }
  return tabwrite(text, GET_TABLE);
}

/** kubectl's sorters: cpu and memory descending, else by name (stable for ties). */
function sortBy<T>(items: T[], usage: (t: T) => Usage, name: (t: T) => string, by: string | undefined): void {
  items.sort((a, b) => {
    if (by === 'cpu') return usage(b).cpuMilli - usage(a).cpuMilli;
    if (by === 'memory') return usage(b).memBytes - usage(a).memBytes;
    const x = name(a);
    const y = name(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** Go's time.Duration.String() for a millisecond duration (`2m30.5s`). */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  if (h === 0 && m === 0 && rest < 1000) return `${neg ? '-' : ''}${rest}ms`;
  const secs = (rest / 1000).toFixed(3).replace(/\.?0+$/, '');
  return `${neg ? '-' : ''}${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${secs}s`;
}

/** kubectl top's check of the server's groups (SupportedMetricsAPIVersionAvailable): metrics.k8s.io/v1beta1 listed, not Stale. */
async function requireMetricsApi(api: ApiServer): Promise<void> {
  if (!(await metricsApiListed(api))) throw new CliError('Metrics API not available');
}

export async function runTopNode(ctx: CliContext, name: string | undefined, flags: TopNodeFlags): Promise<number> {
  validateTop(flags.sortBy, name, [flags.selector]);
  const api = await ctx.api();
  const nodeType = api.resolve('nodes');
  const listOptions = name ? undefined : topListOptions(nodeType, flags.selector, undefined, undefined);
  await requireMetricsApi(api);
  // the metrics, then the nodes (their capacity)
  await authorizeTop(ctx, api, [metricsPath('nodes', undefined, name), name ? objectPath(nodeType, undefined, name) : resourcePath(nodeType, undefined)]);
  let nodes: KObject[];
  if (name) {
    const node = await api.tryGet(nodeType, undefined, name);
    if (!node) throw new ApiError('NotFound', `nodemetrics.metrics.k8s.io "${name}" not found`, { name, kind: 'nodemetrics' });
    nodes = [node];
  } else nodes = (await api.list(nodeType, listOptions)).items;
  const rows: NodeRow[] = (await nodeUsages(api, nodes)).map(({ node: n, usage }) => {
    const avail = (flags.showCapacity ? n.status?.capacity : n.status?.allocatable) ?? {};
    return { name: n.metadata.name!, usage, available: { cpuMilli: safe(cpuMillis, avail.cpu), memBytes: safe(bytes, avail.memory) } };
  });
  if (!rows.some((r) => r.usage)) {
    if (name) throw new ApiError('NotFound', `nodemetrics.metrics.k8s.io "${name}" not found`, { name, kind: 'nodemetrics' });
    throw new CliError('metrics not available yet');
  }
  ctx.out(formatNodeTop(rows, flags));
  return 0;
}

function safe(fn: (s: string) => number, v: unknown): number {
  try {
    return v === undefined ? 0 : fn(String(v));
  } catch {
    return 0;
  }
}

export async function runTopPod(ctx: CliContext, name: string | undefined, flags: TopPodFlags): Promise<number> {
  validateTop(flags.sortBy, name, [flags.selector, flags.fieldSelector]);
  const api = await ctx.api();
  const podType = api.resolve('pods');
  const ns = flags.allNamespaces ? undefined : ctx.namespace;
  const listOptions = name ? undefined : topListOptions(podType, flags.selector, flags.fieldSelector, ns);
  await requireMetricsApi(api);
  await authorizeTop(ctx, api, [metricsPath('pods', name ? ctx.namespace : ns, name)]);
  let metrics: PodMetrics[];
  if (name) {
    const pod = await api.tryGet(podType, ctx.namespace, name);
    const m = pod && (await podUsages(api, [pod]))[0];
    // metrics-server answers for the namespace of the request, even with -A
    if (!m) throw new ApiError('NotFound', `podmetrics.metrics.k8s.io "${ctx.namespace}/${name}" not found`, { name, kind: 'podmetrics' });
    metrics = [m];
  } else {
    const pods = (await api.list(podType, listOptions)).items;
    metrics = await podUsages(api, pods);
    if (!metrics.length) {
      await authorizeTop(ctx, api, [resourcePath(podType, ns)]);
      // kubectl's verifyEmptyMetrics: explain why nothing came back.
      const now = api.clock.now();
      for (const p of pods) {
        const age = now - Date.parse(p.metadata.creationTimestamp ?? '');
        if (age > METRICS_CREATION_DELAY_MS) throw new CliError(`Metrics not available for pod ${p.metadata.namespace}/${p.metadata.name}, age: ${goDuration(age)}`);
      }
      if (pods.length) throw new CliError('metrics not available yet');
      ctx.err(flags.allNamespaces ? 'No resources found\n' : `No resources found in ${ctx.namespace} namespace.\n`);
      return 0;
    }
  }
  ctx.out(formatPodTop(metrics, { ...flags, withNamespace: flags.allNamespaces }));
  return 0;
}

/** kubectl top's Long, as cobra prints it. */
const TOP_LONG = `Display resource (CPU/memory) usage.

 The top command allows you to see the resource consumption for nodes or pods.

 This command requires Metrics Server to be correctly configured and working on the server.`;

/** kubectl top pod's Long, as cobra prints it. */
const TOP_POD_LONG = `Display resource (CPU/memory) usage of pods.

 The 'top pod' command allows you to see the resource consumption of pods.

 Due to the metrics pipeline delay, they may be unavailable for a few minutes since pod creation.`;

const TOP_POD_EXAMPLE = `  # Show metrics for all pods in the default namespace
  kubectl top pod
  
  # Show metrics for all pods in the given namespace
  kubectl top pod --namespace=NAMESPACE
  
  # Show metrics for a given pod and its containers
  kubectl top pod POD_NAME --containers
  
  # Show metrics for the pods defined by label name=myLabel
  kubectl top pod -l name=myLabel`;

/** kubectl top node's Long, as cobra prints it. */
const TOP_NODE_LONG = `Display resource (CPU/memory) usage of nodes.

 The top-node command allows you to see the resource consumption of nodes.`;

const TOP_NODE_EXAMPLE = `  # Show metrics for all nodes
  kubectl top node
  
  # Show metrics for a given node
  kubectl top node NODE_NAME`;

/** Go defaults the parser keeps unset to tell "not given" apart. */
const HELP_DEFAULTS = { 'no-headers': 'false', 'use-protocol-buffers': 'true' };

export function register(program: Command, p: Program): void {
  const top = program
    .command('top')
    .description('Display resource (CPU/memory) usage');
  top.configureHelp({ formatHelp: (c) => groupHelp(c as Command, p.name, TOP_LONG, undefined, 'top [flags]') });
  const node = top
    .command('node')
    .aliases(['nodes', 'no'])
    .description('Display resource (CPU/memory) usage of nodes')
    .usage('[NAME | -l label] [options]')
    .argument('[name]')
    .option('--no-headers', 'If present, print output without headers')
    .option('-l, --selector <selector>', SELECTOR_HELP)
    .option('--show-capacity', 'Print node resources based on Capacity instead of Allocatable(default) of the nodes.')
    .option('--sort-by <field>', "If non-empty, sort nodes list using specified field. The field can be either 'cpu' or 'memory'.")
    .option('--use-protocol-buffers [bool]', 'Enables using protocol-buffers to access Metrics API.');
  kubectlHelp(node, p.name, { long: TOP_NODE_LONG, example: TOP_NODE_EXAMPLE, use: 'node [NAME | -l label]' }, HELP_DEFAULTS)
    .action(p.action((ctx, name: string | undefined, flags: TopNodeFlags & { headers?: boolean }) => runTopNode(ctx, name, { ...flags, noHeaders: flags.headers === false })));
  const pod = top
    .command('pod')
    .aliases(['pods', 'po'])
    .description('Display resource (CPU/memory) usage of pods')
    .usage('[NAME | -l label] [options]')
    .argument('[name]')
    .option('-A, --all-namespaces', 'If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.')
    .option('--containers', 'If present, print usage of containers within a pod.')
    .option('--field-selector <selector>', "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type.")
    .option('--no-headers', 'If present, print output without headers.')
    .option('-l, --selector <selector>', SELECTOR_HELP)
    .option('--sort-by <field>', "If non-empty, sort pods list using specified field. The field can be either 'cpu' or 'memory'.")
    .option('--sum', 'Print the sum of the resource usage')
    .option('--use-protocol-buffers [bool]', 'Enables using protocol-buffers to access Metrics API.');
  kubectlHelp(pod, p.name, { long: TOP_POD_LONG, example: TOP_POD_EXAMPLE, use: 'pod [NAME | -l label]' }, HELP_DEFAULTS)
    .action(p.action((ctx, name: string | undefined, flags: TopPodFlags & { headers?: boolean }) => runTopPod(ctx, name, { ...flags, noHeaders: flags.headers === false })));
}
