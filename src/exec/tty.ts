// The container's terminal in cooked mode, for a process that is not the simulated
// interactive shell (`exec -it -- cat`): kubectl sends raw keystrokes (its own terminal is
// raw) and the pty the runtime allocated for -t does the rest, so this is where it is done,
// once, for the CLI and the API server alike: typed characters are echoed, Backspace
// erases, Enter (\r, ICRNL) ends a line the process then reads, Ctrl-D at a line's start
// is the end of input (elsewhere it passes the line as typed), and Ctrl-C (ISIG) kills the
// foreground process with SIGINT: exit status 130.

/** Exit status of a process killed by SIGINT. */
export const SIGINT_STATUS = 130;

export interface CookedInput {
  /** The lines as the process reads them; ends at Ctrl-D on an empty line, Ctrl-C, or the raw input's end. */
  input: AsyncIterable<string>;
  /** Ctrl-C was typed: the process was killed by SIGINT (it writes nothing more). */
  interrupted(): boolean;
  /** Ctrl-D on an empty line ended the input: the process's read returns 0, an end of file (stdinOnce or not). */
  eof(): boolean;
}

/**
 * The line discipline over `raw` keystrokes; `echo` gets what the terminal shows of them
 * (\r\n line ends). `interrupt` is called at Ctrl-C before the input ends (a container's own
 * process records its exit by the signal there).
 */
export function cookedInput(raw: AsyncIterable<string>, echo: (text: string) => void, interrupt?: () => Promise<void>): CookedInput {
  let interrupted = false;
  let eof = false;
  async function* lines(): AsyncGenerator<string> {
    let line = '';
    for await (const chunk of raw) {
      let ready = '';
      let shown = '';
      let ended = false;
      for (const ch of chunk) {
        if (ch === '\x03') {
          shown += '^C';
          interrupted = ended = true;
        } else if (ch === '\x04') {
          if (line === '') ended = eof = true;
          else [ready, line] = [ready + line, ''];
        } else if (ch === '\x7f' || ch === '\b') {
          if (line) {
            line = [...line].slice(0, -1).join('');
            shown += '\b \b';
          }
        } else if (ch === '\r' || ch === '\n') {
          [ready, line] = [`${ready}${line}\n`, ''];
          shown += '\r\n';
        } else {
          line += ch;
          // ECHOCTL: other control characters show as ^X
          shown += ch < ' ' ? `^${String.fromCharCode(ch.charCodeAt(0) + 64)}` : ch;
        }
        if (ended) break;
      }
      if (shown) echo(shown);
      // Ctrl-C flushes what was typed and not yet read
      if (ready && !interrupted) yield ready;
      if (interrupted) await interrupt?.();
      if (ended) return;
    }
  }
  if (!interrupt) return { input: lines(), interrupted: () => interrupted, eof: () => eof };
  // A container's own process killed by Ctrl-C: its stdin is not closed (an end of input
  // would be a normal exit); the reader's stop ends the stream.
  const gen = lines();
  let release = () => {};
  const held = new Promise<IteratorResult<string>>((r) => (release = () => r({ done: true, value: undefined })));
  const input: AsyncIterable<string> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const r = await gen.next();
        return r.done && interrupted ? held : r;
      },
      return: async () => {
        release();
        return { done: true, value: undefined };
      },
    }),
  };
  return { input, interrupted: () => interrupted, eof: () => eof };
}
