// kubectl's PrefixWriter: text written at indentation levels (2 spaces each) into a
// tabwriter. flush() closes the current tabwriter segment, so what follows (the Events
// table) starts a fresh alignment, exactly like `w.Flush()` in describe.go.
import { tabwrite, DESCRIBE } from '../tabwriter';

export const LEVEL_0 = 0;
export const LEVEL_1 = 1;
export const LEVEL_2 = 2;
export const LEVEL_3 = 3;

export class PrefixWriter {
  private readonly segments: string[] = [];
  private current = '';

  /** Write `text` prefixed with `level` indentation units. */
  write(level: number, text: string): void {
    this.current += '  '.repeat(level) + text;
  }

  /** Go's fmt.Sprintln: arguments joined by spaces, then a newline. */
  writeLine(...parts: string[]): void {
    this.current += parts.join(' ') + '\n';
  }

  flush(): void {
    this.segments.push(this.current);
    this.current = '';
  }

  /** The aligned output. */
  toString(): string {
    const all = [...this.segments, this.current];
    return all.map((s) => (s === '' ? '' : tabwrite(s, DESCRIBE))).join('');
  }
}

/** kubectl's nestedPrefixWriter: every write is shifted by `indent` levels. */
export class NestedPrefixWriter extends PrefixWriter {
  constructor(private readonly parent: PrefixWriter, private readonly indent: number) {
    super();
  }
  override write(level: number, text: string): void {
    this.parent.write(level + this.indent, text);
  }
  override writeLine(...parts: string[]): void {
    this.parent.write(this.indent, parts.join(' ') + '\n');
  }
  override flush(): void {
    this.parent.flush();
  }
}
