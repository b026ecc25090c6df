// `kubesim get pods | head` closes the pipe early: not an error worth a stack trace. Shared
// by the CLI's entry (src/main.ts) and the start-up fast path (src/fast.ts).

import { writeSync } from 'node:fs';

export function exitQuietlyOnEpipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

/**
 * Writes `text` to stdout (fd 1) or stderr (fd 2) as process.stdout/stderr would (they write
 * files, pipes and terminals synchronously on Linux), without creating those streams: the
 * first use of process.stdout loads Node's stream modules (and `net` for a pipe), ~70–200
 * pages of a command the start-up fast path answers in ~300. A closed stdout ends the
 * process quietly, as exitQuietlyOnEpipe; a descriptor someone made non-blocking (EAGAIN)
 * gets the rest through the stream, which waits for it.
 */
export function writeOut(fd: 1 | 2, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  try {
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EPIPE' && fd === 1) process.exit(process.exitCode ?? 0);
    if (code !== 'EAGAIN') throw e;
    if (fd === 1) exitQuietlyOnEpipe();
    (fd === 1 ? process.stdout : process.stderr).write(buf.subarray(off));
  }
}
