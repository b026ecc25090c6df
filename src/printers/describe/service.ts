// Service and Endpoints describers.
import type { KObject } from '../../api/types';
import { LEVEL_0, LEVEL_1, LEVEL_2, PrefixWriter } from './prefix-writer';
import { formatLabels, printAnnotationsMultiline, printLabelsMultiline, str } from './format';
import { describeEvents } from './events';
import type { DescribeContext } from './context';

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** formatEndpoints: up to 3 `ip:port` of ready addresses for the named port, then `+ N more...`. */
export function formatEndpoints(ep: KObject | undefined, portName: string | undefined): string {
  const subsets: any[] = Array.isArray(ep?.subsets) ? ep!.subsets : [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses: any[] = Array.isArray(ss.addresses) ? ss.addresses : [];
    const ports: any[] = Array.isArray(ss.ports) ? ss.ports : [];
    if (ports.length === 0) {
      for (const a of addresses) {
        if (list.length === max) more = true;
        if (!more) list.push(str(a.ip));
        count++;
      }
      continue;
    }
    for (const p of ports) {
      if (portName !== undefined && str(p.name) !== portName) continue;
      for (const a of addresses) {
        if (list.length === max) more = true;
        if (!more) list.push(joinHostPort(str(a.ip), p.port ?? 0));
        count++;
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

function loadBalancerIngress(ingress: any[]): string {
  return ingress.map((i) => (str(i.ip) !== '' ? str(i.ip) + (i.ipMode ? ` (${i.ipMode})` : '') : str(i.hostname))).join(', ');
}

export function describeService(svc: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  const spec = svc.spec ?? {};
  const endpoints = ctx.get('Endpoints', svc.metadata.namespace, str(svc.metadata.name));
  w.write(LEVEL_0, `Name:\t${str(svc.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(svc.metadata.namespace)}\n`);
  printLabelsMultiline(w, 'Labels', svc.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', svc.metadata.annotations);
  w.write(LEVEL_0, `Selector:\t${formatLabels(spec.selector)}\n`);
  w.write(LEVEL_0, `Type:\t${str(spec.type)}\n`);
  if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) w.write(LEVEL_0, `IP Family Policy:\t${spec.ipFamilyPolicy}\n`);
  const families: string[] = Array.isArray(spec.ipFamilies) ? spec.ipFamilies : [];
  w.write(LEVEL_0, `IP Families:\t${families.length > 0 ? families.join(',') : '<none>'}\n`);
  w.write(LEVEL_0, `IP:\t${str(spec.clusterIP)}\n`);
  const ips: string[] = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [];
  w.write(LEVEL_0, `IPs:\t${ips.length > 0 ? ips.join(',') : '<none>'}\n`);
  if (Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0) w.write(LEVEL_0, `External IPs:\t${spec.externalIPs.join(',')}\n`);
  if (str(spec.loadBalancerIP) !== '') w.write(LEVEL_0, `Desired LoadBalancer IP:\t${spec.loadBalancerIP}\n`);
  if (str(spec.externalName) !== '') w.write(LEVEL_0, `External Name:\t${spec.externalName}\n`);
  const lbIngress: any[] = svc.status?.loadBalancer?.ingress ?? [];
  if (lbIngress.length > 0) w.write(LEVEL_0, `LoadBalancer Ingress:\t${loadBalancerIngress(lbIngress)}\n`);
  for (const sp of Array.isArray(spec.ports) ? spec.ports : []) {
    const name = str(sp.name) === '' ? '<unset>' : str(sp.name);
    const proto = str(sp.protocol ?? 'TCP');
    w.write(LEVEL_0, `Port:\t${name}\t${sp.port ?? 0}/${proto}\n`);
    w.write(LEVEL_0, `TargetPort:\t${str(sp.targetPort ?? sp.port ?? 0)}/${proto}\n`);
    if (typeof sp.nodePort === 'number' && sp.nodePort !== 0) w.write(LEVEL_0, `NodePort:\t${name}\t${sp.nodePort}/${proto}\n`);
    w.write(LEVEL_0, `Endpoints:\t${formatEndpoints(endpoints, str(sp.name))}\n`);
  }
  w.write(LEVEL_0, `Session Affinity:\t${str(spec.sessionAffinity)}\n`);
  if (str(spec.externalTrafficPolicy) !== '') w.write(LEVEL_0, `External Traffic Policy:\t${spec.externalTrafficPolicy}\n`);
  if (spec.internalTrafficPolicy !== undefined && spec.internalTrafficPolicy !== null) w.write(LEVEL_0, `Internal Traffic Policy:\t${spec.internalTrafficPolicy}\n`);
  if (typeof spec.healthCheckNodePort === 'number' && spec.healthCheckNodePort !== 0) w.write(LEVEL_0, `HealthCheck NodePort:\t${spec.healthCheckNodePort}\n`);
  if (Array.isArray(spec.loadBalancerSourceRanges) && spec.loadBalancerSourceRanges.length > 0) {
    w.write(LEVEL_0, `LoadBalancer Source Ranges:\t${spec.loadBalancerSourceRanges.join(',')}\n`);
  }
  if (str(spec.trafficDistribution) !== '') w.write(LEVEL_0, `Traffic Distribution:\t${spec.trafficDistribution}\n`);
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}

export function describeEndpoints(ep: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  w.write(LEVEL_0, `Name:\t${str(ep.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(ep.metadata.namespace)}\n`);
  printLabelsMultiline(w, 'Labels', ep.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', ep.metadata.annotations);
  w.write(LEVEL_0, 'Subsets:\n');
  for (const ss of Array.isArray(ep.subsets) ? ep.subsets : []) {
    const addrs = (ss.addresses ?? []).map((a: any) => str(a.ip)).join(',');
    w.write(LEVEL_1, `Addresses:\t${addrs === '' ? '<none>' : addrs}\n`);
    const notReady = (ss.notReadyAddresses ?? []).map((a: any) => str(a.ip)).join(',');
    w.write(LEVEL_1, `NotReadyAddresses:\t${notReady === '' ? '<none>' : notReady}\n`);
    const ports: any[] = Array.isArray(ss.ports) ? ss.ports : [];
    if (ports.length > 0) {
      w.write(LEVEL_1, 'Ports:\n');
      w.write(LEVEL_2, 'Name\tPort\tProtocol\n');
      w.write(LEVEL_2, '----\t----\t--------\n');
      for (const p of ports) w.write(LEVEL_2, `${str(p.name) === '' ? '<unset>' : p.name}\t${p.port ?? 0}\t${str(p.protocol ?? 'TCP')}\n`);
    }
    w.write(LEVEL_0, '\n');
  }
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}
