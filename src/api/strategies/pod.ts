// Pods: admission (service account, default tolerations, priority), Pending status with the
// QoS class, and graceful deletion finished by the kubelet (registry/core/pod/strategy.go).

import { ApiError } from '../errors';
import { admitPod, qosClass } from '../admission/pod-admission';
import type { KObject } from '../types';
import type { KindStrategy, StrategyHost } from './types';

function isSystemPriorityClass(name: string): boolean {
  return name === 'system-node-critical' || name === 'system-cluster-critical';
}

export const podStrategy: KindStrategy = {
  async admit(host: StrategyHost, pod: KObject): Promise<void> {
    const pcType = host.registry.forKind('scheduling.k8s.io/v1', 'PriorityClass');
    // Admission itself is synchronous: the one class it may look up is read first.
    const className = pod.spec?.priorityClassName;
    const pc = typeof className === 'string' && className ? await host.tryGet(pcType, undefined, className) : undefined;
    admitPod(pod, host.rng, (name) => (pc && name === className ? Number(pc.value) : undefined));
    if (pod.spec?.priorityClassName && pod.spec.priority === undefined && !isSystemPriorityClass(pod.spec.priorityClassName)) {
      throw new ApiError('Forbidden', `pods "${pod.metadata.name}" is forbidden: no PriorityClass with name ${pod.spec.priorityClassName} was found`);
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
