// The start-up fast path (dist/fast.cjs): the commands run most often in scripts and
// prompts, recognised from their exact argv and answered without loading the CLI bundle
// (dist/main.cjs, whose reading and code-cache checks cost more than the rest of such a
// command). bin/kubesim tries it first; anything it does not recognise — every other
// spelling, flag or verb — runs the full CLI, which prints the same for these forms
// (test/e2e/fast-path.test.ts compares them). It imports only what it prints with:
// `get TYPE NAME [-n NS]` has a file of its own (dist/fast-get.cjs, src/fast-get.ts), loaded
// for that form alone.

import { statSync } from 'node:fs';
import { join } from 'node:path';
import { versionText } from './cli/version-output';
import { exitQuietlyOnEpipe } from './util/stdout-epipe';
import { fastGetNamespace } from './fast-get-form';

/** The size of the dist/fast-get.cjs built with this file (scripts/build.mjs sets it). */
declare const __FAST_GET_BYTES__: number;

/**
 * Runs argv when it is a fast-path form and returns true (or a promise of true once it has
 * printed); false, or a promise of false having printed nothing, leaves it to the full CLI.
 */
export function runFast(argv: readonly string[]): boolean | Promise<boolean> {
  if (argv.length === 2 && argv[0] === 'version' && (argv[1] === '--client' || argv[1] === '--client=true')) {
    write(versionText(true));
    return true;
  }
  // Without a daemon to ask (KUBESIM_NO_DAEMON=1), not even loaded.
  if (fastGetNamespace(argv) !== undefined && process.env.KUBESIM_NO_DAEMON !== '1') {
    const file = join(__dirname, 'fast-get.cjs');
    // Only the file of this build (a dist/ put together from two builds runs the CLI).
    if (statSync(file, { throwIfNoEntry: false })?.size !== __FAST_GET_BYTES__) return false;
    return (require(file) as typeof import('./fast-get')).runFastGet(argv);
  }
  return false;
}

function write(text: string): void {
  exitQuietlyOnEpipe();
  process.stdout.write(text);
}
