// `kubectl get` human-readable tables: the server's cells laid out by kubectl's
// tableprinter (priority filtering, NAMESPACE / -L / LABELS decoration, kind prefix).
import type { KObject } from '../api/types';
import { nameAge, tableFor } from './columns/index';
import type { Column } from './columns/types';
import { formatLabels } from './columns/util';
import { GET_TABLE, tabwrite } from './tabwriter';

export interface TableOptions {
  kind: string;
  group: string;
  crd?: KObject;
  wide?: boolean;
  noHeaders?: boolean;
  showLabels?: boolean;
  /** -L keys, already split at commas. */
  labelColumns?: string[];
  allNamespaces?: boolean;
  /** e.g. 'deployment.apps': NAME cells become 'deployment.apps/web'. */
  kindPrefix?: string;
  now: number;
  /** Cells the API server computed (a meta.k8s.io Table), used instead of computing them here. */
  served?: { columns: Column[]; cells: Map<KObject, string[]> };
  /** `get --server-print=false`: the client printer's default handler (NAME, AGE) for every kind. */
  clientDefault?: boolean;
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

/** The rows (header first unless noHeaders) as cell arrays, before alignment. */
export function tableRows(objs: KObject[], opts: TableOptions): string[][] {
  const local = opts.clientDefault ? nameAge : opts.served ? undefined : tableFor(opts.kind, opts.group, opts.crd);
  const visible = (local?.columns ?? opts.served!.columns).map((c, i) => ({ c, i })).filter(({ c }) => opts.wide || c.priority === 0);
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
    const cells = local ? local.cells(o, opts.now, opts.wide ?? false) : opts.served!.cells.get(o) ?? [];
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

/** Lays out rows of cells with the get-table tabwriter; '' for no rows. */
export function layoutRows(rows: string[][]): string {
  if (rows.length === 0) return '';
  return tabwrite(rows.map((r) => r.map(cellText).join('\t')).join('\n') + '\n', GET_TABLE);
}

/** The table `kubectl get` prints for objects of one kind (trailing newline; '' when empty). */
export function printTable(objs: KObject[], opts: TableOptions): string {
  if (objs.length === 0) return '';
  return layoutRows(tableRows(objs, opts));
}
