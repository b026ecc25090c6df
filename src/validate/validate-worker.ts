// `kubesim validate` on two cores: a worker thread parses and validates the files that may
// hold a CRD and those that name a CRD's group, while the main thread parses and validates
// the rest with the built-in types; the results are put back in file order and duplicates
// marked there, so the report is the bytes a single thread writes (run-validate.ts).
//
// The worker has every CRD of the run: every file that may hold one (mayHoldCrd) is its.
// The main thread's registry has only the built-in types, which is what the whole run's
// answers for any group no CRD serves; a main-thread file with a document of a group a CRD
// serves (the routing below guessed wrong) is validated again by the worker. The worker runs
// bin/kubesim (the verb's bundle with its code cache) with a marker argument no command line
// can hold (a NUL). A worker costs its own start-up and warm-up: started only for enough
// files (docs/perf-issue-18.md rounds 70 and 110).

import { join } from 'node:path';
import type { Worker as WorkerThread } from 'node:worker_threads';
import { ResourceRegistry, splitApiVersion } from '../api/resources';
import type { KObject } from '../api/types';
import { mayHoldCrd, parsed, registerCrds, textSource, validateSource, type FileResults, type Source, type ValidateOptions } from './run-validate';

/** argv[1] of the worker's `validate` (a NUL: no argument from the OS can hold one). */
export const WORKER_ARG = '\u0000validate-worker';

/** Fewer input files than this: one thread (KUBESIM_VALIDATE_WORKER_MIN_FILES for tests; 0: never). */
const MIN_FILES = 200;
/** What a file costs beyond its characters (reading, a parse, a document's checks). */
const FILE_COST = 1500;
/** The worker's least part of the estimated work, topped up with the main thread's files. */
const WORKER_PART = 0.4;

type Job = { files: string[]; texts: string[]; opts?: Pick<ValidateOptions, 'ignoreMissingSchemas' | 'strict'> };
type Answer = { results: FileResults[]; claimed: string[] } | { error: string };

export interface ValidateWorker {
  /** Validates the files on the worker; undefined if it failed. */
  run(job: Job): Promise<{ results: FileResults[]; claimed: string[] } | undefined>;
  /** Ends the worker (its answers are in, or it was not needed). */
  stop(): void;
}

/**
 * A worker for `fileCount` input files, started now (its start-up overlaps the reading), or
 * undefined: too few files, or not run by bin/kubesim (a bundle of the sources has no
 * bin/kubesim beside it to run).
 */
export function startValidateWorker(fileCount: number): ValidateWorker | undefined {
  const min = process.env.KUBESIM_VALIDATE_WORKER_MIN_FILES;
  const least = min !== undefined && min !== '' ? Number(min) : MIN_FILES;
  if (!(least > 0) || fileCount < least) return undefined;
  // bin/kubesim gives the bundle's require() its code-cache loader; the bundle is dist/*.cjs.
  if (typeof (require as { withCodeCache?: unknown }).withCodeCache !== 'function') return undefined;
  const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
  let worker: WorkerThread;
  try {
    worker = new Worker(join(__dirname, '..', 'bin', 'kubesim'), { argv: ['validate', WORKER_ARG], stdout: true, stderr: true });
  } catch {
    return undefined;
  }
  let failed = false;
  worker.on('error', () => (failed = true));
  return {
    run(job) {
      if (failed) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        const settle = (v: Answer | undefined) => {
          worker.off('message', settle);
          worker.off('exit', onExit);
          resolve(v && 'results' in v && v.results.length === job.files.length ? v : undefined);
        };
        const onExit = () => settle(undefined);
        worker.on('message', settle);
        worker.once('exit', onExit);
        worker.postMessage(job);
      });
    },
    stop() {
      worker.unref();
      void worker.terminate();
    },
  };
}

/**
 * The sources validated on both threads (all deferred: read, not parsed), in file order;
 * undefined if the worker failed (the caller then validates them all itself).
 */
export async function validateInParallel(worker: ValidateWorker, sources: Source[], opts: ValidateOptions): Promise<FileResults[] | undefined> {
  try {
    const share = workerShare(sources);
    const done: FileResults[] = new Array(sources.length);
    const toJob = (idx: number[], o?: Job['opts']): Job => ({ files: idx.map((i) => sources[i].file), texts: idx.map((i) => sources[i].text!), opts: o });
    const answer = share.length ? worker.run(toJob(share, { ignoreMissingSchemas: opts.ignoreMissingSchemas, strict: opts.strict })) : undefined;
    const mine = new Set(share);
    const registry = new ResourceRegistry();
    const noCrds = new Map<string, KObject>();
    const groups: Set<string>[] = [];
    for (let i = 0; i < sources.length; i++) {
      if (mine.has(i)) continue;
      const s = parsed(sources[i]);
      // The groups as lookupKind reads them, to see whether a CRD serves one of them.
      const g = new Set<string>();
      for (const d of s.docs) g.add(splitApiVersion(d.object.apiVersion).group);
      groups[i] = g;
      done[i] = validateSource(s, registry, noCrds, opts);
    }
    if (answer) {
      const got = await answer;
      if (!got) return undefined;
      share.forEach((i, k) => (done[i] = got.results[k]));
      // A file of this thread with a custom resource: validated again where the CRDs are.
      const again: number[] = [];
      if (got.claimed.length) groups.forEach((g, i) => got.claimed.some((c) => g.has(c)) && again.push(i));
      if (again.length) {
        const redo = await worker.run(toJob(again));
        if (!redo) return undefined;
        again.forEach((i, k) => (done[i] = redo.results[k]));
      }
      // For the tests: proof that the worker did the work, and what it did again.
      if (process.env.KUBESIM_VALIDATE_WORKER_TRACE) process.stderr.write(`validate: ${share.length} of ${sources.length} files on a worker thread, ${again.length} validated again\n`);
    }
    return done;
  } finally {
    worker.stop();
  }
}

/**
 * The indices of the files the worker validates: every file that may hold a CRD, every file
 * naming a group such a file names (its custom resources, likely), then the main thread's
 * last files until the worker has WORKER_PART of the estimated cost. Only where the work is
 * done depends on this guess, never the report.
 */
function workerShare(sources: Source[]): number[] {
  const cost = (s: Source) => FILE_COST + (s.text?.length ?? 0);
  const take = new Array<boolean>(sources.length).fill(false);
  const groups = new Set<string>();
  for (let i = 0; i < sources.length; i++) {
    const t = sources[i].text;
    if (t === undefined || !mayHoldCrd(t)) continue;
    take[i] = true;
    for (const m of t.matchAll(/^[ \t]*group:[ \t]*["']?([a-z0-9-]+(?:\.[a-z0-9-]+)+)/gm)) groups.add(m[1] + '/');
  }
  let total = 0;
  let part = 0;
  for (let i = 0; i < sources.length; i++) {
    const s = sources[i];
    total += cost(s);
    if (!take[i] && s.text !== undefined && groups.size) for (const g of groups) if (s.text.includes(g)) take[i] = true;
    if (take[i]) part += cost(s);
  }
  for (let i = sources.length - 1; i >= 0 && part < WORKER_PART * total; i--) {
    if (take[i] || sources[i].text === undefined) continue;
    take[i] = true;
    part += cost(sources[i]);
  }
  const share: number[] = [];
  take.forEach((t, i) => t && share.push(i));
  return share;
}

/** The worker's side (src/main.ts runs it for WORKER_ARG): jobs until the main thread ends it. */
export async function serveValidateWorker(): Promise<void> {
  const { parentPort } = require('node:worker_threads') as typeof import('node:worker_threads');
  if (!parentPort) throw new Error('internal error: the validate worker runs only in a worker thread');
  // Loaded while the main thread reads the files.
  const { loadSchemas } = await import('../api/validation');
  await loadSchemas();
  const registry = new ResourceRegistry();
  const crds = new Map<string, KObject>();
  let opts: ValidateOptions = {};
  parentPort.on('message', (job: Job) => {
    let answer: Answer;
    try {
      const first = job.opts !== undefined;
      if (first) opts = job.opts!;
      // As run-validate.ts does on one thread: the CRDs' files parsed and registered first.
      const sources = job.files.map((f, k) => textSource(f, job.texts[k]));
      if (first) registerCrds(sources, registry, crds);
      const results = sources.map((s) => validateSource(parsed(s), registry, crds, opts));
      const claimed = first ? [...new Set(registry.all().filter((t) => t.crd).map((t) => t.group))] : [];
      answer = { results, claimed };
    } catch (e) {
      answer = { error: String((e as Error)?.stack ?? e) };
    }
    parentPort.postMessage(answer);
  });
}
