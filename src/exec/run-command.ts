// One implementation of "run a command in a container" for `kubesim exec` and the API
// server's pods/exec: the checks the API server and the kubelet make, in their order, and
// the command run by the simulated shell against what the container sees.

import { ApiError, CliError } from '../api/errors';
import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import type { ExecResult } from '../shell/exec';
import type { NetRequest, NetResponse } from '../shell/interp';
import type { StdinLimit } from './stdin-stream';
import type { InteractiveShell, ShellOutput } from '../shell/interactive';
import { objectPath } from '../api/resources';
import { containerStatus, defaultContainer, findContainer } from './pod-target';

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
 * How the CLI's exec, cp and attach pick the container (chooseContainer), before their request
 * (podSubresourcePath, checked for --as) and the server's checks of it (checkedTarget).
 */
export type ContainerPick = { container?: string; verb: 'exec into' | 'attach'; notice?: (text: string) => void };

/** kubectl's client-side choice: refused in a completed pod, else `-c` or the default container. */
export function chooseContainer(pod: KObject, opts: ContainerPick): string {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') throw new CliError(`cannot ${opts.verb} a container in a completed pod; current phase is ${phase}`);
  if (opts.container) return opts.container;
  const d = defaultContainer(pod);
  if (d.notice) opts.notice?.(d.notice);
  return d.name;
}

/** The REST path of a pod's subresource (`exec`, `attach`, `portforward`): what --as is checked on. */
export function podSubresourcePath(api: ApiServer, pod: KObject, subresource: string): string {
  return `${objectPath(api.resolve('pods'), pod.metadata.namespace, pod.metadata.name!)}/${subresource}`;
}

/** checkContainer's refusal thrown as kubectl prints it, or the target. */
export function checkedTarget(pod: KObject, name: string): ExecTarget {
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

/** How long input arriving without a pause is gathered before the command runs again on it. */
const COALESCE_MS = 50;

export type ExecOutput = (stream: 'stdout' | 'stderr', text: string) => void | Promise<void>;

/**
 * Runs `command` with a stdin that arrives in chunks (`exec -i`), passing on what it writes
 * as it writes it: a run waiting on more input is run again, from its start, when more came
 * (the simulated shell cannot pause inside a read), and only what it wrote past the last
 * run's output goes out. Network answers are kept for the runs after (a request is made once).
 */
export async function runStreamingInContainer(api: ApiServer, t: ExecTarget, command: string[], chunks: AsyncIterable<string>, limit: StdinLimit, emit: ExecOutput): Promise<ExecResult> {
  const [{ containerView }, { execInContainer }, { clusterNet }, { passStdin }] = await Promise.all([import('./container-view'), import('../shell/exec'), import('../shell/net'), import('./stdin-stream')]);
  const view = await containerView(api, t.pod, t.spec);
  const live = clusterNet(api, t.pod);
  const answers: Array<{ key: string; res: Promise<NetResponse> }> = [];
  let text = '';
  let ended = false;
  const input = passStdin(chunks, { data: async (c) => void (text += c), end: async () => void (ended = true) }, limit);
  let sent = 0;
  try {
    for (;;) {
      const closed = ended;
      const seen = text.length;
      let asked = 0;
      const net = (req: NetRequest) => {
        const key = JSON.stringify(req);
        const i = asked++;
        if (answers[i]?.key !== key) answers.splice(i, answers.length - i, { key, res: live(req) });
        return answers[i].res;
      };
      const res = await execInContainer(command, view, text, net, !closed);
      // a command that did not start (not found) has its message alone
      const order = res.order ?? [{ stream: 'stdout' as const, text: res.stdout }, { stream: 'stderr' as const, text: res.stderr }];
      sent = await emitAfter(order, sent, emit);
      if (!res.blocked) {
        await keepWrites(api, t, res.written ?? {}, res.removed ?? []);
        return res;
      }
      while (text.length === seen && !ended) {
        if (!input.open) {
          input.stop(); // throws what stopped the input (too large)
          ended = true; // the reader left it (a stopped stream): its end
        } else await input.waitForMore(60_000);
      }
      // input coming back to back (a file piped in) is taken in one run, not one run a chunk
      for (const until = Date.now() + COALESCE_MS; input.open && Date.now() < until; ) {
        const had = text.length;
        await input.waitForMore(1);
        if (text.length === had) break;
      }
    }
  } finally {
    try {
      input.stop(); // the command ended: its input is not read further
    } catch {
      // too large past what the command read: it did not need the rest
    }
  }
}

/** Emits the part of `order` past its first `sent` characters; returns the characters emitted in all. */
async function emitAfter(order: NonNullable<ExecResult['order']>, sent: number, emit: ExecOutput): Promise<number> {
  let at = 0;
  for (const { stream, text } of order) {
    const from = Math.max(0, sent - at);
    at += text.length;
    if (from < text.length) await emit(stream, text.slice(from));
  }
  return Math.max(sent, at);
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
