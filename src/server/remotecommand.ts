// pods/exec and pods/attach over WebSocket, as the kubelet's remotecommand server speaks it
// (apimachinery wsstream + kubelet/cri/streaming/remotecommand): binary messages whose first
// byte is the channel (stdin 0, stdout 1, stderr 2, error 3, resize 4); v5.channel.k8s.io
// adds the close signal [255, channel] a client sends when its stdin ends. The error
// channel carries one metav1.Status: Success, NonZeroExitCode with an ExitCode cause, or an
// InternalError. The command runs in the simulated shell (src/exec/run-command.ts), the
// same one `kubesim exec` uses; attach follows the container's output from now on. With
// -it, a shell (exec's `sh`, or attach to a container whose process is one, as `debug -it`
// makes) is an interactive session: typed bytes in, its terminal out (src/shell/interactive.ts).

import type * as http from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError } from '../api/errors';
import type { KObject } from '../api/types';
import { checkContainer, runInContainer, runStreamingInContainer, type ExecTarget } from '../exec/run-command';
import { oneChunk, type StdinLimit } from '../exec/stdin-stream';
import type { AttachStdin } from '../exec/attach';
import { UpgradeRefusal, type UpgradeDeps } from './upgrade';

export const V5 = 'v5.channel.k8s.io';
export const V4 = 'v4.channel.k8s.io';
export const CH = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;
/** What stdin may bring (kube-apiserver's body limit): an exec's is kept whole, the simulated command is run again on it as it grows. */
const MAX_STDIN = 3 * 1024 * 1024;
const STDIN_LIMIT: StdinLimit = { bytes: MAX_STDIN, error: () => new Error(`error executing command in container: stdin larger than ${MAX_STDIN} bytes`) };
const CHUNK = 32 * 1024;

export interface StreamRequest extends UpgradeDeps {
  namespace: string;
  name: string;
  query: URLSearchParams;
  websocket: boolean;
  attach: boolean;
}

const flag = (q: URLSearchParams, k: string) => q.get(k) === 'true' || q.get(k) === '1';

/** validateContainer (pkg/registry/core/pod/strategy.go): the container the request names. */
export function requestedContainer(pod: KObject, container: string | null): string {
  if (container) return container;
  const cs: any[] = pod.spec?.containers ?? [];
  if (cs.length === 1) return cs[0].name;
  if (!cs.length) throw ApiError.badRequest(`pod ${pod.metadata.name} does not have a container`);
  const names = [...(pod.spec?.initContainers ?? []), ...cs, ...(pod.spec?.ephemeralContainers ?? [])].map((c: any) => c.name);
  throw ApiError.badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]`);
}

/** Accepts the WebSocket with the best channel protocol the client offers. */
export function acceptChannels(req: http.IncomingMessage, socket: Duplex, head: Buffer, offered: string[]): Promise<{ ws: WebSocket; protocol: string }> {
  const protocol = offered.includes(V5) ? V5 : offered.includes(V4) ? V4 : undefined;
  if (!protocol) throw new UpgradeRefusal(400, `unable to upgrade: requested protocol(s) are not supported: [${offered.join(' ')}]`);
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_STDIN + 16, handleProtocols: () => protocol });
  return new Promise((resolve) => wss.handleUpgrade(req, socket, head, (ws) => resolve({ ws, protocol })));
}

export function offeredProtocols(req: http.IncomingMessage): string[] {
  return String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function sendChannel(ws: WebSocket, ch: number, data: string | Buffer): void {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  for (let i = 0; i < buf.length; i += CHUNK) ws.send(Buffer.concat([Buffer.from([ch]), buf.subarray(i, i + CHUNK)]));
}

function sendStatus(ws: WebSocket, status: Record<string, unknown>): void {
  sendChannel(ws, CH.error, JSON.stringify(status));
}

const SUCCESS = { metadata: {}, status: 'Success' };

function exitStatus(command: string[], code: number): Record<string, unknown> {
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

function internalError(message: string): Record<string, unknown> {
  const inner = message.replace(/^Internal error occurred: /, '');
  return { metadata: {}, status: 'Failure', message, reason: 'InternalError', details: { causes: [{ message: inner }] }, code: 500 };
}

export async function serveRemoteCommand(req: http.IncomingMessage, socket: Duplex, head: Buffer, r: StreamRequest): Promise<void> {
  const q = r.query;
  const pod = await r.api.get(r.api.resolve('pods'), r.namespace, r.name);
  const container = requestedContainer(pod, q.get('container'));
  const command = q.getAll('command');
  const opts = { stdin: flag(q, 'stdin'), stdout: flag(q, 'stdout'), stderr: flag(q, 'stderr'), tty: flag(q, 'tty') };
  const checked = checkContainer(pod, container);
  if ('refusal' in checked && checked.refusal.at === 'apiserver') throw checked.refusal.error;
  if (!r.attach && !command.length) throw new UpgradeRefusal(400, 'you must specify at least 1 command');
  if (!opts.stdin && !opts.stdout && !opts.stderr) throw new UpgradeRefusal(400, 'you must specify at least 1 of stdin, stdout, stderr');
  if ('refusal' in checked && checked.refusal.at === 'kubelet') throw new UpgradeRefusal(500, checked.refusal.text);
  if (!r.websocket) throw new UpgradeRefusal(400, 'unable to upgrade: kubesim serves exec and attach over WebSocket (v5.channel.k8s.io, v4.channel.k8s.io) only');
  const { ws, protocol } = await acceptChannels(req, socket, head, offeredProtocols(req));
  const session = new Session(ws, protocol);
  try {
    if ('refusal' in checked) {
      await session.streamsReady();
      if (session.open) sendStatus(ws, internalError(checked.refusal.at === 'runtime' ? checked.refusal.message : ''));
      return;
    }
    if (r.attach) await attach(r, checked.target, session, opts);
    else await exec(r, checked.target, command, session, opts);
  } catch (e) {
    r.log(`${r.attach ? 'attach' : 'exec'} failed: ${(e as Error)?.stack ?? e}`);
    if (session.open) sendStatus(ws, internalError(`Internal error occurred: ${(e as Error)?.message ?? e}`));
  } finally {
    session.close();
  }
}

/** How long after the upgrade a first message may go out (see Session.streamsReady). */
const STREAM_SETUP_MS = 50;
const PONG_WAIT_MS = 2000;
const AFTER_PONG_MS = 10;
/** The pause between stderr and the stdout that follows it (see exec). */
const STREAM_SWITCH_MS = 20;

/** One connection's channels: stdin kept until it is read (then passed on as it comes), ended by its close signal (v5) or the connection's end. */
class Session {
  private stdin: Buffer[] = [];
  private stdinDone!: () => void;
  readonly stdinEnded: Promise<void>;
  open = true;
  readonly gone: Promise<void>;
  private readonly openedAt = Date.now();
  private listener: ((data: Buffer) => void) | undefined;
  private readonly answered: Promise<number>;

  constructor(
    readonly ws: WebSocket,
    readonly protocol: string,
  ) {
    this.stdinEnded = new Promise((res) => (this.stdinDone = res));
    // A pong comes back once the client reads the connection (see streamsReady).
    this.answered = new Promise((res) => ws.once('pong', () => res(Date.now())));
    ws.ping();
    this.gone = new Promise((res) => ws.once('close', () => {
      this.open = false;
      this.stdinDone();
      res();
    }));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary || !data.length) return;
      const ch = data[0];
      if (ch === CH.stdin && this.listener) this.listener(data.subarray(1));
      else if (ch === CH.stdin) this.stdin.push(Buffer.from(data.subarray(1)));
      else if (ch === CH.close && protocol === V5 && data[1] === CH.stdin) this.stdinDone();
      // resize (4) changes nothing in a simulated terminal
    });
  }

  /**
   * client-go before 1.33 reads the connection before it has made its streams and drops
   * what comes for a stream it does not have yet ("Unknown stream id 2, discarding
   * message"; kubernetes#131203): a command that ends at once would lose its output or
   * exit status. The first message waits for the pong to the ping sent at the upgrade (the
   * client is reading: a loaded machine can stall it past any fixed delay; 1.33+ reads only
   * once its streams exist) and AFTER_PONG_MS more (1.32 makes its streams as its reader
   * starts), at most PONG_WAIT_MS for a client that does not answer, and at least
   * STREAM_SETUP_MS after the upgrade, some milliseconds as a runtime's exec takes.
   */
  async streamsReady(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const pongAt = await Promise.race([this.answered, this.gone, new Promise<undefined>((r) => { timer = setTimeout(() => r(undefined), PONG_WAIT_MS); })]);
    clearTimeout(timer);
    const wait = Math.max(this.openedAt + STREAM_SETUP_MS, (pongAt ?? 0) + AFTER_PONG_MS) - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }

  /** Streams stdin to `fn` from now on (what came before first), instead of gathering it. */
  onStdin(fn: (data: Buffer) => void): void {
    for (const b of this.stdin.splice(0)) fn(b);
    this.listener = fn;
  }

  /** stdin as text chunks as they come, to its end (what came before first); returning stops reading it. */
  stdinChunks(): AsyncIterable<string> {
    const decoder = new StringDecoder('utf8');
    const queue: string[] = [];
    let done = false;
    let wake = () => {};
    const push = (t: string) => {
      if (t) queue.push(t);
      wake();
    };
    this.onStdin((data) => push(decoder.write(data)));
    void this.stdinEnded.then(() => {
      done = true;
      push(decoder.end());
    });
    const stop = async (): Promise<IteratorResult<string>> => {
      this.listener = () => {};
      done = true;
      queue.length = 0;
      return { done: true, value: undefined };
    };
    const next = async (): Promise<IteratorResult<string>> => {
      while (!queue.length && !done) await new Promise<void>((res) => (wake = res));
      return queue.length ? { done: false, value: queue.shift()! } : { done: true, value: undefined };
    };
    return { [Symbol.asyncIterator]: () => ({ next, return: stop }) };
  }

  close(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
    this.open = false;
  }
}

type StreamOpts = { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean };

async function exec(r: StreamRequest, t: ExecTarget, command: string[], s: Session, opts: StreamOpts): Promise<void> {
  if (opts.tty && opts.stdin && (await interactive(r, t, command, s, opts, false))) return;
  await s.streamsReady();
  if (!s.open) return;
  if (opts.tty && opts.stdin) {
    // Keystrokes through the container's terminal (src/exec/tty.ts) to a process that is not a shell.
    const { cookedInput, SIGINT_STATUS } = await import('../exec/tty');
    const toTerminal = (text: string) => s.open && opts.stdout && sendChannel(s.ws, CH.stdout, text);
    const tty = cookedInput(s.stdinChunks(), toTerminal);
    const res = await runStreamingInContainer(r.api, t, command, tty.input, STDIN_LIMIT, (_stream, text) => void (tty.interrupted() || toTerminal(text.replace(/\r?\n/g, '\r\n'))));
    const code = tty.interrupted() ? SIGINT_STATUS : res.code;
    if (s.open) sendStatus(s.ws, code === 0 ? SUCCESS : exitStatus(command, code));
    return;
  }
  if (opts.tty) {
    // -t without -i: the command runs at once, without stdin.
    const res = await runInContainer(r.api, t, command, '');
    // a terminal merges both streams and its line discipline turns \n into \r\n
    const all = (res.stdout + res.stderr).replace(/\r?\n/g, '\r\n');
    if (s.open && opts.stdout && all) sendChannel(s.ws, CH.stdout, all);
    if (s.open) sendStatus(s.ws, res.code === 0 ? SUCCESS : exitStatus(command, res.code));
    return;
  }
  // stdin passed on as it comes, the output as the command writes it (cat echoes a line at once)
  let stderrSent = false;
  const res = await runStreamingInContainer(r.api, t, command, opts.stdin ? s.stdinChunks() : oneChunk(''), STDIN_LIMIT, async (stream, text) => {
    if (!s.open || !(stream === 'stdout' ? opts.stdout : opts.stderr)) return;
    if (stream === 'stdout' && stderrSent) {
      // kubectl cp returns once the archive's end arrives on stdout, without waiting for
      // the goroutine that copies stderr to its output (cp.go untarAll): a warning sent
      // just before could be lost. A runtime relays the two streams with some time between.
      await new Promise((res) => setTimeout(res, STREAM_SWITCH_MS));
      if (!s.open) return;
    }
    sendChannel(s.ws, stream === 'stdout' ? CH.stdout : CH.stderr, text);
    stderrSent = stream === 'stderr';
  });
  if (s.open) sendStatus(s.ws, res.code === 0 ? SUCCESS : exitStatus(command, res.code));
}

/**
 * `-it` to a shell (exec's command, or the container's own process for attach): an
 * interactive session over the channels, typed bytes in on stdin, the terminal's output on
 * stdout, the exit status at the end (exec's; an attach just ends, and the container's
 * process with its shell). False when `command` is not a shell reading stdin.
 */
async function interactive(r: StreamRequest, t: ExecTarget, command: string[], s: Session, opts: StreamOpts, attached: boolean): Promise<boolean> {
  const { startInteractive } = await import('../exec/run-command');
  const session = await startInteractive(r.api, t, command, (text) => s.open && opts.stdout && sendChannel(s.ws, CH.stdout, text));
  if (!session) return false;
  await s.streamsReady();
  const decoder = new StringDecoder('utf8');
  s.onStdin((data) => session.shell.input(decoder.write(data)));
  let left = false; // the client's input ended (it left or closed stdin): the shell ends with it, not by itself
  void s.stdinEnded.then(() => ((left = true), session.shell.end()));
  session.shell.start();
  const code = await session.finished();
  if (attached && !left) {
    // the shell was the container's process: its exit (`exit 3`) is the container's, as with kubesim attach
    const { recordProcessExit } = await import('../kubelet/runtime-state');
    await recordProcessExit(r.api, t.pod, t.name, code);
  }
  if (s.open) sendStatus(s.ws, code === 0 || attached ? SUCCESS : exitStatus(command, code));
  return true;
}

/** Follows what the container writes from now on, until it stops or the client leaves. */
async function attach(r: StreamRequest, t: ExecTarget, s: Session, opts: StreamOpts): Promise<void> {
  if (opts.stdin && opts.tty) {
    const { attachedShellCommand } = await import('../exec/run-command');
    const shell = await attachedShellCommand(t.spec);
    if (shell && (await interactive(r, t, shell, s, opts, true))) return;
  }
  const { followAttached, sendToContainerStdin } = await import('../exec/attach');
  let since: number | undefined;
  let input: AttachStdin | undefined;
  const ch = opts.stdout ? CH.stdout : CH.stderr;
  const show = (text: string) => (opts.stdout || opts.stderr) && s.open && sendChannel(s.ws, ch, opts.tty ? text.replace(/\r?\n/g, '\r\n') : text);
  if (opts.stdin && t.spec.stdin) {
    since = r.api.clock.now();
    // the container's process reads what the client sends as it comes, then its end with
    // stdinOnce; with -t, keystrokes through the container's terminal (src/exec/tty.ts)
    let chunks = s.stdinChunks();
    let eof: (() => boolean) | undefined;
    if (opts.tty) {
      const [{ cookedInput, SIGINT_STATUS }, { recordProcessExit }] = await Promise.all([import('../exec/tty'), import('../kubelet/runtime-state')]);
      const tty = cookedInput(chunks, show, () => recordProcessExit(r.api, t.pod, t.name, SIGINT_STATUS));
      [chunks, eof] = [tty.input, tty.eof];
    }
    input = await sendToContainerStdin(r.api, t, chunks, STDIN_LIMIT, eof);
  }
  try {
    await followAttached(r.api, t.pod, t.name, show, s.gone, { sinceMs: since });
  } finally {
    await input?.close();
  }
  if (s.open) sendStatus(s.ws, SUCCESS);
}
