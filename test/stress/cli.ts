// Drives the real CLI for the stress tests: synchronous runs, and asynchronous ones that
// can run side by side or be killed mid-write.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, lstatSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT } from './corpus-util';
import { TEST_CACHE_HOME } from '../e2e/helpers';

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function envFor(home: string): NodeJS.ProcessEnv {
  // KUBECONFIG in the home too: `cluster create` writes a context, never into the user's ~/.kube/config.
  return { ...process.env, XDG_CACHE_HOME: TEST_CACHE_HOME, KUBESIM_HOME: home, KUBESIM_NO_DAEMON: '1', NO_COLOR: '1', TZ: 'UTC', KUBECONFIG: join(home, 'kubeconfig') };
}

export function run(home: string, args: string[], stdin = '', timeout = 60_000): Run {
  const t = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { input: stdin, cwd: ROOT, env: envFor(home), encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms: Date.now() - t };
}

/** `env` replaces envFor(home) (e.g. without KUBESIM_NO_DAEMON: a user's command with the daemon running). */
export function start(home: string, args: string[], stdin = '', env = envFor(home)): { child: ChildProcess; done: Promise<Run> } {
  const t = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdin!.on('error', () => {}); // killed before reading its input
  child.stdin!.end(stdin);
  const done = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - t })));
  return { child, done };
}

export function runAsync(home: string, args: string[], stdin = ''): Promise<Run> {
  return start(home, args, stdin).done;
}

export function tempHome(prefix = 'kubesim-stress-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeHome(home: string): void {
  rmSync(home, { recursive: true, force: true });
}

/** A stack trace in output means an unhandled crash. */
export function hasStackTrace(s: string): boolean {
  return /^\s+at .+(\(|:\d+:\d+)/m.test(s);
}

/** The state directories (one per cluster) under a KUBESIM_HOME: those holding a registry. */
export function stateDirs(home: string): string[] {
  const out: string[] = [];
  if (existsSync(join(home, 'registry'))) out.push(home);
  const clusters = join(home, 'clusters');
  if (existsSync(clusters)) for (const c of readdirSync(clusters).sort()) if (existsSync(join(clusters, c, 'registry'))) out.push(join(clusters, c));
  return out;
}

/** The default cluster's state directory (where the journal, lock and registry live). */
export function stateDir(home: string): string {
  const dirs = stateDirs(home);
  if (dirs.length === 0) throw new Error(`no state directory under ${home}`);
  return dirs.find((d) => d.endsWith('/kubesim')) ?? dirs[0];
}

/**
 * The stored objects as a reader sees them: every regular file under the registry, with its
 * parsed content (throws on a corrupt one), with the journal's entries after `rev` (the
 * writes not yet compacted into the files) laid over them, as the file store reads.
 */
export function registryObjects(home: string): Map<string, { metadata: { name: string; namespace?: string; resourceVersion: string }; [k: string]: unknown }> {
  const out = new Map();
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      // A writer's temporary file is renamed into place (or away) while the daemon runs, and an
      // object file can be deleted between the listing and the read: the journal's tail,
      // overlaid below, has what either was.
      if (n.startsWith('.tmp-')) continue;
      const p = join(d, n);
      let text: string;
      try {
        const st = lstatSync(p);
        if (st.isDirectory()) {
          walk(p);
          continue;
        }
        if (!st.isFile()) continue;
        text = readFileSync(p, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      try {
        out.set(p.slice(join(stateDir(home), 'registry').length + 1), JSON.parse(text));
      } catch {
        throw new Error(`corrupt object file ${p}: ${JSON.stringify(text.slice(0, 200))}`);
      }
    }
  };
  const dir = stateDir(home);
  const registry = join(dir, 'registry');
  const walkFrom = (d: string) => walk(d);
  walkFrom(registry);
  overlayJournalTail(dir, out);
  if (out.size === 0) throw new Error(`empty registry under ${dir}`);
  return out;
}

/** Lays the journal's entries after `rev` (not yet compacted into the files) over `out`, keyed as the registry. */
export function overlayJournalTail<T>(dir: string, out: Map<string, T>, keyOf = (key: string): string | undefined => key): void {
  let committed = 0;
  try {
    committed = Number(readFileSync(join(dir, 'rev'), 'utf8').trim());
  } catch {
    /* no rev yet: every journal entry counts */
  }
  let journal = '';
  try {
    journal = readFileSync(join(dir, 'journal.log'), 'utf8');
  } catch {
    /* no journal: the files are all there is */
  }
  for (const line of journal.split('\n')) {
    let e: { rev: number; type: string; key: string; object?: unknown };
    try {
      e = JSON.parse(line);
    } catch {
      continue; // the empty last line, or one torn by a crash
    }
    const key = e.rev > committed ? keyOf(e.key) : undefined;
    if (key === undefined) continue;
    if (e.type === 'DELETED') out.delete(key);
    else if (e.object) out.set(key, e.object as T);
  }
}

/** Revisions in the journal, in file order (torn last lines skipped, as the store does). */
export function journalRevs(home: string): number[] {
  let text = '';
  try {
    text = readFileSync(join(stateDir(home), 'journal.log'), 'utf8');
  } catch {
    return [];
  }
  const revs: number[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const rev = (JSON.parse(line) as { rev?: unknown }).rev;
      if (typeof rev === 'number') revs.push(rev); // not a trimmed journal's `{"trim":N}` header
    } catch {
      /* torn by a crash */
    }
  }
  return revs;
}

export function configMap(name: string, data: Record<string, string>, ns = 'default'): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** No ReplicaSet owns more live pods than its replicas (the controller never over-creates). */
export function assertNoReplicaSetOverOwns(home: string): void {
  const pods = JSON.parse(run(home, ['get', 'pods', '-A', '-o', 'json']).stdout).items as Array<{ metadata: { namespace: string; ownerReferences?: Array<{ kind: string; name: string }>; deletionTimestamp?: string } }>;
  const owned = new Map<string, number>();
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    for (const r of p.metadata.ownerReferences ?? []) if (r.kind === 'ReplicaSet') owned.set(`${p.metadata.namespace}/${r.name}`, (owned.get(`${p.metadata.namespace}/${r.name}`) ?? 0) + 1);
  }
  const rss = JSON.parse(run(home, ['get', 'rs', '-A', '-o', 'json']).stdout).items as Array<{ metadata: { namespace: string; name: string }; spec: { replicas: number } }>;
  for (const rs of rss) {
    const key = `${rs.metadata.namespace}/${rs.metadata.name}`;
    assert.ok((owned.get(key) ?? 0) <= rs.spec.replicas, `${key} owns ${owned.get(key)} pods for ${rs.spec.replicas} replicas`);
  }
}
