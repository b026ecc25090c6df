// The field manager of the component a write comes from, when the write names none: the
// controller manager runs each reconcile under its component's manager, so every object a
// controller, the scheduler or a kubelet writes carries a managedFields entry as
// kube-controller-manager's, kube-scheduler's and the kubelet's writes do (their user agents
// up to the first "/"). One place: the API server reads it for every write.

import { AsyncLocalStorage } from 'node:async_hooks';

const ambient = new AsyncLocalStorage<string>();

/** Runs `fn` with writes that name no manager recorded as `manager`'s. */
export function withFieldManager<T>(manager: string, fn: () => T): T {
  return ambient.run(manager, fn);
}

/** Runs `fn` with no ambient manager: a server-side apply's write, whose managedFields are the apply's own. */
export function withoutFieldManager<T>(fn: () => T): T {
  return ambient.exit(fn);
}

/** The manager of the component whose work is running, if any. */
export function ambientFieldManager(): string | undefined {
  return ambient.getStore();
}

/** The binary a reconciler belongs to in a real cluster, which names its writes. */
export function componentOf(reconciler: string): string {
  if (reconciler === 'scheduler') return 'kube-scheduler';
  if (reconciler === 'kubelet' || reconciler.startsWith('kubelet-')) return 'kubelet';
  return 'kube-controller-manager';
}
