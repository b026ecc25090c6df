// `kubesim run NAME --image=...`: creates a Pod, as kubectl run does (RunOptions.Run): with
// --expose a Service for it; with --attach or -i it waits for the pod to run, attaches (or
// prints its logs if it already ended), returns the container's exit code for --restart=Never
// or OnFailure, and with --rm deletes what it created.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import { kindGroup, type ResourceType } from '../api/resources';
import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import type { CliContext } from './context';
import type { Program } from './root';
import { PrintedError } from './format-error';
import { registerGenerator, type GeneratorOptions } from './generate';
import { parseGoDuration } from './flags/duration';
import { runGenerator as runPodGenerator } from '../generators';
import { runningTimeoutMs, runSettings, type RunSettings } from '../generators/run';

export function register(program: Command, p: Program): void {
  registerGenerator(program, 'run', runPodGenerator, p, { run: (o) => runVerb(p, o) });
}

async function runVerb(p: Program, o: GeneratorOptions): Promise<number> {
  const flags = o.flagValues;
  // pflag's duration flags: a bad value is a flag error, before anything else
  for (const name of ['pod-running-timeout', 'timeout']) {
    const v = flags[name];
    if (v === undefined) continue;
    try {
      parseGoDuration(String(v));
    } catch (e) {
      throw new PrintedError(`Error: invalid argument "${String(v)}" for "--${name}" flag: ${(e as Error).message}\nSee '${p.name} run --help' for usage.\n`);
    }
  }
  const pod = await o.build();
  const s = runSettings(flags);
  const ctx = o.context;
  const clientSide = o.dryRunMode === 'client';
  const created: KObject[] = [];
  const runPod = clientSide ? pod : await o.create(pod);
  created.push(runPod);
  // --expose: the Service comes (and prints) before the pod; its failure is reported at the end
  let serviceError: unknown;
  if (s.expose) {
    try {
      const svc = await exposeService(o, pod, flags);
      const stored = clientSide ? svc : await o.create(svc);
      created.push(stored);
      await o.print(stored, clientSide);
      if (o.outputFormat === 'yaml') ctx.out('---\n');
    } catch (e) {
      serviceError = e;
    }
  }
  if (!s.attach) {
    await o.print(runPod, clientSide);
    if (serviceError) throw serviceError;
    return 0;
  }
  try {
    return await attachToPod(ctx, runPod, s, runningTimeoutMs(flags), p.name);
  } finally {
    if (s.rm) await removeCreated(ctx, created, s.quiet);
  }
}

/** generateService: ServiceGeneratorV2 for the pod, selecting it by its labels (run=NAME by default). */
async function exposeService(o: GeneratorOptions, pod: KObject, flags: Record<string, unknown>): Promise<KObject> {
  const { exposeGenerator } = await import('../generators/expose');
  const labels = (flags.labels as string | undefined) || '';
  const selector = labels || `run=${pod.metadata.name}`;
  // the Service has labels only when --labels was given
  const source = { apiVersion: 'v1', kind: 'Pod', metadata: { name: pod.metadata.name, labels: {} } } as KObject;
  const { object } = exposeGenerator.build([], { port: String(flags.port), selector, ...(labels ? { labels } : {}) }, { rng: Math.random, readFile: () => new Uint8Array(), namespace: o.context.namespaceExplicit ? o.context.namespace : undefined, source });
  return object;
}

/** DeleteResult over what run created: `pod "NAME" deleted` (graceful, not waited for). */
async function removeCreated(ctx: CliContext, created: KObject[], quiet: boolean): Promise<void> {
  const { withObjectSource } = await import('./object-source');
  const api = await ctx.api();
  for (const obj of created) {
    const type: ResourceType = api.registry.forKind(obj.apiVersion, obj.kind);
    const gone = await withObjectSource(ctx, async (source) => {
      try {
        await source.delete(type, obj.metadata.namespace, obj.metadata.name!, {});
        return false;
      } catch (e) {
        if ((e as { reason?: string }).reason === 'NotFound') return true; // IgnoreNotFound
        throw e;
      }
    });
    if (!gone && !quiet) ctx.out(`${kindGroup(type)} "${obj.metadata.name}" deleted\n`);
  }
}

/** podRunningAndReady / podCompleted / podSucceeded: whether the wait is over (throws NotFound when the pod went). */
type PodCondition = (pod: KObject) => boolean;
const completed: PodCondition = (p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const succeeded: PodCondition = (p) => p.status?.phase === 'Succeeded';
const runningAndReady: PodCondition = (p) => completed(p) || (p.status?.phase === 'Running' && (p.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'));

/** waitForPod: watches the pod until `cond` holds, for at most the pod running timeout (cluster time). */
async function waitForPod(ctx: CliContext, api: ApiServer, pod: KObject, cond: PodCondition, timeoutMs: number): Promise<KObject> {
  const type = api.registry.forKind('v1', 'Pod');
  let cur: KObject | undefined;
  const { driveCluster } = await import('./drive-cluster');
  const done = await driveCluster(
    ctx,
    api,
    async () => {
      cur = await api.tryGet(type, pod.metadata.namespace, pod.metadata.name!);
      if (!cur || cur.metadata.uid !== pod.metadata.uid) throw new PrintedError('Error from server (NotFound): pods "" not found\n');
      return cond(cur);
    },
    timeoutMs,
  );
  if (!done) throw new CliError('timed out waiting for the condition');
  return cur!;
}

async function attachToPod(ctx: CliContext, pod: KObject, s: RunSettings, timeoutMs: number, program: string): Promise<number> {
  const api = await ctx.api();
  const container: string = pod.spec.containers[0].name;
  const ready = await waitForPod(ctx, api, pod, runningAndReady, timeoutMs);
  if (completed(ready)) {
    // handleAttachPod: a pod that already ended has its logs printed instead
    const { runLogs } = await import('./logs');
    await runLogs(ctx, [pod.metadata.name!], { container });
  } else {
    const { AttachOptions } = await import('./attach');
    const a = new AttachOptions();
    a.complete([pod.metadata.name!], { container, stdin: s.stdin, tty: s.tty, quiet: s.quiet }, program);
    // attached as soon as it ran: its output from the container's start
    const startedAt = Date.parse(ready.status?.containerStatuses?.[0]?.state?.running?.startedAt ?? '');
    const { driveCluster } = await import('./drive-cluster');
    await a.run(ctx, { sinceMs: Number.isNaN(startedAt) ? undefined : startedAt, drive: (check) => driveCluster(ctx, api, check, Number.MAX_SAFE_INTEGER) });
  }
  // with Never or OnFailure (and stdin closed after the attach), the container's exit is the verb's
  const waitForExit = !s.leaveStdinOpen && (s.restart === 'Never' || s.restart === 'OnFailure');
  if (!waitForExit) return 0;
  const end = await waitForPod(ctx, api, pod, s.restart === 'OnFailure' ? succeeded : completed, timeoutMs);
  const ns = end.metadata.namespace;
  const name = end.metadata.name;
  switch (end.status?.phase) {
    case 'Succeeded':
      return 0;
    case 'Failed': {
      const terminated = end.status?.containerStatuses?.[0]?.state?.terminated;
      if (!terminated || !terminated.exitCode) throw new CliError(`pod ${ns}/${name} failed with unknown exit code`);
      const text = `pod ${ns}/${name} terminated (${terminated.reason ?? ''})\n${terminated.message ?? ''}`;
      throw new PrintedError(text.endsWith('\n') ? text : text + '\n', terminated.exitCode);
    }
    default:
      throw new CliError(`pod ${ns}/${name} left in phase ${end.status?.phase ?? ''}`);
  }
}
