// `kubesim set env`: kubectl's EnvOptions (set_env.go) — Complete, Validate, RunEnv — with its
// argument split (resources first, then KEY=VALUE / KEY-), `-e -` from stdin, --from a
// ConfigMap or Secret (--keys, --prefix), --overwrite=false, and --list (--resolve reads the
// referenced ConfigMap/Secret keys, field paths and resource limits).

import { CliError } from '../api/errors';
import { extractContainerResourceValue, extractFieldPathAsString } from '../api/fieldpath';
import type { KObject } from '../api/types';
import type { CliContext } from './context';
import { hasFileInput } from './manifest-input';
import { NO_RESOURCES_MESSAGE } from './flags/resource-builder-flags';
import { infosErrors, resolveTargets, type TargetFlags } from './flags/targets';
import type { ObjectSource } from './object-source';

export interface EnvFlags extends TargetFlags {
  containers?: string;
  env?: string[];
  from?: string;
  prefix?: string;
  keys?: string[];
  list?: boolean;
  resolve?: boolean;
  overwrite?: boolean;
  output?: string;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: Record<string, any>;
}

/** envutil.SplitEnvironmentFromResources: resources first, then changes; undefined when mixed. */
export function splitEnvArgs(args: string[]): { resources: string[]; envArgs: string[] } | undefined {
  const resources: string[] = [];
  const envArgs: string[] = [];
  for (const s of args) {
    const isEnv = /^.+=/s.test(s) || s.endsWith('-');
    if (isEnv) envArgs.push(s);
    else if (envArgs.length) return undefined;
    else resources.push(s);
  }
  return { resources, envArgs };
}

/** validation.IsEnvVarName's message. */
function envNameError(name: string): string | undefined {
  if (/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) return undefined;
  return `a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')`;
}

/** envutil.ParseEnv: the changes, `-` read as env lines from stdin (comments cut at `#`). */
export function parseEnv(spec: string[], stdin: () => string): { env: EnvVar[]; remove: string[] } {
  const env: EnvVar[] = [];
  const remove: string[] = [];
  const set = new Set<string>();
  for (const s of spec) {
    if (s === '-') {
      for (let line of stdin().split('\n')) {
        const hash = line.indexOf('#');
        if (hash >= 0) line = line.slice(0, hash);
        const eq = line.indexOf('=');
        if (eq >= 0) env.push({ name: line.slice(0, eq), value: line.slice(eq + 1) });
      }
    } else if (s.includes('=')) {
      const name = s.slice(0, s.indexOf('='));
      const bad = envNameError(name);
      if (bad) throw new CliError(`${JSON.stringify(name)} is not a valid key name: ${bad}`);
      set.add(name);
      env.push({ name, value: s.slice(s.indexOf('=') + 1) });
    } else if (s.endsWith('-')) remove.push(s.slice(0, -1));
    else throw new CliError(`unknown environment variable: ${s}`);
  }
  if (remove.some((r) => set.has(r))) throw new CliError('can not both modify and remove the same environment variable in the same command');
  return { env, remove };
}

/** set's updateEnv: an added variable replaces every one of its name, a removal wins over both. */
function updateEnv(existing: EnvVar[], env: EnvVar[], remove: string[]): EnvVar[] {
  const out: EnvVar[] = [];
  const covered = new Set(remove);
  for (const e of existing) {
    if (covered.has(e.name)) continue;
    const newer = env.find((n) => n.name === e.name);
    if (newer) {
      covered.add(e.name);
      out.push(newer);
    } else out.push(e);
  }
  for (const e of env) {
    if (covered.has(e.name)) continue;
    covered.add(e.name);
    out.push(e);
  }
  return out;
}

/** set's selectString: `*` alone is everything; otherwise kubectl's non-greedy wildcard walk. */
export function selectString(s: string, spec: string): boolean {
  if (spec === '*') return true;
  if (!spec.includes('*')) return s === spec;
  let pos = 0;
  const parts = spec.split('*');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (!part.length) continue;
    // Go's strings.Index on s[pos:], compared with pos as kubectl compares it.
    const next = s.slice(pos).indexOf(part);
    if (next < pos || (i === 0 && pos !== 0) || (i === parts.length - 1 && s.length !== part.length + next)) return false;
    pos = next;
  }
  return true;
}

/** envutil.GetEnvVarRefString. */
function refString(from: Record<string, any>): string {
  if (from.configMapKeyRef) return `configmap ${from.configMapKeyRef.name ?? ''}, key ${from.configMapKeyRef.key ?? ''}`;
  if (from.secretKeyRef) return `secret ${from.secretKeyRef.name ?? ''}, key ${from.secretKeyRef.key ?? ''}`;
  if (from.fieldRef) return `field path ${from.fieldRef.fieldPath ?? ''}`;
  if (from.resourceFieldRef) return `resource field ${from.resourceFieldRef.containerName ? `${from.resourceFieldRef.containerName}/` : ''}${from.resourceFieldRef.resource ?? ''}`;
  return 'invalid valueFrom';
}

/** --resolve: a ConfigMap/Secret key read from the cluster (cached per name), a field path. */
class RefResolver {
  private readonly cache = new Map<string, KObject>();
  constructor(
    private readonly ctx: CliContext,
    private source: ObjectSource | undefined,
  ) {}

  async value(from: Record<string, any>, obj: KObject, container: Record<string, any>): Promise<string> {
    const ref = from.secretKeyRef ?? from.configMapKeyRef;
    if (ref) {
      const kind = from.secretKeyRef ? 'secrets' : 'configmaps';
      const src = await this.fetch(kind, ref.name);
      const data = src.data ?? {};
      if (!(ref.key in data)) throw new Error(`key ${ref.key} not found in ${from.secretKeyRef ? 'secret' : 'config map'} ${ref.name}`);
      return from.secretKeyRef ? Buffer.from(String(data[ref.key]), 'base64').toString('utf8') : String(data[ref.key]);
    }
    if (from.fieldRef) return extractFieldPathAsString(obj, from.fieldRef.fieldPath ?? '');
    if (from.resourceFieldRef) return extractContainerResourceValue(from.resourceFieldRef, container);
    throw new Error('invalid valueFrom');
  }

  private async fetch(kind: string, name: string): Promise<KObject> {
    const key = `${kind}/${name}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const { formatApiError } = await import('./format-error');
    const { ApiError } = await import('../api/errors');
    const api = await this.ctx.api();
    // kubectl's clientset reads the cluster even with --local.
    if (!this.source) this.source = await (await import('./object-source')).localSource(this.ctx, api);
    const obj = await this.source.tryGet(api.registry.resolve(kind), this.ctx.namespace, name);
    if (!obj) throw new Error(formatApiError(ApiError.notFound(kind, name)).replace(/^Error from server \(NotFound\): |\n$/g, ''));
    this.cache.set(key, obj);
    return obj;
  }
}

/** Go's %q of a string's name for keyToEnvName's warning is plain text; the name is upper-cased with [^a-zA-Z0-9_] as `_`. */
function keyToEnvName(ctx: CliContext, key: string): string {
  const name = key.replace(/[^a-zA-Z0-9_]/g, '_').toUpperCase();
  if (name !== key) ctx.err(`Warning: key ${key} transferred to ${name}\n`);
  return name;
}

/** The objects `--from` names: the -f files with --local, else the named or selected objects. */
async function fromEnv(ctx: CliContext, flags: EnvFlags, source: ObjectSource | undefined): Promise<EnvVar[]> {
  const from = flags.from!;
  const targets = await resolveTargets(ctx, flags.local ? [] : [from], flags.local ? flags : { ...flags, filename: [], kustomize: undefined }, 'set env', { typed: true }, source);
  const buildErrors = infosErrors(targets);
  if (buildErrors.length) {
    const { checkErrText, PrintedError } = await import('./format-error');
    throw new PrintedError(checkErrText(buildErrors));
  }
  const env: EnvVar[] = [];
  const keys = flags.keys ?? [];
  for (const { object } of targets.items) {
    if (object.kind !== 'Secret' && object.kind !== 'ConfigMap') throw new CliError('unsupported resource specified in --from');
    const refKind = object.kind === 'Secret' ? 'secretKeyRef' : 'configMapKeyRef';
    // kubectl ranges over the Go map of the object's data: its order is random on every run
    // (a rotation of the keys' order for up to 8 keys, test/server/set-env-from.test.ts).
    // The sorted order, one kubectl yields and the likeliest, keeps kubesim's output stable.
    for (const key of Object.keys(object.data ?? {}).sort()) {
      if (keys.length && !keys.includes(key)) continue;
      env.push({ name: keyToEnvName(ctx, key), valueFrom: { [refKind]: { key, name: object.metadata.name } } });
    }
  }
  return env;
}

/** Validate's checks, in kubectl's order (Complete's first). */
export function validateEnvFlags(args: string[], flags: EnvFlags): { resources: string[]; envArgs: string[] } {
  if (flags.all && flags.selector) throw new CliError('cannot set --all and --selector at the same time');
  const split = splitEnvArgs(args);
  if (!split) throw new CliError(`all resources must be specified before environment changes: ${args.join(' ')}`);
  return split;
}

export function checkEnvOptions(resources: string[], flags: EnvFlags, localServerDryRun: boolean): void {
  if (localServerDryRun) throw new CliError('cannot specify --local and --dry-run=server - did you mean --dry-run=client?');
  if (!(flags.filename ?? []).length && resources.length < 1) throw new CliError('one or more resources must be specified as <resource> <name> or <resource>/<name>');
  if (flags.list && flags.output) throw new CliError('--list and --output may not be specified together');
  if ((flags.keys ?? []).length && !flags.from) throw new CliError('when specifying --keys, a configmap or secret must be provided with --from');
}

/**
 * RunEnv's changes: `change` edits one object's pod spec (the caller's no-template error
 * first), printing --list as it goes. `setsNothing`: no variable is set (only removals from
 * -e, or a --from without keys), which kubectl reports after each write.
 */
export async function envMutator(
  ctx: CliContext,
  envArgs: string[],
  flags: EnvFlags,
  source: ObjectSource | undefined,
): Promise<{ change: (obj: KObject, ps: Record<string, any>) => Promise<void>; setsNothing: boolean }> {
  const { env, remove } = parseEnv([...(flags.env ?? []), ...envArgs], () => ctx.streams.stdinText());
  if (flags.from) env.push(...(await fromEnv(ctx, flags, source)));
  if (flags.prefix) for (const e of env) e.name = flags.prefix + e.name;
  if (flags.local && !hasFileInput(flags)) throw new CliError(NO_RESOURCES_MESSAGE);
  const spec = flags.containers ?? '*';
  const resolver = new RefResolver(ctx, source);
  const setsNothing = env.length === 0 && envArgs.length === 0;
  const change = async (obj: KObject, ps: Record<string, any>): Promise<void> => {
    const containers = [...(ps.containers ?? []).filter((c: any) => selectString(c.name, spec)), ...(ps.initContainers ?? []).filter((c: any) => selectString(c.name, spec))];
    if (!containers.length) {
      ctx.err(`Warning: ${obj.kind}/${obj.metadata.name} does not have any containers matching ${JSON.stringify(spec)}\n`);
      return;
    }
    let failed = false;
    for (const c of containers) {
      if (flags.overwrite === false) {
        for (const e of env) {
          const current = (c.env ?? []).find((x: EnvVar) => x.name === e.name);
          if (current && (current.value ?? '') !== (e.value ?? '')) throw new CliError(`'${current.name}' already has a value (${current.value ?? ''}), and --overwrite is false`);
        }
      }
      // EnvVar.value is omitempty: `C=` is a variable without a value field.
      const updated = updateEnv(c.env ?? [], env, remove).map((e) => (e.value === '' && !e.valueFrom ? { name: e.name } : e));
      if (updated.length) c.env = updated;
      else delete c.env;
      if (!flags.list) continue;
      const errors = new Map<string, string[]>();
      ctx.out(`# ${obj.kind} ${obj.metadata.name}, container ${c.name}\n`);
      for (const e of c.env ?? []) {
        if (!e.valueFrom) ctx.out(`${e.name}=${e.value ?? ''}\n`);
        else if (!flags.resolve) ctx.out(`# ${e.name} from ${refString(e.valueFrom)}\n`);
        else {
          try {
            ctx.out(`${e.name}=${await resolver.value(e.valueFrom, obj, c)}\n`);
          } catch (err) {
            ctx.out(`# ${e.name} from ${refString(e.valueFrom)}\n`);
            const msg = (err as Error).message;
            errors.set(msg, [...(errors.get(msg) ?? []), e.name]);
            failed = true;
          }
        }
      }
      const lines = [...errors].map(([msg, vars]) => `error retrieving reference for ${vars.sort().join(', ')}: ${msg}`).sort();
      for (const l of lines) ctx.err(`${l}\n`);
    }
    if (failed) throw new CliError('failed to retrieve valueFrom references');
  };
  return { change, setsNothing };
}
