// Pod describer (describe.go describePod).
import { isObject, type KObject } from '../../api/types';
import { LEVEL_0, LEVEL_1, PrefixWriter } from './prefix-writer';
import {
  compareStrings,
  formatLabelSelector,
  printAnnotationsMultiline,
  printController,
  printLabelsMultiline,
  printTolerationsMultiline,
  str,
} from './format';
import { describeContainers, describeResources } from './containers';
import { describeVolumes } from './volumes';
import { describeEvents } from './events';
import { rfc1123z, since } from './time';
import { add, cmp, parseQuantity, type Quantity } from '../../api/quantity';
import type { DescribeContext } from './context';

export function describeTopologySpreadConstraints(tscs: any[] | undefined, w: PrefixWriter, space: string): void {
  if (!Array.isArray(tscs) || tscs.length === 0) return;
  const sorted = [...tscs].sort((a, b) => compareStrings(str(a.topologyKey), str(b.topologyKey)));
  w.write(LEVEL_0, `${space}Topology Spread Constraints:\t`);
  sorted.forEach((t, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, space);
      w.write(LEVEL_0, '\t');
    }
    let line = `${str(t.topologyKey)}:${str(t.whenUnsatisfiable)} when max skew ${t.maxSkew ?? 0} is exceeded`;
    if (isObject(t.labelSelector)) line += ` for selector ${formatLabelSelector(t.labelSelector)}`;
    w.write(LEVEL_0, line + '\n');
  });
}

/** qos.GetPodQOS: status.qosClass if set, else computed from cpu/memory requests and limits. */
export function podQOS(pod: KObject): string {
  if (str(pod.status?.qosClass) !== '') return pod.status.qosClass;
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  for (const c of containers) {
    for (const [name, raw] of Object.entries(c.resources?.requests ?? {})) {
      if (name !== 'cpu' && name !== 'memory') continue;
      const q = parseQuantity(raw);
      if (q && q.mantissa > 0n) requests.set(name, requests.has(name) ? add(requests.get(name)!, q) : q);
    }
    const found = new Set<string>();
    for (const [name, raw] of Object.entries(c.resources?.limits ?? {})) {
      if (name !== 'cpu' && name !== 'memory') continue;
      const q = parseQuantity(raw);
      if (q && q.mantissa > 0n) {
        found.add(name);
        limits.set(name, limits.has(name) ? add(limits.get(name)!, q) : q);
      }
    }
    if (!(found.has('cpu') && found.has('memory'))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (!lim || cmp(lim, req) !== 0) guaranteed = false;
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

export function describePod(pod: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  w.write(LEVEL_0, `Name:\t${str(pod.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(pod.metadata.namespace)}\n`);
  if (typeof spec.priority === 'number') w.write(LEVEL_0, `Priority:\t${spec.priority}\n`);
  if (str(spec.priorityClassName) !== '') w.write(LEVEL_0, `Priority Class Name:\t${spec.priorityClassName}\n`);
  if (str(spec.runtimeClassName) !== '') w.write(LEVEL_0, `Runtime Class Name:\t${spec.runtimeClassName}\n`);
  if (str(spec.serviceAccountName) !== '') w.write(LEVEL_0, `Service Account:\t${spec.serviceAccountName}\n`);
  if (str(spec.nodeName) === '') w.write(LEVEL_0, 'Node:\t<none>\n');
  else w.write(LEVEL_0, `Node:\t${spec.nodeName}/${str(status.hostIP)}\n`);
  if (str(status.startTime) !== '') w.write(LEVEL_0, `Start Time:\t${rfc1123z(status.startTime)}\n`);
  printLabelsMultiline(w, 'Labels', pod.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', pod.metadata.annotations);
  if (pod.metadata.deletionTimestamp && status.phase !== 'Failed' && status.phase !== 'Succeeded') {
    w.write(LEVEL_0, `Status:\tTerminating (lasts ${since(pod.metadata.deletionTimestamp, ctx.now)})\n`);
    w.write(LEVEL_0, `Termination Grace Period:\t${pod.metadata.deletionGracePeriodSeconds ?? 0}s\n`);
  } else {
    w.write(LEVEL_0, `Status:\t${str(status.phase)}\n`);
  }
  if (str(status.reason) !== '') w.write(LEVEL_0, `Reason:\t${status.reason}\n`);
  if (str(status.message) !== '') w.write(LEVEL_0, `Message:\t${status.message}\n`);
  const seccomp = spec.securityContext?.seccompProfile;
  if (isObject(seccomp)) {
    w.write(LEVEL_0, `SeccompProfile:\t${str(seccomp.type)}\n`);
    if (seccomp.type === 'Localhost') w.write(LEVEL_0, `LocalhostProfile:\t${str(seccomp.localhostProfile)}\n`);
  }
  w.write(LEVEL_0, `IP:\t${str(status.podIP)}\n`);
  const ips: any[] = Array.isArray(status.podIPs) ? status.podIPs : [];
  if (ips.length === 0) w.write(LEVEL_0, 'IPs:\t<none>\n');
  else {
    w.write(LEVEL_0, 'IPs:\n');
    for (const ip of ips) w.write(LEVEL_1, `IP:\t${str(ip.ip)}\n`);
  }
  const controlledBy = printController(pod);
  if (controlledBy !== '') w.write(LEVEL_0, `Controlled By:\t${controlledBy}\n`);
  if (str(status.nominatedNodeName) !== '') w.write(LEVEL_0, `NominatedNodeName:\t${status.nominatedNodeName}\n`);
  if (isObject(spec.resources)) {
    w.write(LEVEL_0, 'Resources:\n');
    describeResources(spec.resources, w, LEVEL_1);
  }
  if (Array.isArray(spec.initContainers) && spec.initContainers.length > 0) {
    describeContainers('Init Containers', spec.initContainers, status.initContainerStatuses, pod, w, '');
  }
  describeContainers('Containers', Array.isArray(spec.containers) ? spec.containers : [], status.containerStatuses, pod, w, '');
  if (Array.isArray(spec.ephemeralContainers) && spec.ephemeralContainers.length > 0) {
    describeContainers('Ephemeral Containers', spec.ephemeralContainers, status.ephemeralContainerStatuses, pod, w, '');
  }
  const conditions: any[] = Array.isArray(status.conditions) ? status.conditions : [];
  if (Array.isArray(spec.readinessGates) && spec.readinessGates.length > 0) {
    w.write(LEVEL_0, 'Readiness Gates:\n  Type\tStatus\n');
    for (const g of spec.readinessGates) {
      const c = conditions.find((x) => x.type === g.conditionType);
      w.write(LEVEL_1, `${str(g.conditionType)} \t${c ? str(c.status) : '<none>'} \n`);
    }
  }
  if (conditions.length > 0) {
    w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\n');
    for (const c of conditions) w.write(LEVEL_1, `${str(c.type)} \t${str(c.status)} \n`);
  }
  describeVolumes(spec.volumes, w, '');
  w.write(LEVEL_0, `QoS Class:\t${podQOS(pod)}\n`);
  printLabelsMultiline(w, 'Node-Selectors', spec.nodeSelector);
  printTolerationsMultiline(w, 'Tolerations', spec.tolerations);
  describeTopologySpreadConstraints(spec.topologySpreadConstraints, w, '');
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}
