// Every input kubesim reads (-f files, stdin, --from-file, --from-env-file, --patch-file,
// -o *-file=, validate) goes through here: at most INPUT_MAX_BYTES, then a clear error, so
// /dev/zero, a 100 MB file or an endless pipe cannot eat the machine's memory. A FIFO nobody
// writes to reads as empty instead of blocking (opened non-blocking; a writer that is slow
// is waited for, up to a deadline without data).

import * as fs from 'node:fs';
import { CliError } from '../api/errors';

/**
 * kube-apiserver takes 3 MiB per request; a manifest file may hold many requests (a 50 MB
 * generated bundle still loads), but not 100 MB or an endless device.
 */
export const INPUT_MAX_BYTES = 64 * 1024 * 1024;
const STALL_MS = 30_000;

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

let chunkBuffer: Buffer | undefined;

export class InputTooLargeError extends CliError {}

/** The size limit's message, naming the input. */
export function tooLargeMessage(label: string, limit = INPUT_MAX_BYTES): string {
  return `the input ${label} is larger than the limit of ${limit} bytes (${Math.round(limit / 1024 / 1024)} MiB)`;
}

/** Reads a whole file (or fd 0 for stdin) up to `limit` bytes; throws InputTooLargeError past it. */
export function readInputSync(source: string | 0, limit = INPUT_MAX_BYTES, label?: string): Buffer {
  // Not told the file is regular, readInput hands over bytes of their own, never the chunk buffer.
  return readInput(source, limit, label, false, (bytes) => bytes);
}

/**
 * readInputSync of a path that named a regular file when it was listed (a directory
 * entry's type, a stat), for a caller that is done with the bytes inside `use`: a file
 * shorter than a chunk is read with one read (a short read of a regular file is its end,
 * where the general loop reads again to see 0 bytes) and handed over as a view of the
 * shared chunk buffer, valid only during the call (no copy). For a tree of 10,000 small
 * manifests that was ~15 ms of `validate`'s main thread (round 80 of docs/perf-issue-18.md).
 */
export function readRegularFileWith<T>(path: string, use: (bytes: Buffer) => T, limit = INPUT_MAX_BYTES): T {
  return readInput(path, limit, undefined, true, use);
}

/** How an error names the input (named only then: a JSON text per file read was measurable on a large tree). */
function inputName(source: string | 0, label: string | undefined): string {
  return label ?? (source === 0 ? 'from stdin' : JSON.stringify(source));
}

function readInput<T>(source: string | 0, limit: number, label: string | undefined, regular: boolean, use: (bytes: Buffer) => T): T {
  let fd: number;
  let own = false;
  if (source === 0) fd = 0;
  else {
    fd = fs.openSync(source, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    own = true;
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    // When data last came, taken at the first EAGAIN after it (0: none since): a clock read
    // per read was measurable on a tree of small files, which never see EAGAIN.
    let lastData = 0;
    // One chunk buffer for every read (reads are synchronous; what is kept is copied out):
    // allocating 64 KiB per file was a third of reading a tree of small manifests. No fstat
    // up front: for a tree of small manifests its Stats object (dates included) cost more
    // than the read; a directory fails the read with EISDIR.
    const buf = (chunkBuffer ??= Buffer.allocUnsafe(64 * 1024));
    let sized = false;
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') {
          if (lastData === 0) lastData = Date.now();
          else if (Date.now() - lastData > STALL_MS) throw new CliError(`timed out reading ${inputName(source, label)}: no data for ${STALL_MS / 1000} s`);
          Atomics.wait(sleepCell, 0, 0, 5);
          continue;
        }
        if (code === 'EOF') break; // Windows-style end of a pipe
        throw e;
      }
      if (n === 0) break;
      lastData = 0;
      total += n;
      if (total > limit) throw new InputTooLargeError(tooLargeMessage(inputName(source, label), limit));
      if (regular && total === n && n < buf.length) return use(buf.subarray(0, n));
      if (!sized && n === buf.length) {
        // More than a chunk: a regular file is checked against the limit and read into one
        // buffer of its size (no copies); one that grew meanwhile continues in chunks.
        sized = true;
        const st = fs.fstatSync(fd);
        if (st.isFile() && st.size > limit) throw new InputTooLargeError(tooLargeMessage(inputName(source, label), limit));
        if (st.isFile() && st.size > total) {
          const whole = Buffer.allocUnsafe(st.size);
          buf.copy(whole, 0, 0, n);
          while (total < st.size) {
            const m = fs.readSync(fd, whole, total, st.size - total, null);
            if (m === 0) break;
            total += m;
          }
          if (total < st.size) return use(whole.subarray(0, total));
          chunks.push(whole);
          continue;
        }
      }
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return use(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total));
  } finally {
    if (own) fs.closeSync(fd);
  }
}
