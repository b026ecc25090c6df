// Pods: admission (limit ranges, service account, default tolerations, priority), Pending status with the
// QoS class, and graceful deletion finished by the kubelet (registry/core/pod/strategy.go).

import { ApiError } from '../errors';
import { admitPod, qosClass, serviceAccountNameOf } from '../admission/pod-admission';
import { defaultPodResources } from '../admission/limit-ranger';
import type { KObject } from '../types';
import type { KindStrategy, StrategyHost } from './types';
import { defaultServiceAccount } from './core';

function isSystemPriorityClass(name: string): boolean {
  return name === 'system-node-critical' || name === 'system-cluster-critical';
}

/**
 * ServiceAccount admission's lookup. A missing `default` is asked for again ten times, 100-200 ms
 * apart, while kube-controller-manager's serviceaccount controller puts it back
 * (controllers/namespace-defaults.ts): kubesim makes that controller's create here, as the
 * namespace's create makes its first one, so a pod is not refused for want of a loop running.
 * A create the controller could not make either (a quota, a policy) leaves it missing.
 * A dry run writes nothing: it admits against the account the controller would make.
 */
async function serviceAccount(host: StrategyHost, namespace: string, name: string, dryRun: boolean): Promise<KObject | undefined> {
  const rt = host.registry.forKind('v1', 'ServiceAccount');
  const sa = await host.tryGet(rt, namespace, name, { shared: true });
  if (sa || name !== 'default') return sa;
  if (dryRun) return defaultServiceAccount(namespace);
  try {
    return await host.create(defaultServiceAccount(namespace));
  } catch (e) {
    if (!(e instanceof ApiError && (e.reason === 'AlreadyExists' || e.reason === 'Forbidden'))) throw e;
  }
  return host.tryGet(rt, namespace, name, { shared: true });
}

export const podStrategy: KindStrategy = {
  // kube-apiserver's mutating chain in its order: LimitRanger, ServiceAccount, Priority (and
  // DefaultTolerationSeconds). Admission itself is synchronous: what it looks up is read first.
  async admit(host: StrategyHost, pod: KObject, { requestName, limitRanges, dryRun }): Promise<void> {
    const namespace = pod.metadata.namespace!;
    // A mutating plugin's error names the pod as the request did (its generateName, if any).
    const forbidden = (why: string) => {
      const name = requestName || pod.metadata.generateName || pod.metadata.name;
      return new ApiError('Forbidden', `pods "${name}" is forbidden: ${why}`, { name, kind: 'pods' });
    };
    if (limitRanges.length) defaultPodResources(pod, limitRanges);
    const saName = serviceAccountNameOf(pod);
    const sa = await serviceAccount(host, namespace, saName, dryRun);
    if (!sa) throw forbidden(`error looking up service account ${namespace}/${saName}: serviceaccount "${saName}" not found`);
    const pcType = host.registry.forKind('scheduling.k8s.io/v1', 'PriorityClass');
    const className = pod.spec?.priorityClassName;
    const pc = typeof className === 'string' && className ? await host.tryGet(pcType, undefined, className) : undefined;
    admitPod(pod, sa, host.rng, (name) => (pc && name === className ? Number(pc.value) : undefined));
    if (pod.spec?.priorityClassName && pod.spec.priority === undefined && !isSystemPriorityClass(pod.spec.priorityClassName)) {
      throw forbidden(`no PriorityClass with name ${pod.spec.priorityClassName} was found`);
    }
    if (pod.spec?.priorityClassName && pod.spec.priority === undefined) {
      pod.spec.priority = pod.spec.priorityClassName === 'system-node-critical' ? 2000001000 : 2000000000;
    }
  },
  prepareStatusOnCreate(obj) {
    obj.status = { phase: 'Pending', qosClass: qosClass(obj) };
  },
  // Pods bound to a node terminate gracefully: the kubelet finishes the deletion.
  gracefulDelete(current, opts) {
    const grace = opts.gracePeriodSeconds ?? current.spec?.terminationGracePeriodSeconds ?? 30;
    const terminal = current.status?.phase === 'Succeeded' || current.status?.phase === 'Failed';
    return current.spec?.nodeName && grace > 0 && !terminal ? grace : undefined;
  },
};
