// Simulation-only state: what a real cluster keeps outside the API (the kubelet's runtime
// records, host-local IPAM, images on a node, powered-off nodes, the cluster clock, the
// cluster profile, the daemon's status, container logs). It lives next to the objects in
// the store's small documents, and only this interface reads and writes it, so nothing
// outside src/api/ touches the store.

import type { Store } from '../store/store';

/**
 * The persisted cluster clock: cluster time = virtualAnchor + (real now - realAnchor) * speed
 * while something runs the cluster (a daemon, an API server). Without one (KUBESIM_NO_DAEMON)
 * it stands at `frozenAt`, which only waits move; the anchors keep the line it would have
 * followed, rejoined (never going back) when something runs it again.
 */
export interface ClockState {
  realAnchor: number;
  virtualAnchor: number;
  speed: number;
  frozenAt?: number;
}

/** What the daemon reports about itself (written about once a second while it runs). */
export interface DaemonStatusDoc {
  pid: number;
  startedAt: number; // real ms
  lastTick: number; // real ms
  loopLagMs: number;
  reconciles: number;
  errors: number;
  lastError?: string;
  /** Cluster ms: the end of the last clock jump it stepped through (`clock advance` waits for it). */
  steppedTo?: number;
}

/**
 * What a controller's rate limiter remembers of an object whose creates keep failing (the
 * workqueue's per-item back-off, which kube-controller-manager keeps in memory): every
 * process reconciling the object must hold off as the last one would have.
 */
export interface CreateFailures {
  uid: string;
  failures: number;
  /** Cluster time of the last failed attempt. */
  lastAttempt: number;
  /** Active pods after that attempt: fewer since means room was made, so retry at once. */
  active: number;
}

/** The clock's document (src/api/fast-read.ts reads it too). */
export const CLOCK = 'clock';
const RNG_STREAMS = 'rng-streams';
const PROFILE = 'profile';
const DAEMON_STATUS = 'daemon-status';
const NODE_POWER = 'node-power';
const podRuntimeDoc = (uid: string) => `kubelet-pod-${uid}`;
const imagesDoc = (node: string) => `kubelet-images-${node}`;
const ipamDoc = (node: string) => `kubelet-ipam-${node}`;
const flagDoc = (name: string) => name;
// One per namespace (a name may be 253 characters: too long for a document name of its own).
const createFailuresDoc = (namespace: string) => `controller-create-failures-${namespace}`;
const containerFilesDoc = (uid: string, container: string) => `container-files-${uid}-${container}`;

export class SimState {
  constructor(private readonly store: Store) {}

  /** Runs `fn` as one unit with respect to other writers (read-modify-write of a document). */
  atomically<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.store.batch(fn);
  }

  /** Where bulky simulation data (container logs) goes on disk; undefined for in-memory stores. */
  get dataDir(): string | undefined {
    return this.store.dataDir;
  }

  clock(): Promise<ClockState | undefined> {
    return this.store.readMeta<ClockState>(CLOCK);
  }

  setClock(state: ClockState): Promise<void> {
    // Visible at once, even inside a group: what is stamped after it is readable from the
    // journal at once, and a reader's clock must never be behind a timestamp it can see.
    return this.store.writeMeta(CLOCK, state, { immediate: true });
  }

  /**
   * A stream number no other process of this cluster gets (KUBESIM_SEED salts its randomness
   * with it): processes opened at the same revision must not draw the same UIDs, and a
   * replay of the same commands one after another numbers them the same.
   */
  reserveRngStream(): Promise<number> {
    return this.atomically(async () => {
      const n = ((await this.store.readMeta<number>(RNG_STREAMS)) ?? 0) + 1;
      await this.store.writeMeta(RNG_STREAMS, n);
      return n;
    });
  }

  profile<P>(): Promise<P | undefined> {
    return this.store.readMeta<P>(PROFILE);
  }

  setProfile(profile: unknown): Promise<void> {
    return this.store.writeMeta(PROFILE, profile);
  }

  daemonStatus(): Promise<DaemonStatusDoc | undefined> {
    return this.store.readMeta<DaemonStatusDoc>(DAEMON_STATUS);
  }

  setDaemonStatus(doc: DaemonStatusDoc): Promise<void> {
    return this.store.writeMeta(DAEMON_STATUS, doc);
  }

  /** Powered-off nodes: node name → cluster time it stopped (`shared`, as the next three: the store's own, for a caller that changes nothing of it). */
  async stoppedNodes(shared = false): Promise<Record<string, number>> {
    return (await this.store.readMeta<Record<string, number>>(NODE_POWER, shared)) ?? {};
  }

  setStoppedNodes(power: Record<string, number>): Promise<void> {
    return this.store.writeMeta(NODE_POWER, power);
  }

  /** The kubelet's record of a pod's containers (null once the pod is gone). */
  async podRuntime<R>(uid: string, shared = false): Promise<R | undefined> {
    return (await this.store.readMeta<R | null>(podRuntimeDoc(uid), shared)) ?? undefined;
  }

  /** Writes a pod's record, handed over (the caller changes it no more); null removes it (the pod is gone: nothing of it stays behind). */
  setPodRuntime(uid: string, runtime: unknown): Promise<void> {
    if (runtime === null) return this.store.deleteMeta ? this.store.deleteMeta(podRuntimeDoc(uid)) : this.store.writeMeta(podRuntimeDoc(uid), null);
    return this.store.writeMeta(podRuntimeDoc(uid), runtime, { handOver: true });
  }

  /** Files put into a container's writable layer (`kubesim cp`): path → content. */
  async containerFiles(uid: string, container: string): Promise<Record<string, string>> {
    return (await this.store.readMeta<Record<string, string> | null>(containerFilesDoc(uid, container))) ?? {};
  }

  setContainerFiles(uid: string, container: string, files: Record<string, string>): Promise<void> {
    return this.store.writeMeta(containerFilesDoc(uid, container), files);
  }

  /** A node's host-local IPAM allocations: IP → pod uid. */
  async podIPs(node: string, shared = false): Promise<Record<string, string>> {
    return (await this.store.readMeta<Record<string, string>>(ipamDoc(node), shared)) ?? {};
  }

  /** Handed over, as a pod's record. */
  setPodIPs(node: string, owners: Record<string, string>): Promise<void> {
    return this.store.writeMeta(ipamDoc(node), owners, { handOver: true });
  }

  /** Images already pulled on a node. */
  async images(node: string, shared = false): Promise<string[]> {
    return (await this.store.readMeta<string[]>(imagesDoc(node), shared)) ?? [];
  }

  setImages(node: string, images: string[]): Promise<void> {
    return this.store.writeMeta(imagesDoc(node), images);
  }

  /** `kubesim image policy`: the override of the profile's `images.unknown`. */
  async imagePolicy(): Promise<'pull' | 'fail' | undefined> {
    return (await this.store.readMeta<'pull' | 'fail' | null>('kubelet-image-policy')) ?? undefined;
  }

  setImagePolicy(policy: 'pull' | 'fail'): Promise<void> {
    return this.store.writeMeta('kubelet-image-policy', policy);
  }

  /** Nodes whose registration was announced (node name → node uid), for the node lifecycle controller. */
  async announcedNodes(): Promise<Record<string, string>> {
    return (await this.store.readMeta<Record<string, string>>('node-lifecycle-announced')) ?? {};
  }

  setAnnouncedNodes(nodes: Record<string, string>): Promise<void> {
    return this.store.writeMeta('node-lifecycle-announced', nodes);
  }

  /** A namespace's create failures, by `Kind/name`. */
  async createFailures(namespace: string): Promise<Record<string, CreateFailures>> {
    return (await this.store.readMeta<Record<string, CreateFailures> | null>(createFailuresDoc(namespace))) ?? {};
  }

  /** Records (or, with undefined, forgets) one object's create failures. */
  async setCreateFailures(namespace: string, key: string, entry: CreateFailures | undefined): Promise<void> {
    // Forgetting what is not there (every requeue of a deleted ReplicaSet) takes no lock.
    if (!entry && !(key in (await this.createFailures(namespace)))) return;
    return this.atomically(async () => {
      const all = await this.createFailures(namespace);
      if (entry) all[key] = entry;
      else if (key in all) delete all[key];
      else return;
      const doc = createFailuresDoc(namespace);
      if (Object.keys(all).length) await this.store.writeMeta(doc, all);
      else if (this.store.deleteMeta) await this.store.deleteMeta(doc);
      else await this.store.writeMeta(doc, null);
    });
  }

  /** One-time bootstrap steps done (e.g. the default StorageClass). */
  async flag(name: string): Promise<boolean> {
    return (await this.store.readMeta<boolean>(flagDoc(name))) === true;
  }

  setFlag(name: string): Promise<void> {
    return this.store.writeMeta(flagDoc(name), true);
  }
}
