// Table conversion (meta.k8s.io/v1 Table): the same column definitions and cells `get`
// prints (src/printers/columns), so a client asking for as=Table gets kubesim's columns.

import { tableFor } from '../../printers/columns/index';
import type { KObject } from '../types';
import { encodedOnce } from './encoded';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

interface TableOptions {
  crd?: KObject;
  now: number;
  include: IncludeObject;
  resourceVersion?: string;
  continueToken?: string;
  noColumns?: boolean;
}

function partialMetadata(o: KObject): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

/**
 * An object as PartialObjectMetadata JSON (a Table row's object, an item of a
 * PartialObjectMetadataList): encoded once per stored revision, since metadata with its
 * managedFields is most of what a `get -A` Table carries.
 */
export function partialMetadataJson(o: KObject): string {
  const encode = () => JSON.stringify(partialMetadata(o));
  return Object.isFrozen(o) ? encodedOnce(o, 'PartialObjectMetadata', encode) : encode();
}

function tableParts(objs: KObject[], kind: string, group: string, opts: TableOptions) {
  const t = tableFor(kind, group, opts.crd);
  const columnDefinitions = t.columns.map((c) => ({
    name: c.name,
    type: 'string',
    format: c.isName ? 'name' : '',
    description: '',
    priority: c.priority,
  }));
  const cellsOf = (o: KObject) => {
    const cells = t.cells(o, opts.now, true);
    while (cells.length < columnDefinitions.length) cells.push('');
    return cells.slice(0, columnDefinitions.length);
  };
  const metadata: Record<string, unknown> = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continueToken) metadata.continue = opts.continueToken;
  const head = { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: opts.noColumns ? [] : columnDefinitions };
  return { head, cellsOf };
}

export function toTable(objs: KObject[], kind: string, group: string, opts: TableOptions): Record<string, unknown> {
  const { head, cellsOf } = tableParts(objs, kind, group, opts);
  const rows = objs.map((o) => {
    const row: Record<string, unknown> = { cells: cellsOf(o) };
    if (opts.include === 'Metadata') row.object = partialMetadata(o);
    else if (opts.include === 'Object') row.object = o;
    return row;
  });
  return { ...head, rows };
}

/**
 * `JSON.stringify(toTable(...))`, written row by row with each row's object from the cache
 * of encoded objects (a list of 20,000 pods' metadata is tens of MB of JSON, built once per
 * revision of each pod rather than once per request).
 */
export function tableJson(objs: KObject[], kind: string, group: string, opts: TableOptions): string {
  const { head, cellsOf } = tableParts(objs, kind, group, opts);
  const rows = objs.map((o) => {
    const cells = JSON.stringify(cellsOf(o));
    if (opts.include === 'Metadata') return `{"cells":${cells},"object":${partialMetadataJson(o)}}`;
    if (opts.include === 'Object') return `{"cells":${cells},"object":${Object.isFrozen(o) ? encodedOnce(o, 'TableRowObject', () => JSON.stringify(o)) : JSON.stringify(o)}}`;
    return `{"cells":${cells}}`;
  });
  const open = JSON.stringify({ ...head, rows: [] });
  return `${open.slice(0, -3)}[${rows.join(',')}]}`;
}
