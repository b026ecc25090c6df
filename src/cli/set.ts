// `kubesim set image|env|resources|selector|serviceaccount`: edits of pod templates (and
// Service selectors), printed as kubectl does (`image updated`, ...), on the cluster or --local.

import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import { deepEqual } from '../util/json-equal';
import { deepCopy, type KObject } from '../api/types';
import type { CliContext } from './context';
import type { Program } from './root';
import { addPrintFlags, type PrintFlagValues } from './flags/print-flags';
import { addResourceBuilderFlags, NO_RESOURCES_MESSAGE } from './flags/resource-builder-flags';
import { collect, collectList } from './flags/collect';
import { addDryRunFlag, parseDryRun, type DryRunMode } from './flags/dry-run';
import { PrintedError, checkErrText, formatApiError, unknownSubCommand } from './format-error';
import { splitResourcesAndPairs } from './flags/key-value-args';
import { mutationPrinter, objectRef, type MutationPrinter } from './flags/mutation-output';
import type { ObjectSource } from './object-source';
import { infosErrors, resolveTargets, type Target, type TargetFlags } from './flags/targets';
import { FIELD_MANAGER_HELP, groupHelp, kubectlHelp } from './kubectl-help';
import { LIMIT_RANGES_NOTE, SET_ENV_EXAMPLE, SET_ENV_LONG, SET_RESOURCES_EXAMPLE, SET_RESOURCES_LONG, SET_SA_EXAMPLE, SET_SA_LONG, SET_SELECTOR_EXAMPLE, SET_SELECTOR_LONG } from './set-help';
import { goParseQuantity } from '../api/quantity';
import { hasFileInput } from './manifest-input';
import { dropUnknownFields } from '../api/validation/typed-decode';
import { goTyped } from '../printers/go-order';
import { checkEnvOptions, envMutator, selectString, validateEnvFlags, type EnvFlags } from './set-env';

interface SetFlags extends TargetFlags {
  container?: string;
  dryRun?: string | boolean;
  output?: string;
  template?: PrintFlagValues['template'];
  allowMissingTemplateKeys?: PrintFlagValues['allowMissingTemplateKeys'];
  showManagedFields?: boolean;
  fieldManager?: string;
  limits?: string;
  requests?: string;
  list?: boolean;
  from?: string;
  prefix?: string;
  overwrite?: boolean;
  resourceVersion?: string;
}

/** The pod spec inside an object, as kubectl's polymorphichelpers.UpdatePodSpecForObject finds it. */
export function podSpecOf(obj: KObject): Record<string, any> | undefined {
  switch (obj.kind) {
    case 'Pod':
      return (obj.spec ??= {});
    case 'CronJob':
      return (((((obj.spec ??= {}).jobTemplate ??= {}).spec ??= {}).template ??= {}).spec ??= {});
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
    case 'ReplicationController':
      return (((obj.spec ??= {}).template ??= {}).spec ??= {});
    default:
      return undefined;
  }
}

/** What decoding into the typed struct and encoding again adds (kubectl set prints typed objects). */
export function typedRoundTrip(obj: KObject): KObject {
  return goTyped(deepCopy(obj));
}

function containersMatching(ps: Record<string, any>, name: string | undefined): any[] {
  const all = [...(ps.initContainers ?? []), ...(ps.containers ?? [])];
  if (!name || name === '*') return all;
  return all.filter((c) => c.name === name);
}

/** generateversioned's populateResourceListV1: `name=quantity` pairs, each quantity in its canonical form. */
function parseResourceList(spec: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!spec) return out;
  for (const part of spec.split(',')) {
    const kv = part.split('=');
    if (kv.length !== 2) throw new CliError(`Invalid argument syntax ${part}, expected <resource>=<value>`);
    const parsed = goParseQuantity(kv[1]);
    if ('error' in parsed) throw new CliError(parsed.error);
    out[kv[0]] = parsed.text;
  }
  return out;
}

/**
 * Changes one object. A problem that stops this object (no pod template) is thrown; one kubectl
 * only collects while it goes on (a container not found) is pushed onto `errs`.
 */
type Mutator = (obj: KObject, ctx: CliContext, errs: string[]) => Promise<void> | void;

const SET_LONG = 'Configure application resources.\n\n These commands help you make changes to existing application resources.';

/** polymorphichelpers' error for an object without a pod template, with the Go type kubectl decoded into. */
class NoPodTemplateError extends CliError {}

function noPodTemplate(obj: KObject): CliError {
  const version = String(obj.apiVersion ?? '').split('/').pop();
  return new NoPodTemplateError(`the object is not a pod or does not have a pod template: *${version}.${obj.kind}`);
}

/**
 * set's getObjectName for its errors: `resource/name` with a REST mapping (objects read from a
 * server), else `kind/name`, or `kind.group/name` and a newline (kubectl's own stray one) for --local.
 */
function setObjectName(t: Target, local: boolean): string {
  const name = t.object.metadata?.name ?? '';
  if (!local) return `${t.type.plural}/${name}`;
  const kind = String(t.object.kind).toLowerCase();
  const apiVersion = String(t.object.apiVersion ?? '');
  return apiVersion.includes('/') ? `${kind}.${apiVersion.split('/')[0]}/${name}\n` : `${kind}/${name}`;
}

/** --local takes only files: resource.Builder's message for set image, resources, selector and subject. */
const LOCAL_FILES_ONLY = "you must specify resources by --filename when --local is set.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'";

const LOCAL_AND_SERVER_DRY_RUN = 'cannot specify --local and --dry-run=server - did you mean --dry-run=client?';
const ALL_AND_SELECTOR = 'cannot set --all and --selector at the same time';

/** How each set verb wraps a failed patch (kubectl's set_*.go `fmt.Errorf`s, spacing as there). */
const PATCH_FAILED: Record<string, string> = {
  'set image': 'failed to patch image update to pod template: ',
  'set env': 'failed to patch env update to pod template: ',
  'set resources': 'failed to patch resources update to pod template ',
  'set serviceaccount': 'failed to patch ServiceAccountName ',
  'set subject': 'failed to patch subjects to rolebinding: ',
};

/**
 * The part of kubectl's Set*Options every `set` sub-command shares. Each sub-command parses
 * its own arguments into `mutate` first; complete reads --dry-run, validate checks the flag
 * combinations, run follows kubectl's Run: the Builder's errors stop everything; then every
 * target's change is computed (CalculatePatches, collecting the errors it does not stop for),
 * then each changed object is written (or, with --local/--dry-run=client, printed);
 * unchanged ones print nothing. The errors come last, as one aggregate.
 */
export class SetOptions {
  private dryRun: DryRunMode = 'none';
  /** Builds the mutator once the object source is open (set env's --from and --resolve read it). */
  private prepare?: (source: ObjectSource | undefined) => Promise<Mutator>;
  /** --list: compute every change (which prints) and write nothing. */
  private listOnly = false;
  /** kubectl's Validate where its Complete runs the Builder first (set image, resources, subject). */
  private afterBuildChecks?: (objs: KObject[]) => void;
  private afterWriteCheck?: () => void;

  constructor(
    private readonly ctx: CliContext,
    private readonly resources: string[],
    private readonly flags: SetFlags,
    private readonly verb: string,
    private readonly operation: string,
    private readonly mutate: Mutator,
  ) {}

  complete(): this {
    this.dryRun = parseDryRun(this.ctx, this.flags.dryRun);
    return this;
  }

  get dryRunMode(): DryRunMode {
    return this.dryRun;
  }

  setup(prepare: (source: ObjectSource | undefined) => Promise<Mutator>, listOnly = false): this {
    this.prepare = prepare;
    this.listOnly = listOnly;
    return this;
  }

  validate(): this {
    if (this.flags.local && this.dryRun === 'server') throw new CliError(LOCAL_AND_SERVER_DRY_RUN);
    if (this.flags.all && this.flags.selector) throw new CliError(ALL_AND_SELECTOR);
    return this;
  }

  /**
   * Checks to run once the Builder has read the objects, instead of validate(): kubectl's
   * Complete reads them before its Validate, so a missing file or object is reported first.
   */
  afterBuild(checks: (objs: KObject[]) => void): this {
    this.afterBuildChecks = checks;
    return this;
  }

  /** A check after each object written to the cluster, before it is printed (set env's). */
  afterWrite(check: () => void): this {
    this.afterWriteCheck = check;
    return this;
  }

  async run(): Promise<number> {
    const print = await mutationPrinter(this.ctx, this.flags, this.dryRun, { typed: true });
    // --local touches no cluster; otherwise the daemon's API when it serves, else the store.
    if (this.flags.local) return this.visit(undefined, print);
    const { withObjectSource } = await import('./object-source');
    return withObjectSource(this.ctx, (source) => this.visit(source, print));
  }

  private async visit(source: ObjectSource | undefined, print: MutationPrinter): Promise<number> {
    const { ctx, flags, dryRun } = this;
    const mutate = this.prepare ? await this.prepare(source) : this.mutate;
    const targets = await resolveTargets(ctx, this.resources, flags, this.verb, { typed: true }, source);
    // Infos(): a file's decode errors and RequireNamespace's fail the verb before any change.
    const buildErrors = infosErrors(targets);
    if (buildErrors.length) throw new PrintedError(checkErrText(buildErrors));
    this.afterBuildChecks?.(targets.items.map((t) => t.object));
    const errors: string[] = [];
    const patches = [];
    const local = flags.local || dryRun === 'client';
    for (const t of targets.items) {
      // kubectl decodes into the typed struct before it changes it: the quantities it then writes
      // print as written (re-parsing `2000000` would print `2M`).
      const before = local ? dropUnknownFields(typedRoundTrip(t.object)) : typedRoundTrip(t.object);
      const after = deepCopy(before);
      try {
        await mutate(after, ctx, errors);
        patches.push({ t, before, after });
      } catch (e) {
        if (!(e instanceof CliError)) throw e;
        patches.push({ t, before, after, error: `error: ${e instanceof NoPodTemplateError ? `${setObjectName(t, !!flags.local)} ` : ''}${e.message}\n` });
      }
    }
    if (this.listOnly) return 0;
    if (!flags.local && dryRun !== 'client' && patches.length) await (await import('../api/validator-adapter')).loadValidation();
    for (const { t, before, after, error } of patches) {
      if (error) {
        errors.push(error);
        continue;
      }
      if (deepEqual(before, after)) continue;
      if (local) {
        ctx.out(print(after, this.operation));
        continue;
      }
      try {
        // kubectl's strategic merge patch from the object as read to its change.
        const result = await source!.change(t.type, before, (o) => {
          const fresh = typedRoundTrip(o);
          void mutate(fresh, ctx, []);
          return fresh;
        }, { dryRun: dryRun === 'server', fieldManager: flags.fieldManager ?? 'kubectl-set', patchType: 'strategic', noFieldValidation: true });
        this.afterWriteCheck?.();
        ctx.out(print(result, this.operation));
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        // Most set verbs wrap the server's error (its Status message as it is); set selector returns it.
        const wrap = PATCH_FAILED[this.verb];
        errors.push(wrap === undefined ? formatApiError(e).replace(/\n$/, '') : `${wrap}${e.message}`);
      }
    }
    if (errors.length) throw new PrintedError(checkErrText(errors));
    return 0;
  }
}

function runSet(ctx: CliContext, resources: string[], flags: SetFlags, verb: string, operation: string, mutate: Mutator): Promise<number> {
  return new SetOptions(ctx, resources, flags, verb, operation, mutate).complete().validate().run();
}

/** -f's wording of kubectl's set sub-commands (each passes its own usage string). */
const SET_FILENAME_HELP = 'Filename, directory, or URL to files identifying the resource to get from a server.';

/**
 * The flag groups every `set` sub-command shares (ResourceBuilderFlags, dry-run, PrintFlags);
 * like kubectl's, none of them has -A.
 */
function targetOptions(cmd: Command, what: string, opts: { filename?: string; selector?: boolean; kustomize?: boolean; all?: string; local?: string } = {}): Command {
  addResourceBuilderFlags(cmd, {
    selector: opts.selector ?? true,
    all: opts.all ?? 'Select all resources, in the namespace of the specified resource types',
    local: opts.local ?? `If true, set ${what} will NOT contact api-server but run locally.`,
    filename: opts.filename ?? SET_FILENAME_HELP,
    kustomize: opts.kustomize ?? true,
    recursive: true,
  });
  addPrintFlags(addDryRunFlag(cmd));
  return cmd.option('--field-manager <name>', FIELD_MANAGER_HELP);
}

/** kubectl's help for a set sub-command (its --field-manager defaults to kubectl-set). */
function setHelp(cmd: Command, program: string, long: string, use: string, example: string): Command {
  return kubectlHelp(cmd, program, { long, use, example }, { 'field-manager': "'kubectl-set'" });
}

const SET_IMAGE_LONG = `Update existing container image(s) of resources.

 Possible resources include (case insensitive):

        pod (po), replicationcontroller (rc), deployment (deploy), daemonset (ds), statefulset (sts), cronjob (cj), replicaset (rs)`;

const SET_IMAGE_EXAMPLE = `  # Set a deployment's nginx container image to 'nginx:1.9.1', and its busybox container image to 'busybox'
  kubectl set image deployment/nginx busybox=busybox nginx=nginx:1.9.1
  
  # Update all deployments' and rc's nginx container's image to 'nginx:1.9.1'
  kubectl set image deployments,rc nginx=nginx:1.9.1 --all
  
  # Update image of all containers of daemonset abc to 'nginx:1.9.1'
  kubectl set image daemonset abc *=nginx:1.9.1
  
  # Print result (in yaml format) of updating nginx container image from local file, without hitting the server
  kubectl set image -f path/to/file.yaml nginx=nginx:1.9.1 --local -o yaml`;

const SET_SUBJECT_EXAMPLE = `  # Update a cluster role binding for serviceaccount1
  kubectl set subject clusterrolebinding admin --serviceaccount=namespace:serviceaccount1
  
  # Update a role binding for user1, user2, and group1
  kubectl set subject rolebinding admin --user=user1 --user=user2 --group=group1
  
  # Print the result (in YAML format) of updating rolebinding subjects from a local, without hitting the server
  kubectl create rolebinding admin --role=admin --user=admin -o yaml --dry-run=client | kubectl set subject --local -f - --user=foo -o yaml`;

export function register(program: Command, p: Program): void {
  const set = program
    .command('set')
    .description('Set specific features on objects')
    .argument('[command]')
    .action(
      // cmdutil.DefaultSubCommandRun: no sub-command prints the help to stderr and fails.
      p.action(async (ctx, name: string | undefined, _flags: unknown, cmd: Command) => {
        if (name) throw new PrintedError(unknownSubCommand(p.name, 'set', name));
        ctx.err(groupHelp(cmd, p.name, SET_LONG));
        return 1;
      }),
    );

  const image = targetOptions(set.command('image').description('Update the image of a pod template').argument('[args...]'), 'image');
  setHelp(image, p.name, SET_IMAGE_LONG, 'image (-f FILENAME | TYPE NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... CONTAINER_NAME_N=CONTAINER_IMAGE_N', SET_IMAGE_EXAMPLE)
    .action(p.action(async (ctx, args: string[], flags: SetFlags) => {
      const { resources, pairs } = splitResourcesAndPairs(args, 'image');
      if (!resources.length && !hasFileInput(flags)) throw new CliError(NO_RESOURCES_MESSAGE);
      if (flags.local && resources.length) throw new CliError(LOCAL_FILES_ONLY);
      const images = pairs.map((s) => {
        const i = s.indexOf('=');
        return [s.slice(0, i), s.slice(i + 1)] as const;
      });
      const options = new SetOptions(ctx, resources, flags, 'set image', 'image updated', (obj, _ctx, errs) => {
        const ps = podSpecOf(obj);
        if (!ps) throw noPodTemplate(obj);
        for (const [name, image] of images) {
          const cs = containersMatching(ps, name);
          if (cs.length === 0) errs.push(`error: unable to find container named ${JSON.stringify(name)}`);
          for (const c of cs) c.image = image;
        }
      }).complete();
      // SetImageOptions.Validate: one aggregate, after the Builder.
      return options
        .afterBuild(() => {
          const errs: string[] = [];
          if (flags.all && flags.selector) errs.push(ALL_AND_SELECTOR);
          if (pairs.length === 0) errs.push('at least one image update is required');
          else if (pairs.length > 1 && images.some(([n]) => n === '*')) errs.push('all containers are already specified by *, but saw more than one container_name=container_image pairs');
          if (flags.local && options.dryRunMode === 'server') errs.push(LOCAL_AND_SERVER_DRY_RUN);
          if (errs.length) throw new PrintedError(checkErrText(errs));
        })
        .run();
    }));

  const env = targetOptions(set.command('env').description('Update environment variables on a pod template').argument('[args...]'), 'env', {
    filename: 'Filename, directory, or URL to files the resource to update the env',
    all: 'If true, select all resources in the namespace of the specified resource types',
  })
    .option('-c, --containers <name>', 'The names of containers in the selected pod templates to change - may use wildcards', '*')
    .option('--list', 'If true, display the environment and any changes in the standard format. this flag will removed when we have kubectl view env.')
    .option('--resolve', 'If true, show secret or configmap references when listing variables')
    .option('--from <resource>', 'The name of a resource from which to inject environment variables')
    .option('--keys <keys>', 'Comma-separated list of keys to import from specified resource', collectList, [])
    .option('--prefix <prefix>', 'Prefix to append to variable names')
    .option('-e, --env <env>', 'Specify a key-value pair for an environment variable to set into each container.', collect, [])
    .option('--overwrite', 'If true, allow environment to be overwritten, otherwise reject updates that overwrite existing environment.', true);
  setHelp(env, p.name, SET_ENV_LONG, 'env RESOURCE/NAME KEY_1=VAL_1 ... KEY_N=VAL_N', SET_ENV_EXAMPLE).action(
    p.action(async (ctx, args: string[], flags: SetFlags & EnvFlags) => {
      const { resources, envArgs } = validateEnvFlags(args, flags);
      // RunEnv builds from the files alone under --local: resource arguments are ignored there.
      const options = new SetOptions(ctx, flags.local ? [] : resources, flags, 'set env', 'env updated', () => {}).complete();
      checkEnvOptions(resources, flags, !!flags.local && options.dryRunMode === 'server');
      return options
        .setup(async (source) => {
          const { change, setsNothing } = await envMutator(ctx, envArgs, flags, source);
          // RunEnv checks this only after a patch went through: the object is changed, not printed.
          if (setsNothing) options.afterWrite(() => {
            throw new CliError('at least one environment variable must be provided');
          });
          return async (obj) => {
            const ps = podSpecOf(obj);
            if (!ps) throw noPodTemplate(obj);
            try {
              await change(obj, ps);
            } catch (e) {
              // CalculatePatches' error, after the object's name as kubectl prints it.
              if (e instanceof CliError) throw new CliError(`${objectRef(obj)}\n ${e.message}`);
              throw e;
            }
          };
        }, !!flags.list)
        .run();
    }),
  );

  const resourcesCmd = targetOptions(set.command('resources').description('Update resource requests/limits on objects with pod templates').argument('[resources...]'), 'resources')
    .option('-c, --containers <name>', 'The names of containers in the selected pod templates to change, all containers are selected by default - may use wildcards', '*')
    .option('--limits <list>', `The resource requirement requests for this container.  For example, 'cpu=100m,memory=256Mi'.  ${LIMIT_RANGES_NOTE}`)
    .option('--requests <list>', `The resource requirement requests for this container.  For example, 'cpu=100m,memory=256Mi'.  ${LIMIT_RANGES_NOTE}`);
  setHelp(resourcesCmd, p.name, SET_RESOURCES_LONG, 'resources (-f FILENAME | TYPE NAME)  ([--limits=LIMITS & --requests=REQUESTS]', SET_RESOURCES_EXAMPLE).action(
    p.action(async (ctx, resources: string[], flags: SetFlags & { containers?: string }) => {
      if (!resources.length && !hasFileInput(flags)) throw new CliError(NO_RESOURCES_MESSAGE);
      if (flags.local && resources.length) throw new CliError(LOCAL_FILES_ONLY);
      const options = new SetOptions(ctx, resources, flags, 'set resources', 'resource requirements updated', () => {}).complete();
      let limits: Record<string, string> = {};
      let requests: Record<string, string> = {};
      const spec = flags.containers ?? '*';
      return options
        .afterBuild(() => {
          options.validate();
          if (!flags.limits && !flags.requests) throw new CliError('you must specify an update to requests or limits (in the form of --requests/--limits)');
          limits = parseResourceList(flags.limits);
          requests = parseResourceList(flags.requests);
        })
        .setup(async () => (obj, _ctx, errs) => {
          const ps = podSpecOf(obj);
          if (!ps) throw noPodTemplate(obj);
          const cs = [...(ps.containers ?? []), ...(ps.initContainers ?? [])].filter((c: any) => selectString(c.name, spec));
          if (cs.length === 0) errs.push(`error: unable to find container named ${spec}`);
          for (const c of cs) {
            c.resources ??= {};
            if (flags.limits) c.resources.limits = { ...(c.resources.limits ?? {}), ...limits };
            if (flags.requests) c.resources.requests = { ...(c.resources.requests ?? {}), ...requests };
          }
        })
        .run();
    }),
  );

  const selector = targetOptions(set.command('selector').description('Set the selector on a resource').argument('[args...]'), 'selector', {
    filename: 'identifying the resource.',
    selector: false,
    kustomize: false,
    all: 'Select all resources in the namespace of the specified resource types',
    local: 'If true, annotation will NOT contact api-server but run locally.',
  })
    .option('--resource-version <version>', 'If non-empty, the selectors update will only succeed if this is the current resource-version for the object. Only valid when specifying a single resource.');
  // kubectl's set selector reads directories recursively unless told otherwise (-R=false).
  selector.options.find((o) => o.long === '--recursive')!.default(true);
  selector.setOptionValueWithSource('recursive', true, 'default');
  setHelp(selector, p.name, SET_SELECTOR_LONG, 'selector (-f FILENAME | TYPE NAME) EXPRESSIONS [--resource-version=version]', SET_SELECTOR_EXAMPLE)
    .action(p.action(async (ctx, args: string[], flags: SetFlags) => {
      // getResourcesAndSelector: the last argument is the selector, the ones before it the resources.
      const resources = args.slice(0, -1);
      const { toLabelSelector } = await import('../generators/pdb');
      const parsed = args.length ? (toLabelSelector(args[args.length - 1]) as { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] }) : undefined;
      if (!parsed) throw new CliError('one selector is required');
      if (flags.local && resources.length) throw new CliError(LOCAL_FILES_ONLY);
      const sel = parsed.matchLabels ?? {};
      const expressions = parsed.matchExpressions ?? [];
      return runSet(ctx, resources, flags, 'set selector', 'selector updated', (obj) => {
        if (obj.kind !== 'Service') throw new CliError('setting a selector is only supported for Services');
        // Go's %v of the []LabelSelectorRequirement a Service cannot hold.
        if (expressions.length) throw new CliError(`match expression [${expressions.map((e) => `{${e.key} ${e.operator} [${(e.values ?? []).join(' ')}]}`).join(' ')}] not supported on this object`);
        obj.spec = { ...(obj.spec ?? {}), selector: sel };
        // An empty selector is Go's nil map: left out of the object.
        if (!Object.keys(sel).length) delete obj.spec.selector;
        if (flags.resourceVersion) obj.metadata.resourceVersion = flags.resourceVersion;
      });
    }));

  const sa = targetOptions(set.command('serviceaccount').alias('sa').description('Update the service account of a resource').argument('[args...]'), 'serviceaccount', { selector: false });
  setHelp(sa, p.name, SET_SA_LONG, 'serviceaccount (-f FILENAME | TYPE NAME) SERVICE_ACCOUNT', SET_SA_EXAMPLE)
    .action(p.action(async (ctx, args: string[], flags: SetFlags) => {
      const last = args[args.length - 1];
      if (!last) throw new CliError('serviceaccount is required');
      // kubectl's builder takes resource arguments only without --local: locally they are ignored.
      const resources = flags.local ? [] : args.slice(0, -1);
      if (flags.local && !hasFileInput(flags)) throw new CliError(NO_RESOURCES_MESSAGE);
      return runSet(ctx, resources, flags, 'set serviceaccount', 'serviceaccount updated', (obj) => {
        const ps = podSpecOf(obj);
        if (!ps) throw noPodTemplate(obj);
        ps.serviceAccountName = last;
        delete ps.serviceAccount;
      });
    }));

  const subject = targetOptions(set.command('subject').description('Update the user, group, or service account in a role binding or cluster role binding').argument('[resources...]'), 'subject', {
    filename: 'Filename, directory, or URL to files the resource to update the subjects',
  })
    .option('--user <name>', 'Usernames to bind to the role', collect, [])
    .option('--group <name>', 'Groups to bind to the role', collect, [])
    .option('--serviceaccount <namespace:name>', 'Service accounts to bind to the role', collect, []);
  setHelp(subject, p.name, 'Update the user, group, or service account in a role binding or cluster role binding.', 'subject (-f FILENAME | TYPE NAME) [--user=username] [--group=groupname] [--serviceaccount=namespace:serviceaccountname] [--dry-run=server|client|none]', SET_SUBJECT_EXAMPLE)
    .action(p.action(async (ctx, resources: string[], flags: SetFlags & { user?: string[]; group?: string[]; serviceaccount?: string[] }) => {
      const users = flags.user ?? [];
      const groups = flags.group ?? [];
      const sas = flags.serviceaccount ?? [];
      if (!resources.length && !hasFileInput(flags)) throw new CliError(NO_RESOURCES_MESSAGE);
      if (flags.local && resources.length) throw new CliError(LOCAL_FILES_ONLY);
      const RBAC = 'rbac.authorization.k8s.io';
      // sets.NewString(...).List(): each kind's names sorted, duplicates once.
      const sorted = (xs: string[]) => [...new Set(xs)].sort();
      const subjects: Record<string, string>[] = [
        ...sorted(users).map((name) => ({ kind: 'User', apiGroup: RBAC, name })),
        ...sorted(groups).map((name) => ({ kind: 'Group', apiGroup: RBAC, name })),
        ...sorted(sas).map((sa) => {
          const [namespace, name] = sa.split(':');
          return { kind: 'ServiceAccount', name, namespace: namespace || ctx.namespace };
        }),
      ];
      const options = new SetOptions(ctx, resources, flags, 'set subject', 'subjects updated', (obj) => {
        if (obj.kind !== 'RoleBinding' && obj.kind !== 'ClusterRoleBinding') throw new CliError(`${objectRef(obj)}\n setting subjects is only supported for RoleBinding/ClusterRoleBinding`);
        const existing: Record<string, string>[] = obj.subjects ?? [];
        const same = (a: Record<string, string>, b: Record<string, string>) => a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '') && (a.apiGroup ?? '') === (b.apiGroup ?? '');
        const added = subjects.filter((s) => !existing.some((e) => same(e, s)));
        if (added.length) obj.subjects = [...existing, ...added];
      }).complete();
      // SubjectOptions.Validate, after the Builder has read the bindings.
      return options
        .afterBuild((objs) => {
          options.validate();
          if (!users.length && !groups.length && !sas.length) throw new CliError('you must specify at least one value of user, group or serviceaccount');
          for (const sa of sas) {
            const tokens = sa.split(':');
            if (tokens.length !== 2 || tokens[1] === '') throw new CliError('serviceaccount must be <namespace>:<name>');
            if (tokens[0] === '' && objs.some((o) => o.kind === 'ClusterRoleBinding')) throw new CliError('serviceaccount must be <namespace>:<name>, namespace must be specified');
          }
        })
        .run();
    }));
  set.configureHelp({ formatHelp: (cmd) => groupHelp(cmd as Command, p.name, SET_LONG) });
}
