// What `get` reads, asked of the cluster's daemon over its REST API, as kubectl asks it:
// a meta.k8s.io Table (the server's cells, with each row's metadata) for the human
// output, full objects for -o json/yaml/name/jsonpath/..., lists in chunks of
// --chunk-size. get.ts prints the answers with the same printers as the in-process path.

import type { ResourceType } from '../api/resources';
import type { KObject } from '../api/types';
import type { Column } from '../printers/columns/types';
import type { RestClient } from '../client/rest-client';
import { TABLE_ACCEPT } from '../client/daemon-endpoint';
import { ROW_METADATA_HEADER } from '../api/rest/types';
import { RowFormatter, TableLines, servedCells, servedColumns, type RowOptions, type TableBody } from '../printers/table-layout';
import { objectPath, resourcePath } from '../api/resources';
import { listError } from '../api/list-options';
import { RemoteObjects } from './object-source';
import { parseJson } from '../util/exact-json';

/** The server's Table for the objects of one kind: its columns and each object's cells. */
export interface ServerTable {
  columns: Column[];
  cells: Map<KObject, string[]>;
}

/** A list's table rows as printed, laid out as they came (header first unless noHeaders). */
export interface PrintedRows {
  lines: TableLines;
  /** The objects' rows (without the header). */
  count: number;
}

export interface Fetched {
  /** Full objects, or each table row's object (metadata only unless the sort needs more). */
  items: KObject[];
  table?: ServerTable;
  /** Instead of items and table: the rows already formatted (listFetched given `printed`). */
  printed?: PrintedRows;
  /** The list's resourceVersion: where a watch of what follows starts. */
  resourceVersion?: string;
}

interface ListBody {
  metadata?: { continue?: string; resourceVersion?: string };
  items?: KObject[];
}

export class RemoteGet extends RemoteObjects {
  constructor(
    client: RestClient,
    /** A human table (Table requests) rather than objects for a printer. */
    private readonly asTable: boolean,
    /**
     * What each table row carries: whole objects for --sort-by (any field), metadata for
     * a NAMESPACE or label column, else nothing (kubectl always takes metadata; kubesim's
     * printer needs none, and 3000 rows of metadata double what the client parses).
     */
    private readonly rowObjects: 'Object' | 'Metadata' | 'None',
    /**
     * With 'Metadata', the metadata fields the printer reads (the NAMESPACE column's, the
     * label columns'): a -A row without its labels is ~10 % fewer bytes to encode and parse.
     */
    private readonly rowMetadata: readonly ('namespace' | 'labels')[] = ['namespace', 'labels'],
  ) {
    super(client);
  }

  /** One object by name; undefined when the server has none by that name. */
  async getNamed(type: ResourceType, namespace: string | undefined, name: string): Promise<Fetched | undefined> {
    // A name that is no single path segment names nothing (the server refuses such paths).
    if (!name || name === '.' || name === '..' || name.includes('/')) return undefined;
    const res = await this.client.get(objectPath(type, namespace, name), this.tableQuery(), this.asTable ? TABLE_ACCEPT : 'application/json', this.tableHeaders());
    if (res.status === 404) return undefined;
    if (res.status < 200 || res.status >= 300) throw (await import('../client/rest-client')).statusError(res);
    const body = parseJson(res.body) as KObject & TableBody;
    return this.asTable ? fromTable([body]) : { items: [body] };
  }

  /**
   * Every object of the type matching the selectors, in chunks of `limit` objects (0: one
   * request), as kubectl's Builder lists them: the client never holds the whole list's JSON
   * at once, and the daemon keeps the list between pages rather than listing again.
   */
  async listFetched(type: ResourceType, namespace: string | undefined, labelSelector: string | undefined, fieldSelector: string | undefined, limit: number, printed?: RowOptions): Promise<Fetched> {
    // Each page is taken apart as it arrives (rows and cells kept, the page dropped), so that
    // what the client holds at once is one page and the rows' printed parts: at 100,000 pods
    // the pages' row metadata (managed fields mostly) is ~200 MB of parsed JSON. With
    // `printed` (a table printed as listed, unsorted), each row is formatted as it arrives
    // and only its line is kept: no row object, cells or map entry lives on to the layout.
    const rows = this.asTable ? (printed ? new PrintedTableRows(printed) : new TableRows(this.rowObjects === 'Metadata')) : undefined;
    const items: KObject[] = [];
    const fetch = (cont: string | undefined) =>
      this.client.get(
        resourcePath(type, type.namespaced ? namespace : undefined),
        { labelSelector: labelSelector || undefined, fieldSelector: fieldSelector || undefined, limit: limit > 0 ? String(limit) : undefined, continue: cont, ...this.tableQuery() },
        this.asTable ? TABLE_ACCEPT : 'application/json',
        this.tableHeaders(),
      );
    let resourceVersion: string | undefined;
    let next = fetch(undefined);
    for (;;) {
      const res = await next.catch((e) => Promise.reject(listError(e, type, labelSelector, fieldSelector)));
      if (res.status < 200 || res.status >= 300) throw listError((await import('../client/rest-client')).statusError(res), type, labelSelector, fieldSelector);
      // The next page is asked for before this one is parsed, so that the daemon encodes it
      // while the client parses this one (two cores at work, not one after the other); the
      // requests are the same, one after another. The token is read from the page's head
      // and checked against the parsed one.
      const early = continueInHead(res.body);
      const ahead = early !== undefined ? fetch(early) : undefined;
      ahead?.catch(() => undefined); // awaited below, or dropped with the error that ends the list
      const page = parseJson(res.body) as ListBody & TableBody;
      if (rows) rows.add(page);
      else for (const o of page.items ?? []) items.push(o);
      resourceVersion = page.metadata?.resourceVersion;
      const cont = page.metadata?.continue || undefined;
      if (!cont) break;
      next = cont === early ? ahead! : fetch(cont);
    }
    return { ...(rows ? rows.fetched() : { items }), resourceVersion };
  }

  /**
   * The changes after `resourceVersion` (`get -w`), each as its type and what it carries:
   * a table row (its object and cells, and the columns with the first) or the object.
   */
  async *watch(type: ResourceType, namespace: string | undefined, labelSelector: string | undefined, fieldSelector: string | undefined, resourceVersion: string | undefined, signal: AbortSignal): AsyncGenerator<{ type: string; items: KObject[]; table?: ServerTable }> {
    const query = { labelSelector: labelSelector || undefined, fieldSelector: fieldSelector || undefined, resourceVersion, watch: 'true', ...this.tableQuery() };
    let columns: Column[] | undefined;
    for await (const line of this.client.streamLines(resourcePath(type, type.namespaced ? namespace : undefined), query, this.asTable ? TABLE_ACCEPT : 'application/json', signal)) {
      const ev = parseJson(line) as { type: string; object: KObject & TableBody & { message?: string; reason?: string } };
      if (ev.type === 'BOOKMARK') continue;
      if (ev.type === 'ERROR') throw (await import('../client/rest-client')).statusError({ status: 500, body: JSON.stringify(ev.object) });
      if (!this.asTable) {
        yield { type: ev.type, items: [ev.object] };
        continue;
      }
      const f = fromTable([ev.object]);
      if (f.table!.columns.length) columns = f.table!.columns;
      yield { type: ev.type, items: f.items, table: { columns: columns ?? [], cells: f.table!.cells } };
    }
  }

  private tableQuery(): Record<string, string | undefined> {
    return this.asTable && this.rowObjects !== 'Metadata' ? { includeObject: this.rowObjects } : {};
  }

  /**
   * Rows' metadata as the printer reads it (rowsOf: the namespace, the labels), not the whole
   * ObjectMeta kubectl's request gets: a pod's row is a third of the bytes to send and parse.
   */
  private tableHeaders(): Record<string, string> {
    return this.asTable && this.rowObjects === 'Metadata' ? { [ROW_METADATA_HEADER]: this.rowMetadata.join(',') } : {};
  }
}

/**
 * The continue token of a list or Table page as the server writes it (kind, apiVersion, then
 * metadata first), read without parsing the page; undefined when the head is not that.
 */
function continueInHead(body: string): string | undefined {
  const head = /^\{"kind":"[A-Za-z]+","apiVersion":"[a-z0-9./]+","metadata":\{[^{}]*?"continue":"([A-Za-z0-9_=-]+)"/.exec(body.slice(0, 1024));
  return head?.[1];
}

/** The rows of one or more Table pages (the columns of the first page that has them). */
function fromTable(pages: TableBody[]): Fetched {
  const rows = new TableRows(false);
  for (const p of pages) rows.add(p);
  return rows.fetched();
}

/** Table pages formatted row by row into the printed table's lines (the header with the columns). */
class PrintedTableRows {
  private format: RowFormatter | undefined;
  private readonly lines = new TableLines();
  private count = 0;

  constructor(private readonly opts: RowOptions) {}

  add(page: TableBody): void {
    // A list's pages all carry the columns (only a watch's later events leave them out).
    if (!this.format && (page.columnDefinitions?.length || page.rows?.length)) {
      this.format = new RowFormatter(servedColumns(page.columnDefinitions ?? []), this.opts);
      const header = this.format.header();
      if (header) this.lines.add(header);
    }
    for (const row of page.rows ?? []) {
      this.lines.add(this.format!.row(servedCells(row), row.object?.metadata));
      this.count++;
    }
  }

  fetched(): Fetched {
    return { items: [], printed: { lines: this.lines, count: this.count } };
  }
}

/**
 * Table pages gathered into rows: each row's object (with `slim`, its metadata without the
 * managed fields, which no table prints: that is what a -A or -L row carries the metadata
 * for; a daemon of this build sends none, one of an earlier build sends them all) and its cells.
 */
class TableRows {
  private columns: Column[] | undefined;
  private readonly cells = new Map<KObject, string[]>();
  private readonly items: KObject[] = [];

  constructor(private readonly slim: boolean) {}

  add(page: TableBody): void {
    if (!this.columns && page.columnDefinitions?.length) this.columns = servedColumns(page.columnDefinitions);
    for (const row of page.rows ?? []) {
      const o = this.slim && row.object?.metadata?.managedFields ? withoutManagedFields(row.object) : row.object ?? ({ metadata: {} } as KObject);
      this.items.push(o);
      this.cells.set(o, servedCells(row));
    }
  }

  fetched(): Fetched {
    return { items: this.items, table: { columns: this.columns ?? [], cells: this.cells } };
  }
}

function withoutManagedFields(o: KObject): KObject {
  const { managedFields: _, ...metadata } = o.metadata;
  return { ...o, metadata };
}
