// The cluster profile: what the simulated cluster looks like (nodes) and how it behaves
// (timings, failing images). Created by `kubesim cluster create` from flags or a YAML
// file, stored with the cluster, read by the controllers and the simulated kubelet.

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface NodeProfile {
  name: string;
  cpu: string; // quantity, e.g. "4"
  memory: string; // quantity, e.g. "8Gi"
  pods: number;
  ephemeralStorage: string;
  labels: Record<string, string>;
  taints: Taint[];
}

export interface Timings {
  /** How long a registry pull takes. */
  imagePullMs: number;
  /** From container created to started. */
  containerStartMs: number;
  /** How long a Job container with an opaque command runs before exiting 0. */
  jobDurationMs: number;
  nodeHeartbeatMs: number;
  nodeMonitorGraceMs: number;
  podEvictionTimeoutMs: number;
  /** How long an Event lives after its last update (kube-apiserver's --event-ttl, 1h). */
  eventTtlMs?: number;
}

export interface ClusterProfile {
  name: string;
  nodes: NodeProfile[];
  timings: Timings;
  images: {
    /** Image references (globs, `*` wildcard) whose registry cannot be reached. */
    unreachable: string[];
    /** Image references that do not exist in their registry. */
    missing: string[];
    /**
     * Images the catalog (src/sim/catalog) does not know, outside Docker Hub's library:
     * `pull` (default) pulls them as if the registry had them; `fail` makes them fail as a
     * private registry without credentials does, unless `kubesim image load` put them on
     * the node (and the pull policy does not force a pull).
     */
    unknown?: 'pull' | 'fail';
  };
}

export const DEFAULT_TIMINGS: Timings = {
  imagePullMs: 2000,
  containerStartMs: 500,
  jobDurationMs: 5000,
  nodeHeartbeatMs: 10_000,
  nodeMonitorGraceMs: 50_000,
  podEvictionTimeoutMs: 300_000,
  eventTtlMs: 3_600_000,
};

export function nodeProfile(name: string, cpu = '4', memory = '8Gi', pods = 110): NodeProfile {
  return {
    name,
    cpu,
    memory,
    pods,
    ephemeralStorage: '100Gi',
    labels: {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
    },
    taints: [],
  };
}

export function defaultProfile(name: string, opts: { nodes?: number; cpu?: string; memory?: string; pods?: number } = {}): ClusterProfile {
  const count = opts.nodes ?? 3;
  return {
    name,
    nodes: Array.from({ length: count }, (_, i) => nodeProfile(`node-${i + 1}`, opts.cpu, opts.memory, opts.pods)),
    timings: { ...DEFAULT_TIMINGS },
    // Tag `doesnotexist`/`does-not-exist` is missing everywhere, so tutorials' broken images fail as on a real cluster.
    images: { unreachable: [], missing: ['*:doesnotexist', '*:does-not-exist', '*:nonexistent'] },
  };
}
