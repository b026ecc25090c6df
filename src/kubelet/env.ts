// What a container sees: its environment (env, envFrom, downward API) and the files of
// its ConfigMap/Secret volumes; and the kubelet's errors when a reference is missing
// (CreateContainerConfigError, FailedMount) with the real kubelet texts.

import type { KObject } from '../api/types';
import type { ApiServer } from '../api/server';
import { convertDownwardAPIFieldLabel, extractContainerResourceValue, extractFieldPathAsString, withAllocatableLimits } from '../api/fieldpath';

function decode(v: string): string {
  return Buffer.from(v, 'base64').toString('utf8');
}

async function source(api: ApiServer, kind: 'ConfigMap' | 'Secret', ns: string, name: string): Promise<Record<string, string> | undefined> {
  // Only read (the values are copied out below): shared, not a copy per container start.
  const obj = await api.tryGet(api.registry.forKind('v1', kind), ns, name, { shared: true });
  if (!obj) return undefined;
  if (kind === 'Secret') {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries((obj.data ?? {}) as Record<string, string>)) out[k] = decode(v);
    for (const [k, v] of Object.entries((obj.stringData ?? {}) as Record<string, string>)) out[k] = v;
    return out;
  }
  return { ...(obj.data ?? {}), ...Object.fromEntries(Object.entries((obj.binaryData ?? {}) as Record<string, string>).map(([k, v]) => [k, decode(v)])) };
}

/** The pod's Node, read at most once and only when asked: one container start reads it once, however many variables need it. */
export type NodeRead = () => Promise<KObject | undefined>;

export function nodeReader(api: ApiServer, pod: KObject): NodeRead {
  let node: Promise<KObject | undefined> | undefined;
  const name = pod.spec?.nodeName;
  return () => (node ??= name ? api.tryGet(api.registry.forKind('v1', 'Node'), undefined, name, { shared: true }) : Promise.resolve(undefined));
}

/** The kubelet's podFieldSelectorRuntimeValue: its own pod and node fields, the rest as fieldpath reads them. */
export async function podFieldValue(pod: KObject, fs: { apiVersion?: string; fieldPath?: string }, node: NodeRead): Promise<string> {
  const path = convertDownwardAPIFieldLabel(fs.apiVersion ?? 'v1', String(fs.fieldPath ?? ''));
  const podIPs: string[] = (pod.status?.podIPs ?? []).map((p: any) => p.ip);
  if (!podIPs.length && pod.status?.podIP) podIPs.push(pod.status.podIP);
  switch (path) {
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
      return podIPs[0] ?? '';
    case 'status.podIPs':
      return podIPs.join(',');
    case 'status.hostIP':
    case 'status.hostIPs': {
      // the node's own addresses: the pod's status may not have them yet when the container is made
      const ips = ((await node())?.status?.addresses ?? []).filter((a: any) => a.type === 'InternalIP').map((a: any) => a.address);
      if (!ips.length && pod.status?.hostIP) ips.push(pod.status.hostIP);
      return path === 'status.hostIP' ? ips[0] ?? '' : ips.join(',');
    }
  }
  return extractFieldPathAsString(pod, path);
}

/** containerResourceRuntimeValue: the named (or own) container's value, its missing limits defaulted to the node's allocatable. */
export async function resourceFieldValue(pod: KObject, c: any, fs: { containerName?: string; resource?: string; divisor?: string }, node: NodeRead): Promise<string> {
  let container = c;
  if (fs.containerName) {
    container = (pod.spec?.containers ?? []).find((x: any) => x.name === fs.containerName);
    if (!container) throw new Error(`container ${fs.containerName} not found`);
  }
  const allocatable = (await node())?.status?.allocatable;
  return extractContainerResourceValue(fs, withAllocatableLimits(container, allocatable));
}

export type EnvResult = { env: Record<string, string>; error?: undefined } | { error: string; env?: undefined };

/** The container's environment, or the CreateContainerConfigError message. */
export async function containerEnv(api: ApiServer, pod: KObject, c: any, node: NodeRead = nodeReader(api, pod)): Promise<EnvResult> {
  const ns = pod.metadata.namespace ?? 'default';
  const env: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOSTNAME: pod.metadata.name!,
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    KUBERNETES_PORT: 'tcp://10.96.0.1:443',
  };
  for (const ef of c.envFrom ?? []) {
    const kind = ef.configMapRef ? 'ConfigMap' : 'Secret';
    const ref = ef.configMapRef ?? ef.secretRef;
    if (!ref) continue;
    const data = await source(api, kind, ns, ref.name);
    if (!data) {
      if (ref.optional) continue;
      return { error: `${kind.toLowerCase()} "${ref.name}" not found` };
    }
    for (const [k, v] of Object.entries(data)) env[(ef.prefix ?? '') + k] = v;
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) {
      env[e.name] = String(e.value).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, n) => env[n] ?? m);
      continue;
    }
    const vf = e.valueFrom;
    if (!vf) {
      env[e.name] = '';
      continue;
    }
    if (vf.configMapKeyRef || vf.secretKeyRef) {
      const kind = vf.configMapKeyRef ? 'ConfigMap' : 'Secret';
      const ref = vf.configMapKeyRef ?? vf.secretKeyRef;
      const data = await source(api, kind, ns, ref.name);
      if (!data) {
        if (ref.optional) continue;
        return { error: `${kind.toLowerCase()} "${ref.name}" not found` };
      }
      if (!(ref.key in data)) {
        if (ref.optional) continue;
        return { error: `couldn't find key ${ref.key} in ${kind} ${ns}/${ref.name}` };
      }
      env[e.name] = data[ref.key];
    } else if (vf.fieldRef || vf.resourceFieldRef) {
      try {
        env[e.name] = vf.fieldRef ? await podFieldValue(pod, vf.fieldRef, node) : await resourceFieldValue(pod, c, vf.resourceFieldRef, node);
      } catch (err) {
        return { error: (err as Error).message };
      }
    }
  }
  return { env };
}

/** The first missing volume source as kubelet's FailedMount message, if any. */
export async function missingVolume(api: ApiServer, pod: KObject): Promise<string | undefined> {
  const ns = pod.metadata.namespace ?? 'default';
  for (const v of pod.spec?.volumes ?? []) {
    if (v.configMap && !v.configMap.optional && !await source(api, 'ConfigMap', ns, v.configMap.name)) {
      return `MountVolume.SetUp failed for volume "${v.name}" : configmap "${v.configMap.name}" not found`;
    }
    if (v.secret && !v.secret.optional && !await source(api, 'Secret', ns, v.secret.secretName)) {
      return `MountVolume.SetUp failed for volume "${v.name}" : secret "${v.secret.secretName}" not found`;
    }
    for (const s of v.projected?.sources ?? []) {
      // kube-root-ca.crt is not looked up: its absence is never a FailedMount.
      if (s.configMap && !s.configMap.optional && s.configMap.name !== 'kube-root-ca.crt' && !await source(api, 'ConfigMap', ns, s.configMap.name)) {
        return `MountVolume.SetUp failed for volume "${v.name}" : configmap "${s.configMap.name}" not found`;
      }
      if (s.secret && !s.secret.optional && !await source(api, 'Secret', ns, s.secret.name)) {
        return `MountVolume.SetUp failed for volume "${v.name}" : secret "${s.secret.name}" not found`;
      }
    }
  }
  return undefined;
}

/** Files of the container's ConfigMap/Secret mounts: `<mountPath>/<key>` → content. */
export async function mountedFiles(api: ApiServer, pod: KObject, c: any): Promise<Record<string, string>> {
  const ns = pod.metadata.namespace ?? 'default';
  const files: Record<string, string> = {};
  const vols = new Map<string, any>((pod.spec?.volumes ?? []).map((v: any) => [v.name, v]));
  for (const m of c.volumeMounts ?? []) {
    const v = vols.get(m.name);
    if (!v) continue;
    const kind = v.configMap ? 'ConfigMap' : v.secret ? 'Secret' : undefined;
    if (!kind) continue;
    const data = await source(api, kind, ns, kind === 'ConfigMap' ? v.configMap.name : v.secret.secretName) ?? {};
    const items: Array<{ key: string; path: string }> | undefined = (v.configMap ?? v.secret).items;
    const entries = items ? items.filter((i) => i.key in data).map((i) => [i.path, data[i.key]] as const) : Object.entries(data);
    for (const [p, content] of entries) {
      if (m.subPath) {
        if (m.subPath === p) files[m.mountPath] = content;
      } else files[`${m.mountPath.replace(/\/$/, '')}/${p}`] = content;
    }
  }
  return files;
}
