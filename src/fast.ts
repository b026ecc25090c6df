// The start-up fast path (dist/fast.cjs): the commands run most often in scripts and
// prompts, recognised from their exact argv and answered without loading the CLI bundle
// (dist/main.cjs, whose reading and code-cache checks cost more than the rest of such a
// command). bin/kubesim tries it first; anything it does not recognise — every other
// spelling, flag or verb — runs the full CLI, which prints the same for these forms
// (test/e2e/fast-path.test.ts compares them). It imports only what it prints with:
// `get TYPE NAME [-n NS]` has files of their own, loaded for that form alone: a pod from the
// cluster's store, dist/fast-get-store.cjs (src/fast-get-store.ts), else any type through the
// daemon's socket, dist/fast-get.cjs (src/fast-get.ts).

import { statSync } from 'node:fs';
import { join } from 'node:path';
import { versionText } from './cli/version-output';
import { writeOut } from './util/stdout-epipe';
import { fastGetNamespace, mayNamePods } from './fast-get-form';

/** The sizes of the dist/fast-get.cjs and dist/fast-get-store.cjs built with this file (scripts/build.mjs sets them). */
declare const __FAST_GET_BYTES__: number;
declare const __FAST_GET_STORE_BYTES__: number;

/**
 * Loads a CommonJS file of dist/ (bin/kubesim's: with V8's code cache, one per `variant`);
 * require() without one.
 */
export type LoadFile = (file: string, variant?: string) => unknown;

/**
 * Runs argv when it is a fast-path form and returns true (or a promise of true once it has
 * printed); false, or a promise of false having printed nothing, leaves it to the full CLI.
 * `load` loads its other files.
 */
export function runFast(argv: readonly string[], load: LoadFile = require): boolean | Promise<boolean> {
  if (argv.length === 2 && argv[0] === 'version' && (argv[1] === '--client' || argv[1] === '--client=true')) {
    write(versionText(true));
    return true;
  }
  if (fastGetNamespace(argv) !== undefined) {
    // A pod from the cluster's store, as the CLI reads it (KUBESIM_NO_DAEMON=1) or the daemon answers it.
    const viaDaemon = process.env.KUBESIM_NO_DAEMON !== '1';
    // A code cache per way of reading: one holds the functions of the run that wrote it, and
    // each way runs some the other does not (the daemon's endpoint and pid checks), which the
    // other's cache would leave to be compiled on every run (round 113 of docs/perf-issue-18.md).
    if (mayNamePods(argv[1]) && ownFile<typeof import('./fast-get-store')>('fast-get-store.cjs', __FAST_GET_STORE_BYTES__, load, viaDaemon ? 'daemon' : 'local')?.runFastGetStore(argv, viaDaemon)) return true;
    // Any type through the daemon's socket; without a daemon to ask, not even loaded.
    return viaDaemon ? (ownFile<typeof import('./fast-get')>('fast-get.cjs', __FAST_GET_BYTES__, load)?.runFastGet(argv) ?? false) : false;
  }
  return false;
}

/** A file of dist/ when it is the one of this build (a dist/ put together from two builds runs the CLI). */
function ownFile<T>(name: string, bytes: number, load: LoadFile, variant?: string): T | undefined {
  const file = join(__dirname, name);
  return statSync(file, { throwIfNoEntry: false })?.size === bytes ? (load(file, variant) as T) : undefined;
}

function write(text: string): void {
  writeOut(1, text);
}
