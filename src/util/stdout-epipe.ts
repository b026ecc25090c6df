// `kubesim get pods | head` closes the pipe early: not an error worth a stack trace. Shared
// by the CLI's entry (src/main.ts) and the start-up fast path (src/fast.ts).

export function exitQuietlyOnEpipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
