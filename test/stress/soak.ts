// The soak: P processes create N pods each (one `apply` per process) while the daemon runs;
// every acknowledged pod must be reconciled (bound to a node by the daemon's scheduler), none
// lost, within a deadline. Used bounded by soak.test.ts and long by long.stress.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { overlayJournalTail, run, runAsync, stateDir } from './cli';

export interface SoakFigures {
  processes: number;
  created: number;
  acknowledged: number;
  reconciled: number;
  lost: number;
  unreconciled: string[];
  createMs: number;
  settleMs: number;
  /** Cluster seconds from creation to the PodScheduled condition (timestamps have 1 s resolution). */
  maxBindDelayS: number;
  /** Pods bound more than a second of cluster time after their creation. */
  boundLate: number;
  /** The bind delays' distribution (cluster seconds): p50, p90, p99. */
  bindDelayS: { p50: number; p90: number; p99: number };
  /** `apply` processes that failed, and their first error lines. */
  failedProcesses: number;
  failures: string[];
}

const podDoc = (name: string) => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {soak: "1"}}
spec:
  containers: [{name: c, image: nginx:1.27}]
`;

interface PodDoc {
  metadata?: { creationTimestamp?: string };
  spec?: { nodeName?: string };
  status?: { conditions?: Array<{ type: string; lastTransitionTime?: string }> };
}

/** The pods as stored: their files with the journal's tail laid over them (keyed by name). */
function podsOnDisk(home: string): Map<string, PodDoc> {
  const out = filesOnDisk(home);
  overlayJournalTail(stateDir(home), out, (key) => (key.startsWith('pods/default/') ? key.slice('pods/default/'.length) : undefined));
  return out;
}


function filesOnDisk(home: string): Map<string, PodDoc> {
  const dir = join(stateDir(home), 'registry', 'pods', 'default');
  const out = new Map<string, PodDoc>();
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    if (n.startsWith('.tmp-')) continue;
    try {
      out.set(n, JSON.parse(readFileSync(join(dir, n), 'utf8')));
    } catch {
      /* replaced under us: read on the next pass */
    }
  }
  return out;
}

/** Runs the soak against a created cluster whose daemon is running. */
export async function soakRun(home: string, processes: number, perProcess: number, settleDeadlineMs: number): Promise<SoakFigures> {
  const t0 = Date.now();
  const runs = await Promise.all(
    Array.from({ length: processes }, (_, p) =>
      runAsync(home, ['apply', '-f', '-'], Array.from({ length: perProcess }, (_, i) => podDoc(`soak-${p}-${i}`)).join('')),
    ),
  );
  const createMs = Date.now() - t0;
  const acknowledged = new Set<string>();
  const failures = runs.filter((r) => r.code !== 0).map((r) => `exit ${r.code ?? r.signal}: ${r.stderr.slice(0, 200)}`);
  runs.forEach((r, p) => {
    if (r.code !== 0) return;
    for (let i = 0; i < perProcess; i++) if (r.stdout.includes(`pod/soak-${p}-${i} created`)) acknowledged.add(`soak-${p}-${i}`);
  });
  const t1 = Date.now();
  let pods = podsOnDisk(home);
  const pending = () => [...acknowledged].filter((n) => !pods.get(n)?.spec?.nodeName);
  while (pending().length && Date.now() - t1 < settleDeadlineMs) {
    await new Promise((r) => setTimeout(r, 200));
    pods = podsOnDisk(home);
  }
  const lost = [...acknowledged].filter((n) => !pods.has(n)).length;
  const unreconciled = pending();
  let maxBindDelayS = 0;
  let boundLate = 0;
  const delays: number[] = [];
  for (const n of acknowledged) {
    const p = pods.get(n);
    const at = p?.status?.conditions?.find((c) => c.type === 'PodScheduled')?.lastTransitionTime;
    if (!at || !p?.metadata?.creationTimestamp) continue;
    const d = (Date.parse(at) - Date.parse(p.metadata.creationTimestamp)) / 1000;
    maxBindDelayS = Math.max(maxBindDelayS, d);
    delays.push(d);
    if (d > 1) boundLate++;
  }
  return {
    processes,
    created: processes * perProcess,
    acknowledged: acknowledged.size,
    reconciled: acknowledged.size - unreconciled.length,
    lost,
    unreconciled: unreconciled.slice(0, 10),
    createMs,
    settleMs: Date.now() - t1,
    maxBindDelayS,
    boundLate,
    bindDelayS: { p50: quantile(delays, 0.5), p90: quantile(delays, 0.9), p99: quantile(delays, 0.99) },
    failedProcesses: failures.length,
    failures: [...new Set(failures)].slice(0, 3),
  };
}

function quantile(xs: number[], q: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** A cluster with room for `pods` pods (110 per node, as the kubelet's default max-pods). */
export function createCluster(home: string, pods: number): void {
  const c = run(home, ['cluster', 'create', '--nodes', String(Math.ceil(pods / 100))]);
  if (c.code !== 0) throw new Error(c.stderr);
}
