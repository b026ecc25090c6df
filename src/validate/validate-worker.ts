// `kubesim validate` on both cores: a worker thread validates a share of the input files
// while the main thread validates the rest, and the main thread puts the results back in
// file order (the report is the same bytes as from one thread). The worker runs bin/kubesim
// (its bundle with the code cache) with a marker argument no command line can hold (a NUL).
//
// Only files whose parse was deferred (no CRD can be in them: run-validate.ts mayHoldCrd)
// go to the worker, after the main thread has registered every CRD of the run. The worker
// validates with the built-in types alone, which is what the whole run's registry answers
// for any group no CRD serves; a file with a document of such a group (a custom resource)
// comes back unvalidated, for the main thread. A worker costs its own start-up and warm-up
// (≈ 50 ms of CPU before its first file, and its JIT starts cold), so it is started only for
// enough files, and given a share only of enough bytes (docs/perf-issue-18.md round 70).

import { join } from 'node:path';
import type { Worker as WorkerThread } from 'node:worker_threads';
import type { ResourceRegistry } from '../api/resources';
import type { FileResults, ValidateOptions } from './run-validate';

/** argv[1] of the worker's `validate` (a NUL: no argument from the OS can hold one). */
export const WORKER_ARG = '\u0000validate-worker';

/** Fewer input files than this: no worker. */
const MIN_FILES = 64;
/** Fewer bytes to hand over than this: the worker is stopped unused. */
const MIN_SHARE_BYTES = 256 * 1024;
/** What a file costs beyond its bytes (reading, a parse, a document's checks), in bytes. */
const FILE_COST = 1500;
/** What a file parsed at read time still costs, per byte, against one parsed when validated. */
const PARSED_COST = 0.25;
/** The worker's part of the work (it starts later and colder than the main thread). */
const WORKER_PART = 0.45;

/** What validateShare takes (structured-cloned to the worker; `bytes` transferred). */
export interface WorkerJob {
  files: string[];
  /** Each file's end in `bytes` (its start is the previous end). */
  ends: number[];
  bytes: ArrayBuffer;
  /** The groups the run's CRDs serve. */
  claimed: string[];
  opts: Pick<ValidateOptions, 'ignoreMissingSchemas' | 'strict'>;
}

/** Each file's results, or null for one left to the main thread. */
export type WorkerAnswer = { results: (FileResults | null)[] } | { error: string };

interface ShareSource {
  file: string;
  buf?: Buffer;
  text?: string;
}

export interface ValidateWorker {
  /** Starts validating the files at `share`; resolves with their results (null: not done there), or undefined if the worker failed. */
  run(sources: ShareSource[], share: number[], registry: ResourceRegistry, opts: ValidateOptions): Promise<(FileResults | null)[] | undefined>;
  /** Once its answer is in (or it was given nothing): lets the process end without waiting for the worker's own end. */
  stop(): void;
}

/**
 * A worker for `fileCount` input files, started now (its start-up overlaps the reading), or
 * undefined: too few files, or not run by bin/kubesim (a test's bundle of the sources has no
 * bin/kubesim beside it to run).
 */
export function startWorkerFor(fileCount: number): ValidateWorker | undefined {
  if (fileCount < MIN_FILES) return undefined;
  // bin/kubesim gives the bundle's require() its code-cache loader; the bundle is dist/*.cjs.
  if (typeof (require as { withCodeCache?: unknown }).withCodeCache !== 'function') return undefined;
  const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
  let worker: WorkerThread;
  try {
    worker = new Worker(join(__dirname, '..', 'bin', 'kubesim'), { argv: ['validate', WORKER_ARG], stdout: true, stderr: true });
  } catch {
    return undefined;
  }
  // Until it is given work, a failure to start only means the main thread does it all.
  const ignore = () => {};
  worker.on('error', ignore);
  let used = false;
  return {
    run(sources, share, registry, opts) {
      used = true;
      const ends: number[] = [];
      let total = 0;
      for (const i of share) ends.push((total += sources[i].buf!.length));
      const bytes = new Uint8Array(total);
      for (let k = 0; k < share.length; k++) bytes.set(sources[share[k]].buf!, k ? ends[k - 1] : 0);
      const job: WorkerJob = { files: share.map((i) => sources[i].file), ends, bytes: bytes.buffer, claimed: claimedGroups(registry), opts: { ignoreMissingSchemas: opts.ignoreMissingSchemas, strict: opts.strict } };
      return new Promise((resolve) => {
        const settle = (v: (FileResults | null)[] | undefined) => {
          worker.off('message', onMessage);
          worker.off('exit', onExit);
          resolve(v);
        };
        const onMessage = (m: WorkerAnswer) => settle('results' in m && m.results.length === share.length ? m.results : undefined);
        const onExit = () => settle(undefined);
        worker.on('message', onMessage);
        worker.once('exit', onExit);
        try {
          worker.postMessage(job, [job.bytes]);
        } catch {
          settle(undefined);
        }
      });
    },
    stop() {
      worker.unref();
      if (!used) void worker.terminate();
    },
  };
}

/**
 * The indices of the files the worker validates, in order: deferred files (read, not parsed)
 * from the first, up to WORKER_PART of the whole run's estimated cost; undefined when that
 * is too little to pay for the hand-over.
 */
export function workerShare(sources: ShareSource[], registry: ResourceRegistry): number[] | undefined {
  let total = 0;
  for (const s of sources) total += FILE_COST + (s.buf ? s.buf.length : PARSED_COST * (s.text?.length ?? 0));
  const target = WORKER_PART * total;
  // A file naming a CRD's group likely holds its custom resources, which the worker would
  // hand back: it stays here (only where the work is done depends on this guess).
  const groups = claimedGroups(registry);
  const share: number[] = [];
  let cost = 0;
  let shareBytes = 0;
  for (let i = 0; i < sources.length && cost < target; i++) {
    const buf = sources[i].buf;
    if (!buf || groups.some((g) => buf.indexOf(g) >= 0)) continue;
    share.push(i);
    cost += FILE_COST + buf.length;
    shareBytes += buf.length;
  }
  return shareBytes >= MIN_SHARE_BYTES ? share : undefined;
}

/** The groups the run's CRDs serve. */
function claimedGroups(registry: ResourceRegistry): string[] {
  return [...new Set(registry.all().filter((t) => t.crd).map((t) => t.group))];
}

/** The worker's side (src/main.ts runs it for WORKER_ARG): one job, one answer. */
export async function serveValidateWorker(): Promise<void> {
  const { parentPort } = require('node:worker_threads') as typeof import('node:worker_threads');
  if (!parentPort) throw new Error('internal error: the validate worker runs only in a worker thread');
  const { validateShare } = await import('./run-validate');
  // Loaded while the main thread reads the files.
  const { loadSchemas } = await import('../api/validation');
  await loadSchemas();
  parentPort.once('message', (job: WorkerJob) => {
    let answer: WorkerAnswer;
    try {
      answer = { results: validateShare(job) };
    } catch (e) {
      answer = { error: String((e as Error)?.stack ?? e) };
    }
    parentPort.postMessage(answer);
    parentPort.close();
  });
}
