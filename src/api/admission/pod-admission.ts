// Mutating admission for Pods, as the default admission chain of kube-apiserver runs it
// after LimitRanger (limit-ranger.ts): ServiceAccount (serviceAccountName, the account's
// image pull secrets and the kube-api-access projected volume), DefaultTolerationSeconds
// (not-ready/unreachable tolerations) and Priority.

import { isObject, type KObject } from '../types';
import { randomSuffix, type Rng } from '../../sim/rng';

const SA_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The ServiceAccount a new pod runs as (ServiceAccount admission's default: `default`). */
export function serviceAccountNameOf(pod: KObject): string {
  return pod.spec?.serviceAccountName || pod.spec?.serviceAccount || 'default';
}

/** `serviceAccount`: the pod's ServiceAccount, which the caller has found to exist. */
export function admitPod(pod: KObject, serviceAccount: KObject, rng: Rng, priorityOf: (className: string) => number | undefined): void {
  const spec = pod.spec;
  if (!isObject(spec)) return;

  // ServiceAccount admission
  spec.serviceAccountName = serviceAccountNameOf(pod);
  spec.serviceAccount = spec.serviceAccountName;
  // shouldAutomount: the pod's choice, else the account's, else mounted.
  if ((spec.automountServiceAccountToken ?? serviceAccount.automountServiceAccountToken) !== false) {
    const volumes: any[] = (spec.volumes ??= []);
    const hasMount = (c: any) => Array.isArray(c.volumeMounts) && c.volumeMounts.some((m: any) => m?.mountPath === SA_MOUNT);
    const already = volumes.find((v) => typeof v?.name === 'string' && v.name.startsWith('kube-api-access-'));
    const name = already?.name ?? `kube-api-access-${randomSuffix(rng)}`;
    if (!already) {
      volumes.push({
        name,
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } },
            { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
          ],
        },
      });
    }
    for (const list of ['initContainers', 'containers']) {
      if (!Array.isArray(spec[list])) continue;
      for (const c of spec[list]) {
        if (!isObject(c) || hasMount(c)) continue;
        (c.volumeMounts ??= []).push({ mountPath: SA_MOUNT, name, readOnly: true });
      }
    }
  }
  // A pod naming no image pull secrets gets its account's.
  const pullSecrets = Array.isArray(serviceAccount.imagePullSecrets) ? serviceAccount.imagePullSecrets : [];
  if (!(Array.isArray(spec.imagePullSecrets) && spec.imagePullSecrets.length) && pullSecrets.length) {
    spec.imagePullSecrets = pullSecrets.map((r: any) => ({ name: r?.name ?? '' }));
  }

  // DefaultTolerationSeconds admission
  const tolerations: any[] = (spec.tolerations ??= []);
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const has = tolerations.some(
      (t) => isObject(t) && (t.key === key || (t.key === undefined && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'),
    );
    if (!has) tolerations.push({ effect: 'NoExecute', key, operator: 'Exists', tolerationSeconds: 300 });
  }

  // Priority admission
  if (spec.priorityClassName) {
    const value = priorityOf(spec.priorityClassName);
    if (value !== undefined) spec.priority ??= value;
  } else {
    spec.priority ??= 0;
  }
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
}

/** status.qosClass as the API server computes it at creation. */
export function qosClass(pod: KObject): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers: any[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  let anyResource = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c?.resources?.requests ?? {};
    const lim = c?.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) anyResource = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined) guaranteed = false;
      else if (req[r] !== undefined && String(req[r]) !== String(lim[r])) guaranteed = false;
    }
  }
  if (!anyResource) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
