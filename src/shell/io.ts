// Streams of the simulated shell: an input with a read position (so `read` in a loop
// consumes it line by line) and output sinks (the script's stdout/stderr, a pipe or
// `$(...)` buffer, a file, /dev/null).

import { memoryError } from './limits';
import type { Vfs } from './vfs';

export class Input {
  constructor(
    public text: string,
    public pos = 0,
  ) {}
  /** Everything not read yet. */
  rest(): string {
    const r = this.text.slice(this.pos);
    this.pos = this.text.length;
    return r;
  }
  /** The next line without its newline; undefined at the end. `nl` tells whether it had one. */
  line(): { text: string; nl: boolean } | undefined {
    if (this.pos >= this.text.length) return undefined;
    const end = this.text.indexOf('\n', this.pos);
    if (end < 0) {
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
