// The one sleep: a timer that an AbortSignal cuts short (a watch's poll, leader election's
// retries), or a plain delay between polls of the CLI.

/** Resolves after `ms`, or at once when `signal` is (or becomes) aborted; never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
