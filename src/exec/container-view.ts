// What a process sees inside a simulated container (its command, run by the kubelet, and
// `kubectl exec`): its environment in the order a runtime gives it (PATH, HOSTNAME, the
// pod's env, the service link variables the kubelet injects, HOME), the files the kubelet
// mounts (ConfigMap and Secret volumes, service account token, /etc/hosts,
// /etc/resolv.conf), and who it runs as.

import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import { extractFieldPathAsString } from '../api/fieldpath';
import { containerEnv, mountedFiles, nodeReader, resourceFieldValue } from '../kubelet/env';
import { isBusyboxImage } from '../shell/run';

export interface ContainerView {
  env: Array<[string, string]>;
  /** Absolute path → content. */
  files: Record<string, string>;
  /** Mount paths of ConfigMap/Secret/projected volumes: `ls -l` shows their keys as symlinks into `..data`. */
  atomicDirs: string[];
  hostname: string;
  uid: number;
  gid: number;
  /** busybox/alpine images: ash and busybox messages; otherwise a Debian-like userland. */
  busybox: boolean;
  /** When the container started (ms), for `ls -l` times and `date`. */
  startedMs: number;
  nowMs: number;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

function envName(s: string): string {
  return s.toUpperCase().replace(/-/g, '_');
}

/** The kubelet's service link variables (envvars.FromServices) for one Service. */
export function serviceEnv(svc: KObject): Array<[string, string]> {
  const ip = svc.spec?.clusterIP;
  const ports: any[] = svc.spec?.ports ?? [];
  if (!ip || ip === 'None' || !ports.length) return [];
  const prefix = envName(svc.metadata.name!);
  const out: Array<[string, string]> = [
    [`${prefix}_SERVICE_HOST`, ip],
    [`${prefix}_SERVICE_PORT`, String(ports[0].port)],
  ];
  for (const p of ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
  const host = ip.includes(':') ? `[${ip}]` : ip;
  ports.forEach((p, i) => {
    const proto = String(p.protocol ?? 'TCP');
    const url = `${proto.toLowerCase()}://${host}:${p.port}`;
    if (i === 0) out.push([`${prefix}_PORT`, url]);
    const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
    out.push([pp, url], [`${pp}_PROTO`, proto.toLowerCase()], [`${pp}_PORT`, String(p.port)], [`${pp}_ADDR`, ip]);
  });
  return out;
}

function hostsFile(pod: KObject): string {
  const ip = pod.status?.podIP;
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  if (ip) lines.push(`${ip}\t${pod.spec?.hostname ?? pod.metadata.name}`);
  return lines.join('\n') + '\n';
}

export interface ViewOptions {
  /** When the container started (ms); default its status's startedAt. */
  startedMs?: number;
  /** Include what `kubesim cp` put in the container (false for the kubelet's run of its command). */
  copied?: boolean;
}

/**
 * What the container's processes see: its command (run by the kubelet) and `kubectl exec`
 * alike. The environment is fixed when the container is created, so Services created after
 * it started are not in it.
 */
export async function containerView(api: ApiServer, pod: KObject, container: any, opts: ViewOptions = {}): Promise<ContainerView> {
  const ns = pod.metadata.namespace ?? 'default';
  const status = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((s: any) => s.name === container.name);
  const started = opts.startedMs ?? Date.parse(status?.state?.running?.startedAt ?? pod.status?.startTime ?? pod.metadata.creationTimestamp ?? '');
  const node = nodeReader(api, pod);
  const base = (await containerEnv(api, pod, container, node)).env ?? {};
  const env = new Map<string, string>();
  env.set('PATH', base.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  env.set('HOSTNAME', pod.spec?.hostname ?? pod.metadata.name!);
  const skip = new Set(['PATH', 'HOSTNAME', 'KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT', 'KUBERNETES_PORT']);
  for (const [k, v] of Object.entries(base)) if (!skip.has(k)) env.set(k, v);
  // Services of the pod's namespace (when service links are on) and always the API server's.
  const svcType = api.resolve('services');
  const services: KObject[] = [];
  const kube = await api.tryGet(svcType, 'default', 'kubernetes');
  if (pod.spec?.enableServiceLinks !== false) {
    services.push(...(await api.list(svcType, { namespace: ns })).items.filter((s) => !(ns === 'default' && s.metadata.name === 'kubernetes')));
  }
  if (kube) services.push(kube);
  else services.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes' }, spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] } } as KObject);
  // creationTimestamp has whole seconds: a Service made in the container's start second counts
  const before = (s: KObject) => !Number.isFinite(started) || !(Date.parse(s.metadata.creationTimestamp ?? '') > started);
  for (const s of services) if (before(s)) for (const [k, v] of serviceEnv(s)) if (!env.has(k)) env.set(k, v);
  const uid = Number(container.securityContext?.runAsUser ?? pod.spec?.securityContext?.runAsUser ?? 0);
  const gid = Number(container.securityContext?.runAsGroup ?? pod.spec?.securityContext?.runAsGroup ?? 0);
  if (!env.has('HOME')) env.set('HOME', uid === 0 ? '/root' : '/');

  const files: Record<string, string> = {
    '/etc/hostname': `${pod.spec?.hostname ?? pod.metadata.name}\n`,
    '/etc/hosts': hostsFile(pod),
    '/etc/resolv.conf': `search ${ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`,
  };
  const atomicDirs: string[] = [];
  const vols = new Map<string, any>((pod.spec?.volumes ?? []).map((v: any) => [v.name, v]));
  for (const m of container.volumeMounts ?? []) {
    const v = vols.get(m.name);
    if (v && (v.configMap || v.secret || v.projected || v.downwardAPI) && !m.subPath) atomicDirs.push(m.mountPath.replace(/\/$/, '') || '/');
  }
  Object.assign(files, await mountedFiles(api, pod, container));
  // what was copied into the container's writable layer (kubesim cp)
  if (pod.metadata.uid && opts.copied !== false) Object.assign(files, await api.sim.containerFiles(pod.metadata.uid, container.name));
  const sa = pod.spec?.serviceAccountName ?? 'default';
  const token = `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ iss: 'https://kubernetes.default.svc.cluster.local', sub: `system:serviceaccount:${ns}:${sa}`, 'kubesim.io/simulated': true })).toString('base64url')}.simulated`;
  const ca = '-----BEGIN CERTIFICATE-----\n(kubesim: simulated cluster CA)\n-----END CERTIFICATE-----\n';
  // Projected volumes (the kube-api-access-* one the ServiceAccount admission adds) and downwardAPI ones.
  for (const m of container.volumeMounts ?? []) {
    const v = vols.get(m.name);
    if (!(v?.projected || v?.downwardAPI) || m.subPath) continue;
    const dir = m.mountPath.replace(/\/$/, '');
    for (const src of v.projected?.sources ?? [{ downwardAPI: v.downwardAPI }]) {
      if (src.serviceAccountToken) files[`${dir}/${src.serviceAccountToken.path ?? 'token'}`] = token;
      const ref = src.configMap ?? src.secret;
      if (ref) {
        const rt = api.resolve(src.configMap ? 'configmaps' : 'secrets');
        const obj = await api.tryGet(rt, ns, ref.name);
        const raw: Record<string, string> = { ...(obj?.data ?? {}) };
        const data: Record<string, string> = src.secret ? Object.fromEntries(Object.entries(raw).map(([k, val]) => [k, Buffer.from(val, 'base64').toString('utf8')])) : raw;
        if (!obj && ref.name === 'kube-root-ca.crt') data['ca.crt'] = ca;
        const items: Array<{ key: string; path: string }> = ref.items ?? Object.keys(data).map((k) => ({ key: k, path: k }));
        for (const it of items) if (it.key in data) files[`${dir}/${it.path}`] = data[it.key];
      }
      for (const it of src.downwardAPI?.items ?? []) {
        // the downwardAPI volume plugin: fieldpath's reading (a pod's labels as key="value" lines), a
        // container's resources with the node's allocatable for a missing limit; a file it cannot read is not written
        try {
          if (it.fieldRef) files[`${dir}/${it.path}`] = extractFieldPathAsString(pod, String(it.fieldRef.fieldPath ?? ''));
          else if (it.resourceFieldRef) files[`${dir}/${it.path}`] = await resourceFieldValue(pod, container, it.resourceFieldRef, node);
        } catch {
          /* the kubelet logs it and leaves the file out */
        }
      }
    }
  }
  const saMounted = pod.spec?.automountServiceAccountToken !== false && !(container.volumeMounts ?? []).some((m: any) => m.mountPath === SA_DIR);
  if (saMounted) {
    files[`${SA_DIR}/namespace`] = ns;
    files[`${SA_DIR}/ca.crt`] = ca;
    files[`${SA_DIR}/token`] = token;
    atomicDirs.push(SA_DIR);
  }
  const now = api.clock.now();
  return {
    env: [...env.entries()],
    files,
    atomicDirs,
    hostname: pod.spec?.hostname ?? pod.metadata.name!,
    uid,
    gid,
    busybox: isBusyboxImage(container.image),
    startedMs: Number.isFinite(started) ? started : now,
    nowMs: now,
  };
}
