// kubectl's tableprinter for cells already computed (priority filtering, NAMESPACE / -L /
// LABELS decoration, kind prefix, tabwriter layout), with nothing that computes cells: the
// start-up fast path (src/fast-get.ts) prints the server's Table with it alone, and
// table.ts adds the client-side columns.
import type { KObject } from '../api/types';
import type { Column } from './columns/types';
import { formatLabels } from './describe/format';
import { GET_TABLE, tabwrite, tabwriteCells } from './tabwriter';

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

/** The rows (header first unless noHeaders) as cell arrays, before alignment: `cellsOf` gives an object's cells, one per column. */
export function rowsOf(columns: readonly Column[], cellsOf: (o: KObject) => readonly (string | null)[], objs: KObject[], opts: RowOptions): string[][] {
  const visible = columns.map((c, i) => ({ c, i })).filter(({ c }) => opts.wide || c.priority === 0);
  const labelCols = opts.labelColumns ?? [];
  const rows: string[][] = [];
  if (!opts.noHeaders) {
    rows.push([
      ...(opts.allNamespaces ? ['NAMESPACE'] : []),
      ...visible.map(({ c }) => c.name.toUpperCase()),
      ...labelCols.map(labelHeader),
      ...(opts.showLabels ? ['LABELS'] : []),
    ]);
  }
  // Each row built by push, without the spreads of small arrays (~2 µs a row at 100,000 rows).
  const names = visible.map(({ c }) => (c.isName && opts.kindPrefix ? `${opts.kindPrefix}/` : undefined));
  for (const o of objs) {
    const cells = cellsOf(o);
    const labels = o.metadata?.labels ?? {};
    const row: string[] = [];
    if (opts.allNamespaces) row.push(o.metadata?.namespace ?? '');
    for (let j = 0; j < visible.length; j++) {
      const v = cells[visible[j].i] ?? '';
      const prefix = names[j];
      row.push(prefix === undefined ? v : prefix + v);
    }
    for (const k of labelCols) row.push(labels[k] ?? '');
    if (opts.showLabels) row.push(formatLabels(labels));
    rows.push(row);
  }
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

/** Lays out rows of cells with the get-table tabwriter; '' for no rows. Takes `rows` over (its cells cut in place, an empty last line added): no copy per row. */
export function layoutRows(rows: string[][]): string {
  if (rows.length === 0) return '';
  let tab = false;
  for (const r of rows) {
    for (let j = 0; j < r.length; j++) {
      const c = (r[j] = cellText(r[j]));
      if (!tab && c.includes('\t')) tab = true;
    }
  }
  // A TAB inside a cell ends it, as in kubectl's tabwriter: then the text is split again.
  if (tab) return tabwrite(rows.map((l) => l.join('\t')).join('\n') + '\n', GET_TABLE);
  rows.push(['']); // what follows the last newline
  return tabwriteCells(rows, GET_TABLE);
}
