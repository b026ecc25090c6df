// The executable's entry point: runs the CLI and sets the exit code. The only place that
// ends the process (with util/stdout-epipe.ts, for a reader that closed the pipe).

import { run, invokedName } from './cli/root';
import { exitQuietlyOnEpipe } from './util/stdout-epipe';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '__daemon') {
    const { runDaemon } = await import('./daemon/main');
    // Ended here, not when the event loop drains: a natural end frees the whole heap first,
    // 2-3 s after a 1,000,000-replica burst on a loaded machine (`cluster stop` kills at 5 s).
    process.exit(await runDaemon(argv[1]));
  }
  const code = await run(argv, undefined, invokedName(process.argv[1]));
  process.exitCode = code;
  // `validate` ends here once its reports are out: a natural end first frees the heap
  // (every result, the CRDs' trees), main-thread CPU that no output needs (round 118 of
  // docs/perf-issue-18.md). What a pipe has not taken yet (a write request still active) is
  // written first; only then are the streams asked, as asking creates one not used yet.
  if (argv[0] === 'validate') {
    if (process.getActiveResourcesInfo().some((r) => r.endsWith('WriteWrap'))) {
      await flushed(process.stdout);
      await flushed(process.stderr);
    }
    process.exit(code);
  }
}

/** Resolves once what `s` holds is written (an empty write's callback comes after it). */
function flushed(s: NodeJS.WriteStream): Promise<void> | undefined {
  return s.writableLength ? new Promise((resolve) => s.write('', () => resolve())) : undefined;
}

exitQuietlyOnEpipe();

main().catch((e) => {
  process.stderr.write(`error: ${(e as Error)?.message ?? String(e)}\n`);
  process.exit(1);
});
