// `kubesim cluster-info` (and `cluster-info dump`): where the control plane "runs" — the
// cluster's state directory — and the cluster services, as kubectl prints them for kind.

import type { Command } from 'commander';
import type { KObject } from '../api/types';
import { objectPath, resourcePath } from '../api/resources';
import type { CliContext } from './context';
import type { Program } from './root';
import { groupHelp, kubectlHelp } from './kubectl-help';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../api/errors';
import { collectList } from './flags/collect';
import { parseGoDuration } from './flags/duration';
import { declareFlagTypes } from './flags/pflag';
import { addPrintFlags, allowMissingKeys, outputArgument, type PrintFlagValues } from './flags/print-flags';
import { checkMutationFormat } from './flags/mutation-output';
import { outputPrinter } from './flags/output';

const DUMP_HINT = "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n";

/** go-colortext's escapes: kubectl writes them even when stdout is not a terminal. */
function colour(code: number, s: string): string {
  return process.env.NO_COLOR ? s : `\x1b[0;${code}m${s}\x1b[0m`;
}

export function serviceLine(name: string, link: string): string {
  return `${colour(32, name)} is running at ${colour(33, link)}\n`;
}

/** utilnet.JoinSchemeNamePort */
function joinSchemeNamePort(scheme: string, name: string, port: string): string {
  if (scheme) return `${scheme}:${name}:${port}`;
  return port ? `${name}:${port}` : name;
}

export function serviceLink(host: string, svc: KObject): string {
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  if (ingress.length) {
    const ip = ingress[0].ip || ingress[0].hostname;
    return (svc.spec?.ports ?? []).map((p: any) => `http://${ip}:${p.port} `).join('');
  }
  let name = svc.metadata.name!;
  const port = svc.spec?.ports?.[0];
  if (port) name = joinSchemeNamePort(port.name === 'https' || port.port === 443 ? 'https' : '', name, port.name ?? '');
  return `${host}/api/v1/namespaces/${svc.metadata.namespace}/services/${name}/proxy`;
}

/** kind's CoreDNS Service, shown when the simulated cluster does not store one. */
const KIND_DNS: KObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' } },
  spec: { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
};

const CLUSTER_INFO_LONG = "Display addresses of the control plane and services with label kubernetes.io/cluster-service=true. To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.";
const CLUSTER_INFO_EXAMPLE = '  # Print the address of the control plane and cluster services\n  kubectl cluster-info';

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('cluster-info')
    .description('Display cluster information')
    .action(p.action((ctx) => runClusterInfo(ctx)));
  cmd.configureHelp({ formatHelp: (c) => groupHelp(c as Command, p.name, CLUSTER_INFO_LONG, CLUSTER_INFO_EXAMPLE, 'cluster-info [flags]') });

  const dump = cmd
    .command('dump')
    .description('Dump relevant information for debugging and diagnosis')
    .option('-A, --all-namespaces', 'If true, dump all namespaces.  If true, --namespaces is ignored.')
    .option('--namespaces <list>', 'A comma separated list of namespaces to dump.', collectList, [])
    .option('--output-directory <dir>', "Where to output the files.  If empty or '-' uses stdout, otherwise creates a directory hierarchy in that directory")
    .option('--pod-running-timeout <duration>', 'The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running', '20s');
  addPrintFlags(dump, { outputDefault: 'json' });
  declareFlagTypes(dump, { 'pod-running-timeout': 'duration' });
  kubectlHelp(dump, p.name, { long: DUMP_LONG, example: DUMP_EXAMPLE, use: 'dump [flags]' }, { output: "'json'", 'output-directory': "''", 'pod-running-timeout': '20s', namespaces: '[]' }).action(
    p.action((ctx, flags: DumpFlags) => runDump(ctx, flags)),
  );
}

const DUMP_LONG = `Dump cluster information out suitable for debugging and diagnosing cluster problems.  By default, dumps everything to stdout. You can optionally specify a directory with --output-directory.  If you specify a directory, Kubernetes will build a set of files in that directory.  By default, only dumps things in the current namespace and 'kube-system' namespace, but you can switch to a different namespace with the --namespaces flag, or specify --all-namespaces to dump all namespaces.

 The command also dumps the logs of all of the pods in the cluster; these logs are dumped into different directories based on namespace and pod name.`;

const DUMP_EXAMPLE = `  # Dump current cluster state to stdout
  kubectl cluster-info dump
  
  # Dump current cluster state to /path/to/cluster-state
  kubectl cluster-info dump --output-directory=/path/to/cluster-state
  
  # Dump all namespaces to stdout
  kubectl cluster-info dump --all-namespaces
  
  # Dump a set of namespaces to /path/to/cluster-state
  kubectl cluster-info dump --namespaces default,kube-system --output-directory=/path/to/cluster-state`;

interface DumpFlags extends PrintFlagValues {
  allNamespaces?: boolean;
  namespaces?: string[];
  outputDirectory?: string;
  podRunningTimeout?: string;
}

export async function runClusterInfo(ctx: CliContext): Promise<number> {
  const api = await ctx.api();
  const host = `kubesim://${ctx.clusterDir}`;
  const namespace = ctx.namespaceExplicit ? ctx.namespace : 'kube-system';
  // --as: the list kubectl makes; refused, it still prints the hint (on stdout), then the error
  const check = await (await import('./impersonation')).requestCheck(ctx.flags, api);
  await check('GET', resourcePath(api.registry.resolve('services'), namespace), { labelSelector: 'kubernetes.io/cluster-service=true' }).catch((e: unknown) => {
    ctx.out(DUMP_HINT);
    throw e;
  });
  const services = (await api
    .list(api.registry.resolve('services'), { namespace, labelMatch: (l) => l['kubernetes.io/cluster-service'] === 'true' }))
    .items;
  if (namespace === 'kube-system' && !services.some((s) => s.metadata.name === 'kube-dns')) services.unshift(KIND_DNS);
  let out = serviceLine('Kubernetes control plane', host);
  for (const svc of services) out += serviceLine(svc.metadata.labels?.['kubernetes.io/name'] || svc.metadata.name!, serviceLink(host, svc));
  ctx.out(out + DUMP_HINT);
  return 0;
}

/** What Run lists in each namespace, with the file each goes to under --output-directory. */
const DUMP_TYPES: [string, string][] = [
  ['events', 'events'],
  ['replicationcontrollers', 'replication-controllers'],
  ['services', 'services'],
  ['daemonsets.apps', 'daemonsets'],
  ['deployments.apps', 'deployments'],
  ['replicasets.apps', 'replicasets'],
  ['pods', 'pods'],
];

/** kubectl's ClusterInfoDumpOptions: Complete (printer, then --pod-running-timeout), then Run. */
export async function runDump(ctx: CliContext, flags: DumpFlags): Promise<number> {
  const output = outputArgument(flags) ?? 'json';
  checkMutationFormat(output);
  if (parseGoDuration(flags.podRunningTimeout ?? '20s') <= 0) throw new CliError('--pod-running-timeout must be higher than zero');
  // One printer for the whole dump: kubectl's YAML printer puts `---` before every list after the first, in files too.
  const printer = outputPrinter(output, ctx, { showManagedFields: flags.showManagedFields, allowMissingKeys: allowMissingKeys(flags), sortJsonKeys: false });
  const format = output.split('=')[0];
  // kubectl's NamePrinter refuses a typed list (it walks only unstructured ones): -o name fails at the first list, the nodes.
  const print = (list: KObject) => () => {
    if (format === 'name') throw new CliError(`list types are not supported by name printing: *v1.${list.kind}`);
    return printer([list], false);
  };
  const ext = format === 'json' ? '.json' : format === 'yaml' ? '.yaml' : '.txt';
  const dir = flags.outputDirectory && flags.outputDirectory !== '-' ? flags.outputDirectory : undefined;
  // setupOutputWriter: stdout, or <dir>/<name><ext> with its parent directories.
  const write = (name: string, extension: string, text: () => string) => {
    if (!dir) return ctx.out(text());
    const file = path.join(dir, name) + extension;
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    // os.Create, then the printer: a printer's error leaves the file there, empty
    const fd = openSync(file, 'w');
    try {
      writeSync(fd, text());
    } finally {
      closeSync(fd);
    }
  };
  const api = await ctx.api();
  // --as: each list and each log request kubectl makes (a refused log is written, not an error)
  const check = await (await import('./impersonation')).requestCheck(ctx.flags, api);
  const list = async (resource: string, namespace?: string) => {
    const type = api.registry.resolve(resource);
    await check('GET', resourcePath(type, namespace));
    const r = await api.list(type, namespace === undefined ? undefined : { namespace });
    const version = type.group ? `${type.group}/${type.version}` : type.version;
    return { kind: `${type.kind}List`, apiVersion: version, metadata: { resourceVersion: r.resourceVersion }, items: r.items } as KObject;
  };
  write('nodes', ext, print(await list('nodes')));
  const namespaces = flags.allNamespaces
    ? ((await list('namespaces')).items as KObject[]).map((n) => n.metadata.name!)
    : flags.namespaces?.length
      ? flags.namespaces
      : ['kube-system', ctx.namespace];
  const { containerLogLines, loadLazy } = await import('./logs');
  await loadLazy();
  for (const ns of namespaces) {
    for (const [resource, file] of DUMP_TYPES) {
      const l = await list(resource, ns);
      write(path.join(ns, file), ext, print(l));
      if (resource !== 'pods') continue;
      for (const pod of l.items as KObject[]) {
        let text = '';
        for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
          text += `==== START logs for container ${c.name} of pod ${ns}/${pod.metadata.name} ====\n`;
          // a refused log: DoRaw's error of a JSON Status (not text), `unknown (get pods NAME)`
          const refused = await check('GET', `${objectPath(api.registry.resolve('pods'), ns, pod.metadata.name!)}/log`).then(
            () => false,
            () => true,
          );
          const r = refused ? { error: `unknown (get pods ${pod.metadata.name})` } : containerLogLines(api, pod, c.name, false, {});
          text += 'error' in r ? `Request log error: ${r.error}\n` : r.lines.map((line) => line + '\n').join('');
          text += `==== END logs for container ${c.name} of pod ${ns}/${pod.metadata.name} ====\n`;
        }
        write(path.join(ns, pod.metadata.name!, 'logs'), '.txt', () => text);
      }
    }
  }
  if (dir) ctx.out(`Cluster info dumped to ${flags.outputDirectory}\n`);
  return 0;
}
