// `kubectl run NAME --image=image [--env="key=value"] [--port=port] [--dry-run=server|client] [--overrides=inline-json] [--command] -- [COMMAND] [args...]`
// (kubectl pkg/cmd/run/run.go and pkg/generate/versioned/run.go BasicPod).

import { RE2JS } from 're2js';
import { CliError } from '../api/errors';
import { Flags } from './flags';
import { envVarNameErrors } from './sources';
import type { Generator } from './types';
import { UsageError } from './types';
import { newObject, objectMeta } from './util';
import { goAtoi } from './validation';
import { checkRequired } from './flags';
import { applyJsonPatch } from '../api/apply/json-patch';
import { applyStrategicMergePatch } from '../api/apply/strategic-merge';
import { dropUnknownFields } from '../api/validation/typed-decode';
import { goTyped } from '../printers/go-order';
import { parseGoDuration } from '../cli/flags/duration';

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];

// distribution/reference's ReferenceRegexp, enough to reject what kubectl rejects.
const NAME_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
// RE2 (linear time, as Kubernetes' own regexp package): the backtracking engine took 27 s on
// a 28-character name.
// Compiled on first use: compiling it when the module loads cost every command's start-up.
let referenceRe: RE2JS | undefined;
export const referencePattern = () => (referenceRe ??= RE2JS.compile(`^((?:${DOMAIN}/)?${NAME_COMPONENT}(?:/${NAME_COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}))?$`));

export const runGenerator: Generator = {
  command: 'run',
  usage: 'run NAME --image=image [--env="key=value"] [--port=port] [--dry-run=server|client] [--overrides=inline-json] [--command] -- [COMMAND] [args...]',
  short: 'Run a particular image on the cluster',
  long: 'Create and run a particular image in a pod.',
  example: '  # Start a nginx pod\n  kubectl run nginx --image=nginx\n  \n  # Start a hazelcast pod and let the container expose port 5701\n  kubectl run hazelcast --image=hazelcast/hazelcast --port=5701\n  \n  # Start a hazelcast pod and set environment variables "DNS_DOMAIN=cluster" and "POD_NAMESPACE=default" in the container\n  kubectl run hazelcast --image=hazelcast/hazelcast --env="DNS_DOMAIN=cluster" --env="POD_NAMESPACE=default"\n  \n  # Start a hazelcast pod and set labels "app=hazelcast" and "env=prod" in the container\n  kubectl run hazelcast --image=hazelcast/hazelcast --labels="app=hazelcast,env=prod"\n  \n  # Dry run; print the corresponding API objects without creating them\n  kubectl run nginx --image=nginx --dry-run=client\n  \n  # Start a nginx pod, but overload the spec with a partial set of values parsed from JSON\n  kubectl run nginx --image=nginx --overrides=\'{ "apiVersion": "v1", "spec": { ... } }\'\n  \n  # Start a busybox pod and keep it in the foreground, don\'t restart it if it exits\n  kubectl run -i -t busybox --image=busybox --restart=Never\n  \n  # Start the nginx pod using the default command, but use custom arguments (arg1 .. argN) for that command\n  kubectl run nginx --image=nginx -- <arg1> <arg2> ... <argN>\n  \n  # Start the nginx pod using a different command and custom arguments\n  kubectl run nginx --image=nginx --command -- <cmd> <arg1> ... <argN>',
  flags: [
    { name: 'image', type: 'string', required: true, help: 'The image for the container to run.' },
    { name: 'image-pull-policy', type: 'string', help: 'The image pull policy for the container.  If left empty, this value will not be specified by the client and defaulted by the server.' },
    { name: 'labels', shorthand: 'l', type: 'string', help: 'Comma separated labels to apply to the pod. Will override previous values.' },
    { name: 'annotations', type: 'stringArray', help: 'Annotations to apply to the pod.' },
    { name: 'env', type: 'stringArray', help: 'Environment variables to set in the container.' },
    { name: 'port', type: 'string', help: 'The port that this container exposes.' },
    { name: 'restart', type: 'string', default: 'Always', help: "The restart policy for this Pod.  Legal values [Always, OnFailure, Never]." },
    { name: 'command', type: 'bool', default: false, help: 'If true and extra arguments are present, use them as the \'command\' field in the container, rather than the \'args\' field which is the default.' },
    { name: 'privileged', type: 'bool', default: false, help: 'If true, run the container in privileged mode.' },
    { name: 'stdin', shorthand: 'i', type: 'bool', default: false, help: 'Keep stdin open on the container in the pod, even if nothing is attached.' },
    { name: 'tty', shorthand: 't', type: 'bool', default: false, help: 'Allocate a TTY for the container in the pod.' },
    { name: 'leave-stdin-open', type: 'bool', default: false, help: 'If the pod is started in interactive mode or with stdin, leave stdin open after the first attach completes. By default, stdin will be closed after the first attach completes.' },
    { name: 'attach', type: 'bool', default: false, help: 'If true, wait for the Pod to start running, and then attach to the Pod as if \'kubectl attach ...\' were called.  Default false, unless \'-i/--stdin\' is set, in which case the default is true. With \'--restart=Never\' the exit code of the container process is returned.' },
    { name: 'rm', type: 'bool', default: false, help: 'If true, delete the pod after it exits.  Only valid when attaching to the container, e.g. with \'--attach\' or with \'-i/--stdin\'.' },
    { name: 'overrides', type: 'string', help: 'An inline JSON override for the generated object. If this is non-empty, it is used to override the generated object. Requires that the object supply a valid apiVersion field.' },
    { name: 'override-type', type: 'string', default: 'merge', help: 'The method used to override the generated object: json, merge, or strategic.' },
    { name: 'expose', type: 'bool', default: false, help: 'If true, create a ClusterIP service associated with the pod.  Requires `--port`.' },
    { name: 'quiet', shorthand: 'q', type: 'bool', default: false, help: 'If true, suppress prompt messages.' },
    { name: 'pod-running-timeout', type: 'string', shown: '1m0s', help: 'The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running' },
    // DeleteFlags, for the deletion of --rm (kubectl resets the grace period and the wait itself).
    { name: 'cascade', type: 'string', default: 'background', help: 'Must be "background", "orphan", or "foreground". Selects the deletion cascading strategy for the dependents (e.g. Pods created by a ReplicationController). Defaults to background.' },
    { name: 'filename', shorthand: 'f', type: 'stringSlice', default: [], help: 'to use to replace the resource.' },
    { name: 'force', type: 'bool', default: false, help: 'If true, immediately remove resources from API and bypass graceful deletion. Note that immediate deletion of some resources may result in inconsistency or data loss and requires confirmation.' },
    { name: 'grace-period', type: 'int', default: -1, help: 'Period of time in seconds given to the resource to terminate gracefully. Ignored if negative. Set to 1 for immediate shutdown. Can only be set to 0 when --force is true (force deletion).' },
    { name: 'kustomize', shorthand: 'k', type: 'string', help: "Process a kustomization directory. This flag can't be used together with -f or -R." },
    { name: 'recursive', shorthand: 'R', type: 'bool', default: false, help: 'Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory.' },
    { name: 'timeout', type: 'string', shown: '0s', help: 'The length of time to wait before giving up on a delete, zero means determine a timeout from the size of the object' },
    { name: 'wait', type: 'bool', default: false, help: 'If true, wait for resources to be gone before returning. This waits for finalizers.' },
  ],
  build(args, raw, ctx, argsLenAtDash) {
    const f = new Flags(this.flags, raw);
    checkRequired(this.flags, raw);
    // DeleteFlags.ToOptions, in Complete: before any of Run's checks.
    const cascade = f.str('cascade') || 'background';
    if (!['background', 'foreground', 'orphan'].includes(cascade)) throw new CliError(`invalid cascade value (${cascade}). Must be "background", "foreground", or "orphan"`);
    if (args.length === 0 || argsLenAtDash === 0) throw new UsageError('NAME is required for run', 'run');
    if (runningTimeoutMs(raw) <= 0) throw new UsageError('--pod-running-timeout must be higher than zero', 'run');
    const name = args[0];
    const image = f.str('image');
    if (!image) throw new CliError('--image is required');
    if (!referencePattern().matcher(image).matches()) throw new CliError(`Invalid image name "${image}": invalid reference format`);
    // RunOptions.Run's checks, in its order: attach defaults to -i.
    const s = runSettings(raw);
    if (f.bool('tty') && !s.stdin) throw new UsageError('-i/--stdin is required for containers with -t/--tty=true', 'run');
    if (s.expose && !f.str('port')) throw new UsageError('--port must be set when exposing a service', 'run');
    if (!RESTART_POLICIES.includes(s.restart)) throw new UsageError(`invalid restart policy: ${s.restart}`, 'run');
    // BasicPod's restartPolicy: an empty --restart gives Always (RunOptions waits as for OnFailure with -i).
    const restart = f.str('restart') || 'Always';
    if (!s.attach && s.rm) throw new UsageError('--rm should only be used for attached containers', 'run');
    if (s.attach && isDryRun(raw['dry-run'])) throw new UsageError("--dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)", 'run');
    const pull = f.str('image-pull-policy');
    if (pull && !PULL_POLICIES.includes(pull)) throw new UsageError(`invalid image pull policy: ${pull}`, 'run');

    const labels = f.str('labels') ? parseLabels(f.str('labels')) : { run: name };
    const annotations: Record<string, string> = {};
    for (const a of f.list('annotations')) {
      const i = a.indexOf('=');
      if (i <= 0) throw new CliError(`invalid annotation format: ${a}`);
      annotations[a.slice(0, i)] = a.slice(i + 1);
    }
    const env = f.list('env').map((e) => {
      const i = e.indexOf('=');
      if (i <= 0 || envVarNameErrors(e.slice(0, i)).length) throw new CliError(`invalid env: ${e}`);
      // EnvVar.value is omitempty: `--env=C=` prints the name alone.
      return e.length > i + 1 ? { name: e.slice(0, i), value: e.slice(i + 1) } : { name: e.slice(0, i) };
    });
    const container: Record<string, unknown> = { name, image };
    const rest = args.slice(1);
    if (rest.length) container[f.bool('command') ? 'command' : 'args'] = rest;
    const port = f.str('port');
    if (port) {
      const p = goAtoi(port);
      if (p === undefined) throw new CliError(`strconv.Atoi: parsing ${JSON.stringify(port)}: ${/^[+-]?[0-9]+$/.test(port) ? 'value out of range' : 'invalid syntax'}`);
      container.ports = [{ containerPort: p }];
    }
    if (env.length) container.env = env;
    container.resources = {};
    if (pull) container.imagePullPolicy = pull;
    if (f.bool('privileged')) container.securityContext = { privileged: true };
    const stdin = f.bool('stdin');
    if (stdin) container.stdin = true;
    if (stdin && !f.bool('leave-stdin-open')) container.stdinOnce = true;
    if (f.bool('tty')) container.tty = true;

    let object = newObject('Pod', 'v1', objectMeta(name, ctx.namespace, labels, annotations), {
      spec: { containers: [container], restartPolicy: restart, dnsPolicy: 'ClusterFirst' },
      status: {},
    });
    const overrides = f.str('overrides');
    if (overrides) object = applyOverrides(object, overrides, f.str('override-type'));
    return { object, warnings: [] };
  },
};

/** What `run` does around the pod it creates (RunOptions): attach, --rm, --expose, the waits. */
export interface RunSettings {
  stdin: boolean;
  tty: boolean;
  attach: boolean;
  rm: boolean;
  quiet: boolean;
  expose: boolean;
  leaveStdinOpen: boolean;
  /** The pod's restart policy: --restart, or OnFailure for -i when --restart= is empty. */
  restart: string;
}

/** --pod-running-timeout (a Go duration, checked when the flags are parsed), in ms. */
export function runningTimeoutMs(raw: Record<string, unknown>): number {
  return parseGoDuration(String(raw['pod-running-timeout'] ?? '1m0s'));
}

export function runSettings(raw: Record<string, unknown>): RunSettings {
  const f = new Flags(runGenerator.flags, raw);
  const stdin = f.bool('stdin');
  return {
    stdin,
    tty: f.bool('tty'),
    attach: f.changed('attach') ? f.bool('attach') : stdin,
    rm: f.bool('rm'),
    quiet: f.bool('quiet'),
    expose: f.bool('expose'),
    leaveStdinOpen: f.bool('leave-stdin-open'),
    restart: f.str('restart') || (stdin ? 'OnFailure' : 'Always'),
  };
}

/** generate.ParseLabels: `k=v,k2=v2`. */
export function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of s.split(',')) {
    const kv = spec.split('=');
    if (kv.length !== 2) throw new CliError(`unexpected label spec: ${spec}`);
    if (!kv[0]) throw new CliError('unexpected empty label key');
    out[kv[0]] = kv[1];
  }
  return out;
}

/** Whether --dry-run's raw value means client or server (the bare flag and old booleans included). */
function isDryRun(v: unknown): boolean {
  if (v === undefined || v === false) return false;
  const s = String(v);
  return !['none', 'false', '0', 'f', 'F', 'FALSE', 'False'].includes(s);
}

/**
 * --overrides as kubectl's OverrideOptions.Apply: merge (RFC 7386), strategic (lists merged
 * by their patch keys: a container by name keeps what the patch does not say) or json (RFC
 * 6902 operations); the result decoded into the typed object, as kubectl's codec does (unknown
 * fields dropped, the zeros Go writes added).
 */
export function applyOverrides(obj: Record<string, unknown>, json: string, type: string, kind = 'Pod') {
  return goTyped(dropUnknownFields(patched(obj, json, type, kind)));
}

function patched(obj: Record<string, unknown>, json: string, type: string, kind: string) {
  if (!['json', 'merge', 'strategic'].includes(type)) throw new CliError(`invalid override type: ${type}`);
  let patch: unknown;
  try {
    patch = JSON.parse(json);
  } catch (e) {
    throw new CliError(`error: ${(e as Error).message}`);
  }
  if (type === 'json') return applyJsonPatch(obj, patch) as ReturnType<typeof newObject>;
  if (type === 'strategic') {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new CliError('invalid JSON document for a strategic merge patch');
    return applyStrategicMergePatch(obj, patch, kind, 'v1') as ReturnType<typeof newObject>;
  }
  return mergePatch(obj, patch) as ReturnType<typeof newObject>;
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
