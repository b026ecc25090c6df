// The start-up fast path (dist/fast.cjs): the commands run most often in scripts and
// prompts, recognised from their exact argv and answered without loading the CLI bundle
// (dist/main.cjs, whose reading and code-cache checks cost more than the rest of such a
// command). bin/kubesim tries it first; anything it does not recognise — every other
// spelling, flag or verb — runs the full CLI, which prints the same for these forms
// (test/e2e/fast-path.test.ts compares them). It imports only what it prints with.

import { versionText } from './cli/version-output';
import { exitQuietlyOnEpipe } from './util/stdout-epipe';

/** Runs argv when it is a fast-path form and returns true; false leaves it to the full CLI. */
export function runFast(argv: readonly string[]): boolean {
  if (argv.length === 2 && argv[0] === 'version' && (argv[1] === '--client' || argv[1] === '--client=true')) {
    write(versionText(true));
    return true;
  }
  return false;
}

function write(text: string): void {
  exitQuietlyOnEpipe();
  process.stdout.write(text);
}
