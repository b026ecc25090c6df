// `kubesim describe`: kubectl's human-readable descriptions, with the Events section.

import type { Command } from 'commander';
import { ApiError } from '../api/errors';
import { pluralGroup, type ResourceType } from '../api/resources';
import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import type { Program } from './root';
import type { CliContext } from './context';
import { kubectlHelp } from './kubectl-help';
import { declareFlagTypes } from './flags/pflag';
import { addResourceBuilderFlags, SELECTOR_HELP } from './flags/resource-builder-flags';
import { resolveTargets, type TargetFlags } from './flags/targets';
import { parseResourceArgs } from './resource-args';
import { PrintedError, formatApiError } from './format-error';
import { buildListOptions } from './flags/selectors';
import { CliError } from '../api/errors';
import type { DescribeContext } from '../printers/describe/context';

/** kubectl describe's Long, as cobra prints it. */
const DESCRIBE_LONG = `Show details of a specific resource or group of resources.

 Print a detailed description of the selected resources, including related resources such as events or controllers. You may select a single object by name, all objects of that type, provide a name prefix, or label selector. For example:

        $ kubectl describe TYPE NAME_PREFIX
        
 will first check for an exact match on TYPE and NAME_PREFIX. If no such resource exists, it will output details for every resource that has a name prefixed with NAME_PREFIX.

Use "kubectl api-resources" for a complete list of supported resources.`;

const DESCRIBE_EXAMPLE = `  # Describe a node
  kubectl describe nodes kubernetes-node-emt8.c.myproject.internal
  
  # Describe a pod
  kubectl describe pods/nginx
  
  # Describe a pod identified by type and name in "pod.json"
  kubectl describe -f pod.json
  
  # Describe all pods
  kubectl describe pods
  
  # Describe pods by label name=myLabel
  kubectl describe pods -l name=myLabel
  
  # Describe all pods managed by the 'frontend' replication controller
  # (rc-created pods get the name of the rc as a prefix in the pod name)
  kubectl describe pods frontend`;

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('describe')
    .description('Show details of a specific resource or group of resources')
    .argument('[resources...]')
    .option('-l, --selector <selector>', SELECTOR_HELP)
    .option('-A, --all-namespaces', 'If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.')
    .option('--show-events [bool]', 'If true, display events related to the described object.', true)
    // The simulated API server answers a list at once; the size is checked and kept for kubectl's sake.
    .option('--chunk-size <n>', 'Return large lists in chunks rather than all at once. Pass 0 to disable. This flag is beta and may change in the future.', '500');
  addResourceBuilderFlags(cmd, { filename: 'Filename, directory, or URL to files containing the resource to describe', kustomize: true, recursive: true });
  declareFlagTypes(cmd, { 'chunk-size': 'int' });
  kubectlHelp(cmd, p.name, { long: DESCRIBE_LONG, example: DESCRIBE_EXAMPLE, use: 'describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME)' }, { 'chunk-size': '500', 'show-events': 'true' })
    .action(
      p.action(async (ctx, resources: string[], flags: TargetFlags & { allNamespaces?: boolean; showEvents?: boolean | string }) => {
        if ((flags.filename ?? []).length || flags.kustomize) return describeFiles(ctx, resources, flags);
        if (resources.length === 0) throw new CliError("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.");
        const api = await ctx.api();
        const namespace = flags.allNamespaces ? undefined : ctx.namespace;
        const errors: string[] = [];
        const out: string[] = [];
        const showEvents = flags.showEvents !== false && flags.showEvents !== 'false';
        for (const sel of parseResourceArgs(resources, api.registry)) {
          let objs: KObject[];
          if (sel.names.length) {
            objs = [];
            for (const name of sel.names) {
              const exact = await api.tryGet(sel.type, ctx.namespace, name);
              if (exact) objs.push(exact);
              else {
                // kubectl describe falls back to a prefix match ("describe pods web" → web-xxx pods)
                const prefixed = (await api.list(sel.type, { namespace: ctx.namespace })).items.filter((o) => o.metadata.name!.startsWith(name));
                if (prefixed.length) objs.push(...prefixed);
                else errors.push(formatApiError(ApiError.notFound(pluralGroup(sel.type), name)));
              }
            }
          } else {
            objs = (await api.list(sel.type, buildListOptions(sel.type, flags.selector, undefined, namespace))).items;
            if (!objs.length && !errors.length) {
              ctx.err(sel.type.namespaced && namespace ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n');
            }
          }
          for (const obj of objs) out.push(await describeWithApi(api, obj, showEvents));
        }
        ctx.out(out.join('\n\n'));
        if (errors.length) throw new PrintedError(errors.join(''));
      }),
    );
}

/** describe -f/-k: the live objects the files name (resource.Builder), described one after another. */
async function describeFiles(ctx: CliContext, resources: string[], flags: TargetFlags & { showEvents?: boolean | string }): Promise<number> {
  const targets = await resolveTargets(ctx, resources, flags, 'describe');
  const api = await ctx.api();
  const showEvents = flags.showEvents !== false && flags.showEvents !== 'false';
  const out: string[] = [];
  for (const t of targets.items) out.push(await describeWithApi(api, t.object, showEvents));
  ctx.out(out.join('\n\n'));
  if (targets.errors.length) throw new PrintedError(targets.errors.join(''));
  return 0;
}

export async function describeContext(api: ApiServer, obj: KObject, showEvents = true): Promise<DescribeContext> {
  const eventType = api.registry.forKind('v1', 'Event');
  const events = showEvents
    ? (await api.list(eventType, { namespace: obj.metadata.namespace ?? undefined })).items.filter(
        (e) =>
          e.involvedObject?.name === obj.metadata.name &&
          (e.involvedObject?.uid === undefined || e.involvedObject.uid === obj.metadata.uid) &&
          (obj.kind === 'Pod' || e.involvedObject?.kind === obj.kind),
      )
    : [];
  return { now: api.clock.now(), events, showEvents, list: () => [], get: () => undefined };
}

/**
 * Describes an object. Describers read related objects synchronously (ctx.list/get), the
 * API is asynchronous: each pass records what the describer asked for, the answers are
 * fetched, and the describer runs again until it asks for nothing new (a chain such as
 * Deployment -> ReplicaSets -> Pods takes a pass per link).
 */
export async function describeWithApi(api: ApiServer, obj: KObject, showEvents = true): Promise<string> {
  const { describeObject } = await import('../printers/describe');
  const find = (kind: string): ResourceType | undefined => api.registry.all().find((t) => t.kind === kind && t.group !== 'events.k8s.io');
  const base = await describeContext(api, obj, showEvents);
  const lists = new Map<string, KObject[]>();
  const gets = new Map<string, KObject | undefined>();
  for (;;) {
    const wantLists = new Map<string, [string, string | undefined]>();
    const wantGets = new Map<string, [string, string | undefined, string]>();
    const ctx: DescribeContext = {
      ...base,
      list: (kind, namespace) => {
        const k = `${kind}\0${namespace ?? ''}`;
        if (!lists.has(k)) wantLists.set(k, [kind, namespace]);
        return lists.get(k) ?? [];
      },
      get: (kind, namespace, name) => {
        const k = `${kind}\0${namespace ?? ''}\0${name}`;
        if (!gets.has(k)) wantGets.set(k, [kind, namespace, name]);
        return gets.get(k);
      },
    };
    const text = describeObject(obj, ctx);
    if (!wantLists.size && !wantGets.size) return text;
    for (const [k, [kind, namespace]] of wantLists) {
      const t = find(kind);
      lists.set(k, t ? (await api.list(t, { namespace })).items : []);
    }
    for (const [k, [kind, namespace, name]] of wantGets) {
      const t = find(kind);
      gets.set(k, t ? await api.tryGet(t, namespace, name) : undefined);
    }
  }
}
