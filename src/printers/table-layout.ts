// kubectl's tableprinter for cells already computed (priority filtering, NAMESPACE / -L /
// LABELS decoration, kind prefix, tabwriter layout), with nothing that computes cells: the
// start-up fast path (src/fast-get.ts) prints the server's Table with it alone, and
// table.ts adds the client-side columns.
import type { KObject } from '../api/types';
import type { Column } from './columns/types';
import { formatLabels } from './describe/format';
import { GET_TABLE, pad, runeWidth, tabwrite } from './tabwriter';

/** How the rows are decorated (TableOptions without what computes the cells). */
export interface RowOptions {
  wide?: boolean;
  noHeaders?: boolean;
  showLabels?: boolean;
  /** -L keys, already split at commas. */
  labelColumns?: string[];
  allNamespaces?: boolean;
  /** e.g. 'deployment.apps': NAME cells become 'deployment.apps/web'. */
  kindPrefix?: string;
}

const CUT = /[\n\r\f]/;

/** Cuts a cell at the first \n, \r or \f and appends "..." (tabwriter treats \f as a newline). */
export function cellText(s: string): string {
  // A test of one hoisted pattern first: nearly every cell has none, and `search` with a
  // literal costs ~1 µs a cell (a 100,000-pod -A table has 600,000 cells).
  if (!CUT.test(s)) return s;
  return s.slice(0, s.search(CUT)) + '...';
}

/** formatLabelHeaders: the part after the last "/", upper-cased. */
export function labelHeader(key: string): string {
  const p = key.split('/');
  return p[p.length - 1].toUpperCase();
}

/**
 * One table's rows as printed (NAMESPACE, the visible cells with the kind prefix, -L, LABELS)
 * from each object's cells and metadata: the header and each row are made one at a time, so
 * that a caller can lay them out as they come (TableLines) and keep nothing else of a row.
 */
export class RowFormatter {
  private readonly visible: number[];
  private readonly prefixes: (string | undefined)[];
  private readonly labelCols: string[];

  constructor(private readonly columns: readonly Column[], private readonly opts: RowOptions) {
    this.visible = [];
    columns.forEach((c, i) => (opts.wide || c.priority === 0) && this.visible.push(i));
    this.prefixes = this.visible.map((i) => (columns[i].isName && opts.kindPrefix ? `${opts.kindPrefix}/` : undefined));
    this.labelCols = opts.labelColumns ?? [];
  }

  /** The header row, or undefined with noHeaders. */
  header(): string[] | undefined {
    const { opts } = this;
    if (opts.noHeaders) return undefined;
    return [
      ...(opts.allNamespaces ? ['NAMESPACE'] : []),
      ...this.visible.map((i) => this.columns[i].name.toUpperCase()),
      ...this.labelCols.map(labelHeader),
      ...(opts.showLabels ? ['LABELS'] : []),
    ];
  }

  /** An object's row: `cells` one per column, `metadata` its namespace and labels. */
  row(cells: readonly (string | null)[], metadata: KObject['metadata'] | undefined): string[] {
    // Built by push, without the spreads of small arrays (~2 µs a row at 100,000 rows).
    const { opts, visible, prefixes } = this;
    const row: string[] = [];
    if (opts.allNamespaces) row.push(metadata?.namespace ?? '');
    for (let j = 0; j < visible.length; j++) {
      const v = cells[visible[j]] ?? '';
      const prefix = prefixes[j];
      row.push(prefix === undefined ? v : prefix + v);
    }
    if (this.labelCols.length || opts.showLabels) {
      const labels = metadata?.labels ?? {};
      for (const k of this.labelCols) row.push(labels[k] ?? '');
      if (opts.showLabels) row.push(formatLabels(labels));
    }
    return row;
  }
}

/** The rows (header first unless noHeaders) as cell arrays, before alignment: `cellsOf` gives an object's cells, one per column. */
export function rowsOf(columns: readonly Column[], cellsOf: (o: KObject) => readonly (string | null)[], objs: KObject[], opts: RowOptions): string[][] {
  const f = new RowFormatter(columns, opts);
  const header = f.header();
  const rows: string[][] = header ? [header] : [];
  for (const o of objs) rows.push(f.row(cellsOf(o), o.metadata));
  return rows;
}

/** A meta.k8s.io Table as the server sends it (the parts printed). */
export interface TableBody {
  metadata?: { continue?: string; resourceVersion?: string };
  columnDefinitions?: { name: string; priority?: number; format?: string }[];
  rows?: { cells: unknown[]; object?: KObject }[];
}

/** The Table's column definitions as printer columns (priority 0 shown, above only with -o wide). */
export function servedColumns(defs: NonNullable<TableBody['columnDefinitions']>): Column[] {
  return defs.map((d) => ({ name: d.name, priority: d.priority ? 1 : 0, ...(d.format === 'name' ? { isName: true } : {}) }));
}

/** A row's cells as printed (a null cell is empty). */
export function servedCells(row: { cells: unknown[] }): string[] {
  // In place: the row is the parsed page's own, and a copy per row is garbage at 100,000 rows.
  const cells = row.cells;
  for (let j = 0; j < cells.length; j++) {
    const c = cells[j];
    if (typeof c !== 'string') cells[j] = c === null || c === undefined ? '' : String(c);
  }
  return cells as string[];
}

/** Lays out rows of cells with the get-table tabwriter; '' for no rows. Cuts the cells in place. */
export function layoutRows(rows: string[][]): string {
  const t = new TableLines();
  for (const r of rows) t.add(r);
  return t.text();
}

/**
 * Lines of cells for the get-table tabwriter, kept as each line's TAB-joined text and the
 * widest cell of each column so far: a line added is one flat string, not an array of
 * cells (at 100,000 rows, what is held until the layout is what each scavenge copies).
 */
export class TableLines {
  private readonly lines: string[] = [];
  /** The widest cell (runes) in each column but the last; lines of one length only. */
  private readonly widest: number[] = [];
  private cells = -1;
  /** A cell holds a TAB, or lines differ in length: Go's tabwriter over the text instead. */
  private general = false;

  get length(): number {
    return this.lines.length;
  }

  /** Adds a line (its cells cut in place at the first newline). */
  add(cells: string[]): void {
    const n = cells.length;
    if (this.cells < 0) this.cells = n;
    else if (n !== this.cells) this.general = true;
    const { widest } = this;
    for (let j = 0; j < n; j++) {
      const c = (cells[j] = cellText(cells[j]));
      if (c.includes('\t')) this.general = true;
      if (j < n - 1) {
        const w = runeWidth(c);
        if (!(widest[j] >= w)) widest[j] = w;
      }
    }
    this.lines.push(cells.join('\t'));
  }

  /** The laid-out table (trailing newline; '' for no lines). */
  text(): string {
    const { lines } = this;
    if (lines.length === 0) return '';
    // A TAB inside a cell ends it, as in kubectl's tabwriter: then the text is split again.
    if (this.general) return tabwrite(lines.join('\n') + '\n', GET_TABLE);
    // Every line has the same cells, so each column is one block (tabwriter's format()) as
    // wide as its widest cell plus padding, and the last cell is never padded.
    const widths = this.widest.map((w) => Math.max(GET_TABLE.minWidth, w + GET_TABLE.padding));
    // The laid-out lines joined (flattened) every 256: a line's pieces (a cons string a cell)
    // die young instead of surviving each scavenge until the end.
    const out: string[] = [];
    let chunk: string[] = [];
    for (const line of lines) {
      let s = '';
      let at = 0;
      for (let j = 0; j < widths.length; j++) {
        const end = line.indexOf('\t', at);
        const c = line.slice(at, end);
        s += c;
        s += pad(widths[j] - runeWidth(c));
        at = end + 1;
      }
      chunk.push(s + (at === 0 ? line : line.slice(at)));
      if (chunk.length === 256) {
        out.push(chunk.join('\n'));
        chunk = [];
      }
    }
    chunk.push('');
    out.push(chunk.join('\n'));
    return out.join('\n');
  }
}
