// `get -w` / `--watch-only` / `events -w`: follows the store's change journal and prints a
// row (or an object) per change, as kubectl's watch does, until interrupted or until
// --request-timeout.

import { inGroupOf } from '../api/conversion/events';
import type { ResourceType } from '../api/resources';
import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import type { CliContext } from './context';
import type { ObjectPrinter } from './flags/output';
import { parseDuration } from './flags/duration';
import { buildListOptions } from './flags/selectors';
import type { RemoteGet, ServerTable } from './get-remote';
import { sleep } from '../util/sleep';

export interface WatchOptions {
  namespace?: string;
  names: string[];
  selector?: string;
  fieldSelector?: string;
  requestTimeout?: string;
  watchOnly?: boolean;
  noHeaders?: boolean;
  output?: string;
  showLabels?: boolean;
  labelColumns?: string[];
  allNamespaces?: boolean;
  /** --output-watch-events: every change printed as a metav1.WatchEvent. */
  outputWatchEvents?: boolean;
  /** --server-print=false: NAME and AGE only. */
  serverPrint?: boolean;
}

/** formatEventType of kubectl's table printer: the EVENT column is always 8 wide. */
const EVENT_CELL: Record<string, string> = { ADDED: 'ADDED   ', MODIFIED: 'MODIFIED', DELETED: 'DELETED ', ERROR: 'ERROR   ' };

/**
 * The EVENT column kubectl's table printer puts first for a WatchEvent: its cells are 8
 * wide, so the tabwriter pads it to 11 (8 + the padding of 3) on every line.
 */
export function withEventColumn(table: string, type: string, header: boolean): string {
  const lines = table.split('\n');
  const last = lines.pop(); // '' after the final newline
  const out = lines.map((l, i) => (header && i === 0 ? 'EVENT'.padEnd(11) : (EVENT_CELL[type] ?? type).padEnd(11)) + l);
  return out.join('\n') + '\n' + (last ?? '');
}

/**
 * The metav1.WatchEvent kubectl prints for -o json/yaml/jsonpath/go-template: `type` then
 * `object` (a struct, so in field order), the object itself with its keys sorted. Its
 * managedFields stay: kubectl's OmitManagedFieldsPrinter does not look inside a WatchEvent.
 */
export function watchEventOf(type: string, obj: KObject): KObject {
  return { type, object: sortedDeep(obj) } as unknown as KObject;
}

function sortedDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedDeep);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortedDeep((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** One change as get -w prints it: the object for -o, else its table row (the server's cells when served). */
function changeText(
  printTable: typeof import('../printers/table').printTable,
  type: ResourceType,
  event: string,
  o: KObject,
  opts: WatchOptions,
  headerPrinted: boolean,
  now: number,
  printer?: ObjectPrinter,
  served?: ServerTable,
): string {
  if (printer) return printer([opts.outputWatchEvents ? watchEventOf(event, o) : o], false);
  const text = printTable([o], {
    kind: type.kind,
    group: type.group,
    wide: opts.output === 'wide',
    noHeaders: headerPrinted,
    showLabels: opts.showLabels,
    labelColumns: opts.labelColumns,
    allNamespaces: opts.allNamespaces && type.namespaced,
    now,
    served,
    clientDefault: opts.serverPrint === false,
  });
  return opts.outputWatchEvents ? withEventColumn(text, event, !headerPrinted) : text;
}

/** Stops a watch at --request-timeout or on Ctrl-C (then get exits 0, as kubectl does). */
function watchEnd(requestTimeout: string | undefined): { signal: AbortSignal; done: () => void } {
  const ctl = new AbortController();
  const timeout = requestTimeout ? parseDuration(requestTimeout) : 0;
  const timer = timeout > 0 ? setTimeout(() => ctl.abort(), timeout) : undefined;
  const onSig = () => ctl.abort();
  process.once('SIGINT', onSig);
  return {
    signal: ctl.signal,
    done: () => {
      clearTimeout(timer);
      process.removeListener('SIGINT', onSig);
    },
  };
}

/** `get -w` through the cluster's daemon: its watch from the list's resourceVersion, each change printed as the in-process watch prints it. */
export async function watchRemote(ctx: CliContext, remote: RemoteGet, type: ResourceType, resourceVersion: string | undefined, opts: WatchOptions, printer?: ObjectPrinter): Promise<void> {
  const { printTable } = await import('../printers/table');
  let headerPrinted = !opts.watchOnly || Boolean(opts.noHeaders);
  const end = watchEnd(opts.requestTimeout);
  try {
    for await (const ch of remote.watch(type, opts.namespace, opts.selector, opts.fieldSelector, resourceVersion, end.signal)) {
      for (const o of ch.items) {
        ctx.out(changeText(printTable, type, ch.type, o, opts, headerPrinted, 0, printer, ch.table));
        headerPrinted = true;
      }
    }
  } catch (e) {
    if (!end.signal.aborted) throw e; // stopped before the server answered
  } finally {
    end.done();
  }
}

export async function watch(
  ctx: CliContext,
  api: ApiServer,
  types: ResourceType[],
  opts: WatchOptions,
  printer?: ObjectPrinter,
  render?: (objs: KObject[], type: string) => string,
): Promise<void> {
  const { printTable } = await import('../printers/table');
  const end = watchEnd(opts.requestTimeout);
  let rev = await api.currentRev();
  let headerPrinted = !opts.watchOnly || Boolean(opts.noHeaders);
  const filters = new Map(types.map((t) => [t, buildListOptions(t, opts.selector, opts.fieldSelector, opts.namespace)]));
  const prefixFor = (t: ResourceType) => (t.crd ? `${t.group}/${t.plural}/` : `${t.plural}/`);
  try {
    while (!end.signal.aborted) {
      const changes = await api.changesSince(rev);
      // Another process (a `clock advance` without a daemon) may have moved the cluster's
      // clock: ages are taken from its time now, never from before the change.
      const clock = api.clock as { refresh?: () => Promise<unknown> };
      if (changes.length && clock.refresh) await clock.refresh();
      for (const ch of changes) {
        rev = Math.max(rev, ch.rev);
        const type = types.find((t) => ch.key.startsWith(prefixFor(t)));
        if (!type) continue;
        const o = inGroupOf(type, ch.object);
        const f = filters.get(type)!;
        if (f.namespace && o.metadata.namespace !== f.namespace) continue;
        if (opts.names.length && !opts.names.includes(o.metadata.name!)) continue;
        if (f.labelMatch && !f.labelMatch(o.metadata.labels ?? {})) continue;
        // field selectors name the stored (core) fields, as the server's do
        if (f.fieldMatch && !f.fieldMatch(ch.object)) continue;
        if (render) ctx.out(render([o], ch.type));
        else {
          ctx.out(changeText(printTable, type, ch.type, o, opts, headerPrinted, api.clock.now(), printer));
          headerPrinted = true;
        }
      }
      await sleep(100);
    }
  } finally {
    end.done();
  }
}
