// Node describer, including the Non-terminated Pods and Allocated resources tables.
import type { KObject } from '../../api/types';
import { LEVEL_0, LEVEL_1, PrefixWriter } from './prefix-writer';
import { compareStrings, printAnnotationsMultiline, printLabelsMultiline, printTaintsMultiline, sortedKeys, str } from './format';
import { describeEvents } from './events';
import { canonical, formatQuantity, milliValue, value, ZERO, type Quantity } from '../../api/quantity';
import { rfc1123z, since } from './time';
import type { DescribeContext } from './context';
import { addList, podResourceTotal, resourceList, type ResourceList } from '../../api/pod-resources';

/** resourcehelper.PodRequestsAndLimits, including init containers (and sidecars) and overhead. */
export function podRequestsAndLimits(pod: KObject): { reqs: ResourceList; limits: ResourceList } {
  return { reqs: podResourceTotal(pod, 'requests', true), limits: podResourceTotal(pod, 'limits', true) };
}

const pct = (part: number, whole: number) => (whole === 0 ? 0 : Math.trunc((part / whole) * 100));

function findNodeRoles(node: KObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role !== '') roles.add(role);
    } else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
  }
  return [...roles].sort(compareStrings);
}

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

function describeNodeResource(pods: KObject[], node: KObject, w: PrefixWriter, now: number): void {
  w.write(LEVEL_0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  w.write(LEVEL_1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
  w.write(LEVEL_1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
  const allocatable = resourceList(Object.keys(node.status?.allocatable ?? {}).length > 0 ? node.status.allocatable : node.status?.capacity);
  const get = (l: ResourceList, k: string) => l.get(k) ?? ZERO;
  const allocCpu = milliValue(get(allocatable, 'cpu'));
  const allocMem = value(get(allocatable, 'memory'));
  for (const pod of pods) {
    const { reqs, limits } = podRequestsAndLimits(pod);
    const cr = get(reqs, 'cpu');
    const cl = get(limits, 'cpu');
    const mr = get(reqs, 'memory');
    const ml = get(limits, 'memory');
    w.write(
      LEVEL_1,
      `${str(pod.metadata.namespace)}\t${str(pod.metadata.name)}\t\t${formatQuantity(cr)} (${pct(milliValue(cr), allocCpu)}%)\t` +
        `${formatQuantity(cl)} (${pct(milliValue(cl), allocCpu)}%)\t${formatQuantity(mr)} (${pct(value(mr), allocMem)}%)\t` +
        `${formatQuantity(ml)} (${pct(value(ml), allocMem)}%)\t${since(pod.metadata.creationTimestamp, now)}\n`,
    );
  }
  w.write(LEVEL_0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
  w.write(LEVEL_1, 'Resource\tRequests\tLimits\n');
  w.write(LEVEL_1, '--------\t--------\t------\n');
  const reqs: ResourceList = new Map();
  const limits: ResourceList = new Map();
  for (const pod of pods) {
    const r = podRequestsAndLimits(pod);
    addList(reqs, r.reqs);
    addList(limits, r.limits);
  }
  const row = (name: string, unit: (q: Quantity) => number) => {
    const whole = unit(get(allocatable, name));
    const rq = get(reqs, name);
    const lq = get(limits, name);
    w.write(LEVEL_1, `${name}\t${formatQuantity(rq)} (${pct(unit(rq), whole)}%)\t${formatQuantity(lq)} (${pct(unit(lq), whole)}%)\n`);
  };
  row('cpu', milliValue);
  row('memory', value);
  row('ephemeral-storage', value);
  const names = [...allocatable.keys()].sort(compareStrings);
  for (const name of names.filter((n) => n.startsWith('hugepages-'))) row(name, value);
  for (const name of names) {
    if (name.startsWith('hugepages-') || name === 'pods') continue;
    if (STANDARD_CONTAINER_RESOURCES.has(name)) continue;
    w.write(LEVEL_1, `${name}\t${formatQuantity(get(reqs, name))}\t${formatQuantity(get(limits, name))}\n`);
  }
}

export function describeNode(node: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  const name = str(node.metadata.name);
  const spec = node.spec ?? {};
  const status = node.status ?? {};
  w.write(LEVEL_0, `Name:\t${name}\n`);
  const roles = findNodeRoles(node);
  w.write(LEVEL_0, `Roles:\t${roles.length > 0 ? roles.join(',') : '<none>'}\n`);
  printLabelsMultiline(w, 'Labels', node.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', node.metadata.annotations);
  w.write(LEVEL_0, `CreationTimestamp:\t${rfc1123z(node.metadata.creationTimestamp)}\n`);
  printTaintsMultiline(w, 'Taints', spec.taints);
  w.write(LEVEL_0, `Unschedulable:\t${spec.unschedulable === true}\n`);
  const lease = ctx.get('Lease', 'kube-node-lease', name);
  if (lease) {
    w.write(LEVEL_0, 'Lease:\n');
    w.write(LEVEL_1, `HolderIdentity:\t${lease.spec?.holderIdentity ?? '<unset>'}\n`);
    w.write(LEVEL_1, `AcquireTime:\t${lease.spec?.acquireTime ? rfc1123z(lease.spec.acquireTime) : '<unset>'}\n`);
    w.write(LEVEL_1, `RenewTime:\t${lease.spec?.renewTime ? rfc1123z(lease.spec.renewTime) : '<unset>'}\n`);
  } else {
    w.write(LEVEL_0, `Lease:\tFailed to get lease: leases.coordination.k8s.io "${name}" not found\n`);
  }
  const conds: any[] = Array.isArray(status.conditions) ? status.conditions : [];
  if (conds.length > 0) {
    w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
    w.write(LEVEL_1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const c of conds) {
      w.write(LEVEL_1, `${str(c.type)} \t${str(c.status)} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t${str(c.reason)} \t${str(c.message)}\n`);
    }
  }
  w.write(LEVEL_0, 'Addresses:\n');
  for (const a of Array.isArray(status.addresses) ? status.addresses : []) w.write(LEVEL_1, `${str(a.type)}:\t${str(a.address)}\n`);
  for (const [field, title] of [['capacity', 'Capacity'], ['allocatable', 'Allocatable']] as const) {
    const keys = sortedKeys(status[field]);
    if (keys.length === 0) continue;
    w.write(LEVEL_0, `${title}:\n`);
    for (const k of keys) w.write(LEVEL_0, `  ${k}:\t${canonical(status[field][k])}\n`);
  }
  const info = status.nodeInfo ?? {};
  w.write(LEVEL_0, 'System Info:\n');
  const infoRows: [string, string][] = [
    ['Machine ID', 'machineID'],
    ['System UUID', 'systemUUID'],
    ['Boot ID', 'bootID'],
    ['Kernel Version', 'kernelVersion'],
    ['OS Image', 'osImage'],
    ['Operating System', 'operatingSystem'],
    ['Architecture', 'architecture'],
    ['Container Runtime Version', 'containerRuntimeVersion'],
    ['Kubelet Version', 'kubeletVersion'],
    ['Kube-Proxy Version', 'kubeProxyVersion'],
  ];
  for (const [label, field] of infoRows) w.write(LEVEL_0, `  ${label}:\t${str(info[field])}\n`);
  if (str(spec.podCIDR) !== '') w.write(LEVEL_0, `PodCIDR:\t${spec.podCIDR}\n`);
  if (Array.isArray(spec.podCIDRs) && spec.podCIDRs.length > 0) w.write(LEVEL_0, `PodCIDRs:\t${spec.podCIDRs.join(',')}\n`);
  if (str(spec.providerID) !== '') w.write(LEVEL_0, `ProviderID:\t${spec.providerID}\n`);
  const pods = ctx
    .list('Pod', undefined)
    .filter((p) => p.spec?.nodeName === name && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
    .sort((a, b) => compareStrings(str(a.metadata.namespace), str(b.metadata.namespace)) || compareStrings(str(a.metadata.name), str(b.metadata.name)));
  describeNodeResource(pods, node, w, ctx.now);
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}
