// The engine of `kubesim check`: validate everything (as `kubesim validate` does), apply
// the valid objects in a person's order to a throwaway in-memory cluster shaped as asked,
// run the controllers on the virtual clock until stable or the simulated deadline, then
// report per workload whether it became Ready and why not, plus cross-object lint.

import { readFile } from 'node:fs/promises';
import { ApiError } from '../api/errors';
import type { KObject } from '../api/types';
import { deepCopy } from '../api/types';
import { apiValidator, loadValidation } from '../api/validator-adapter';
import { createMemoryCluster, type MemoryCluster } from '../cluster/memory-cluster';
import type { Reconciler } from '../controllers/types';
import { ControllerManager } from '../controllers/manager';
import { ensureDefaultStorageClass } from '../controllers/pv-binder';
import { excerpt, parseManifestBytes, STDIN_SOURCE, type ManifestDoc } from '../manifest';
import { expandInputs, runValidate } from '../validate/run-validate';
import type { Finding, ResourceResult } from '../validate/report';
import { applyOrder } from './apply-order';
import { isAssumed, parseAssumeExists, standIns, type AssumedObject } from './assume-exists';
import { clusterProfile, registryAllowed, registryOf } from './cluster-shape';
import { diagnoseWorkload, WORKLOAD_KINDS, type ClusterView } from './diagnose';
import { keyRefs, lintObjects, type LintInput } from './lint';
import { imagesOf, podTemplate } from './pod-templates';
import { ruleId, type CheckReport, type RawFinding, type WorkloadStatus } from './types';

export interface CheckOptions {
  stdin?: string;
  crds?: string[];
  ignoreMissingSchemas?: boolean;
  strict?: boolean;
  /** Text and name of a --cluster-config file. */
  clusterConfig?: { text: string; file: string };
  nodes?: number;
  nodeCpu?: string;
  nodeMemory?: string;
  /** Simulated deadline (default 10 minutes). */
  timeoutMs?: number;
  allowedRegistries?: string[];
  /** `kind/name` or `kind/namespace/name`. */
  assumeExists?: string[];
  /** Start of the virtual clock and seed of the cluster's randomness (deterministic reports). */
  now?: number;
  seed?: number;
  /** Upper bound on reconciles of the simulation (default 200 per object, at least 20,000). */
  maxReconciles?: number;
  /** Reconcilers of the throwaway cluster (default: every controller). */
  reconcilers?: () => Reconciler[] | Promise<Reconciler[]>;
}

interface Entry {
  result: ResourceResult;
  doc: ManifestDoc;
  text?: string;
  namespace: string;
}

const CLUSTER_SCOPED = new Set(['Namespace', 'CustomResourceDefinition', 'PriorityClass', 'StorageClass', 'IngressClass', 'RuntimeClass', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'Node', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService', 'CSIDriver', 'VolumeAttachment']);

async function readDocs(inputs: string[], stdin: string | undefined): Promise<Map<string, { doc: ManifestDoc; text?: string }>> {
  const files = await expandInputs(inputs);
  const out = new Map<string, { doc: ManifestDoc; text?: string }>();
  await Promise.all(files.map(async (f) => {
    const buf = f === '-' ? Buffer.from(stdin ?? '', 'utf8') : await readFile(f);
    const source = f === '-' ? STDIN_SOURCE : f;
    const { docs } = parseManifestBytes(buf, source);
    const text = buf.toString('utf8');
    for (const d of docs) out.set(docKey(source, d.docIndex, d.listIndex), { doc: d, text });
  }));
  return out;
}

function docKey(file: string, docIndex: number | undefined, listIndex: number | undefined): string {
  return `${file}\u0000${docIndex ?? ''}\u0000${listIndex ?? ''}`;
}

function place(e: Entry, f: RawFinding): Finding {
  const pos = e.doc.positionOf(f.path ?? ['metadata']) ?? e.doc.positionOf([]);
  return {
    ruleId: ruleId(f.ruleId), severity: f.severity, message: f.message, hint: f.hint,
    file: e.result.file, line: pos?.line, col: pos?.col, helmSource: e.doc.helmSource,
    field: f.path ? f.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('') : undefined,
    excerpt: e.text !== undefined && pos ? excerpt(e.text, pos.line, pos.col) : undefined,
  };
}

function addFinding(e: Entry, f: RawFinding): void {
  e.result.findings.push(place(e, f));
  if (f.severity === 'error' && e.result.status === 'valid') e.result.status = 'invalid';
}

export async function runCheck(inputs: string[], opts: CheckOptions = {}): Promise<CheckReport> {
  const timeoutMs = opts.timeoutMs ?? 10 * 60_000;
  const assumed = parseAssumeExists(opts.assumeExists ?? []);
  const [report, docs] = await Promise.all([
    runValidate(inputs, { crds: opts.crds, ignoreMissingSchemas: opts.ignoreMissingSchemas, strict: opts.strict, stdin: opts.stdin }),
    readDocs(inputs, opts.stdin),
  ]);

  // The objects that passed validation, in input order.
  const entries: Entry[] = [];
  for (const r of report.results) {
    if (r.status !== 'valid' || !r.kind) continue;
    const d = docs.get(docKey(r.file, r.docIndex, r.listIndex));
    if (!d) continue;
    const ns = CLUSTER_SCOPED.has(d.doc.object.kind) ? '' : d.doc.object.metadata?.namespace ?? 'default';
    entries.push({ result: r, doc: d.doc, text: d.text, namespace: ns });
  }

  const profile = clusterProfile({
    config: opts.clusterConfig?.text, configName: opts.clusterConfig?.file,
    nodes: opts.nodes, cpu: opts.nodeCpu, memory: opts.nodeMemory,
    allowedRegistries: opts.allowedRegistries, images: entries.flatMap((e) => imagesOf(e.doc.object)),
  });
  await loadValidation();
  const cluster = await createMemoryCluster(profile, { now: opts.now, seed: opts.seed, validator: apiValidator() });
  await ensureDefaultStorageClass(cluster.api);

  const trials = await applyAll(cluster, entries, assumed);
  // The full engine is imported only when no reconcilers are given (tests may run a subset).
  const manager = opts.reconcilers
    ? new ControllerManager(await opts.reconcilers(), cluster.ctx)
    : (await import('../controllers/index')).createControllerManager(cluster.ctx);
  // A safety net: a controller that writes on every pass must not hang a CI job.
  const maxReconciles = opts.maxReconciles ?? Math.max(20_000, 200 * entries.length);
  // The window of `reconcile --until-stable` (a wait under way when it closes ends once).
  const run = await manager.settle(timeoutMs, { maxReconciles });
  // Unsettled with work left only past the deadline: nothing changes before it, so the
  // whole window was simulated (the manager does not move the clock to an idle deadline).
  const simulatedMs = !run.stable && run.reconciles < maxReconciles ? Math.max(timeoutMs, run.advancedMs) : run.advancedMs;

  const workloads = await diagnoseAll(cluster, entries, trials, run.stable ? undefined : timeoutMs, opts.allowedRegistries);
  await lintAll(cluster, entries, assumed);
  return { ...report, workloads, simulatedMs, settled: run.stable, capped: run.reconciles >= maxReconciles };
}

/** Applies stand-ins and entries; returns CronJob entry → the trial Job created for it. */
async function applyAll(cluster: MemoryCluster, entries: Entry[], assumed: AssumedObject[]): Promise<Map<Entry, KObject>> {
  const api = cluster.api;
  const namespaces = [...new Set(['default', ...entries.map((e) => e.namespace).filter(Boolean)])];
  const keys = new Map<string, Set<string>>();
  for (const e of entries) {
    const t = podTemplate(e.doc.object);
    for (const k of t ? keyRefs(t.spec) : []) {
      const id = `${k.kind}/${k.name}`;
      if (!keys.has(id)) keys.set(id, new Set());
      keys.get(id)!.add(k.key);
    }
  }
  type Item = { standIn?: KObject; entry?: Entry };
  const items: Item[] = [
    ...standIns(assumed, namespaces, (kind, name) => [...(keys.get(`${kind}/${name}`) ?? [])]).map((o) => ({ standIn: o })),
    ...entries.map((e) => ({ entry: e })),
  ];
  const trials = new Map<Entry, KObject>();
  for (const it of applyOrder(items, (x) => x.standIn ?? x.entry!.doc.object)) {
    if (it.standIn) {
      try {
        await api.create(it.standIn);
      } catch {
        /* already there (defined by the inputs, or built in) */
      }
      continue;
    }
    const e = it.entry!;
    const obj = deepCopy(e.doc.object);
    delete obj.status;
    try {
      const created = await api.create(obj);
      if (created.kind === 'CronJob') {
        const trial = trialJob(created);
        try {
          trials.set(e, await api.create(trial));
        } catch {
          /* the CronJob itself is reported through its template's validation */
        }
      }
    } catch (err) {
      const msg = err instanceof ApiError ? `Error from server (${err.reason}): error when creating "${e.result.file}": ${err.message}` : (err as Error).message;
      const nsMissing = err instanceof ApiError && err.reason === 'NotFound' && /^namespaces "/.test(err.message);
      addFinding(e, {
        ruleId: 'deploy/apply-failed', severity: 'error', message: msg,
        hint: nsMissing ? `define the Namespace in the inputs, or pass --assume-exists namespace/${e.namespace} if it already exists in the cluster` : undefined,
      });
    }
  }
  return trials;
}

/** What `kubectl create job --from=cronjob/NAME` makes: one run of the CronJob, now. */
function trialJob(cj: KObject): KObject {
  const t = deepCopy(cj.spec?.jobTemplate ?? {});
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${cj.metadata.name!.slice(0, 46)}-kubesim-check`,
      namespace: cj.metadata.namespace,
      labels: t.metadata?.labels,
      annotations: { ...(t.metadata?.annotations ?? {}), 'cronjob.kubernetes.io/instantiate': 'manual' },
    },
    spec: t.spec ?? {},
  };
}

async function diagnoseAll(cluster: MemoryCluster, entries: Entry[], trials: Map<Entry, KObject>, timedOutAfterMs: number | undefined, allowed: string[] | undefined): Promise<WorkloadStatus[]> {
  const api = cluster.api;
  const list = async (apiVersion: string, kind: string) => (await api.list(api.registry.forKind(apiVersion, kind))).items;
  const view: ClusterView = {
    pods: await list('v1', 'Pod'),
    events: await list('v1', 'Event'),
    owned: [...await list('apps/v1', 'ReplicaSet'), ...await list('batch/v1', 'Job')],
  };
  const out: WorkloadStatus[] = [];
  for (const e of entries) {
    const o = e.doc.object;
    if (!WORKLOAD_KINDS.has(o.kind)) continue;
    const pos = e.doc.positionOf(['metadata']) ?? e.doc.positionOf([]);
    const base = { kind: o.kind, namespace: o.metadata?.namespace, name: o.metadata?.name ?? '', file: e.result.file, line: pos?.line };
    const live = await api.tryGet(api.typeOf(o), e.namespace || undefined, o.metadata?.name ?? '');
    if (!live) {
      out.push({ ...base, state: 'NotApplied', detail: 'not applied' });
      continue;
    }
    const trialName = trials.get(e)?.metadata.name;
    const trial = trialName ? await api.tryGet(api.registry.forKind('batch/v1', 'Job'), e.namespace, trialName) : undefined;
    const d = diagnoseWorkload(live, view, { trial, extraOwners: trial ? [trial.metadata.uid!] : [] });
    for (const f of d.findings) {
      if (f.ruleId === 'deploy/not-ready' && timedOutAfterMs !== undefined && !/simulated/.test(f.message)) {
        f.hint ??= `the simulated deadline (--timeout ${formatMinutes(timedOutAfterMs)}) passed first; a longer --timeout may help if the workload is slow to start`;
      }
      const pulled = f.ruleId === 'deploy/image-pull' ? /Failed to pull image "([^"]+)"/.exec(f.message)?.[1] : undefined;
      if (pulled && allowed?.length && !registryAllowed(pulled, allowed)) {
        f.hint ??= `the registry ${registryOf(pulled)} is not in --allowed-registries (${allowed.join(', ')})`;
      }
      addFinding(e, f);
    }
    out.push({ ...base, state: d.state, detail: d.detail });
  }
  return out;
}

function formatMinutes(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`;
}

async function lintAll(cluster: MemoryCluster, entries: Entry[], assumed: AssumedObject[]): Promise<void> {
  const api = cluster.api;
  const inCluster = async (kind: string, ns: string, name: string): Promise<boolean> => {
    try {
      const rt = api.registry.resolve(kind);
      return !!await api.tryGet(rt, rt.namespaced ? ns : undefined, name);
    } catch {
      return false;
    }
  };
  const builtinPriority = (kind: string, name: string) => kind === 'PriorityClass' && (name === 'system-cluster-critical' || name === 'system-node-critical');
  const inputs: LintInput[] = entries.map((e) => ({ obj: e.doc.object, namespace: e.namespace }));
  // The lint asks synchronously whether a referenced object exists: answers from the cluster
  // are fetched between passes until a pass asks nothing new.
  const known = new Map<string, boolean>();
  let findings: ReturnType<typeof lintObjects>;
  for (;;) {
    const wanted = new Map<string, [string, string, string]>();
    findings = lintObjects(inputs, (kind, ns, name) => {
      if (builtinPriority(kind, name) || isAssumed(assumed, kind, ns, name)) return true;
      const k = `${kind}|${ns}|${name}`;
      if (!known.has(k)) wanted.set(k, [kind, ns, name]);
      return known.get(k) ?? false;
    });
    if (!wanted.size) break;
    for (const [k, [kind, ns, name]] of wanted) known.set(k, await inCluster(kind, ns, name));
  }
  for (const { index, finding } of findings) {
    addFinding(entries[index], finding);
  }
}
