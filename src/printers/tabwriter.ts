// A port of Go's text/tabwriter as kubectl configures it (flags 0, pad char ' ').
// Cells are TAB-terminated; the last cell of a line is not part of any column and is
// never padded. Columns are aligned per *block*: a maximal run of consecutive lines
// that have a cell in that column, so a line with fewer cells starts a new alignment.

export interface TabwriterOptions {
  minWidth: number;
  padding: number;
}

/** `kubectl get` tables: tabwriter.NewWriter(out, 6, 4, 3, ' ', 0). */
export const GET_TABLE: TabwriterOptions = { minWidth: 6, padding: 3 };
/** `kubectl describe`: tabwriter.NewWriter(out, 0, 8, 2, ' ', 0). */
export const DESCRIBE: TabwriterOptions = { minWidth: 0, padding: 2 };

interface Cell {
  text: string;
  width: number; // runes, like utf8.RuneCount
}

/** Width in Unicode code points (Go counts runes, not display columns). */
export function runeWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Aligns `text` (lines of TAB-separated cells) exactly like Go's tabwriter + Flush. */
export function tabwrite(text: string, opts: TabwriterOptions): string {
  const lines: Cell[][] = text.split('\n').map((l) => l.split('\t').map((t) => ({ text: t, width: runeWidth(t) })));
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const line = lines[i];
      let s = '';
      line.forEach((c, j) => {
        s += c.text;
        if (j < widths.length) s += ' '.repeat(Math.max(0, widths[j] - c.width));
      });
      out.push(s);
    }
  };

  // Same recursion as tabwriter.(*Writer).format: find column blocks left to right.
  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let i = line0; i < line1; i++) {
      if (column >= lines[i].length - 1) continue;
      // Cell in this column: lines line0..i-1 are done with columns up to here.
      writeLines(line0, i);
      line0 = i;
      let width = opts.minWidth;
      for (; i < line1; i++) {
        const line = lines[i];
        if (column >= line.length - 1) break;
        const w = line[column].width + opts.padding;
        if (w > width) width = w;
      }
      widths.push(width);
      format(line0, i);
      widths.pop();
      line0 = i;
      i--; // the outer loop's i++ re-examines the line that ended the block
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('\n');
}
