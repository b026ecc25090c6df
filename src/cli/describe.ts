// `kubesim describe`: kubectl's human-readable descriptions, with the Events section.

import type { Command } from 'commander';
import { ApiError } from '../api/errors';
import { pluralGroup, type ResourceType } from '../api/resources';
import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import type { Program } from './root';
import { parseResourceArgs } from './resource-args';
import { PrintedError, formatApiError } from './format-error';
import { buildListOptions } from './flags/selectors';
import { CliError } from '../api/errors';

export function register(program: Command, p: Program): void {
  program
    .command('describe')
    .description('Show details of a specific resource or group of resources')
    .argument('[resources...]')
    .option('-l, --selector <selector>', 'Selector (label query) to filter on.')
    .option('-A, --all-namespaces', 'If present, list the requested object(s) across all namespaces.')
    .option('--show-events [bool]', 'If true, display events related to the described object.', true)
    .addHelpText('after', `
Examples:
  # Describe a node
  kubesim describe nodes node-1

  # Describe a pod
  kubesim describe pods/nginx

  # Describe all pods managed by the 'frontend' replication controller
  kubesim describe pods frontend`)
    .action(
      p.action(async (ctx, resources: string[], flags: { selector?: string; allNamespaces?: boolean; showEvents?: boolean | string }) => {
        if (resources.length === 0) throw new CliError("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.");
        const api = await ctx.api();
        const { describeObject } = await import('../printers/describe');
        const namespace = flags.allNamespaces ? undefined : ctx.namespace;
        const errors: string[] = [];
        const out: string[] = [];
        const showEvents = flags.showEvents !== false && flags.showEvents !== 'false';
        for (const sel of parseResourceArgs(resources, api.registry)) {
          let objs: KObject[];
          if (sel.names.length) {
            objs = [];
            for (const name of sel.names) {
              const exact = api.tryGet(sel.type, ctx.namespace, name);
              if (exact) objs.push(exact);
              else {
                // kubectl describe falls back to a prefix match ("describe pods web" → web-xxx pods)
                const prefixed = api.list(sel.type, { namespace: ctx.namespace }).items.filter((o) => o.metadata.name!.startsWith(name));
                if (prefixed.length) objs.push(...prefixed);
                else errors.push(formatApiError(ApiError.notFound(pluralGroup(sel.type), name)));
              }
            }
          } else {
            objs = api.list(sel.type, buildListOptions(sel.type, flags.selector, undefined, namespace)).items;
            if (!objs.length && !errors.length) {
              ctx.err(sel.type.namespaced && namespace ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n');
            }
          }
          for (const obj of objs) out.push(describeObject(obj, describeContext(api, obj, showEvents)));
        }
        ctx.out(out.join('\n\n'));
        if (errors.length) throw new PrintedError(errors.join(''));
      }),
    );
}

export function describeContext(api: ApiServer, obj: KObject, showEvents = true) {
  const find = (kind: string): ResourceType | undefined => api.registry.all().find((t) => t.kind === kind && t.group !== 'events.k8s.io');
  const eventType = api.registry.forKind('v1', 'Event');
  const events = showEvents
    ? api
        .list(eventType, { namespace: obj.metadata.namespace ?? undefined })
        .items.filter(
          (e) =>
            e.involvedObject?.name === obj.metadata.name &&
            (e.involvedObject?.uid === undefined || e.involvedObject.uid === obj.metadata.uid) &&
            (obj.kind === 'Pod' || e.involvedObject?.kind === obj.kind),
        )
    : [];
  return {
    now: api.clock.now(),
    events,
    showEvents,
    list: (kind: string, namespace: string | undefined) => {
      const t = find(kind);
      return t ? api.list(t, { namespace }).items : [];
    },
    get: (kind: string, namespace: string | undefined, name: string) => {
      const t = find(kind);
      return t ? api.tryGet(t, namespace, name) : undefined;
    },
  };
}
