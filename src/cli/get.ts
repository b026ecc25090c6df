// `kubesim get`: lists or fetches objects and prints them as kubectl does — tables per
// kind (server-side columns), -o json/yaml/name/jsonpath/custom-columns, -w watches.

import { declareFlagTypes } from './flags/pflag';
import { Option, type Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import { inGroupOf } from '../api/conversion/events';
import { kindGroup, objectPath, pluralGroup, resourcePath, type ResourceType } from '../api/resources';
import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import { goJson } from '../util/go-format';
import type { CliContext } from './context';
import type { PrintedRows, RemoteGet, ServerTable } from './get-remote';
import type { RowOptions } from '../printers/table-layout';
import type { ObjectPrinter } from './flags/output';
import type { Program } from './root';
import { parseResourceArgs, type ResourceSelection } from './resource-args';
import { collect } from './flags/collect';
import { PrintedError, formatApiError } from './format-error';
import { buildListOptions } from './flags/selectors';
import { addPrintFlags, allowMissingKeys, outputArgument, GET_OUTPUT_HELP, type PrintFlagValues } from './flags/print-flags';
import { GET_OUTPUT_FORMATS } from '../printers/no-printer';
import { addResourceBuilderFlags } from './flags/resource-builder-flags';
import { kubectlHelp } from './kubectl-help';
import { GET_EXAMPLE, GET_LONG } from './verb-help';

export interface GetFlags extends PrintFlagValues {
  selector?: string;
  fieldSelector?: string;
  allNamespaces?: boolean;
  noHeaders?: boolean;
  showLabels?: boolean;
  labelColumns?: string[];
  sortBy?: string;
  watch?: boolean;
  watchOnly?: boolean;
  outputWatchEvents?: boolean;
  subresource?: string;
  ignoreNotFound?: boolean;
  showKind?: boolean;
  filename?: string[];
  kustomize?: string;
  recursive?: boolean;
  requestTimeout?: string;
  chunkSize?: string;
  /** false: the client's NAME and AGE columns instead of the server's table. */
  serverPrint?: boolean;
}

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('get')
    .description('Display one or many resources')
    .argument('[resources...]');
  addPrintFlags(cmd, { outputHelp: GET_OUTPUT_HELP, noHeaders: true });
  addResourceBuilderFlags(cmd, {
    selector: true,
    fieldSelector: true,
    allNamespaces: 'If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.',
    filename: 'Filename, directory, or URL to files identifying the resource to get from a server.',
    recursive: true,
    kustomize: true,
  });
  cmd
    .option('--show-labels', 'When printing, show all labels as the last column (default hide labels column)')
    .option('-L, --label-columns <label>', 'Accepts a comma separated list of labels that are going to be presented as columns. Names are case-sensitive. You can also use multiple flag options like -L label1 -L label2...', collect, [])
    .option('--sort-by <jsonpath>', "If non-empty, sort list types using this field specification.  The field specification is expressed as a JSONPath expression (e.g. '{.metadata.name}'). The field in the API resource specified by this JSONPath expression must be an integer or a string.")
    .option('-w, --watch', 'After listing/getting the requested object, watch for changes.')
    .option('--watch-only', 'Watch for changes to the requested object(s), without listing/getting first.')
    .option('--output-watch-events', 'Output watch event objects when --watch or --watch-only is used. Existing objects are output as initial ADDED events.')
    .option('--subresource <name>', 'If specified, gets the subresource of the requested object. This flag is beta and may change in the future.')
    .option('--ignore-not-found', 'If the requested object does not exist the command will return exit code 0.')
    .option('--show-kind', 'If present, list the resource type for the requested object(s).')
    .option('--server-print', 'If true, have the server return the appropriate table output. Supports extension APIs and CRDs.', true)
    .option('--chunk-size <n>', 'Return large lists in chunks rather than all at once. Pass 0 to disable. This flag is beta and may change in the future.')
    .option('--raw <uri>', 'Raw URI to request from the server.  Uses the transport specified by the kubeconfig file.')
    // kubectl's global --request-timeout: here how long a watch runs.
    .addOption(new Option('--request-timeout <duration>', 'How long a watch runs before it stops (e.g. 10s); 0 means forever.').hideHelp());
  declareFlagTypes(cmd, { 'chunk-size': 'int' });
  kubectlHelp(cmd, p.name, { long: GET_LONG, example: GET_EXAMPLE, use: GET_USE }, { 'chunk-size': '500' })
    // commander stores --no-headers as `headers: false`.
    .action(p.action((ctx, resources: string[], flags: GetFlags & { headers?: boolean; raw?: string }) =>
      runGet(ctx, resources, { ...flags, noHeaders: flags.noHeaders ?? flags.headers === false }, p.name)));
}

const GET_USE = 'get [(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file|custom-columns|custom-columns-file|wide] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]';

interface Found {
  type: ResourceType;
  items: KObject[];
  /** The server's cells for items (when the daemon served a Table). */
  table?: ServerTable;
  /** A list's rows already formatted as printed (instead of items and table). */
  printed?: PrintedRows;
  /** Objects never fetched (a file's documents without a name): the default NAME/AGE table. */
  clientDefault?: boolean;
}

export async function runGet(ctx: CliContext, resources: string[], flags: GetFlags & { raw?: string }, program = 'kubesim'): Promise<number> {
  // GetOptions.Complete: a watch ignores --sort-by (and skips the missing-type check, which the Builder makes).
  if (flags.sortBy && flags.watch) ctx.err('warning: --watch requested, --sort-by will be ignored for watch events received\n');
  else if (flags.sortBy && flags.watchOnly) ctx.err('warning: --watch-only requested, --sort-by will be ignored\n');
  if (flags.raw !== undefined) return (await import('./get-raw')).runGetRaw(ctx, flags.raw, resources, flags);
  if (resources.length === 0 && !(flags.filename ?? []).length && !flags.kustomize) {
    if (flags.watch || flags.watchOnly) throw new CliError((await import('./flags/resource-builder-flags')).NO_RESOURCES_MESSAGE);
    throw new PrintedError(
      `You must specify the type of resource to get. Use "${program} api-resources" for a complete list of supported resources.\n\n` +
        `error: Required resource not specified.\nUse "${program} explain <resource>" for a detailed description of that resource (e.g. ${program} explain pods).\n` +
        `See '${program} get -h' for help and examples\n`,
    );
  }
  const output = outputArgument(flags, GET_OUTPUT_FORMATS);
  const watching = Boolean(flags.watch || flags.watchOnly);
  // GetOptions.Validate
  if (flags.outputWatchEvents && !watching) throw new CliError('--output-watch-events option can only be used with --watch or --watch-only');
  const { outputPrinter, isTableOutput } = await import('./flags/output');
  const printer = isTableOutput(output)
    ? undefined
    : flags.outputWatchEvents && output === 'json'
      ? // kubectl's JSONPrinter marshals a WatchEvent compactly (json.Marshal), one per line.
        (objs: KObject[]) => goJson(objs[0], '', false) + '\n'
      : outputPrinter(output!, ctx, { showManagedFields: flags.showManagedFields, noHeaders: flags.noHeaders, allowMissingKeys: allowMissingKeys(flags), sortJsonKeys: !flags.outputWatchEvents });
  const namespace = flags.allNamespaces ? undefined : ctx.namespace;
  const byName = (sels: ResourceSelection[]) => sels.some((s) => s.names.length > 0);
  // Served by the cluster's daemon when it runs (one in-memory cache for every command);
  // subresources, -f, and watches of names or of several types still open the store here.
  if (watching && !flags.subresource && !(flags.filename ?? []).length && !flags.kustomize && !(flags.serverPrint === false && !printer)) {
    if (await watchThroughDaemon(ctx, resources, flags, printer, namespace, output)) return 0;
  }
  // --server-print=false tables are the client's own (NAME, AGE, by the cluster's clock): read here.
  const clientTable = flags.serverPrint === false && !printer;
  if (!watching && !flags.subresource && !(flags.filename ?? []).length && !flags.kustomize && !clientTable) {
    const remote = await readThroughDaemon(ctx, resources, flags, !printer, namespace);
    if (remote) {
      const { selections, found } = remote;
      if (printer) await printObjects(ctx, printer, found, selections, flags, remote.errors.length > 0);
      else ctx.out(await renderTables(await sortedInfos(found, selections, flags), { ...flags, output }, ctx, 0, multiTable(found, selections), byName(selections)));
      if (remote.errors.length) throw new PrintedError(remote.errors.join(''));
      return 0;
    }
  }
  const api = await ctx.api();
  const { actingUser, authorizeAs } = await import('./impersonation');
  // --as: each read refused as the daemon would refuse kubectl's request.
  const user = await actingUser(ctx.flags, api);
  const fromFiles = (flags.filename ?? []).length > 0 || !!flags.kustomize;
  if (fromFiles && !watching && !flags.subresource) return (await import('./get-files')).printFileInfos(ctx, api, { ...flags, output }, printer);
  const found: Found[] = [];
  const errors: string[] = [];
  let selections: ResourceSelection[];
  if (fromFiles) {
    // Watched or read through a subresource: the file's objects grouped by type.
    const { fileInfos } = await import('./get-files');
    const { infos, err } = await fileInfos(ctx, api, flags);
    for (const i of infos) {
      let f = found.find((x) => x.type === i.type && !!x.clientDefault === i.raw);
      if (!f) found.push((f = { type: i.type, items: [], clientDefault: i.raw }));
      f.items.push(i.object);
    }
    selections = found.map((f) => ({ type: f.type, names: f.items.map((o) => o.metadata?.name ?? '') }));
    if (err) errors.push((await import('./format-error')).checkErrOf(err));
  } else {
    // The watch's Builder takes SingleResourceType(): `a,b` fails as typed, before either is resolved.
    const single = () => new CliError('you may only specify a single resource type');
    if (watching && resources.length && !resources.some((r) => r.includes('/')) && new Set(resources[0].split(',')).size > 1) throw single();
    selections = parseResourceArgs(resources, api.registry, { warn: (text) => ctx.err(`Warning: ${text}\n`) });
    if (watching && new Set(selections.map((sel) => sel.type)).size > 1) throw single();
    for (const sel of selections) {
      if (sel.names.length) {
        if (flags.selector) throw new CliError('name cannot be provided when a selector is specified');
        const items: KObject[] = [];
        for (const name of sel.names) {
          const ns = sel.type.namespaced ? ctx.namespace : undefined;
          await authorizeAs(api, user, 'GET', objectPath(sel.type, ns, name));
          const obj = await api.tryGet(sel.type, ns, name);
          if (obj) items.push(obj);
          else if (!flags.ignoreNotFound) errors.push(formatApiError(await (await import('./flags/targets')).notFoundError(api, sel.type, ns, name)));
        }
        found.push({ type: sel.type, items });
      } else {
        // The Builder's visitBySelector: a subresource is read per name only.
        if (flags.subresource) throw new CliError('subresource cannot be used when bulk resources are specified');
        // A table only reads the objects: the stored ones, frozen, rather than copies of them.
        const shared = !printer && !watching;
        await authorizeAs(api, user, 'GET', resourcePath(sel.type, sel.type.namespaced ? namespace : undefined));
        found.push({ type: sel.type, items: (await api.list(sel.type, { ...buildListOptions(sel.type, flags.selector, flags.fieldSelector, namespace), shared })).items });
      }
    }
  }

  for (const f of found) f.items = f.items.map((o) => inGroupOf(f.type, o));
  if (flags.subresource) for (const f of found) f.items = await subresourceView(f.type, f.items, flags.subresource);
  const now = api.clock.now();
  if (watching) {
    // kubectl's watch reads its infos first and returns the first error (a name not found) before watching.
    if (errors.length) throw new PrintedError(errors[0]);
    // kubectl's watch prints each object on its own (never a List), as ADDED events with --output-watch-events.
    if (!flags.watchOnly) await printWatchStart(ctx, found, printer, { ...flags, output }, now, byName(selections), crdOf(api));
    const { watch } = await import('./watch');
    await watch(ctx, api, found.map((f) => f.type), { ...flags, output, namespace, names: selections.flatMap((s) => s.names) }, printer);
  } else {
    if (printer) await printObjects(ctx, printer, found, selections, flags, errors.length > 0);
    else ctx.out(await renderTables(fromFiles ? found : await sortedInfos(found, selections, flags), { ...flags, output }, ctx, now, multiTable(found, selections), byName(selections), flags.subresource, crdOf(api)));
  }
  if (errors.length) throw new PrintedError(errors.join(''));
  return 0;
}

/**
 * What GET on a subresource returns: the object itself (status, ephemeralcontainers), an
 * autoscaling/v1 Scale for scale. kubectl 1.32 checks no name: one the server does not serve is its NotFound.
 */
async function subresourceView(type: ResourceType, objs: KObject[], sub: string): Promise<KObject[]> {
  const notFound = () => new ApiError('NotFound', 'the server could not find the requested resource');
  if (sub === 'scale') {
    const { SCALABLE_KINDS } = await import('./scale');
    if (!SCALABLE_KINDS.has(type.kind)) throw notFound();
    const { scaleOf } = await import('../api/rest/writes');
    return objs.map((o) => scaleOf(o) as KObject);
  }
  const { subresourcesOf } = await import('../api/rest/discovery');
  if (!subresourcesOf(type).some((s) => s.name === sub && s.kind === type.kind && s.verbs.includes('get'))) throw notFound();
  return objs;
}

/** The objects for -o json/yaml/name/...: one object alone when one name was asked for, else a List. */
async function printObjects(ctx: CliContext, printer: (objs: KObject[], list: boolean) => string, found: Found[], selections: ResourceSelection[], flags: GetFlags, failed: boolean): Promise<void> {
  const all = found.flatMap((f) => f.items);
  // printGeneric: one object named (singleItemImplied) and not found, or nothing found with
  // --ignore-not-found, prints nothing (not an empty List).
  if ((failed && selections.length === 1 && selections[0].names.length === 1) || (all.length === 0 && flags.ignoreNotFound)) return;
  const single = selections.some((s) => s.names.length > 0) && selections.length === 1 && selections[0].names.length === 1 && all.length === 1;
  let objs = all;
  if (flags.sortBy) objs = (await import('../printers/sort')).sortObjects(objs, flags.sortBy);
  ctx.out(printer(objs, !single));
}

/**
 * get's RuntimeSorter before a table is printed: each list, and each object named, is one
 * Info whose object is the server's Table. Several are sorted as objects (the Tables' own
 * fields), so a field of the rows' objects (`.metadata.name`) fails the command before
 * anything prints; the rows are sorted within each table afterwards (renderTables).
 */
async function sortedInfos(found: Found[], selections: ResourceSelection[], flags: GetFlags): Promise<Found[]> {
  if (!flags.sortBy) return found;
  const infos = found.flatMap((f, i) => (selections[i]?.names.length ? f.items.map((o) => ({ f, items: [o] })) : [{ f, items: f.items }]));
  if (infos.length < 2) return found;
  const { sortObjects, SortFieldNotFoundError } = await import('../printers/sort');
  const views = infos.map(({ items }) => ({ apiVersion: 'meta.k8s.io/v1', kind: 'Table', metadata: items.length === 1 ? { resourceVersion: items[0].metadata?.resourceVersion } : {}, rows: items.map((object) => ({ object })) }) as unknown as KObject);
  let order: KObject[];
  try {
    order = sortObjects(views, flags.sortBy);
  } catch (e) {
    if (e instanceof SortFieldNotFoundError) throw new CliError(e.message);
    throw e;
  }
  // One table per run of Infos of one type, as get prints a header when the mapping changes.
  const out: Found[] = [];
  for (const v of order) {
    const { f, items } = infos[views.indexOf(v)];
    const last = out[out.length - 1];
    if (last?.type === f.type) last.items = [...last.items, ...items];
    else out.push({ ...f, items });
  }
  return out;
}

/**
 * Whether the tables name their kind (`pod/web`): get's multipleGVKsRequested over its Infos,
 * where a list is one Info even when empty and a name only when found (`get cm/a cm/b` and
 * `get pod,svc web` with no pod web print plain names; `all` always spans several).
 */
function multiTable(found: Found[], selections: ResourceSelection[]): boolean {
  const types = new Set(found.filter((f, i) => !selections[i]?.names.length || f.items.length > 0).map((f) => f.type));
  return types.size > 1;
}

const crdOf = (api: ApiServer) => (t: ResourceType): Promise<KObject | undefined> =>
  t.crd ? api.tryGet(api.registry.forKind('apiextensions.k8s.io/v1', 'CustomResourceDefinition'), undefined, t.crd) : Promise.resolve(undefined);

/**
 * The daemon's answer to this get (Found per selection, plus the not-found errors), or
 * undefined when no daemon serves or it cannot be reached: then the store is opened here.
 * Nothing has been printed when that happens, so the fallback is invisible.
 */
async function readThroughDaemon(ctx: CliContext, resources: string[], flags: GetFlags, asTable: boolean, namespace: string | undefined): Promise<{ selections: ResourceSelection[]; found: Found[]; errors: string[] } | undefined> {
  const answer = await withRemoteGet(
    ctx,
    flags,
    asTable,
    async (remote) => {
      const selections = await remote.selections(resources);
      const found: Found[] = [];
      const errors: string[] = [];
      // Lists alone, unsorted: each table is printed as listed, so its rows are formatted as
      // they arrive (multiTable of lists alone is known before any is read).
      const printAsListed = asTable && !flags.sortBy && selections.every((s) => s.names.length === 0);
      const multi = new Set(selections.map((s) => s.type)).size > 1;
      for (const sel of selections) {
        if (sel.names.length) {
          if (flags.selector) throw new CliError('name cannot be provided when a selector is specified');
          const f: Found = { type: sel.type, items: [] };
          for (const name of sel.names) {
            const ns = sel.type.namespaced ? ctx.namespace : undefined;
            const got = await remote.getNamed(sel.type, ns, name);
            if (got) {
              f.items.push(...got.items);
              if (got.table) f.table = mergeTables(f.table, got.table);
            } else if (!flags.ignoreNotFound) errors.push(formatApiError(await (await import('./flags/targets')).notFoundError(remote, sel.type, ns, name)));
          }
          found.push(f);
        } else {
          const printed = printAsListed ? rowOptionsOf(flags, sel.type, multi) : undefined;
          found.push({ type: sel.type, ...(await remote.listFetched(sel.type, namespace, flags.selector, flags.fieldSelector, chunkSizeOf(flags, false), printed)) });
        }
      }
      return { selections, found, errors };
    },
  );
  return answer?.value;
}

/** withDaemonSource with get's client of the daemon (tables or objects, rows with what the columns need). */
async function withRemoteGet<T>(ctx: CliContext, flags: GetFlags, asTable: boolean, use: (remote: RemoteGet) => Promise<T>): Promise<{ value: T } | undefined> {
  const { withDaemonSource } = await import('./object-source');
  const { RemoteGet } = await import('./get-remote');
  return withDaemonSource(ctx, use, (client) => new RemoteGet(client, asTable, rowObjectsFor(flags), rowMetadataFor(flags)));
}

/**
 * The `limit` of each list request: --chunk-size, 500 by default, as kubectl's get asks;
 * kubectl lists whole (0) to sort with --sort-by, except before a watch.
 */
function chunkSizeOf(flags: GetFlags, watching: boolean): number {
  if (flags.sortBy && !watching) return 0;
  return flags.chunkSize === undefined ? 500 : Number(flags.chunkSize);
}

/**
 * What table rows carry: whole objects for --sort-by, metadata for a NAMESPACE or label
 * column, else nothing.
 */
function rowObjectsFor(flags: GetFlags): 'Object' | 'Metadata' | 'None' {
  return flags.sortBy ? 'Object' : flags.allNamespaces || flags.showLabels || flags.labelColumns?.length ? 'Metadata' : 'None';
}

/** The metadata fields a 'Metadata' row carries: those the table prints (NAMESPACE, label columns). */
function rowMetadataFor(flags: GetFlags): ('namespace' | 'labels')[] {
  return [...(flags.allNamespaces ? (['namespace'] as const) : []), ...(flags.showLabels || flags.labelColumns?.length ? (['labels'] as const) : [])];
}

/**
 * `get -w` of one collection through the daemon: its list printed as the in-process watch
 * prints it, then its watch from the list's resourceVersion. False (nothing printed) when
 * no daemon serves, or for names or several types (watched in-process).
 */
async function watchThroughDaemon(ctx: CliContext, resources: string[], flags: GetFlags, printer: ObjectPrinter | undefined, namespace: string | undefined, output: string | undefined): Promise<boolean> {
  const answer = await withRemoteGet(
    ctx,
    flags,
    !printer,
    async (remote) => {
      const selections = await remote.selections(resources);
      if (selections.length !== 1 || selections[0].names.length) return false;
      const type = selections[0].type;
      // printWatchStart's table: one type, no kind prefix unless --show-kind.
      const printed = !printer && !flags.sortBy && !flags.watchOnly ? rowOptionsOf(flags, type, false) : undefined;
      const fetched = await remote.listFetched(type, namespace, flags.selector, flags.fieldSelector, chunkSizeOf(flags, true), printed);
      remote.committed = true;
      if (!flags.watchOnly) await printWatchStart(ctx, [{ type, ...fetched }], printer, { ...flags, output }, 0, false);
      const { watchRemote } = await import('./watch');
      await watchRemote(ctx, remote, type, fetched.resourceVersion, { ...flags, output, namespace, names: [] }, printer);
      return true;
    },
  );
  return answer?.value ?? false;
}

/** What get -w prints before the changes: each object on its own for -o (as ADDED events with --output-watch-events), else the table. */
async function printWatchStart(ctx: CliContext, found: Found[], printer: ObjectPrinter | undefined, flags: GetFlags, now: number, byName: boolean, crdOf?: (t: ResourceType) => Promise<KObject | undefined>): Promise<void> {
  const { watchEventOf, withEventColumn } = await import('./watch');
  if (printer) {
    for (const o of found.flatMap((f) => f.items)) ctx.out(printer([flags.outputWatchEvents ? watchEventOf('ADDED', o) : o], false));
    return;
  }
  let text = await renderTables(found, flags, ctx, now, false, byName, undefined, crdOf);
  if (flags.outputWatchEvents && text) text = withEventColumn(text, 'ADDED', !flags.noHeaders);
  ctx.out(text);
}

function mergeTables(a: ServerTable | undefined, b: ServerTable): ServerTable {
  if (!a) return b;
  for (const [o, cells] of b.cells) a.cells.set(o, cells);
  return a;
}

/** How get decorates one type's table rows (columns shown, NAMESPACE, -L, LABELS, kind prefix). */
function rowOptionsOf(flags: GetFlags, type: ResourceType, multi: boolean): RowOptions {
  return {
    wide: flags.output === 'wide',
    noHeaders: flags.noHeaders,
    showLabels: flags.showLabels,
    labelColumns: (flags.labelColumns ?? []).flatMap((l) => l.split(',')).filter(Boolean),
    // kubectl prints no NAMESPACE column for a cluster-scoped kind, -A or not
    allNamespaces: flags.allNamespaces && type.namespaced,
    kindPrefix: multi || flags.showKind ? kindGroup(type) : undefined,
  };
}

export async function renderTables(found: Found[], flags: GetFlags, ctx: CliContext, now: number, multi: boolean, byName = false, subresource?: string, crdOf?: (t: ResourceType) => Promise<KObject | undefined>): Promise<string> {
  const { printTable } = await import('../printers/table');
  const nonEmpty = found.filter((f) => (f.printed ? f.printed.count : f.items.length) > 0);
  if (nonEmpty.length === 0) {
    // A list that matched nothing says so (names not found are errors instead); kubectl's
    // watch prints nothing for it.
    if (!byName && found.length && !flags.watch && !flags.watchOnly) {
      const t = found[0].type;
      ctx.err(t.namespaced && !flags.allNamespaces ? `No resources found in ${ctx.namespace} namespace.\n` : 'No resources found\n');
    }
    return '';
  }
  const blocks: string[] = [];
  for (const f of nonEmpty) {
    // A document may have no metadata at all (a cluster-scoped kind's): its row is blank all the same.
    let items = f.clientDefault ? f.items.map((o) => (o.metadata ? o : { ...o, metadata: {} })) : f.items;
    const watching = flags.watch || flags.watchOnly;
    // get -w's SortingPrinter sorts a table of two rows or more (one row is printed as it is),
    // and a field no row has fails the watch before it starts.
    if (flags.sortBy && (!watching || items.length > 1)) {
      const { sortObjects, SortFieldNotFoundError } = await import('../printers/sort');
      try {
        items = sortObjects(items, flags.sortBy);
      } catch (e) {
        if (!(e instanceof SortFieldNotFoundError)) throw e;
        if (watching) throw new CliError(`unable to output the provided object: ${e.message}`);
        // kubectl's table printer swallows this error: nothing printed, "No resources found".
        ctx.err(f.type.namespaced && !flags.allNamespaces ? `No resources found in ${ctx.namespace} namespace.\n` : 'No resources found\n');
        continue;
      }
    }
    if (f.printed) {
      blocks.push(f.printed.lines.text());
      continue;
    }
    const crd = f.table ? undefined : await crdOf?.(f.type);
    const scale = subresource === 'scale';
    blocks.push(
      printTable(items, {
        ...rowOptionsOf(flags, f.type, multi),
        kind: scale ? 'Scale' : f.type.kind,
        group: scale ? 'autoscaling' : f.type.group,
        crd,
        now,
        served: f.table,
        clientDefault: flags.serverPrint === false || f.clientDefault,
      }),
    );
  }
  return blocks.join(flags.noHeaders ? '' : '\n');
}
