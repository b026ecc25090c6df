// `kubesim events`: kubectl events (the newer verb): a table sorted by time, --for,
// --types, -A, -w.

import { Option, type Command } from 'commander';
import { CliError } from '../api/errors';
import { UnknownResourceError, resourcePath, type ResourceType } from '../api/resources';
import { PrintedError } from './format-error';
import type { KObject } from '../api/types';
import type { Program } from './root';
import type { CliContext } from './context';
import { kubectlHelp } from './kubectl-help';
import { declareFlagTypes } from './flags/pflag';
import { collect } from './flags/collect';
import { age as ageOf, microsOf } from '../printers/duration';
import { goSort } from '../util/go-sort';
import { tabwrite, GET_TABLE } from '../printers/tabwriter';
import { allowMissingKeys, outputArgument, printFlagOptions, type PrintFlagValues } from './flags/print-flags';

/** kubectl events's Long, as cobra prints it. */
const EVENTS_USE = 'events [(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file] [--for TYPE/NAME] [--watch] [--types=Normal,Warning] [options]';

const EVENTS_LONG = `Display events.

 Prints a table of the most important information about events. You can request events for a namespace, for all namespace, or filtered to only those pertaining to a specified resource.`;

const EVENTS_EXAMPLE = `  # List recent events in the default namespace
  kubectl events
  
  # List recent events in all namespaces
  kubectl events --all-namespaces
  
  # List recent events for the specified pod, then wait for more events and list them as they arrive
  kubectl events --for pod/web-pod-13je7 --watch
  
  # List recent events in YAML format
  kubectl events -oyaml
  
  # List recent only events of type 'Warning' or 'Normal'
  kubectl events --types=Warning,Normal`;

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('events')
    .description('List events')
    .option('-A, --all-namespaces', 'If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.')
    // The simulated API server answers a list at once; the size is checked and kept for kubectl's sake.
    .option('--chunk-size <n>', 'Return large lists in chunks rather than all at once. Pass 0 to disable. This flag is beta and may change in the future.', '500')
    .option('--for <kind/name>', 'Filter events to only those pertaining to the specified resource.')
    .option('--types <types>', 'Output only events of given types.', collect, [])
    .addOption(printFlagOptions()[0])
    .addOption(printFlagOptions()[1])
    .addOption(printFlagOptions()[2])
    .addOption(printFlagOptions()[3])
    .option('--no-headers', "When using the default output format, don't print headers.")
    .option('-w, --watch', 'After listing the requested events, watch for more events.')
    // kubectl's global --request-timeout, which ends a watch.
    .addOption(new Option('--request-timeout <duration>', 'How long a watch runs before it stops.').hideHelp());
  declareFlagTypes(cmd, { 'chunk-size': 'int' });
  kubectlHelp(cmd, p.name, { long: EVENTS_LONG, example: EVENTS_EXAMPLE, use: EVENTS_USE }, { 'chunk-size': '500', 'no-headers': 'false', types: '[]' }).action(
      p.action(async (ctx, flags: PrintFlagValues & { allNamespaces?: boolean; for?: string; types?: string[]; headers?: boolean; watch?: boolean; requestTimeout?: string }) => {
        const output = outputArgument(flags);
        if (output) (await import('./flags/mutation-output')).checkMutationFormat(output);
        const api = await ctx.api();
        const evType = api.registry.forKind('v1', 'Event');
        let forType: ResourceType | undefined;
        let forName = '';
        if (flags.for) {
          const [kindArg, name] = flags.for.split('/');
          if (!name) throw new CliError(`--for must be in resource/name form`);
          let t;
          try {
            t = api.resolve(kindArg);
          } catch (e) {
            // kubectl returns the RESTMapper's error from Complete as it is: printed without `error: `
            if (e instanceof UnknownResourceError) throw new PrintedError(`${e.message}\n`);
            throw e;
          }
          [forType, forName] = [t, name];
        }
        // kubectl compares the types case-insensitively (strings.EqualFold): `--types warning` is Warning
        const types = (flags.types ?? []).flatMap((t) => t.split(',')).filter(Boolean).map((t) => t.toLowerCase());
        for (const t of types) if (t !== 'normal' && t !== 'warning') throw new CliError(`valid --types are Normal or Warning`);
        // --as: refused as kube-apiserver refuses kubectl's one request (a watch alone with -w).
        const { actingUser, authorizeAs } = await import('./impersonation');
        const eventsPath = resourcePath(evType, flags.allNamespaces ? undefined : ctx.namespace);
        await authorizeAs(api, await actingUser(ctx.flags, api), 'GET', eventsPath, flags.watch ? { watch: 'true' } : {});
        const keep = (e: KObject) => (!forType || (e.involvedObject?.kind === forType.kind && e.involvedObject?.name === forName)) && (!types.length || types.includes(String(e.type).toLowerCase()));
        let items = (await api.list(evType, { namespace: flags.allNamespaces ? undefined : ctx.namespace })).items.filter(keep);
        if (flags.watch) {
          // kubectl events -w only watches: no list, no sort, no "No events found". The watch
          // begins with the events that exist (in the store's key order: namespace, name) and
          // each event goes through kubectl's one printer on its own: a table whose heading goes
          // out with the first event (one tabwriter, RememberWidths, flushed after each event),
          // or -o's printer given the Event itself (so `-o name` prints `event/NAME`, and YAML
          // separates documents with `---`). Deletions (the hour-long TTL) are not printed.
          let headed = flags.headers === false;
          const widths: number[] = [];
          const print = output ? await eventPrinter(output, ctx, flags) : undefined;
          const one = (e: KObject) => {
            if (print) return print(e);
            const text = renderEvents([e], api.clock.now(), Boolean(flags.allNamespaces), headed, widths);
            headed = true;
            return text;
          };
          const key = (e: KObject) => `${e.metadata.namespace ?? ''}/${e.metadata.name}`;
          for (const e of [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))) ctx.out(one(e));
          const { watch } = await import('./watch');
          await watch(ctx, api, [evType], { namespace: flags.allNamespaces ? undefined : ctx.namespace, requestTimeout: flags.requestTimeout, watchOnly: true, noHeaders: true, names: [] }, undefined, (objs, type) =>
            type === 'DELETED' ? '' : objs.filter(keep).map(one).join(''),
          );
          return;
        }
        // kubectl's sort.Sort(SortableEvents): not stable, so equal times (one instant of a
        // frozen clock) come out in the order Go's pdqsort leaves them.
        goSort(items, (a, b) => eventTime(a) < eventTime(b));
        if (!items.length) {
          ctx.err(flags.allNamespaces ? 'No events found.\n' : `No events found in ${ctx.namespace} namespace.\n`);
          if (output) return;
        } else if (output) {
          // kubectl hands its printer the EventList by value: the name printer cannot take the
          // items out of it and its error is dropped, so `-o name` prints nothing and exits 0.
          if (output === 'name') return;
          // kubectl prints its typed EventList: struct field order, `metadata: {}`, no List wrapper.
          const list = { kind: 'EventList', apiVersion: 'v1', metadata: {}, items } as unknown as KObject;
          ctx.out((await eventPrinter(output, ctx, flags))(list));
          return;
        } else {
          ctx.out(renderEvents(items, api.clock.now(), Boolean(flags.allNamespaces), flags.headers === false));
        }
      }),
    );
}

/**
 * -o's printer for kubectl's typed objects (an Event, or the EventList it builds): struct
 * field order in JSON, the keys of each item as in the Event struct.
 */
async function eventPrinter(output: string, ctx: CliContext, flags: PrintFlagValues): Promise<(o: KObject) => string> {
  const [{ outputPrinter }, { goOrdered }] = await Promise.all([import('./flags/output'), import('../printers/go-order')]);
  const printer = outputPrinter(output, ctx, { showManagedFields: flags.showManagedFields, allowMissingKeys: allowMissingKeys(flags), sortJsonKeys: false });
  const typed = (e: KObject) => (goOrdered(e) ?? e) as KObject;
  return (o) => printer([Array.isArray(o.items) ? { ...o, items: (o.items as KObject[]).map(typed) } : typed(o)], false);
}

/** kubectl events' eventTime: the series' last observation, else lastTimestamp, else eventTime (µs). */
function eventTime(e: KObject): number {
  return microsOf(e.series?.lastObservedTime ?? (e.lastTimestamp || e.eventTime));
}

/** kubectl events' getInterval: since the first sighting, or the last with "(xN over FIRST)" for a repeated event. */
function interval(e: KObject, now: number): string {
  const first = ageOf(e.eventTime || e.firstTimestamp, now);
  if (e.series) return `${ageOf(e.series.lastObservedTime, now)} (x${e.series.count ?? 0} over ${first})`;
  if ((e.count ?? 0) > 1) return `${ageOf(e.lastTimestamp, now)} (x${e.count} over ${first})`;
  return first;
}

/** kubectl events' table: LAST SEEN TYPE REASON OBJECT MESSAGE (NAMESPACE first with -A). */
export function renderEvents(items: KObject[], now: number, allNamespaces: boolean, noHeaders: boolean, widths?: number[]): string {
  const lines: string[] = [];
  if (!noHeaders) lines.push([...(allNamespaces ? ['NAMESPACE'] : []), 'LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'].join('\t'));
  for (const e of items) {
    const cells = [
      ...(allNamespaces ? [e.metadata.namespace ?? ''] : []),
      interval(e, now),
      e.type ?? '',
      e.reason ?? '',
      `${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}`,
      String(e.message ?? '').trim(),
    ];
    lines.push(cells.join('\t'));
  }
  return tabwrite(lines.join('\n') + '\n', GET_TABLE, widths);
}
