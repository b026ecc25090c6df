// A port of Go's text/tabwriter as kubectl configures it (pad char ' '). Cells are
// TAB-terminated; the last cell of a line is not part of any column and is never padded.
// Columns are aligned per *block*: a maximal run of consecutive lines that have a cell in
// that column, so a line with fewer cells starts a new alignment; with `rememberWidths`
// (kubectl's fork, github.com/liggitt/tabwriter) a block is as wide as the widest block
// before it in that column, so rows after a multi-line cell stay aligned with those above.

export interface TabwriterOptions {
  minWidth: number;
  padding: number;
  /** The fork's RememberWidths flag: each column at least as wide as it was in an earlier block. */
  rememberWidths?: boolean;
}

/** `kubectl get` tables: printers.GetNewTabWriter, tabwriter.NewWriter(out, 6, 4, 3, ' ', RememberWidths). */
export const GET_TABLE: TabwriterOptions = { minWidth: 6, padding: 3, rememberWidths: true };
/** `kubectl describe`: tabwriter.NewWriter(out, 0, 8, 2, ' ', 0). */
export const DESCRIBE: TabwriterOptions = { minWidth: 0, padding: 2 };

/** Width in Unicode code points (Go counts runes, not display columns). */
export function runeWidth(s: string): number {
  // Without surrogates (nearly every cell) each UTF-16 unit is a code point.
  if (!SURROGATE.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}
const SURROGATE = /[\uD800-\uDFFF]/;

/** Runs of spaces by length, made once (a table of 100,000 rows pads every cell). */
const spaces: string[] = [''];
export function pad(n: number): string {
  while (spaces.length <= n) spaces.push(spaces[spaces.length - 1] + ' ');
  return spaces[n];
}

/** Aligns `text` (lines of TAB-separated cells) exactly like Go's tabwriter + Flush. */
export function tabwrite(text: string, opts: TabwriterOptions, remembered?: number[]): string {
  // Cells as strings, their widths counted where needed: an object per cell was most of the
  // cost of a 100,000-row table (allocation and GC).
  return tabwriteCells(text.split('\n').map((l) => l.split('\t')), opts, remembered);
}

/**
 * tabwrite of text already split: lines of cells (no cell holding a TAB or newline).
 * `remembered` carries rememberWidths' column widths from one Flush to the next (one writer
 * flushed per line of a watch).
 */
export function tabwriteCells(lines: string[][], opts: TabwriterOptions, remembered: number[] = []): string {
  const out: string[] = [];
  const widths: number[] = [];
  const maxWidths = remembered;

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const line = lines[i];
      let s = '';
      for (let j = 0; j < line.length; j++) {
        const c = line[j];
        s += c;
        if (j < widths.length) {
          const w = runeWidth(c);
          if (widths[j] > w) s += pad(widths[j] - w);
        }
      }
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
        const w = runeWidth(line[column]) + opts.padding;
        if (w > width) width = w;
      }
      if (opts.rememberWidths) {
        // as the fork's format(): a column first seen deeper takes the widths to its left
        if (maxWidths.length < column) maxWidths.push(...widths.slice(maxWidths.length));
        if (maxWidths.length === column) maxWidths.push(width);
        else if (maxWidths[column] > width) width = maxWidths[column];
        else maxWidths[column] = width;
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
