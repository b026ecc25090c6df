// What every verb needs, resolved once: where the state lives, which cluster (context)
// and namespace are selected, the output streams, and — opened lazily, because `version`
// and `--help` need none of it — the cluster's API server.

import * as fs from 'node:fs';
import { readInputSync } from '../manifest/read-limited';
import { ensurePrivateDir } from '../store/file-store';
import * as path from 'node:path';
import { CliError } from '../api/errors';
import { StoreNotFoundError } from '../store/store';
import type { ApiServer } from '../api/server';
import type { ClusterClock } from '../sim/clock';
import type { FileFlags } from './manifest-input';
import { clusterDir, selectCluster, type GlobalFlags, type KubesimConfig } from './context-select';

export { DEFAULT_CLUSTER, clusterDir, readConfig, selectFromKubeconfig, stateHome, type GlobalFlags, type KubesimConfig } from './context-select';

export interface Streams {
  out(text: string): void;
  err(text: string): void;
  stdinText(): string;
  /** stdin as it arrives (an attach passes it on as it is typed); absent where only the whole text exists. */
  stdinChunks?(): AsyncIterable<string>;
  isTTY: boolean;
  /** The terminal stdin is (kubectl's term.TTY); absent when stdin is not one. */
  terminal?: Terminal;
}

export interface Terminal {
  /** Raw mode on or off: a session keeps it raw from before its prompt to its end (term.Safe). */
  setRaw(raw: boolean): void;
  /** The keystrokes as they are typed, until the input ends or the reader stops. */
  keys(): AsyncIterable<string>;
}

/** process.stdin as a terminal. */
const stdinTerminal: Terminal = {
  setRaw: (raw) => void process.stdin.setRawMode(raw),
  keys: () => ({ [Symbol.asyncIterator]: () => keysOf(process.stdin) }),
};

/**
 * The chunks `stdin` gives, read while they are asked for. Its return() pauses stdin at once,
 * a read still waiting (the session ended, nothing typed since) answering done: an async
 * generator would wait for the next key first, stdin flowing and keeping the process alive.
 */
function keysOf(stdin: NodeJS.ReadStream): AsyncIterator<string> {
  const queue: string[] = [];
  let ended = false;
  let wake: ((r: IteratorResult<string>) => void) | undefined;
  const settle = (r: IteratorResult<string>) => {
    const w = wake;
    wake = undefined;
    w?.(r);
  };
  const onData = (d: string) => (wake ? settle({ value: d, done: false }) : queue.push(d));
  const onEnd = () => ((ended = true), settle({ value: undefined, done: true }));
  stdin.setEncoding('utf8');
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  stdin.on('error', onEnd); // a terminal gone: the input's end
  stdin.resume();
  const stop = () => {
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.off('error', onEnd);
    stdin.pause();
    onEnd();
  };
  return {
    next: () => {
      if (queue.length) return Promise.resolve({ value: queue.shift()!, done: false });
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (wake = resolve));
    },
    return: async () => (stop(), { value: undefined, done: true }),
  };
}

export const processStreams: Streams = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  stdinText: () => {
    try {
      return readInputSync(0).toString('utf8');
    } catch (e) {
      if (e instanceof CliError) throw e; // too large, or a stalled pipe
      return '';
    }
  },
  stdinChunks: () => {
    const stdin = process.stdin.setEncoding('utf8');
    const it = stdin[Symbol.asyncIterator]() as AsyncIterator<string>;
    // stopped while a read is pending (the command ended, the input is open): the pipe is
    // closed too, else it keeps the process until its writer ends
    const stop = async (): Promise<IteratorResult<string>> => (stdin.destroy(), { done: true, value: undefined });
    return { [Symbol.asyncIterator]: () => ({ next: () => it.next(), return: stop }) };
  },
  isTTY: Boolean(process.stdout.isTTY),
  get terminal() {
    return process.stdin.isTTY ? stdinTerminal : undefined;
  },
};

export function writeConfig(home: string, config: KubesimConfig): void {
  ensurePrivateDir(home); // not mkdirSync({recursive}): it never returns under /proc
  const file = path.join(home, 'config.json');
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export class CliContext {
  readonly home: string;
  readonly config: KubesimConfig;
  private readonly selectedName: string;
  /** The kubeconfig's loading error, thrown by whatever needs the cluster (kubectl's client config). */
  private readonly kubeconfigError?: CliError;
  private opened?: { api: ApiServer; clock: ClusterClock };

  constructor(
    readonly flags: GlobalFlags,
    readonly streams: Streams = processStreams,
  ) {
    const selected = selectCluster(flags);
    this.home = selected.home;
    this.config = selected.config;
    this.selectedName = selected.clusterName;
    this.contextNamespace = selected.contextNamespace;
    this.kubeconfigError = selected.kubeconfigError;
  }

  get clusterName(): string {
    this.checkKubeconfig();
    return this.selectedName;
  }

  /** Throws the kubeconfig's loading error, as kubectl's verbs that build a client do first. */
  checkKubeconfig(): void {
    if (this.kubeconfigError) throw this.kubeconfigError;
  }

  /** The selected kubeconfig context's namespace (or kubesim's own per-cluster setting). */
  private readonly contextNamespace: string | undefined;

  /** The namespace: -n, else the context's, else `default`. An empty `-n ''` counts as unset, as client-go's override does. */
  get namespace(): string {
    this.checkKubeconfig();
    return this.flags.namespace || this.contextNamespace || 'default';
  }

  get namespaceExplicit(): boolean {
    return !!this.flags.namespace;
  }

  get clusterDir(): string {
    return clusterDir(this.home, this.clusterName);
  }

  /** The error of a verb whose cluster does not exist (never made, or deleted meanwhile). */
  missingCluster(): CliError {
    return new CliError(`cluster "${this.clusterName}" does not exist (create it with: kubesim cluster create ${this.clusterName})`);
  }

  /** A store found gone (`cluster delete` while this command ran) as the user's words say it. */
  storeGoneAsMissing(e: unknown): unknown {
    return e instanceof StoreNotFoundError && path.resolve(e.dir) === path.resolve(this.clusterDir) ? this.missingCluster() : e;
  }

  clusterExists(): boolean {
    return fs.existsSync(path.join(this.clusterDir, 'registry'));
  }

  /**
   * Opens the selected cluster. The default cluster is created on first use (so a fresh
   * install just works); any other name must have been created with `cluster create`.
   */
  async api(opts: { startDaemon?: boolean } = {}): Promise<ApiServer> {
    if (this.opened) return this.opened.api;
    // `flags` holds the verb's own flags too: a bad -f/-k/-R combination is a usage error
    // (kubectl's Builder refuses it before any request), so it must not create the cluster.
    const { validateFileFlags } = await import('./manifest-input');
    validateFileFlags(this.flags as FileFlags);
    const { openOrCreateCluster } = await import('./open-cluster');
    this.opened = await openOrCreateCluster(this, opts.startDaemon ?? true);
    return this.opened.api;
  }

  async clock(opts: { startDaemon?: boolean } = {}): Promise<ClusterClock> {
    await this.api(opts);
    return this.opened!.clock;
  }

  out(text: string): void {
    this.streams.out(text);
  }

  err(text: string): void {
    this.streams.err(text);
  }
}
