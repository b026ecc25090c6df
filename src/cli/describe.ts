// `kubesim describe`: kubectl's human-readable descriptions, with the Events section.

import type { Command } from 'commander';
import { ApiError } from '../api/errors';
import { pluralGroup, type ResourceType } from '../api/resources';
import type { KObject } from '../api/types';
import type { CliContext } from './context';
import type { Program } from './root';
import type { ObjectSource } from './object-source';
import { kubectlHelp } from './kubectl-help';
import { declareFlagTypes } from './flags/pflag';
import { addResourceBuilderFlags, SELECTOR_HELP } from './flags/resource-builder-flags';
import { notFoundError, resolveTargets, type TargetFlags } from './flags/targets';
import { PrintedError, formatApiError, printedBlocks } from './format-error';
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
    .action(p.action((ctx, resources: string[], flags: DescribeFlags) => new DescribeOptions(ctx, resources, flags).complete().validate().run()));
}

type DescribeFlags = TargetFlags & {
  allNamespaces?: boolean;
  showEvents?: boolean | string;
};

/**
 * kubectl's DescribeOptions: complete reads the flags, validate is pure, run finds the
 * objects and describes them, through the cluster's daemon when it serves, else in-process.
 */
export class DescribeOptions {
  namespace: string | undefined;
  showEvents = true;

  constructor(
    private readonly ctx: CliContext,
    private readonly resources: string[],
    private readonly flags: DescribeFlags,
  ) {}

  complete(): this {
    this.namespace = this.flags.allNamespaces ? undefined : this.ctx.namespace;
    this.showEvents = this.flags.showEvents !== false && this.flags.showEvents !== 'false';
    return this;
  }

  validate(): this {
    if (this.resources.length === 0 && !(this.flags.filename ?? []).length && !this.flags.kustomize) throw new CliError('You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.');
    return this;
  }

  async run(): Promise<number> {
    const { withDaemonSource, localSource } = await import('./object-source');
    if ((this.flags.filename ?? []).length || this.flags.kustomize) return this.describeFiles(await localSource(this.ctx));
    const remote = await withDaemonSource(this.ctx, (source) => this.describe(source));
    const { out, errors } = remote?.value ?? (await this.describe(await localSource(this.ctx)));
    this.ctx.out(out);
    if (errors.length) throw new PrintedError(errors.join(''));
    return 0;
  }

  /** describe -f/-k: the live objects the files name (resource.Builder), described one after another. */
  private async describeFiles(source: ObjectSource): Promise<number> {
    const targets = await resolveTargets(this.ctx, this.resources, this.flags, 'describe', { plainNotFound: true });
    const out: string[] = [];
    for (const t of targets.items) out.push(await describeWith(source, t.object, this.showEvents));
    this.ctx.out(out.join('\n\n'));
    if (targets.errors.length) throw new PrintedError(printedBlocks(targets.errors));
    return 0;
  }

  /** The descriptions and the not-found errors; `No resources found` goes to stderr. */
  private async describe(source: ObjectSource): Promise<{ out: string; errors: string[] }> {
    const { ctx, namespace } = this;
    const errors: string[] = [];
    const out: string[] = [];
    for (const sel of await source.selections(this.resources)) {
      let objs: KObject[];
      if (sel.names.length) {
        objs = [];
        for (const name of sel.names) {
          const exact = await source.tryGet(sel.type, ctx.namespace, name);
          if (exact) objs.push(exact);
          else {
            // kubectl describe falls back to a prefix match ("describe pods web" → web-xxx pods)
            const prefixed = (await source.list(sel.type, ctx.namespace)).filter((o) => o.metadata.name!.startsWith(name));
            if (prefixed.length) objs.push(...prefixed);
            else errors.push(formatApiError(await notFoundError(source, sel.type, ctx.namespace, name)));
          }
        }
      } else {
        objs = await source.list(sel.type, namespace, this.flags.selector);
      }
      for (const obj of objs) out.push(await describeWith(source, obj, this.showEvents));
    }
    // Once for the whole command, when nothing was found and nothing failed; kubectl names
    // the namespace for a cluster-scoped kind too (`describe pv`).
    // Written once nothing can fail over to the other path any more.
    if (!out.length && !errors.length) ctx.err(namespace ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n');
    return { out: out.join('\n\n'), errors };
  }
}

async function describeContext(source: ObjectSource, obj: KObject, showEvents: boolean): Promise<DescribeContext> {
  const eventType = source.registry.forKind('v1', 'Event');
  const events = showEvents
    ? (await source.list(eventType, obj.metadata.namespace ?? undefined)).filter(
        (e) =>
          e.involvedObject?.name === obj.metadata.name &&
          // kubectl's field selector names the uid: an event without one is not the object's.
          (obj.metadata.uid === undefined || e.involvedObject?.uid === obj.metadata.uid) &&
          (obj.kind === 'Pod' || e.involvedObject?.kind === obj.kind),
      )
    : [];
  return { now: source.now(), events, showEvents, list: () => [], get: () => undefined };
}

/**
 * Describes an object. Describers read related objects synchronously (ctx.list/get), the
 * API is asynchronous: each pass records what the describer asked for, the answers are
 * fetched, and the describer runs again until it asks for nothing new (a chain such as
 * Deployment -> ReplicaSets -> Pods takes a pass per link).
 */
async function describeWith(source: ObjectSource, obj: KObject, showEvents: boolean): Promise<string> {
  const { describeObject } = await import('../printers/describe');
  const find = (kind: string): ResourceType | undefined => source.registry.all().find((t) => t.kind === kind && t.group !== 'events.k8s.io');
  const base = await describeContext(source, obj, showEvents);
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
      lists.set(k, t ? await source.list(t, namespace) : []);
    }
    for (const [k, [kind, namespace, name]] of wantGets) {
      const t = find(kind);
      gets.set(k, t ? await source.tryGet(t, namespace, name) : undefined);
    }
  }
}
