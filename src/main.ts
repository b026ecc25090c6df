// The executable's entry point: runs the CLI and sets the exit code. The only place that
// ends the process.

import { run, invokedName } from './cli/root';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '__daemon') {
    const { runDaemon } = await import('./daemon/main');
    await runDaemon(argv[1]);
    return;
  }
  const code = await run(argv, undefined, invokedName(process.argv[1]));
  process.exitCode = code;
}

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  // `kubesim get pods | head` closes the pipe early: not an error worth a stack trace.
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main().catch((e) => {
  process.stderr.write(`error: ${(e as Error)?.message ?? String(e)}\n`);
  process.exit(1);
});
