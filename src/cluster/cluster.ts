// Creating and opening clusters: a cluster is a directory under $KUBESIM_HOME/clusters/
// holding its store (registry/, journal.log, rev), its profile and its clock.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ApiServer } from '../api/server';
import { fileStoreUrl, openClusterApi } from '../api/open';
import { clusterStoreUrl, hasExternalStore } from './store-url';
import type { ClusterClock } from '../sim/clock';
import { defaultRng } from '../sim/rng';
import type { ClusterProfile, NodeProfile } from '../sim/profile';
import type { KObject } from '../api/types';
import { apiValidator } from '../api/validator-adapter';
import { CliError } from '../api/errors';
// the name is checked before it becomes a path, whoever calls
import { clusterDir } from '../cli/context-select';
import { ensurePrivateDir } from '../store/file-store-support';
import { setNodeStopped } from '../kubelet/node-power';
import { parseProcessIdentity, processAlive, processIdentity } from '../store/process-alive';

export interface OpenCluster {
  api: ApiServer;
  clock: ClusterClock;
  profile: ClusterProfile;
}

export async function openCluster(home: string, name: string): Promise<OpenCluster> {
  const { api, clock } = await openClusterApi(clusterStoreUrl(clusterDir(home, name)), (salt: number) => defaultRng(salt), apiValidator());
  const profile = (await api.sim.profile<ClusterProfile>())!;
  return { api, clock, profile };
}

/** Thrown by createCluster when the cluster exists (or another process created it first). */
export class ClusterExistsError extends CliError {
  constructor(name: string) {
    super(`cluster "${name}" already exists`);
  }
}

/**
 * Creates a cluster. A file-backed one is built in a private temporary directory and renamed
 * into place whole, so commands racing to create the same cluster cannot interleave their
 * bootstraps, and nobody opens one half-built: the first rename wins, the others get
 * ClusterExistsError. A cluster attached to another store (`store-url`) is built in place.
 */
export async function createCluster(home: string, name: string, profile: ClusterProfile): Promise<OpenCluster> {
  const dir = clusterDir(home, name);
  if (fs.existsSync(path.join(dir, 'registry'))) throw new ClusterExistsError(name);
  if (hasExternalStore(dir)) {
    const c = await buildCluster(dir, profile);
    return { ...c, profile };
  }
  // The store's own check (not mkdirSync({recursive}), which spins forever under /proc); the
  // empty directory it may leave is what the rename below replaces.
  ensurePrivateDir(dir);
  removeStaleCreations(home);
  // The builder's identity is in the name, so a crash leaves nothing unattributed.
  const tmp = fs.mkdtempSync(path.join(path.dirname(dir), `.${name}.creating-${processIdentity().replace(' ', '-')}-`));
  try {
    // Its API is dropped unused: the rename leaves it nothing to write, and its files stay valid.
    await buildCluster(tmp, profile);
    try {
      fs.renameSync(tmp, dir);
    } catch (e) {
      // A non-empty target: someone else's cluster got there first.
      if ((e as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (e as NodeJS.ErrnoException).code === 'EEXIST') throw new ClusterExistsError(name);
      throw e;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return openCluster(home, name);
}

async function buildCluster(dir: string, profile: ClusterProfile): Promise<{ api: ApiServer; clock: ClusterClock }> {
  // The one opener that may make a file store: every other one finds it or fails.
  const url = hasExternalStore(dir) ? clusterStoreUrl(dir) : fileStoreUrl(dir) + '?create=1';
  const { api, clock } = await openClusterApi(url, (salt: number) => defaultRng(salt), apiValidator());
  fs.mkdirSync(path.join(dir, 'registry'), { recursive: true, mode: 0o700 }); // an etcd cluster's local marker
  await api.sim.setProfile(profile);
  await api.batch(async () => {
    await api.bootstrap();
    for (const [i, n] of profile.nodes.entries()) await registerNode(api, n, i);
  });
  return { api, clock };
}

/**
 * The index-th node's pod range. The first 256 get 10.244.<index>.0/24, kind's 10.244.0.0/16;
 * larger clusters go on through 10.128.0.0/9 (room for 32,768 nodes, clear of the 10.96.0.0/12
 * service range), so every address stays a valid IPv4 one.
 */
export function podCIDR(index: number): string {
  const n = (0x7400 + index) % 0x8000;
  return `10.${128 + (n >> 8)}.${n & 255}.0/24`;
}

/** The index-th node's address on kind's docker network, 172.18.0.0/16 (.0.1 is its gateway). */
export function nodeIP(index: number): string {
  const n = index + 2;
  return `172.18.${(n >> 8) & 255}.${n & 255}`;
}

/** A Node object as a kubelet registers it: capacity, conditions, addresses, node info. */
export function nodeObject(n: NodeProfile, index: number, now: string): KObject {
  const capacity = { cpu: n.cpu, 'ephemeral-storage': n.ephemeralStorage, 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: n.memory, pods: String(n.pods) };
  const condition = (type: string, status: string, reason: string, message: string) => ({ lastHeartbeatTime: now, lastTransitionTime: now, message, reason, status, type });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: n.name, labels: { ...n.labels }, annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } },
    spec: { podCIDR: podCIDR(index), podCIDRs: [podCIDR(index)], ...(n.taints.length ? { taints: n.taints.map((t) => ({ ...t })) } : {}) },
    status: {
      addresses: [
        { address: nodeIP(index), type: 'InternalIP' },
        { address: n.name, type: 'Hostname' },
      ],
      allocatable: { ...capacity },
      capacity,
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: '',
        containerRuntimeVersion: 'containerd://1.7.24',
        kernelVersion: '6.8.0-kubesim',
        kubeProxyVersion: 'v1.32.4',
        kubeletVersion: 'v1.32.4',
        machineID: '',
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        systemUUID: '',
      },
    },
  };
}

export function registerNode(api: ApiServer, n: NodeProfile, index: number): Promise<KObject> {
  return api.create(nodeObject(n, index, api.timestamp()));
}

// ---------- leftovers of interrupted creations ----------

/** `.NAME.creating-PID[-STARTTIME]-XXXXXX`, or the older `.NAME.creating-XXXXXX` naming no builder. */
const CREATING = /^\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?\.creating-(?:(\d{1,10})(?:-(\d{1,20}))?-)?[A-Za-z0-9]{6}$/;

/** A build whose builder cannot be identified is left this long before it counts as abandoned. */
export const STALE_CREATION_MS = 10 * 60_000;

/**
 * Removes the temporary directories of cluster creations whose builder died (kill -9, power
 * loss): its recorded pid no longer runs as the same process, or, where no builder can be
 * told, the directory is older than STALE_CREATION_MS. Only real directories with that exact
 * name shape are touched (lstat: a planted symlink is neither followed nor removed), and a
 * removal that fails (a concurrent cleaner, permissions) is left for the next time.
 */
export function removeStaleCreations(home: string, now = Date.now()): void {
  const dir = path.join(home, 'clusters');
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const m = CREATING.exec(n);
    if (!m) continue;
    const p = path.join(dir, n);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      continue;
    }
    if (!st.isDirectory()) continue;
    if (!abandoned(m[1], m[2], now - st.mtimeMs)) continue;
    try {
      // rmSync never follows symlinks inside the tree: it unlinks them.
      fs.rmSync(p, { recursive: true, force: true });
    } catch {
      // Another command is removing it too, or it cannot be: the next create or list retries.
    }
  }
}

function abandoned(pid: string | undefined, startTime: string | undefined, ageMs: number): boolean {
  if (!pid) return ageMs > STALE_CREATION_MS;
  const owner = parseProcessIdentity(startTime ? `${pid} ${startTime}` : pid);
  if (!owner || !processAlive(owner.pid, owner.startTime)) return true;
  // A pid without a start time may since belong to someone else: then only age tells.
  return !owner.startTime && ageMs > STALE_CREATION_MS;
}

// ---------- managing clusters and nodes ----------

/** Names of the clusters under `home`, sorted. */
export function listClusters(home: string): string[] {
  const dir = path.join(home, 'clusters');
  removeStaleCreations(home);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  // Dot-names are clusters still being built (createCluster's temporary directories).
  return names.filter((n) => !n.startsWith('.') && fs.existsSync(path.join(dir, n, 'registry'))).sort();
}

/** Deletes a cluster's directory, stopping its daemon first. */
export async function deleteCluster(home: string, name: string): Promise<boolean> {
  const dir = clusterDir(home, name);
  if (!fs.existsSync(path.join(dir, 'registry'))) return false;
  const { stopDaemon } = await import('../daemon/control');
  await stopDaemon(dir);
  // Under the store's lock: a command writing meanwhile finishes first, or finds no cluster.
  const { removeFileStore } = await import('../store/file-store');
  removeFileStore(dir);
  return true;
}

/** Registers one more node (name defaults to the next `node-N`). */
export async function addNode(c: { api: ApiServer; profile: ClusterProfile }, node?: Partial<NodeProfile> & { name?: string }): Promise<KObject> {
  const nodeType = c.api.registry.forKind('v1', 'Node');
  const existing = new Set((await c.api.list(nodeType)).items.map((n) => n.metadata.name!));
  let name = node?.name;
  for (let i = c.profile.nodes.length + 1; !name; i++) if (!existing.has(`node-${i}`)) name = `node-${i}`;
  if (existing.has(name)) throw new Error(`node "${name}" already exists`);
  const template = c.profile.nodes[0];
  const n: NodeProfile = {
    name,
    cpu: node?.cpu ?? template?.cpu ?? '4',
    memory: node?.memory ?? template?.memory ?? '8Gi',
    pods: node?.pods ?? template?.pods ?? 110,
    ephemeralStorage: node?.ephemeralStorage ?? template?.ephemeralStorage ?? '100Gi',
    labels: { ...(template?.labels ?? {}), ...(node?.labels ?? {}), 'kubernetes.io/hostname': name },
    taints: node?.taints ?? [],
  };
  const index = c.profile.nodes.length;
  c.profile.nodes.push(n);
  await c.api.sim.setProfile(c.profile);
  return registerNode(c.api, n, index);
}

/** Removes a node object (its pods are collected by the node lifecycle controller). */
export async function removeNode(c: { api: ApiServer; profile: ClusterProfile }, name: string): Promise<void> {
  await c.api.delete(c.api.registry.forKind('v1', 'Node'), undefined, name);
  c.profile.nodes = c.profile.nodes.filter((n) => n.name !== name);
  await c.api.sim.setProfile(c.profile);
}

/** Powers a node off: its kubelet stops heart-beating and running pods. */
export async function stopNode(c: { api: ApiServer }, name: string): Promise<void> {
  await c.api.get(c.api.registry.forKind('v1', 'Node'), undefined, name);
  await setNodeStopped(c.api.sim, name, c.api.clock.now());
}

export async function startNode(c: { api: ApiServer }, name: string): Promise<void> {
  await c.api.get(c.api.registry.forKind('v1', 'Node'), undefined, name);
  await setNodeStopped(c.api.sim, name, undefined);
}
