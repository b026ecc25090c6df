// Table conversion (meta.k8s.io/v1 Table): the same column definitions and cells `get`
// prints (src/printers/columns), so a client asking for as=Table gets kubesim's columns.

import { tableFor } from '../../printers/columns/index';
import type { KObject } from '../types';
import { asVersion } from '../conversion/events';
import type { Column } from '../../printers/columns/types';

/** What each row carries: kube-apiserver's three, or (kubesim's own get) metadata with only the named fields. */
export type IncludeObject = 'None' | 'Metadata' | 'Object' | { readonly metadata: readonly string[] };

function partialMetadata(o: KObject, fields?: readonly string[]): Record<string, unknown> {
  let metadata: Record<string, unknown> = o.metadata;
  if (fields) {
    metadata = {};
    for (const f of fields) if ((o.metadata as Record<string, unknown>)[f] !== undefined) metadata[f] = (o.metadata as Record<string, unknown>)[f];
  }
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata };
}

/** A cell as kube's printers and the CRD convertor type it: '' (or null) is a value they found none of (nil). */
function typedCell(as: NonNullable<Column['cell']>, v: string | null): unknown {
  if (v === '' || v === null) return null;
  if (as === 'boolean') return v === 'true';
  if (as === 'date') return v;
  const n = Number(v);
  // an int64 past 2^53 keeps its digits (the JSON writer prints a bigint exactly)
  return as === 'integer' && !Number.isSafeInteger(n) && /^-?\d+$/.test(v) ? BigInt(v) : n;
}

/** A row's whole object as the request's version names it (a core Event read as events.k8s.io/v1). */
const inVersion = (o: KObject, gv: string | undefined, kind: string): KObject => (gv === undefined || o.apiVersion === gv ? o : asVersion(o, gv, kind));

export function toTable(objs: KObject[], kind: string, group: string, opts: { crd?: KObject; now: number; include: IncludeObject; gv?: string; resourceVersion?: string; continueToken?: string; remainingItemCount?: number; noColumns?: boolean }): Record<string, unknown> {
  const t = tableFor(kind, group, opts.crd);
  const columnDefinitions = t.columns.map((c) => ({
    name: c.name,
    type: c.type ?? 'string',
    format: c.isName ? 'name' : (c.format ?? ''),
    description: c.description ?? '',
    priority: c.priority,
  }));
  // The cells kube's printers fill with an int64 or a bool (src/printers/columns say which).
  const typed = t.columns.flatMap((c, i) => (c.cell ? [[i, c.cell] as const] : []));
  const n = columnDefinitions.length;
  const include = opts.include;
  const rows = objs.map((o) => {
    // The cells are the printer's own new array: padded or cut in place, not copied.
    const cells: unknown[] = t.cells(o, opts.now, true);
    while (cells.length < n) cells.push('');
    if (cells.length > n) cells.length = n;
    for (const [i, as] of typed) cells[i] = typedCell(as, cells[i] as string | null);
    if (include === 'None') return { cells };
    return { cells, object: include === 'Object' ? inVersion(o, opts.gv, kind) : include === 'Metadata' ? partialMetadata(o) : partialMetadata(o, include.metadata) };
  });
  const metadata: Record<string, unknown> = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continueToken) metadata.continue = opts.continueToken;
  // The list's ListMeta, as kube-apiserver's table convertor copies it (GenerateTable).
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: opts.noColumns ? [] : columnDefinitions, rows };
}
