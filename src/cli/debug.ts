// `kubesim debug`: kubectl's DebugOptions (cmd/debug/debug.go). A pod gets an ephemeral
// container through the pods/ephemeralcontainers subresource; `node/NAME` gets a pod on that
// node in its host namespaces with its root filesystem at /host. Complete, Validate and their
// messages are kubectl's; --copy-to is validated but not simulated.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import type { ResourceType } from '../api/resources';
import type { KObject } from '../api/types';
import type { CliContext } from './context';
import type { Program } from './root';
import { collect } from './flags/collect';
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
  stdin?: boolean;
  target?: string;
  tty?: boolean;
  custom?: string;
}

const PROFILES = ['legacy', 'general', 'baseline', 'netadmin', 'restricted', 'sysadmin'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never', ''];

export class DebugOptions {
  targetNames: string[] = [];
  args: string[] = [];
  attach = false;
  attachChanged = false;
  env: Array<{ name: string; value: string }> = [];
  setImages = new Map<string, string>();
  profile = 'legacy';

  constructor(
    private readonly ctx: CliContext,
    private readonly flags: DebugFlags,
  ) {}

  /** Complete: arguments around `--`, --attach defaulting to -i, --env, --set-image, the profile. */
  complete(args: string[], argsLenAtDash: number): this {
    const f = this.flags;
    this.targetNames = args;
    if (argsLenAtDash >= 0 && args.length > argsLenAtDash) [this.targetNames, this.args] = [args.slice(0, argsLenAtDash), args.slice(argsLenAtDash)];
    this.attachChanged = f.attach !== undefined;
    this.attach = f.attach ?? Boolean(f.stdin);
    for (const kv of f.env ?? []) {
      const i = kv.indexOf('=');
      if (i < 0) throw new CliError(`invalid argument "${kv}" for "--env" flag: ${kv} must be formatted as key=value`);
      this.env.push({ name: kv.slice(0, i), value: kv.slice(i + 1) });
    }
    for (const kv of f.setImage ?? []) {
      for (const pair of kv.split(',')) {
        const i = pair.indexOf('=');
        if (i < 0) throw new CliError(`invalid argument "${kv}" for "--set-image" flag: ${pair} must be formatted as key=value`);
        this.setImages.set(pair.slice(0, i), pair.slice(i + 1));
      }
    }
    this.profile = f.profile ?? 'legacy';
    if (!PROFILES.includes(this.profile)) throw new CliError(`unknown profile: ${this.profile}`);
    return this;
  }

  /** Validate, in kubectl's order; the --target notice and the legacy warning are printed here as kubectl does. */
  async validate(): Promise<this> {
    const f = this.flags;
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
    if (this.profile === 'legacy') this.ctx.err('--profile=legacy is deprecated and will be removed in the future. It is recommended to explicitly specify a profile, for example "--profile=general".\n');
    return this;
  }

  async run(): Promise<number> {
    if (this.flags.copyTo) throw new CliError('--copy-to is not simulated by kubesim yet');
    const api = await this.ctx.api();
    const { parseResourceArgs } = await import('./resource-args');
    // ResourceNames("pods", names...): a bare name is a pod, TYPE/NAME names its type.
    const refs = this.targetNames.map((n) => (n.includes('/') ? n : `pods/${n}`));
    for (const sel of parseResourceArgs(refs, api.registry, { requireNames: true })) {
      for (const name of sel.names) {
        const obj = await api.get(sel.type, sel.type.namespaced ? this.ctx.namespace : undefined, name);
        if (sel.type.kind === 'Node') await this.visitNode(obj);
        else if (sel.type.kind === 'Pod') await this.visitPod(sel.type, obj);
        else throw new CliError(`"${gvk(sel.type)}" not supported by debug`);
      }
    }
    return 0;
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
    const container = this.container(cn);
    const spec: Record<string, unknown> = { containers: [container], nodeName: node.metadata.name, restartPolicy: 'Never', tolerations: [{ operator: 'Exists' }] };
    applyNodeProfile(this.profile, spec, container);
    const api = await this.ctx.api();
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: pn, namespace: this.ctx.namespace, labels: { 'app.kubernetes.io/managed-by': 'kubectl-debug' } }, spec } as KObject;
    const created = await api.create(pod, { fieldManager: 'kubectl-debug' });
    if (this.attach) await this.attachTo(created, cn);
  }

  /** debugByEphemeralContainer: the new container goes in through pods/ephemeralcontainers. */
  private async visitPod(type: ResourceType, pod: KObject): Promise<void> {
    const f = this.flags;
    const names = new Set([...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].map((c: { name: string }) => c.name));
    let name = f.container ?? '';
    if (!name) {
      while (!name || names.has(name)) name = `debugger-${await this.suffix()}`;
      if (!f.quiet) this.ctx.out(`Defaulting debug container name to ${name}.\n`);
    }
    const ec = this.container(name);
    if (f.target) ec.targetContainerName = f.target;
    const api = await this.ctx.api();
    const updated = await api.mutate(type, pod.metadata.namespace, pod.metadata.name!, (o) => {
      o.spec = { ...o.spec, ephemeralContainers: [...(o.spec?.ephemeralContainers ?? []), ec] };
    }, { subresource: 'ephemeralcontainers', fieldManager: 'kubectl-debug' });
    if (this.attach) await this.attachTo(updated, name);
  }

  /** handleAttachPod: waits for the container to run, then attaches (or prints its logs if it already ended). */
  private async attachTo(pod: KObject, container: string): Promise<void> {
    const api = await this.ctx.api();
    const type = api.registry.forKind('v1', 'Pod');
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

function gvk(t: ResourceType): string {
  return `${t.group ? `${t.group}/` : ''}${t.version}, Kind=${t.kind}`;
}

/** profiles.go for a node debugging pod (legacy and general share host namespaces and /host). */
function applyNodeProfile(profile: string, spec: Record<string, unknown>, container: Record<string, unknown>): void {
  const hostRoot = () => {
    spec.volumes = [{ name: 'host-root', hostPath: { path: '/' } }];
    container.volumeMounts = [{ mountPath: '/host', name: 'host-root' }];
  };
  const hostNamespaces = () => Object.assign(spec, { hostIPC: true, hostNetwork: true, hostPID: true });
  switch (profile) {
    case 'legacy':
    case 'general':
      hostNamespaces();
      hostRoot();
      break;
    case 'sysadmin':
      hostNamespaces();
      hostRoot();
      container.securityContext = { privileged: true };
      break;
    case 'netadmin':
      Object.assign(spec, { hostNetwork: true, hostPID: true, hostIPC: true });
      container.securityContext = { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } };
      break;
    case 'restricted':
      container.securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
      break;
    default:
      break;
  }
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
    // Read only with --copy-to, which kubesim does not simulate: accepted as kubectl accepts them.
    .option('--keep-annotations', "If true, keep the original pod annotations.(This flag only works when used with '--copy-to')")
    .option('--keep-init-containers', "Run the init containers for the pod. Defaults to true.(This flag only works when used with '--copy-to')", true)
    .option('--keep-labels', "If true, keep the original pod labels.(This flag only works when used with '--copy-to')")
    .option('--keep-liveness', "If true, keep the original pod liveness probes.(This flag only works when used with '--copy-to')")
    .option('--keep-readiness', "If true, keep the original pod readiness probes.(This flag only works when used with '--copy-to')")
    .option('--keep-startup', "If true, keep the original startup probes.(This flag only works when used with '--copy-to')");
  // cmdutil.AddJsonFilenameFlag: -f only (no -R, no -k).
  addResourceBuilderFlags(cmd, { filename: 'identifying the resource to debug' });
  kubectlHelp(cmd, p.name, { long: DEBUG_LONG, example: DEBUG_EXAMPLE, use: 'debug (POD | TYPE[[.VERSION].GROUP]/NAME) [ -- COMMAND [args...] ]' })
    .action(
      p.action(async (ctx, args: string[], given: Omit<DebugFlags, 'attach'> & { attach?: boolean | string }, command: Command) => {
        const flags: DebugFlags = { ...given, attach: given.attach === undefined ? undefined : given.attach !== false && given.attach !== 'false' };
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
