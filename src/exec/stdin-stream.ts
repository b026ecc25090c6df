// A client's stdin passed on as it arrives, for exec -i and attach -i alike (the CLI's, from
// its own stdin; the API server's, from a WebSocket's stdin channel): each chunk goes to
// the receiver when it comes (a line typed is read by the container's process then), then
// the input's end. The receiver is the container's stdin record for an attach, the
// command's growing input for an exec.

export interface StdinReceiver {
  /** A chunk, in order; the next waits until this one is passed on. */
  data(text: string): Promise<void>;
  /** The input ended (not called when the reader stopped it first). */
  end(): Promise<void>;
}

export interface StdinStream {
  /** Resolves when more input was passed on, the input ended, or `ms` passed. */
  waitForMore(ms: number): Promise<void>;
  /** Still reading (not ended, stopped or failed). */
  readonly open: boolean;
  /** Stops reading the input (the command or attach ended); throws what went wrong passing it on (too large). */
  stop(): void;
}

export interface StdinLimit {
  bytes: number;
  error: () => Error;
}

/** Reads `chunks` to their end (or until stopped), passing each on to `to`. */
export function passStdin(chunks: AsyncIterable<string>, to: StdinReceiver, limit: StdinLimit): StdinStream {
  const it = chunks[Symbol.asyncIterator]();
  let wake = () => {};
  let open = true;
  let error: unknown;
  void (async () => {
    let total = 0;
    try {
      for (let r = await it.next(); open && !r.done; r = await it.next()) {
        total += Buffer.byteLength(r.value);
        if (total > limit.bytes) throw limit.error();
        await to.data(r.value);
        wake();
      }
      if (open) await to.end();
    } catch (e) {
      error = e;
    } finally {
      open = false;
      wake();
    }
  })();
  return {
    waitForMore: (ms) =>
      open
        ? new Promise<void>((resolve) => {
            const t = setTimeout(resolve, ms);
            wake = () => (clearTimeout(t), resolve());
          })
        : Promise.resolve(),
    get open() {
      return open;
    },
    stop: () => {
      // the reader ended with the input still open: kubectl stops sending it too
      if (open) void it.return?.();
      open = false;
      if (error) throw error;
    },
  };
}

/** A whole text as a stream of one chunk (a host that has only the whole stdin). */
export async function* oneChunk(text: string): AsyncIterable<string> {
  if (text) yield text;
}
