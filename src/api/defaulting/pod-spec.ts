// Defaults the API server applies to every PodSpec (pods and pod templates alike),
// following pkg/apis/core/v1/defaults.go.

import { isObject } from '../types';

function defaultProbe(probe: any): void {
  if (!isObject(probe)) return;
  probe.timeoutSeconds ??= 1;
  probe.periodSeconds ??= 10;
  probe.successThreshold ??= 1;
  probe.failureThreshold ??= 3;
  if (isObject(probe.httpGet)) {
    probe.httpGet.path ??= '/';
    probe.httpGet.scheme ??= 'HTTP';
  }
  if (isObject(probe.grpc)) probe.grpc.service ??= '';
}

/** `Always` for `:latest` or untagged images, `IfNotPresent` otherwise (digests included). */
export function defaultPullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) return 'Always';
  return lastSegment.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: any, isPod: boolean): void {
  if (!isObject(c)) return;
  c.imagePullPolicy ??= defaultPullPolicy(c.image);
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  // A container that sets only limits gets requests equal to them (Pod only: templates
  // keep what the user wrote, as the apiserver does).
  if (isPod && isObject(c.resources) && isObject(c.resources.limits)) {
    c.resources.requests ??= {};
    for (const [k, v] of Object.entries(c.resources.limits)) c.resources.requests[k] ??= v;
  }
  if (Array.isArray(c.ports)) for (const p of c.ports) if (isObject(p)) p.protocol ??= 'TCP';
  if (Array.isArray(c.env)) {
    for (const e of c.env) {
      if (isObject(e?.valueFrom?.fieldRef)) e.valueFrom.fieldRef.apiVersion ??= 'v1';
    }
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
}

export function defaultPodSpec(spec: any, isPod: boolean): void {
  if (!isObject(spec)) return;
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  if (isPod) spec.enableServiceLinks ??= true;
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    if (Array.isArray(spec[list])) for (const c of spec[list]) defaultContainer(c, isPod);
  }
  if (Array.isArray(spec.volumes)) {
    for (const v of spec.volumes) {
      if (!isObject(v)) continue;
      for (const src of ['configMap', 'secret', 'projected', 'downwardAPI']) {
        if (isObject(v[src])) v[src].defaultMode ??= 420;
      }
      if (isObject(v.hostPath)) v.hostPath.type ??= '';
    }
  }
}
