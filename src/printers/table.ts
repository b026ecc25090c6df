// `kubectl get` human-readable tables: the server's cells laid out by kubectl's
// tableprinter (priority filtering, NAMESPACE / -L / LABELS decoration, kind prefix).
import type { KObject } from '../api/types';
import { nameAge, tableFor } from './columns/index';
import type { Column } from './columns/types';
import { layoutRows, rowsOf, type RowOptions } from './table-layout';

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

/** The rows (header first unless noHeaders) as cell arrays, before alignment. */
export function tableRows(objs: KObject[], opts: TableOptions): string[][] {
  const local = opts.clientDefault ? nameAge : opts.served ? undefined : tableFor(opts.kind, opts.group, opts.crd);
  const cellsOf = local ? (o: KObject) => local.cells(o, opts.now, opts.wide ?? false) : (o: KObject) => opts.served!.cells.get(o) ?? [];
  return rowsOf(local?.columns ?? opts.served!.columns, cellsOf, objs, opts);
}

/** The table `kubectl get` prints for objects of one kind (trailing newline; '' when empty). */
export function printTable(objs: KObject[], opts: TableOptions): string {
  if (objs.length === 0) return '';
  return layoutRows(tableRows(objs, opts));
}
