// `kubectl get` human-readable tables: the server's cells laid out by kubectl's
// tableprinter (priority filtering, NAMESPACE / -L / LABELS decoration, kind prefix).
import type { KObject } from '../api/types';
import { nameAge, tableFor } from './columns/index';
import type { Column } from './columns/types';
import { RowFormatter, TableLines, rowsOf, type RowOptions } from './table-layout';

export { cellText, labelHeader, layoutRows } from './table-layout';

export interface TableOptions extends RowOptions {
  kind: string;
  group: string;
  crd?: KObject;
  now: number;
  /** Cells the API server computed (a meta.k8s.io Table), used instead of computing them here. */
  served?: { columns: Column[]; cells: Map<KObject, string[]> };
  /** `get --server-print=false`: the client printer's default handler (NAME, AGE) for every kind. */
  clientDefault?: boolean;
}

/** The columns and each object's cells: the client's printer's, or those the server computed. */
function cellSource(opts: TableOptions): { columns: readonly Column[]; cellsOf: (o: KObject) => readonly (string | null)[] } {
  const local = opts.clientDefault ? nameAge : opts.served ? undefined : tableFor(opts.kind, opts.group, opts.crd);
  if (local) return { columns: local.columns, cellsOf: (o) => local.cells(o, opts.now, opts.wide ?? false) };
  const served = opts.served!;
  return { columns: served.columns, cellsOf: (o) => served.cells.get(o) ?? [] };
}

/** The rows (header first unless noHeaders) as cell arrays, before alignment. */
export function tableRows(objs: KObject[], opts: TableOptions): string[][] {
  const { columns, cellsOf } = cellSource(opts);
  return rowsOf(columns, cellsOf, objs, opts);
}

/** The table `kubectl get` prints for objects of one kind (trailing newline; '' when empty). */
export function printTable(objs: KObject[], opts: TableOptions): string {
  if (objs.length === 0) return '';
  // Each row laid out as it is made: no array of every row's cells held until the end.
  const { columns, cellsOf } = cellSource(opts);
  const f = new RowFormatter(columns, opts);
  const lines = new TableLines();
  const header = f.header();
  if (header) lines.add(header);
  for (const o of objs) lines.add(f.row(cellsOf(o), o.metadata));
  return lines.text();
}
