// Drivers of the interpreter. `runScript` runs a container's script on the kubelet's
// simulated time line: `sleep` advances the clock, output lines are stamped with it, and
// the run pauses at a horizon. Paused runs are kept (per process) and resumed when the
// kubelet looks further ahead; a run not in memory is replayed from its start, which
// gives the same lines because a script only sees its own inputs. `runShellAsync`
// serves `kubesim exec` and the tests: sleeps pass at once, network requests are awaited.

import { createHash } from 'node:crypto';
import { appletTable } from './applets';
import { SPECIAL_BUILTINS, builtins } from './builtins';
import { ExitSignal, FatalError, Sh, type Effect, type Flavor, type Gen, type NetRequest, type NetResponse, type Shared } from './interp';
import { EMPTY_INPUT, Input, StdinBlocked, type Sink } from './io';
import { DEFAULT_LIMITS, LimitError, memoryError, type ShellLimits } from './limits';
import { Vfs, type VfsOptions } from './vfs';

export interface ShellOptions {
  flavor: Flavor;
  env: Iterable<[string, string]>;
  hostname?: string;
  cwd?: string;
  uid?: number;
  gid?: number;
  vfs?: VfsOptions;
  /** Simulated time the script starts at (ms). */
  startMs?: number;
  limits?: Partial<ShellLimits>;
  stdin?: string;
  /** The stdin stays open past its text (a container's, before an attach closes it): a read there waits. */
  stdinOpen?: boolean;
  /** When the stdin's text arrived (an attach): its first read waits until then. */
  stdinAtMs?: number;
  /** Positional parameters (`sh -c SCRIPT NAME ARGS...`): `$0` then `$1`... */
  name?: string;
  args?: string[];
}

interface Chunk {
  stream: 'stdout' | 'stderr';
  text: string;
  atMs: number;
}

/** A running script: the interpreter paused inside a generator, and what it wrote so far. */
export class Session {
  readonly g: Shared;
  readonly sh: Sh;
  readonly gen: Gen<number>;
  readonly chunks: Chunk[] = [];
  /** The script's own stdout and stderr (an interactive shell runs each line with them). */
  readonly out: Sink;
  readonly err: Sink;
  /** Set when `exit` ended the shell. */
  exited = false;
  private burst = 0;
  private total = 0;
  code: number | undefined;
  constructor(
    src: string,
    o: ShellOptions,
    private readonly keepTotal = Infinity,
  ) {
    const limits = { ...DEFAULT_LIMITS, ...(o.limits ?? {}) };
    const b = builtins();
    this.g = {
      flavor: o.flavor,
      name: o.name ?? 'sh',
      hostname: o.hostname ?? 'localhost',
      uid: o.uid ?? 0,
      gid: o.gid ?? 0,
      vfs: new Vfs({ maxBytes: limits.maxFiles, ...(o.vfs ?? {}) }),
      clock: { now: o.startMs ?? 0 },
      limits,
      applets: appletTable(b),
      builtins: b,
      specialBuiltins: SPECIAL_BUILTINS,
      busySteps: 0,
      steps: 0,
      pid: 1,
    };
    const out = (this.out = this.sink('stdout'));
    const err = (this.err = this.sink('stderr'));
    this.g.pid1 = { out, err };
    this.sh = new Sh(this.g);
    for (const [k, v] of o.env) {
      this.sh.vars.set(k, v);
      this.sh.exported.add(k);
    }
    if (!this.sh.vars.has('IFS')) this.sh.vars.set('IFS', ' \t\n');
    this.sh.vars.set('PWD', o.cwd ?? '/');
    this.sh.cwd = o.cwd ?? '/';
    this.sh.positional = o.args ?? [];
    const inp = new Input(o.stdin ?? '');
    inp.open = !!o.stdinOpen;
    const at = o.stdinAtMs;
    if (at !== undefined) {
      inp.onRead = () => {
        if (this.g.clock.now >= at) return;
        this.g.clock.now = at;
        this.slept();
      };
    }
    this.gen = this.main(src, { inp, out, err });
  }

  private sink(stream: 'stdout' | 'stderr'): Sink {
    return {
      write: (text: string) => {
        if (!text) return;
        this.burst += text.length;
        if (this.burst > this.g.limits.maxOutput) throw memoryError('the output written without sleeping', this.g.limits.maxOutput);
        this.total += text.length;
        if (this.total > this.keepTotal) return; // log rotation: the rest is not kept
        this.chunks.push({ stream, text, atMs: this.g.clock.now });
      },
    };
  }

  private *main(src: string, io: { inp: Input; out: Sink; err: Sink }): Gen<number> {
    const code = yield* this.guarded(() => this.sh.script(src, io));
    const trap = this.g.exitTrap;
    if (trap === undefined) return code;
    this.g.exitTrap = undefined;
    this.sh.status = code;
    let trapExit: number | undefined;
    const r = yield* this.guarded(function* (this: Session) {
      try {
        yield* this.sh.evalText(trap, io);
      } catch (e) {
        if (e instanceof ExitSignal) trapExit = e.code;
        else throw e;
      }
      return 0;
    }.bind(this));
    return trapExit ?? (r !== 0 ? r : code);
  }

  /** One line (or complete command) typed at an interactive shell's prompt. */
  *interactive(src: string): Gen<number> {
    return yield* this.guarded(() => this.sh.script(src, { inp: EMPTY_INPUT(), out: this.out, err: this.err }));
  }

  private *guarded(f: () => Gen<number>): Gen<number> {
    try {
      return yield* f();
    } catch (e) {
      if (e instanceof ExitSignal) {
        this.exited = true;
        return e.code;
      }
      if (e instanceof FatalError) {
        if (e.message) this.force('stderr', e.message);
        return e.code;
      }
      if (e instanceof LimitError) {
        this.force('stderr', e.message + '\n');
        return e.code;
      }
      throw e;
    }
  }

  /** Writes past the output limit (the message saying it was hit). */
  private force(stream: 'stdout' | 'stderr', text: string): void {
    this.chunks.push({ stream, text, atMs: this.g.clock.now });
  }

  /** Time passed: a new burst of output may start. */
  slept(): void {
    this.burst = 0;
    this.g.busySteps = 0;
  }
}

// ---------- the kubelet's driver ----------

export interface ShellEnv {
  env: Record<string, string>;
  hostname: string;
  /** Files visible to the container (mounted ConfigMaps/Secrets): path → content. */
  files: Record<string, string>;
  /** Cluster time (ms) at which the script starts. */
  startMs: number;
  /** The container image: busybox/alpine images get busybox messages, others Debian's. */
  image?: string;
  /** A container with `stdin: true`: what attaches sent it and when, and whether it is still open. */
  stdin?: { text: string; open: boolean; atMs?: number };
}

export interface ShellLine {
  atMs: number;
  text: string;
  stream?: 'stdout' | 'stderr';
}

export interface ShellRun {
  lines: ShellLine[];
  /** Set when the script exited before the horizon. */
  exit?: { atMs: number; code: number };
  /** Files the script created or removed, in order (for exec probes such as `cat /tmp/healthy`). */
  fileEvents: Array<{ atMs: number; path: string; exists: boolean }>;
  /** True when the script was cut by the horizon or the step budget. */
  truncated: boolean;
  /** When a network request waits for the cluster to reach its moment: that moment. */
  netAt?: number;
}

/** What a container keeps of its log before rotating (the kubelet's containerLogMaxSize). */
const LOG_KEEP = 10 << 20;
/** Commands one call may run before pausing (a loop of very short sleeps). */
const STEPS_PER_CALL = 2_000_000;
const CACHE_MAX = 64;

interface KubeletRun {
  session: Session;
  run: ShellRun;
  /** Where the paused script wakes (end of its current sleep). */
  wakeAt?: number;
  /** Output chunks already cut into lines. */
  consumed: number;
  /** A network request made later than the cluster's now: it waits to be answered then. */
  pendingNet?: NetRequest;
  partial: { stdout: string; stderr: string };
  /** The script waits on its open stdin: nothing more happens until an attach sends some (a new run). */
  blocked?: boolean;
}

const runs = new Map<string, KubeletRun>();

export function isBusyboxImage(image: string | undefined): boolean {
  // alpine itself and every `*-alpine` variant (nginx:alpine, python:3.12-alpine)
  return image === undefined || /(^|\/)busybox(:|@|$)/.test(image) || /alpine/.test(image);
}

/** The network a container's own script reaches (wget, nc): answers as of the cluster's `nowMs`. */
export interface LiveNet {
  nowMs: number;
  answer: (req: NetRequest) => NetResponse;
}

/**
 * Runs a script from `env.startMs` until it exits or time reaches `horizonMs`.
 * Deterministic: the same script, env and horizon give the same run. With `net`, a request
 * is answered when cluster time reaches it (the run pauses there until then); without, no
 * name resolves.
 */
export function runScript(src: string, env: ShellEnv, horizonMs: number, net?: LiveNet): ShellRun {
  const key = createHash('sha256').update(JSON.stringify([src, env.env, env.hostname, env.files, env.startMs, env.image ?? '', env.stdin ?? null])).digest('hex');
  let kr = runs.get(key);
  if (!kr) {
    const fileEvents: ShellRun['fileEvents'] = [];
    let clock: { now: number } | undefined;
    const session = new Session(
      src,
      {
        flavor: isBusyboxImage(env.image) ? 'busybox' : 'debian',
        env: Object.entries(env.env).concat(env.env.HOSTNAME === undefined ? [['HOSTNAME', env.hostname]] : []),
        hostname: env.hostname,
        startMs: env.startMs,
        vfs: { files: env.files, onChange: (path, exists) => fileEvents.push({ atMs: clock!.now, path, exists }) },
        name: 'sh',
        stdin: env.stdin?.text,
        stdinOpen: env.stdin?.open,
        stdinAtMs: env.stdin?.atMs,
      },
      LOG_KEEP,
    );
    clock = session.g.clock;
    kr = { session, run: { lines: [], fileEvents, truncated: false }, consumed: 0, partial: { stdout: '', stderr: '' } };
    runs.set(key, kr);
    while (runs.size > CACHE_MAX) runs.delete(runs.keys().next().value!);
  } else {
    // most recently used last
    runs.delete(key);
    runs.set(key, kr);
  }
  advance(kr, horizonMs, net);
  return kr.run;
}

function advance(kr: KubeletRun, horizon: number, net: LiveNet | undefined): void {
  const s = kr.session;
  if (kr.run.exit || kr.blocked) return;
  let input: unknown;
  if (kr.pendingNet) {
    if (!net || s.g.clock.now > net.nowMs) {
      kr.run.truncated = true;
      return;
    }
    input = net.answer(kr.pendingNet);
    kr.pendingNet = undefined;
    delete kr.run.netAt;
  } else if (kr.wakeAt !== undefined) {
    if (kr.wakeAt > horizon) {
      kr.run.truncated = true;
      return;
    }
    s.g.clock.now = kr.wakeAt;
    kr.wakeAt = undefined;
    s.slept();
  }
  const budget = s.g.steps + STEPS_PER_CALL;
  kr.run.truncated = false;
  for (;;) {
    let r: IteratorResult<Effect, number>;
    try {
      r = s.gen.next(input);
    } catch (e) {
      if (e instanceof StdinBlocked) {
        kr.blocked = true;
        cutLines(kr, false);
        return;
      }
      // an interpreter bug must not take the kubelet down: the container fails with it
      s.chunks.push({ stream: 'stderr', text: `kubesim: sh: internal error: ${(e as Error).message}\n`, atMs: s.g.clock.now });
      r = { done: true, value: 2 };
    }
    if (r.done) {
      cutLines(kr, true);
      kr.run.exit = { atMs: s.g.clock.now, code: r.value & 255 };
      return;
    }
    input = undefined;
    const eff = r.value;
    if (eff.k === 'sleep') {
      const end = s.g.clock.now + eff.ms;
      if (end > horizon || s.g.steps > budget) {
        kr.wakeAt = end;
        kr.run.truncated = true;
        cutLines(kr, false);
        return;
      }
      s.g.clock.now = end;
      s.slept();
    } else if (!net) {
      input = { ok: false, error: 'bad-address' } satisfies NetResponse;
    } else if (s.g.clock.now > net.nowMs) {
      // the cluster has not reached the request's moment: its answer is not known yet
      kr.pendingNet = eff.req;
      kr.run.netAt = s.g.clock.now;
      kr.run.truncated = true;
      cutLines(kr, false);
      return;
    } else input = net.answer(eff.req);
    if (s.chunks.length - kr.consumed > 1000) cutLines(kr, false);
  }
}

/** Turns output chunks into log lines, per stream as the runtime's log writer does. */
function cutLines(kr: KubeletRun, final: boolean): void {
  const chunks = kr.session.chunks;
  for (; kr.consumed < chunks.length; kr.consumed++) {
    const ch = chunks[kr.consumed];
    const all = kr.partial[ch.stream] + ch.text;
    const parts = all.split('\n');
    kr.partial[ch.stream] = parts.pop()!;
    for (const text of parts) kr.run.lines.push({ atMs: ch.atMs, text, stream: ch.stream });
  }
  chunks.length = 0;
  kr.consumed = 0;
  if (final) {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (kr.partial[stream]) kr.run.lines.push({ atMs: kr.session.g.clock.now, text: kr.partial[stream], stream });
      kr.partial[stream] = '';
    }
  }
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);
/** Commands the interpreter understands when run directly (`command: ["sleep", "3600"]`). */
const PROGRAMS = new Set(['echo', 'printf', 'sleep', 'true', 'false', 'cat', 'env', 'printenv', 'date', 'hostname', 'touch', 'rm', 'test', 'ls', 'wget', 'nc', 'seq', 'uname', 'id', 'whoami', 'grep', 'sed', 'head', 'tail', 'wc', 'sort']);

function quote(a: string): string {
  return `'${a.replace(/'/g, `'\\''`)}'`;
}

/**
 * The script a container runs, from its command and args: `sh -c SCRIPT` (also bash,
 * /bin/sh, `-ec`), or a program run directly. Undefined for anything else (a server).
 */
export function containerScript(command: string[] | undefined, args: string[] | undefined): string | undefined {
  const argv = [...(command ?? []), ...(args ?? [])];
  if (!argv.length) return undefined;
  const base = argv[0].split('/').pop()!;
  if (SHELLS.has(base)) {
    const ci = argv.findIndex((a, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(a));
    if (ci > 0 && argv[ci + 1] !== undefined) {
      const rest = argv.slice(ci + 2);
      // `sh -c SCRIPT NAME ARGS...`: $0 and the positional parameters
      return rest.length ? `set -- ${rest.slice(1).map(quote).join(' ')}\n${argv[ci + 1]}` : argv[ci + 1];
    }
    return undefined;
  }
  if (PROGRAMS.has(base)) return argv.map(quote).join(' ');
  return undefined;
}

// ---------- exec and tests ----------

export interface ShellResult {
  stdout: string;
  stderr: string;
  code: number;
  /** Simulated time the command took (its sleeps). */
  elapsedMs: number;
  /** The file system as the command left it (exec keeps what it wrote in the container). */
  files: ReadonlyMap<string, string>;
  /** stdout and stderr in the order they were written (a stream's consecutive writes joined). */
  order: Array<{ stream: 'stdout' | 'stderr'; text: string }>;
  /** The script waits on its stdin, still open (`code` is meaningless): what it wrote until then. */
  blocked?: boolean;
  /** `exit` ended the shell (not the end of its script). */
  exited: boolean;
}

export interface AsyncShellOptions extends ShellOptions {
  /** Answers wget/nc requests. */
  net?: (req: NetRequest) => Promise<NetResponse> | NetResponse;
  /** Simulated time a command may take before it is stopped (`sleep infinity` in exec). */
  maxSimulatedMs?: number;
}

/** Runs a script to completion: sleeps pass instantly on a private clock. */
export async function runShellAsync(src: string, o: AsyncShellOptions): Promise<ShellResult> {
  const s = new Session(src, o);
  const start = s.g.clock.now;
  try {
    return collect(s, await driveAsync(s, s.gen, o), start);
  } catch (e) {
    if (e instanceof StdinBlocked) return { ...collect(s, -1, start), blocked: true };
    throw e;
  }
}

/**
 * Drives a generator of session `s` to its end: sleeps pass at once on the session's clock
 * (up to maxSimulatedMs), network requests are awaited. Returns the exit status.
 */
export async function driveAsync(s: Session, gen: Gen<number>, o: AsyncShellOptions): Promise<number> {
  const start = s.g.clock.now;
  const maxMs = o.maxSimulatedMs ?? 3_600_000;
  let input: unknown;
  for (;;) {
    let r: IteratorResult<Effect, number>;
    try {
      r = gen.next(input);
    } catch (e) {
      if (e instanceof StdinBlocked) throw e; // the caller runs it again once more input came
      // an interpreter bug is reported like a shell error, not as a crash of the CLI
      s.chunks.push({ stream: 'stderr', text: `kubesim: sh: internal error: ${(e as Error).message}\n`, atMs: s.g.clock.now });
      return 2;
    }
    if (r.done) return r.value & 255;
    input = undefined;
    const eff = r.value;
    if (eff.k === 'sleep') {
      if (s.g.clock.now + eff.ms - start > maxMs) {
        s.chunks.push({ stream: 'stderr', text: `kubesim: the command would run for more than ${Math.round(maxMs / 60_000)}m of simulated time; stopped\n`, atMs: s.g.clock.now });
        return 137;
      }
      s.g.clock.now += eff.ms;
      s.slept();
    } else input = o.net ? await o.net(eff.req) : ({ ok: false, error: 'bad-address' } satisfies NetResponse);
  }
}

function collect(s: Session, code: number, start: number): ShellResult {
  let stdout = '';
  let stderr = '';
  const order: ShellResult['order'] = [];
  for (const c of s.chunks) {
    if (c.stream === 'stdout') stdout += c.text;
    else stderr += c.text;
    const last = order[order.length - 1];
    if (last?.stream === c.stream) last.text += c.text;
    else order.push({ stream: c.stream, text: c.text });
  }
  return { stdout, stderr, code, elapsedMs: s.g.clock.now - start, files: s.g.vfs.files, order, exited: s.exited };
}

export { EMPTY_INPUT };
