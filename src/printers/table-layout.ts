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

/** Cuts a cell at the first \n, \r or \f and appends "..." (tabwriter treats \f as a newline). */
export function cellText(s: string): string {
  const i = s.search(/[\n\r\f]/);
  return i >= 0 ? s.slice(0, i) + '...' : s;
}

/** formatLabelHeaders: the part after the last "/", upper-cased. */
export function labelHeader(key: string): string {
  const p = key.split('/');
  return p[p.length - 1].toUpperCase();
}

/** The rows (header first unless noHeaders) as cell arrays, before alignment: `cellsOf` gives an object's cells, one per column. */
export function rowsOf(columns: readonly Column[], cellsOf: (o: KObject) => readonly string[], objs: KObject[], opts: RowOptions): string[][] {
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
  for (const o of objs) {
    const cells = cellsOf(o);
    const labels = o.metadata?.labels ?? {};
    rows.push([
      ...(opts.allNamespaces ? [o.metadata?.namespace ?? ''] : []),
      ...visible.map(({ c, i }) => {
        const v = cells[i] ?? '';
        return c.isName && opts.kindPrefix ? `${opts.kindPrefix}/${v}` : v;
      }),
      ...labelCols.map((k) => labels[k] ?? ''),
      ...(opts.showLabels ? [formatLabels(labels)] : []),
    ]);
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
  return row.cells.map((c) => (c === null || c === undefined ? '' : String(c)));
}

/** Lays out rows of cells with the get-table tabwriter; '' for no rows. */
export function layoutRows(rows: string[][]): string {
  if (rows.length === 0) return '';
  const lines = rows.map((r) => r.map(cellText));
  // A TAB inside a cell ends it, as in kubectl's tabwriter: then the text is split again.
  if (lines.some((l) => l.some((c) => c.includes('\t')))) return tabwrite(lines.map((l) => l.join('\t')).join('\n') + '\n', GET_TABLE);
  lines.push(['']); // what follows the last newline
  return tabwriteCells(lines, GET_TABLE);
}
