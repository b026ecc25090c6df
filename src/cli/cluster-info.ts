// `kubesim cluster-info` (and `cluster-info dump`): where the control plane "runs" — the
// cluster's state directory — and the cluster services, as kubectl prints them for kind.

import type { Command } from 'commander';
import type { KObject } from '../api/types';
import type { CliContext } from './context';
import type { Program } from './root';
import { groupHelp } from './kubectl-help';

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

  cmd
    .command('dump')
    .description('Dump relevant information for debugging and diagnosis')
    .option('-A, --all-namespaces', 'If true, dump all namespaces.  If true, --namespaces is ignored.')
    .option('--namespaces <list>', 'A comma separated list of namespaces to dump.')
    .option('-o, --output <format>', 'Output format. One of: (json, yaml).', 'json')
    .action(p.action((ctx, flags: { allNamespaces?: boolean; namespaces?: string; output?: string }) => runDump(ctx, flags)));
}

export async function runClusterInfo(ctx: CliContext): Promise<number> {
  const api = await ctx.api();
  const host = `kubesim://${ctx.clusterDir}`;
  const namespace = ctx.namespaceExplicit ? ctx.namespace : 'kube-system';
  const services = (await api
    .list(api.registry.resolve('services'), { namespace, labelMatch: (l) => l['kubernetes.io/cluster-service'] === 'true' }))
    .items;
  if (namespace === 'kube-system' && !services.some((s) => s.metadata.name === 'kube-dns')) services.unshift(KIND_DNS);
  let out = serviceLine('Kubernetes control plane', host);
  for (const svc of services) out += serviceLine(svc.metadata.labels?.['kubernetes.io/name'] || svc.metadata.name!, serviceLink(host, svc));
  ctx.out(out + DUMP_HINT);
  return 0;
}

const DUMP_TYPES = ['events', 'replicationcontrollers', 'services', 'daemonsets.apps', 'deployments.apps', 'replicasets.apps', 'pods'];

export async function runDump(ctx: CliContext, flags: { allNamespaces?: boolean; namespaces?: string; output?: string }): Promise<number> {
  const api = await ctx.api();
  const format = flags.output ?? 'json';
  const YAML = format === 'yaml' ? await import('yaml') : undefined;
  const print = (kind: string, items: KObject[], rv: string) => {
    const list = { kind: `${kind}List`, apiVersion: kind === 'Node' || kind === 'Event' || kind === 'Service' || kind === 'Pod' || kind === 'ReplicationController' ? 'v1' : 'apps/v1', metadata: { resourceVersion: rv }, items };
    ctx.out(YAML ? YAML.stringify(list) : JSON.stringify(list, null, 4) + '\n');
  };
  const nodes = await api.list(api.registry.resolve('nodes'));
  print('Node', nodes.items, nodes.resourceVersion);
  const namespaces = flags.allNamespaces
    ? (await api.list(api.registry.resolve('namespaces'))).items.map((n) => n.metadata.name!)
    : flags.namespaces
      ? flags.namespaces.split(',')
      : ['default', 'kube-system'];
  for (const ns of namespaces) {
    for (const t of DUMP_TYPES) {
      const type = api.registry.resolve(t);
      const r = await api.list(type, { namespace: ns });
      print(type.kind, r.items, r.resourceVersion);
    }
  }
  return 0;
}
