// describeContainers and its parts: basic info, command/args, state, resources,
// probes, env, envFrom and mounts of each container.
import { extractContainerResourceValue } from '../../api/fieldpath';
import { isObject, type KObject } from '../../api/types';
import { LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, type PrefixWriter } from './prefix-writer';
import { compareStrings, goList, printBool, sortedKeys, str, stringOrNone } from './format';
import { canonical } from '../../api/quantity';
import { rfc1123z } from './time';

type Container = Record<string, any>;

export function describeContainers(
  label: string,
  containers: Container[],
  statuses: Container[] | undefined,
  pod: KObject | undefined,
  w: PrefixWriter,
  space: string,
): void {
  const byName = new Map<string, Container>();
  for (const s of statuses ?? []) byName.set(str(s.name), s);
  w.write(LEVEL_0, `${space}${label}:${containers.length === 0 ? ' <none>' : ''}\n`);
  for (const c of containers) {
    const status = byName.get(str(c.name));
    describeContainerBasicInfo(c, status, space, w);
    describeContainerCommand(c, w);
    if (status) describeContainerState(status, w);
    describeResources(c.resources, w, LEVEL_2);
    describeContainerProbe(c, w);
    if (Array.isArray(c.envFrom) && c.envFrom.length > 0) describeContainerEnvFrom(c, w);
    describeContainerEnvVars(c, pod, w);
    describeContainerVolumes(c, w);
  }
}

function ports(c: Container, field: 'containerPort' | 'hostPort'): string {
  return (Array.isArray(c.ports) ? c.ports : []).map((p: any) => `${p[field] ?? 0}/${p.protocol ?? 'TCP'}`).join(', ');
}

function describeContainerBasicInfo(c: Container, status: Container | undefined, space: string, w: PrefixWriter): void {
  const nameIndent = space.length > 0 ? ' ' : '';
  w.write(LEVEL_1, `${nameIndent}${str(c.name)}:\n`);
  if (status) w.write(LEVEL_2, `Container ID:\t${str(status.containerID)}\n`);
  w.write(LEVEL_2, `Image:\t${str(c.image)}\n`);
  if (status) w.write(LEVEL_2, `Image ID:\t${str(status.imageID)}\n`);
  const p = ports(c, 'containerPort');
  if (p.includes(',')) w.write(LEVEL_2, `Ports:\t${p}\n`);
  else w.write(LEVEL_2, `Port:\t${stringOrNone(p)}\n`);
  const hp = ports(c, 'hostPort');
  if (hp.includes(',')) w.write(LEVEL_2, `Host Ports:\t${hp}\n`);
  else w.write(LEVEL_2, `Host Port:\t${stringOrNone(hp)}\n`);
  const seccomp = c.securityContext?.seccompProfile;
  if (isObject(seccomp)) {
    w.write(LEVEL_2, `SeccompProfile:\t${str(seccomp.type)}\n`);
    if (seccomp.type === 'Localhost') w.write(LEVEL_3, `LocalhostProfile:\t${str(seccomp.localhostProfile)}\n`);
  }
}

function describeContainerCommand(c: Container, w: PrefixWriter): void {
  for (const [field, title] of [['command', 'Command'], ['args', 'Args']] as const) {
    const list = Array.isArray(c[field]) ? c[field] : [];
    if (list.length === 0) continue;
    w.write(LEVEL_2, `${title}:\n`);
    for (const item of list) for (const s of String(item).split('\n')) w.write(LEVEL_3, `${s}\n`);
  }
}

/** describeResources: Limits then Requests, names sorted. */
export function describeResources(resources: any, w: PrefixWriter, level: number): void {
  if (!isObject(resources)) return;
  for (const [field, title] of [['limits', 'Limits'], ['requests', 'Requests']] as const) {
    const keys = sortedKeys(resources[field]);
    if (keys.length > 0) w.write(level, `${title}:\n`);
    for (const k of keys) w.write(level + 1, `${k}:\t${canonical(resources[field][k])}\n`);
  }
}

function describeStatus(stateName: string, state: any, w: PrefixWriter): void {
  if (isObject(state?.running)) {
    w.write(LEVEL_2, `${stateName}:\tRunning\n`);
    w.write(LEVEL_3, `Started:\t${rfc1123z(state.running.startedAt)}\n`);
  } else if (isObject(state?.waiting)) {
    w.write(LEVEL_2, `${stateName}:\tWaiting\n`);
    if (str(state.waiting.reason) !== '') w.write(LEVEL_3, `Reason:\t${state.waiting.reason}\n`);
  } else if (isObject(state?.terminated)) {
    const t = state.terminated;
    w.write(LEVEL_2, `${stateName}:\tTerminated\n`);
    if (str(t.reason) !== '') w.write(LEVEL_3, `Reason:\t${t.reason}\n`);
    if (str(t.message) !== '') w.write(LEVEL_3, `Message:\t${t.message}\n`);
    w.write(LEVEL_3, `Exit Code:\t${t.exitCode ?? 0}\n`);
    if (typeof t.signal === 'number' && t.signal > 0) w.write(LEVEL_3, `Signal:\t${t.signal}\n`);
    w.write(LEVEL_3, `Started:\t${rfc1123z(t.startedAt)}\n`);
    w.write(LEVEL_3, `Finished:\t${rfc1123z(t.finishedAt)}\n`);
  } else {
    w.write(LEVEL_2, `${stateName}:\tWaiting\n`);
  }
}

function describeContainerState(status: Container, w: PrefixWriter): void {
  describeStatus('State', status.state, w);
  if (isObject(status.lastState?.terminated)) describeStatus('Last State', status.lastState, w);
  w.write(LEVEL_2, `Ready:\t${printBool(status.ready)}\n`);
  w.write(LEVEL_2, `Restart Count:\t${status.restartCount ?? 0}\n`);
}

/** DescribeProbe: `http-get http://:8080/healthz delay=3s timeout=1s …`. */
export function describeProbe(probe: any): string {
  const n = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
  const attrs =
    `delay=${n(probe.initialDelaySeconds, 0)}s timeout=${n(probe.timeoutSeconds, 1)}s period=${n(probe.periodSeconds, 10)}s ` +
    `#success=${n(probe.successThreshold, 1)} #failure=${n(probe.failureThreshold, 3)}`;
  if (isObject(probe.exec)) return `exec ${goList(probe.exec.command)} ${attrs}`;
  if (isObject(probe.httpGet)) {
    const h = probe.httpGet;
    const scheme = str(h.scheme ?? 'HTTP').toLowerCase();
    const host = str(h.host);
    const port = str(h.port);
    const hostPart = port !== '' ? (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`) : host;
    let path = str(h.path);
    if (path !== '' && !path.startsWith('/') && hostPart !== '') path = '/' + path;
    const url = (scheme !== '' ? `${scheme}:` : '') + (hostPart !== '' || path !== '' || scheme !== '' ? '//' : '') + hostPart + path;
    return `http-get ${url} ${attrs}`;
  }
  if (isObject(probe.tcpSocket)) return `tcp-socket ${str(probe.tcpSocket.host)}:${str(probe.tcpSocket.port)} ${attrs}`;
  if (isObject(probe.grpc)) return `grpc <pod>:${probe.grpc.port ?? 0} ${str(probe.grpc.service)} ${attrs}`;
  return `unknown ${attrs}`;
}

function describeContainerProbe(c: Container, w: PrefixWriter): void {
  if (isObject(c.livenessProbe)) w.write(LEVEL_2, `Liveness:\t${describeProbe(c.livenessProbe)}\n`);
  if (isObject(c.readinessProbe)) w.write(LEVEL_2, `Readiness:\t${describeProbe(c.readinessProbe)}\n`);
  if (isObject(c.startupProbe)) w.write(LEVEL_2, `Startup:\t${describeProbe(c.startupProbe)}\n`);
}

function describeContainerEnvFrom(c: Container, w: PrefixWriter): void {
  w.write(LEVEL_2, 'Environment Variables from:\n');
  for (const e of c.envFrom) {
    let from = '';
    let name = '';
    let optional = false;
    if (isObject(e.configMapRef)) {
      from = 'ConfigMap';
      name = str(e.configMapRef.name);
      optional = e.configMapRef.optional === true;
    } else if (isObject(e.secretRef)) {
      from = 'Secret';
      name = str(e.secretRef.name);
      optional = e.secretRef.optional === true;
    }
    if (str(e.prefix) === '') w.write(LEVEL_3, `${name}\t${from}\tOptional: ${optional}\n`);
    else w.write(LEVEL_3, `${name}\t${from} with prefix '${e.prefix}'\tOptional: ${optional}\n`);
  }
}

/**
 * EnvValueRetriever: kubectl's scheme has no field-label conversions for Pod, so only
 * metadata.name and metadata.namespace survive ConvertFieldLabel; every other field path
 * (spec.nodeName, status.podIP, labels…) resolves to an empty string.
 */
export function podFieldValue(pod: KObject | undefined, fieldPath: string): string {
  if (!pod) return '';
  if (fieldPath === 'metadata.name') return str(pod.metadata.name);
  if (fieldPath === 'metadata.namespace') return str(pod.metadata.namespace);
  return '';
}

function describeContainerEnvVars(c: Container, pod: KObject | undefined, w: PrefixWriter): void {
  const env: any[] = Array.isArray(c.env) ? c.env : [];
  w.write(LEVEL_2, `Environment:${env.length === 0 ? '\t<none>' : ''}\n`);
  for (const e of env) {
    const vf = e.valueFrom;
    if (!isObject(vf)) {
      str(e.value)
        .split('\n')
        .forEach((s, i) => w.write(LEVEL_3, i === 0 ? `${str(e.name)}:\t${s}\n` : `\t${s}\n`));
      continue;
    }
    if (isObject(vf.fieldRef)) {
      const v = pod ? podFieldValue(pod, str(vf.fieldRef.fieldPath)) : '';
      w.write(LEVEL_3, `${str(e.name)}:\t${v} (${str(vf.fieldRef.apiVersion ?? 'v1')}:${str(vf.fieldRef.fieldPath)})\n`);
    } else if (isObject(vf.resourceFieldRef)) {
      // resourcehelper.ExtractContainerResourceValue (the downward API's one reader); its error prints as nothing
      let v = '';
      try {
        v = extractContainerResourceValue(vf.resourceFieldRef, c);
      } catch {
        /* an unsupported resource */
      }
      const resource = str(vf.resourceFieldRef.resource);
      if (v === '0' && (resource === 'limits.cpu' || resource === 'limits.memory')) v = 'node allocatable';
      w.write(LEVEL_3, `${str(e.name)}:\t${v} (${resource})\n`);
    } else if (isObject(vf.secretKeyRef)) {
      const r = vf.secretKeyRef;
      w.write(LEVEL_3, `${str(e.name)}:\t<set to the key '${str(r.key)}' in secret '${str(r.name)}'>\tOptional: ${r.optional === true}\n`);
    } else if (isObject(vf.configMapKeyRef)) {
      const r = vf.configMapKeyRef;
      w.write(LEVEL_3, `${str(e.name)}:\t<set to the key '${str(r.key)}' of config map '${str(r.name)}'>\tOptional: ${r.optional === true}\n`);
    }
  }
}

function describeContainerVolumes(c: Container, w: PrefixWriter): void {
  const mounts: any[] = Array.isArray(c.volumeMounts) ? [...c.volumeMounts] : [];
  const none = mounts.length === 0 ? '\t<none>' : '';
  w.write(LEVEL_2, `Mounts:${none}\n`);
  mounts.sort((a, b) => compareStrings(str(a.mountPath), str(b.mountPath)));
  for (const m of mounts) {
    const flags = [m.readOnly === true ? 'ro' : 'rw'];
    if (str(m.subPath) !== '') flags.push(`path=${JSON.stringify(m.subPath)}`);
    w.write(LEVEL_3, `${str(m.mountPath)} from ${str(m.name)} (${flags.join(',')})\n`);
  }
  const devices: any[] = Array.isArray(c.volumeDevices) ? [...c.volumeDevices] : [];
  if (devices.length > 0) {
    w.write(LEVEL_2, `Devices:${none}\n`);
    devices.sort((a, b) => compareStrings(str(a.devicePath), str(b.devicePath)));
    for (const d of devices) w.write(LEVEL_3, `${str(d.devicePath)} from ${str(d.name)}\n`);
  }
}
