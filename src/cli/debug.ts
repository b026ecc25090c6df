// `kubesim debug`: kubectl's DebugOptions (cmd/debug/debug.go). A pod gets an ephemeral
// container through the pods/ephemeralcontainers subresource; `node/NAME` gets a pod on that
// node in its host namespaces with its root filesystem at /host. Complete, Validate and their
// messages are kubectl's. --copy-to creates a copy of the pod (generatePodCopyWithDebugContainer)
// with a debug container added or a container changed; the profile decides what the copy keeps.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import { PrintedError } from './format-error';
import { objectPath, resourcePath, type ResourceType } from '../api/resources';
import type { RequestCheck } from '../exec/pod-target';
import type { ApiSource } from './object-source';
import { applyStrategicMergePatch, createTwoWayMergePatch } from '../api/apply/strategic-merge';
import { isObject, type KObject } from '../api/types';
import type { CliContext } from './context';
import type { Program } from './root';
import { readCustomProfile } from './debug-custom';
import { applyProfile, PROFILES, type DebugStyle, type KeepFlags } from './debug-profiles';
import { collect } from './flags/collect';
import { declareFlagTypes, stringToString } from './flags/pflag';
import { addResourceBuilderFlags } from './flags/resource-builder-flags';
import { kubectlHelp } from './kubectl-help';
import { DEBUG_EXAMPLE, DEBUG_LONG } from './verb-help';

export interface DebugFlags {
  argumentsOnly?: boolean;
  attach?: boolean;
  container?: string;
  copyTo?: string;
  env?: string[];
  filename?: string[];
  image?: string;
  imagePullPolicy?: string;
  profile?: string;
  quiet?: boolean;
  replace?: boolean;
  sameNode?: boolean;
  setImage?: string[];
  shareProcesses?: boolean;
  /** --share-processes was given: only then does a copy's shareProcessNamespace change. */
  shareProcessesChanged?: boolean;
  keepAnnotations?: boolean;
  keepInitContainers?: boolean;
  keepLabels?: boolean;
  keepLiveness?: boolean;
  keepReadiness?: boolean;
  keepStartup?: boolean;
  stdin?: boolean;
  target?: string;
  tty?: boolean;
  custom?: string;
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never', ''];

export class DebugOptions {
  targetNames: string[] = [];
  args: string[] = [];
  attach = false;
  attachChanged = false;
  env: Array<{ name: string; value: string }> = [];
  setImages = new Map<string, string>();
  profile = 'legacy';
  /** --custom's partial container, merged into the debug container after the profile. */
  customProfile?: Record<string, any>;

  constructor(
    private readonly ctx: CliContext,
    private readonly flags: DebugFlags,
  ) {}

  /** Complete: arguments around `--`, --attach defaulting to -i, --env and --set-image (kubectl's maps, here in the order given), the profile. */
  complete(args: string[], argsLenAtDash: number): this {
    const f = this.flags;
    this.targetNames = args;
    if (argsLenAtDash >= 0 && args.length > argsLenAtDash) [this.targetNames, this.args] = [args.slice(0, argsLenAtDash), args.slice(argsLenAtDash)];
    this.attachChanged = f.attach !== undefined;
    this.attach = f.attach ?? Boolean(f.stdin);
    this.env = [...stringToString(f.env ?? [])].map(([name, value]) => ({ name, value }));
    this.setImages = stringToString(f.setImage ?? []);
    this.profile = f.profile ?? 'legacy';
    if (!PROFILES.includes(this.profile)) throw new CliError(`unknown profile: ${this.profile}`);
    return this;
  }

  /** Validate, in kubectl's order; the --target notice and the legacy warning are printed here as kubectl does. */
  async validate(): Promise<this> {
    const f = this.flags;
    // The last step of kubectl's complete (async here: the Container's schema is loaded).
    if (f.custom) this.customProfile = await readCustomProfile(f.custom);
    const image = f.image ?? '';
    if (this.attach && this.attachChanged && !image && !f.container) throw new CliError('you must specify --container or create a new container using --image in order to attach.');
    if (f.copyTo) {
      if (!image && this.setImages.size === 0 && this.args.length === 0) throw new CliError('you must specify --image, --set-image or command arguments.');
      if (this.args.length && !f.container && !image) throw new CliError('you must specify an existing container or a new image when specifying args.');
    } else if (f.replace) throw new CliError('--replace may only be used with --copy-to.');
    else if (f.sameNode) throw new CliError('--same-node may only be used with --copy-to.');
    else if (this.setImages.size) throw new CliError('--set-image may only be used with --copy-to.');
    else if (!image) throw new CliError('you must specify --image when not using --copy-to.');
    const REFERENCE_RE = (await import('../generators/run')).referencePattern();
    if (image && !REFERENCE_RE.matcher(image).matches()) throw new CliError(`invalid image name "${image}": invalid reference format`);
    if (this.targetNames.length === 0 && !(f.filename ?? []).length) throw new CliError('NAME or filename is required for debug');
    if (!PULL_POLICIES.includes(f.imagePullPolicy ?? '')) throw new CliError(`invalid image pull policy: ${f.imagePullPolicy}`);
    for (const [name, img] of this.setImages) {
      if (!REFERENCE_RE.matcher(img).matches()) throw new CliError(`invalid image name "${img}" for container "${name}": invalid reference format`);
    }
    if (f.target) {
      if (f.copyTo) throw new CliError('--target is incompatible with --copy-to. Use --share-processes instead.');
      if (!f.quiet) this.ctx.out(`Targeting container "${f.target}". If you don't see processes from this container it may be because the container runtime doesn't support this feature.\n`);
    }
    if (f.tty && !f.stdin) throw new CliError('-i/--stdin is required for containers with -t/--tty=true');
    const cp = this.customProfile;
    if (cp && (cp.name || cp.command?.length || cp.image || cp.lifecycle || cp.volumeDevices?.length)) throw new CliError('name, command, image, lifecycle and volume devices are not modifiable via custom profile');
    if (this.profile === 'legacy') this.ctx.err('--profile=legacy is deprecated and will be removed in the future. It is recommended to explicitly specify a profile, for example "--profile=general".\n');
    return this;
  }

  /** Each read kubectl sends, refused as the API server refuses it for the acting user (--as). */
  private check: RequestCheck = async () => {};
  /** Where the writes go: as the acting user (--as), each authorized and admitted as that user's. */
  private source!: ApiSource;

  async run(): Promise<number> {
    const api = await this.ctx.api();
    this.check = await (await import('./impersonation')).requestCheck(this.ctx.flags, api);
    this.source = await (await import('./object-source')).localSource(this.ctx, api);
    const files = this.flags.filename ?? [];
    if (files.length) {
      // The Builder without Latest(): the objects as the files give them, namespaced by -n or the context.
      if (this.targetNames.length) throw new CliError('resource/name arguments cannot be provided when a path is specified');
      const { loadInput, prepareDocs, setNamespace } = await import('./manifest-input');
      const { load } = await loadInput(this.ctx, { filename: files }, 'debug');
      const { items, errors } = await prepareDocs(this.ctx, api, load, 'debug', { filename: files, validate: 'ignore' });
      if (errors.length) throw new PrintedError(errors.join(''));
      for (const item of items) {
        setNamespace(this.ctx, item);
        await this.visit(item.type, item.object);
      }
      return 0;
    }
    const { parseResourceArgs } = await import('./resource-args');
    // ResourceNames("pods", names...): a bare name is a pod, TYPE/NAME names its type.
    const refs = this.targetNames.map((n) => (n.includes('/') ? n : `pods/${n}`));
    for (const sel of parseResourceArgs(refs, api.registry, { requireNames: true })) {
      for (const name of sel.names) {
        const ns = sel.type.namespaced ? this.ctx.namespace : undefined;
        await this.check('GET', objectPath(sel.type, ns, name));
        await this.visit(sel.type, await api.get(sel.type, ns, name));
      }
    }
    return 0;
  }

  private async visit(type: ResourceType, obj: KObject): Promise<void> {
    if (type.kind === 'Node') await this.visitNode(obj);
    else if (type.kind === 'Pod') await this.visitPod(type, obj);
    else throw new CliError(`"${gvk(type)}" not supported by debug`);
  }

  private keep(): KeepFlags {
    const f = this.flags;
    return {
      labels: Boolean(f.keepLabels),
      annotations: Boolean(f.keepAnnotations),
      liveness: Boolean(f.keepLiveness),
      readiness: Boolean(f.keepReadiness),
      startup: Boolean(f.keepStartup),
      initContainers: f.keepInitContainers !== false,
    };
  }

  /** The profile, then --custom merged (strategically, as a Container) into the debug container. */
  private applyProfile(style: DebugStyle, pod: Record<string, any>, container: string): void {
    applyProfile(this.profile, style, pod, container, this.keep());
    if (!this.customProfile) return;
    const list: Array<Record<string, any>> = (style === 'ephemeral' ? pod.spec.ephemeralContainers : pod.spec.containers) ?? [];
    const i = list.findIndex((c) => c.name === container);
    if (i < 0) throw new CliError(`unable to find the ${container} ${style === 'ephemeral' ? 'ephemeral ' : ''}container in the pod ${pod.metadata.name}`);
    // A Container's strategic merge keys are a pod's containers' (env by name, ports by containerPort...).
    const asPod = (c: Record<string, any>) => ({ spec: { containers: [c] } });
    list[i] = applyStrategicMergePatch(asPod(list[i]), asPod({ ...this.customProfile, name: container }), 'Pod', 'v1').spec.containers[0];
  }

  private container(name: string): Record<string, unknown> {
    const f = this.flags;
    const c: Record<string, unknown> = { name, image: f.image };
    if (this.args.length) c[f.argumentsOnly ? 'args' : 'command'] = this.args;
    if (this.env.length) c.env = this.env;
    if (f.imagePullPolicy) c.imagePullPolicy = f.imagePullPolicy;
    if (f.stdin) c.stdin = true;
    c.terminationMessagePolicy = 'File';
    if (f.tty) c.tty = true;
    return c;
  }

  private async suffix(): Promise<string> {
    const { defaultRng, randomSuffix } = await import('../sim/rng');
    return randomSuffix(defaultRng(Date.now()));
  }

  /** generateNodeDebugPod: a pod on the node, in its host namespaces, its root at /host. */
  private async visitNode(node: KObject): Promise<void> {
    const cn = this.flags.container || 'debugger';
    const pn = `node-debugger-${node.metadata.name}-${await this.suffix()}`;
    if (!this.flags.quiet) this.ctx.out(`Creating debugging pod ${pn} with container ${cn} on node ${node.metadata.name}.\n`);
    const spec = { containers: [this.container(cn)], nodeName: node.metadata.name, restartPolicy: 'Never', tolerations: [{ operator: 'Exists' }] };
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: pn, namespace: this.ctx.namespace }, spec } as KObject;
    this.applyProfile('node', pod, cn);
    // kubectl 1.32 names no field manager: the server takes "kubectl" from its user agent.
    const created = await this.source.create(this.source.registry.forKind('v1', 'Pod'), pod, { fieldManager: 'kubectl', noFieldValidation: true });
    if (this.attach) await this.attachTo(created, cn);
  }

  /** computeDebugContainerName: -c, else a free debugger-XXXXX (said unless -q). */
  private async debugContainerName(pod: Record<string, any>): Promise<string> {
    const f = this.flags;
    if (f.container) return f.container;
    const s = pod.spec ?? {};
    const names = new Set([...(s.containers ?? []), ...(s.initContainers ?? []), ...(s.ephemeralContainers ?? [])].map((c: { name: string }) => c.name));
    let name = '';
    while (!name || names.has(name)) name = `debugger-${await this.suffix()}`;
    if (!f.quiet) this.ctx.out(`Defaulting debug container name to ${name}.\n`);
    return name;
  }

  private async visitPod(type: ResourceType, pod: KObject): Promise<void> {
    if (this.flags.copyTo) return this.debugByCopy(type, pod);
    // debugByEphemeralContainer: the new container, shaped by the profile, goes in through pods/ephemeralcontainers.
    const name = await this.debugContainerName(pod);
    const ec = this.container(name);
    if (this.flags.target) ec.targetContainerName = this.flags.target;
    const shaped = structuredClone(pod);
    shaped.spec.ephemeralContainers = [...(shaped.spec.ephemeralContainers ?? []), ec];
    this.applyProfile('ephemeral', shaped, name);
    // kubectl sends the two-way strategic merge patch from the pod it read to the shaped one
    // (even one that changes nothing): merged by name, a container named as an existing one
    // merges into it (a no-op, not a duplicate), and a patch that changes nothing writes nothing.
    const patch = createTwoWayMergePatch(pod, shaped, 'Pod', 'v1');
    const opts = { subresource: 'ephemeralcontainers', fieldManager: 'kubectl', noFieldValidation: true };
    const updated = await this.source.patch(type, pod.metadata.namespace, pod.metadata.name!, 'strategic', JSON.stringify(patch), opts);
    if (this.attach) await this.attachTo(updated, name);
  }

  /** debugByCopy: the copy is created in the pod's namespace; --replace then deletes the original at once. */
  private async debugByCopy(type: ResourceType, pod: KObject): Promise<void> {
    const { copy, container } = await this.podCopy(pod);
    const created = await this.source.create(type, copy, { fieldManager: 'kubectl', noFieldValidation: true });
    if (this.flags.replace) await this.source.delete(type, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0 });
    if (this.attach && container) await this.attachTo(created, container);
  }

  /**
   * generatePodCopyWithDebugContainer: the pod's name-less metadata (labels, annotations) and
   * spec without ephemeral containers or (unless --same-node) node; images changed by
   * --set-image; then -c's container changed, or a debug container added, and the profile
   * applied. A --set-image-only copy is returned before the profile, so it keeps everything.
   */
  private async podCopy(pod: KObject): Promise<{ copy: KObject; container: string }> {
    const f = this.flags;
    const meta = pod.metadata;
    const spec = structuredClone(pod.spec ?? {});
    delete spec.ephemeralContainers;
    if (f.shareProcessesChanged) spec.shareProcessNamespace = f.shareProcesses !== false;
    if (!f.sameNode) delete spec.nodeName;
    const copy = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: f.copyTo, namespace: meta.namespace, ...(meta.annotations ? { annotations: structuredClone(meta.annotations) } : {}), ...(meta.labels ? { labels: structuredClone(meta.labels) } : {}) },
      spec,
    } as KObject;
    for (const c of spec.containers ?? []) {
      const image = this.setImages.get(c.name) ?? this.setImages.get('*');
      if (image) c.image = image;
    }
    let name = f.container ?? '';
    // containerNameToRef: containers, then init containers (ephemeral ones are gone from the copy).
    let c: Record<string, any> | undefined = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].find((x: { name: string }) => x.name === name);
    if (!c) {
      if (!f.image) {
        if (this.setImages.size) return { copy, container: '' };
        throw new CliError('you must specify image when creating new container');
      }
      if (!name) name = await this.debugContainerName(copy);
      c = { name, terminationMessagePolicy: 'File' };
      (spec.containers ??= []).push(c);
    }
    if (this.args.length) {
      if (f.argumentsOnly) c.args = this.args;
      else {
        c.command = this.args;
        delete c.args;
      }
    }
    if (this.env.length) c.env = this.env;
    if (f.image) c.image = f.image;
    if (f.imagePullPolicy) c.imagePullPolicy = f.imagePullPolicy;
    // Go's false is left out of the JSON kubectl sends.
    if (f.stdin) c.stdin = true;
    else delete c.stdin;
    if (f.tty) c.tty = true;
    else delete c.tty;
    this.applyProfile('podCopy', copy, c.name);
    return { copy, container: name };
  }

  /** handleAttachPod: waits for the container to run, then attaches (or prints its logs if it already ended). */
  private async attachTo(pod: KObject, container: string): Promise<void> {
    const api = await this.ctx.api();
    const type = api.registry.forKind('v1', 'Pod');
    // waitForContainer: a list, then a watch, of the pod by name.
    const fieldSelector = `metadata.name=${pod.metadata.name}`;
    await this.check('GET', resourcePath(type, pod.metadata.namespace), { fieldSelector });
    await this.check('GET', resourcePath(type, pod.metadata.namespace), { fieldSelector, watch: 'true' });
    const state = async () => {
      const p = await api.get(type, pod.metadata.namespace, pod.metadata.name!);
      const statuses = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? []), ...(p.status?.ephemeralContainerStatuses ?? [])];
      return statuses.find((x: { name: string }) => x.name === container)?.state;
    };
    const { driveCluster } = await import('./drive-cluster');
    const started = await driveCluster(this.ctx, api, async () => Boolean((await state())?.running || (await state())?.terminated), 300_000);
    if (!started) throw new CliError(`timed out waiting for container ${container} of pod ${pod.metadata.name} to start`);
    if ((await state())?.terminated) {
      const { runLogs } = await import('./logs');
      await runLogs(this.ctx, [pod.metadata.name!], { container });
      return;
    }
    const { AttachOptions } = await import('./attach');
    const o = new AttachOptions();
    o.complete([pod.metadata.name!], { container, stdin: this.flags.stdin, tty: this.flags.tty, quiet: this.flags.quiet });
    await o.run(this.ctx);
  }
}

/** schema.GroupVersionKind's String(): the slash even for the core group (`/v1, Kind=ConfigMap`). */
function gvk(t: ResourceType): string {
  return `${t.group}/${t.version}, Kind=${t.kind}`;
}

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('debug')
    .description('Create debugging sessions for troubleshooting workloads and nodes')
    .usage('(POD | TYPE[[.VERSION].GROUP]/NAME) [ -- COMMAND [args...] ]')
    .argument('[args...]')
    .option('--arguments-only', 'If specified, everything after -- will be passed to the new container as Args instead of Command.')
    .option('--attach [bool]', 'If true, wait for the container to start running, and then attach as if \'kubectl attach ...\' were called.  Default false, unless \'-i/--stdin\' is set, in which case the default is true.')
    .option('-c, --container <name>', 'Container name to use for debug container.')
    .option('--copy-to <name>', 'Create a copy of the target Pod with this name.')
    .option('--custom <file>', 'Path to a JSON or YAML file containing a partial container spec to customize built-in debug profiles.')
    .option('--env <key=value>', 'Environment variables to set in the container.', collect, [])
    .option('--image <image>', 'Container image to use for debug container.')
    .option('--image-pull-policy <policy>', "The image pull policy for the container. If left empty, this value will not be specified by the client and defaulted by the server.")
    .option('--profile <profile>', 'Options are "legacy", "general", "baseline", "netadmin", "restricted" or "sysadmin".', 'legacy')
    .option('-q, --quiet', 'If true, suppress informational messages.')
    .option('--replace', 'When used with \'--copy-to\', delete the original Pod.')
    .option('--same-node', 'When used with \'--copy-to\', schedule the copy of target Pod on the same node.')
    .option('--set-image <name=image>', 'When used with \'--copy-to\', a list of name=image pairs for changing container images, similar to how \'kubectl set image\' works.', collect, [])
    .option('--share-processes', 'When used with \'--copy-to\', enable process namespace sharing in the copy.', true)
    .option('-i, --stdin', 'Keep stdin open on the container(s) in the pod, even if nothing is attached.')
    .option('--target <container>', 'When using an ephemeral container, target processes in this container name.')
    .option('-t, --tty', 'Allocate a TTY for the debugging container.')
    .option('--keep-annotations', "If true, keep the original pod annotations.(This flag only works when used with '--copy-to')")
    .option('--keep-init-containers', "Run the init containers for the pod. Defaults to true.(This flag only works when used with '--copy-to')", true)
    .option('--keep-labels', "If true, keep the original pod labels.(This flag only works when used with '--copy-to')")
    .option('--keep-liveness', "If true, keep the original pod liveness probes.(This flag only works when used with '--copy-to')")
    .option('--keep-readiness', "If true, keep the original pod readiness probes.(This flag only works when used with '--copy-to')")
    .option('--keep-startup', "If true, keep the original startup probes.(This flag only works when used with '--copy-to')");
  // cmdutil.AddJsonFilenameFlag: -f only (no -R, no -k).
  addResourceBuilderFlags(cmd, { filename: 'identifying the resource to debug' });
  declareFlagTypes(cmd, { env: 'stringToString', 'set-image': 'stringToString' });
  kubectlHelp(cmd, p.name, { long: DEBUG_LONG, example: DEBUG_EXAMPLE, use: 'debug (POD | TYPE[[.VERSION].GROUP]/NAME) [ -- COMMAND [args...] ]' })
    .action(
      p.action(async (ctx, args: string[], given: Omit<DebugFlags, 'attach'> & { attach?: boolean | string }, command: Command) => {
        const flags: DebugFlags = {
          ...given,
          attach: given.attach === undefined ? undefined : given.attach !== false && given.attach !== 'false',
          shareProcessesChanged: command.getOptionValueSource('shareProcesses') === 'cli',
        };
        // commander mixes the arguments before and after `--`; the raw argv tells them apart (cobra's ArgsLenAtDash).
        const raw: string[] = (command.parent as unknown as { rawArgs?: string[] })?.rawArgs ?? [];
        const rest = raw.slice(raw.indexOf('debug') + 1);
        const dash = rest.indexOf('--');
        const o = new DebugOptions(ctx, flags).complete(args, dash >= 0 ? args.length - (rest.length - dash - 1) : -1);
        await o.validate();
        return o.run();
      }),
    );
}
