// One implementation of "run a command in a container" for `kubesim exec` and the API
// server's pods/exec: the checks the API server and the kubelet make, in their order, and
// the command run by the simulated shell against what the container sees.

import { ApiError, CliError } from '../api/errors';
import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import type { ExecResult } from '../shell/exec';
import { containerStatus, defaultContainer, findContainer, resolvePod } from './pod-target';

/** Why a container cannot run a command now (each answered where Kubernetes answers it). */
export type ExecRefusal =
  /** The API server's 400s (ExecLocation): before any upgrade. */
  | { at: 'apiserver'; error: ApiError }
  /** The kubelet refuses the upgrade with plain text (kubectl: `unable to upgrade connection: ...`). */
  | { at: 'kubelet'; text: string }
  /** The runtime fails the exec after the upgrade (an InternalError Status on the error channel). */
  | { at: 'runtime'; message: string };

export interface ExecTarget {
  pod: KObject;
  name: string;
  spec: any;
}

/**
 * The CLI's exec and attach: the pod behind `podRef`, refused when it has completed, the
 * container named (or the default one, with kubectl's notice), and the API server's and
 * kubelet's checks, each refusal worded as kubectl prints it.
 */
export async function pickContainerForCli(
  api: ApiServer,
  namespace: string,
  podRef: string,
  opts: { container?: string; verb: 'exec into' | 'attach'; notice?: (text: string) => void },
): Promise<ExecTarget> {
  const { pod } = await resolvePod(api, namespace, podRef);
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') throw new CliError(`cannot ${opts.verb} a container in a completed pod; current phase is ${phase}`);
  let name = opts.container;
  if (!name) {
    const d = defaultContainer(pod);
    if (d.notice) opts.notice?.(d.notice);
    name = d.name;
  }
  const checked = checkContainer(pod, name);
  if ('target' in checked) return checked.target;
  const r = checked.refusal;
  if (r.at === 'apiserver') throw r.error;
  throw new CliError(r.at === 'kubelet' ? `unable to upgrade connection: ${r.text}` : r.message);
}

/** The API server's and kubelet's checks for exec/attach into `name` (already chosen). */
export function checkContainer(pod: KObject, name: string): { target: ExecTarget } | { refusal: ExecRefusal } {
  const found = findContainer(pod, name);
  if (!found) return { refusal: { at: 'apiserver', error: ApiError.badRequest(`container ${name} is not valid for pod ${pod.metadata.name}`) } };
  if (!pod.spec?.nodeName) return { refusal: { at: 'apiserver', error: ApiError.badRequest(`pod ${pod.metadata.name} does not have a host assigned`) } };
  const st = containerStatus(pod, name);
  if (st?.state?.terminated) {
    return { refusal: { at: 'runtime', message: 'Internal error occurred: error executing command in container: failed to exec in container: container is in CONTAINER_EXITED state' } };
  }
  if (!st?.state?.running) return { refusal: { at: 'kubelet', text: `container not found ("${name}")` } };
  return { target: { pod, name, spec: found.spec } };
}

/** Runs `command` in the container through the simulated shell. */
export async function runInContainer(api: ApiServer, t: ExecTarget, command: string[], stdin: string): Promise<ExecResult> {
  // The simulated shell and container view load when exec runs, not at start-up.
  const [{ containerView }, { execInContainer }, { clusterNet }] = await Promise.all([import('./container-view'), import('../shell/exec'), import('../shell/net')]);
  const view = await containerView(api, t.pod, t.spec);
  const res = await execInContainer(command, view, stdin, clusterNet(api, t.pod));
  // What the command wrote stays in the container's writable layer (tar -x from kubectl cp, touch, echo >).
  const uid = t.pod.metadata.uid;
  const written = res.written ?? {};
  const removed = res.removed ?? [];
  if (uid && (Object.keys(written).length || removed.length)) {
    await api.sim.atomically(async () => {
      const layer = { ...(await api.sim.containerFiles(uid, t.name)), ...written };
      for (const p of removed) delete layer[p];
      await api.sim.setContainerFiles(uid, t.name, layer);
    });
  }
  return res;
}
