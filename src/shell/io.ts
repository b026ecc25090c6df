// Streams of the simulated shell: an input with a read position (so `read` in a loop
// consumes it line by line) and output sinks (the script's stdout/stderr, a pipe or
// `$(...)` buffer, a file, /dev/null).

import { memoryError } from './limits';
import type { Vfs } from './vfs';

/** A read of a stdin that is still open and has nothing more: the process waits there (for an attach). */
export class StdinBlocked extends Error {
  constructor() {
    super('waiting on stdin');
  }
}

export class Input {
  /** Still open (a container's stdin no attach has closed): reading past the text waits. */
  open = false;
  /** Called before a read: the text arrives at a moment, which the reader waits for. */
  onRead?: () => void;
  constructor(
    public text: string,
    public pos = 0,
  ) {}
  /** Everything not read yet (to its end: waits while the input is open). */
  rest(): string {
    if (this.open) throw new StdinBlocked();
    this.onRead?.();
    const r = this.text.slice(this.pos);
    this.pos = this.text.length;
    return r;
  }
  /** What has arrived and not been read (a read(2) of a pipe or terminal); undefined at the end. */
  available(): string | undefined {
    this.onRead?.();
    if (this.pos >= this.text.length) {
      if (this.open) throw new StdinBlocked();
      return undefined;
    }
    const r = this.text.slice(this.pos);
    this.pos = this.text.length;
    return r;
  }
  /** The next line without its newline; undefined at the end. `nl` tells whether it had one. */
  line(): { text: string; nl: boolean } | undefined {
    this.onRead?.();
    if (this.pos >= this.text.length) {
      if (this.open) throw new StdinBlocked();
      return undefined;
    }
    const end = this.text.indexOf('\n', this.pos);
    if (end < 0) {
      if (this.open) throw new StdinBlocked();
      const text = this.text.slice(this.pos);
      this.pos = this.text.length;
      return { text, nl: false };
    }
    const text = this.text.slice(this.pos, end);
    this.pos = end + 1;
    return { text, nl: true };
  }
}

export const EMPTY_INPUT = () => new Input('');

export interface Sink {
  write(s: string): void;
}

export const NULL_SINK: Sink = { write() {} };

export class BufferSink implements Sink {
  text = '';
  constructor(private readonly max: number) {}
  write(s: string): void {
    if (this.text.length + s.length > this.max) throw memoryError('a pipe or $(...) buffer', this.max);
    this.text += s;
  }
}

export class FileSink implements Sink {
  constructor(
    private readonly vfs: Vfs,
    private readonly path: string,
  ) {}
  write(s: string): void {
    if (s) this.vfs.write(this.path, s, true);
  }
}

export interface Io {
  inp: Input;
  out: Sink;
  err: Sink;
  /** File descriptors above 2 (`3>file`, `>&3`). */
  extra?: Map<number, Sink>;
}
