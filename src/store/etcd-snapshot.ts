// Snapshots of an etcd-backed cluster. `save` streams etcd's own snapshot (the Maintenance
// API, what `etcdctl snapshot save` writes), so the file is a genuine etcd snapshot that
// `etcdctl snapshot restore` also accepts. `restore` puts the saved state back into the
// RUNNING cluster: it opens the snapshot with etcd's own tools (`etcdctl snapshot restore`
// into a temporary data directory, served by a temporary etcd on free loopback ports),
// reads the registry and meta keys from it, and replays them — deleting what the snapshot
// does not have, writing what differs — as ordinary guarded writes. The members keep
// running and watchers see the changes as events (revisions move forward, as every write
// does), which rebuilding the members from the snapshot would not give.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KObject } from '../api/types';
import { META_PREFIX, REGISTRY_PREFIX, EtcdStore, prefixEnd, decodeKv } from './etcd-store';
import { sameContent } from './bundle';
import { KeyExistsError, KeyNotFoundError, RevisionConflictError, StoreError } from './store';
import { holdLeadership, LEADER_LEASE } from './etcd-leadership';
import { parseJson } from '../util/exact-json';

export interface RestoreCounts {
  objects: number;
  created: number;
  updated: number;
  deleted: number;
}

const STALL_MS = 30_000;

/** Writes a file readable by its owner only, all at once: a temporary file, fsync, rename. */
export async function writePrivateFileFrom(file: string, fill: (fd: number) => Promise<void>): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${Date.now()}`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
  } catch (e) {
    throw new StoreError(`cannot write ${file}: ${(e as Error).message}`);
  }
  try {
    await fill(fd);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  } catch (e) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed
    }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Streams etcd's snapshot into `file` (0600, atomically); returns its size. */
export async function saveEtcdSnapshot(store: EtcdStore, file: string): Promise<number> {
  let bytes = 0;
  await writePrivateFileFrom(file, async (fd) => {
    const stream = await store.client.maintenance.snapshot();
    await new Promise<void>((resolve, reject) => {
      let timer = setTimeout(stalled, STALL_MS);
      function stalled(): void {
        (stream as unknown as { cancel?: () => void }).cancel?.();
        reject(new StoreError(`etcd snapshot stalled: no data for ${STALL_MS / 1000}s`));
      }
      stream.on('data', (chunk) => {
        clearTimeout(timer);
        timer = setTimeout(stalled, STALL_MS);
        fs.writeSync(fd, chunk.blob);
        bytes += chunk.blob.length;
      });
      stream.on('error', (e) => {
        clearTimeout(timer);
        reject(new StoreError(`etcd snapshot failed: ${e.message}`));
      });
      stream.on('end', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  });
  if (bytes === 0) throw new StoreError('etcd sent an empty snapshot');
  return bytes;
}

function binary(env: string, name: string): string {
  const given = process.env[env];
  if (given) return given;
  for (const dir of (process.env.PATH ?? '/usr/bin').split(':')) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  throw new StoreError(`restoring an etcd snapshot needs ${name} (Debian: apt-get install etcd-server etcd-client); set ${env} to its path`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

interface SavedState {
  registry: Map<string, Buffer>;
  meta: Map<string, Buffer>;
}

/** Reads the registry and meta keys out of an etcd snapshot file, with etcd's own tools. */
export async function readEtcdSnapshot(file: string, timeoutMs = 30_000): Promise<SavedState> {
  if (!fs.existsSync(file)) throw new StoreError(`snapshot file ${file} does not exist`);
  const etcdctl = binary('KUBESIM_ETCDCTL_BIN', 'etcdctl');
  const etcd = binary('KUBESIM_ETCD_BIN', 'etcd');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-restore-'));
  const dataDir = path.join(tmp, 'member.etcd');
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const peer = `http://127.0.0.1:${peerPort}`;
  const client = `http://127.0.0.1:${clientPort}`;
  let proc: ReturnType<typeof spawn> | undefined;
  try {
    const r = spawnSync(
      etcdctl,
      ['snapshot', 'restore', file, '--data-dir', dataDir, '--name', 'restore', '--initial-cluster', `restore=${peer}`, '--initial-advertise-peer-urls', peer],
      { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' }, timeout: timeoutMs },
    );
    if (r.status !== 0) {
      const why = (r.stderr || r.error?.message || '').trim().split('\n').pop();
      throw new StoreError(`${file} is not an etcd snapshot etcdctl can restore: ${why}`);
    }
    proc = spawn(
      etcd,
      ['--name', 'restore', '--data-dir', dataDir, '--listen-client-urls', client, '--advertise-client-urls', client, '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `restore=${peer}`],
      { stdio: 'ignore' },
    );
    const reader = new EtcdStore({ endpoints: [`127.0.0.1:${clientPort}`], timeoutMs: 2000 });
    try {
      const end = Date.now() + timeoutMs;
      for (;;) {
        try {
          await reader.currentRev();
          break;
        } catch (e) {
          if (proc.exitCode !== null) throw new StoreError(`the temporary etcd reading ${file} exited (${proc.exitCode})`);
          if (Date.now() > end) throw e;
          await new Promise((res) => setTimeout(res, 100));
        }
      }
      const state: SavedState = { registry: new Map(), meta: new Map() };
      for (const [prefix, into] of [[REGISTRY_PREFIX, state.registry], [META_PREFIX, state.meta]] as const) {
        const start = Buffer.from(prefix);
        await reader.rangeAll(start, prefixEnd(start), 'read the snapshot', (kv) => into.set(kv.key.toString('utf8').slice(prefix.length), kv.value));
      }
      return state;
    } finally {
      await reader.close();
    }
  } finally {
    if (proc && proc.exitCode === null) {
      const exited = new Promise<void>((res) => proc!.once('exit', () => res()));
      proc.kill('SIGKILL');
      await exited;
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Puts the state saved in an etcd snapshot back into the running cluster `store` talks to.
 * The elected leader is stood down for the while (see etcd-leadership.ts); the leader
 * Lease itself is left out (it records which running process leads, not saved state).
 * A key another client writes meanwhile is read again and written as saved.
 */
export async function restoreEtcdSnapshot(store: EtcdStore, file: string, note: (m: string) => void = () => {}): Promise<RestoreCounts> {
  const saved = await readEtcdSnapshot(file);
  saved.registry.delete(LEADER_LEASE);
  const counts: RestoreCounts = { objects: saved.registry.size, created: 0, updated: 0, deleted: 0 };
  const leadership = await holdLeadership(store, note);
  try {
    await store.batch(async () => {
      const live = new Map<string, KObject>();
      const start = Buffer.from(REGISTRY_PREFIX);
      await store.rangeAll(start, prefixEnd(start), 'list the registry', (kv) => live.set(kv.key.toString('utf8').slice(REGISTRY_PREFIX.length), decodeKv(kv)));
      live.delete(LEADER_LEASE);
      for (const [key, cur] of live) {
        if (!saved.registry.has(key) && (await putBack(store, key, cur, undefined))) counts.deleted++;
      }
      for (const [key, value] of saved.registry) {
        const cur = live.get(key);
        const change = await putBack(store, key, cur, parseJson(value.toString('utf8')) as KObject);
        if (change === 'created') counts.created++;
        else if (change === 'updated') counts.updated++;
      }
      const liveMeta = await store.metaNames();
      for (const name of liveMeta) if (!saved.meta.has(name)) await store.deleteMeta(name);
      for (const [name, value] of saved.meta) await store.writeMeta(name, parseJson(value.toString('utf8')));
    });
    leadership.check();
  } finally {
    await leadership.release();
  }
  return counts;
}

/**
 * Makes `key` hold `want` (absent when undefined), starting from `cur` as listed; on a
 * conflict with another writer it reads the key again. Returns what it changed.
 */
async function putBack(store: EtcdStore, key: string, cur: KObject | undefined, want: KObject | undefined): Promise<'created' | 'updated' | 'deleted' | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      if (!want) {
        if (!cur) return undefined;
        await store.delete(key, Number(cur.metadata.resourceVersion));
        return 'deleted';
      }
      if (!cur) {
        await store.create(key, want);
        return 'created';
      }
      if (sameContent(cur, want)) return undefined;
      await store.update(key, want, Number(cur.metadata.resourceVersion));
      return 'updated';
    } catch (e) {
      if (attempt >= 10 || !(e instanceof RevisionConflictError || e instanceof KeyExistsError || e instanceof KeyNotFoundError)) throw e;
      cur = await store.get(key);
    }
  }
}

export { sameContent };
