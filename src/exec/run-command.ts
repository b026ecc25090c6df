// One implementation of "run a command in a container" for `kubesim exec` and the API
// server's pods/exec: the checks the API server and the kubelet make, in their order, and
// the command run by the simulated shell against what the container sees.

import { ApiError, CliError } from '../api/errors';
import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import type { ExecResult } from '../shell/exec';
import type { InteractiveShell, ShellOutput } from '../shell/interactive';
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
  await keepWrites(api, t, res.written ?? {}, res.removed ?? []);
  return res;
}

/** What a command wrote stays in the container's writable layer (tar -x from kubectl cp, touch, echo >). */
async function keepWrites(api: ApiServer, t: ExecTarget, written: Record<string, string>, removed: string[]): Promise<void> {
  const uid = t.pod.metadata.uid;
  if (!uid || (!Object.keys(written).length && !removed.length)) return;
  await api.sim.atomically(async () => {
    const layer = { ...(await api.sim.containerFiles(uid, t.name)), ...written };
    for (const p of removed) delete layer[p];
    await api.sim.setContainerFiles(uid, t.name, layer);
  });
}

export interface InteractiveSession {
  shell: InteractiveShell;
  /** Waits for the shell to end, keeps what it wrote in the container, returns its exit status. */
  finished(): Promise<number>;
}

/**
 * An interactive session (on a terminal) of `command` in the container when it is a shell
 * reading its stdin (`sh`, `bash`), else undefined: `exec -it POD -- sh` and an attach to a container whose
 * process is such a shell (`debug -it --image=busybox`).
 */
export async function startInteractive(api: ApiServer, t: ExecTarget, command: string[], output: ShellOutput): Promise<InteractiveSession | undefined> {
  const [{ containerView }, { interactiveShellName, openInteractiveShell, changedFiles }, { clusterNet }] = await Promise.all([import('./container-view'), import('../shell/exec'), import('../shell/net')]);
  const view = await containerView(api, t.pod, t.spec);
  const name = interactiveShellName(command, view);
  if (!name) return undefined;
  const shell = openInteractiveShell(name, view, output, clusterNet(api, t.pod));
  return {
    shell,
    finished: async () => {
      const code = await shell.done;
      const { written, removed } = changedFiles(view, shell.files());
      await keepWrites(api, t, written, removed);
      return code;
    },
  };
}

/** The shell a container's own process is, when it reads a terminal (`stdin: true`, no `-c` script): what attach -it talks to. */
export async function attachedShellCommand(spec: any): Promise<string[] | undefined> {
  if (!spec?.stdin) return undefined;
  const argv = [...(spec.command ?? []), ...(spec.args ?? [])];
  if (argv.length) return argv;
  // no command: the image's entrypoint, a shell for the catalog's shell images (busybox, alpine, ubuntu...)
  const [{ parseImage }, { findEntry, imageBehaviour }] = await Promise.all([import('../kubelet/images'), import('../sim/catalog')]);
  const img = parseImage(String(spec.image ?? ''));
  const entry = img ? findEntry(img.domain, img.path) : undefined;
  return entry && imageBehaviour(entry, img!.tag, [], [])?.shell ? ['sh'] : undefined;
}
