// `kubesim wait --for=delete|create|condition=X[=v]|jsonpath='{...}'[=v]`, as kubectl's
// pkg/cmd/wait: one resource at a time under one overall --timeout (cluster time), printing
// `<kind>/<name> condition met` for each, with kubectl's errors and exit codes.

import type { Command } from 'commander';
import { ApiError, CliError } from '../api/errors';
import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import { isObject } from '../api/types';
import type { CliContext } from './context';
import type { Program } from './root';
import { collectList } from './flags/collect';
import { parseDuration } from './flags/duration';
import { mutationPrinter } from './flags/mutation-output';
import { resolveTargets, type Target, type TargetFlags } from './flags/targets';
import { PrintedError, checkErrOf, newAggregate, rawError, type GoError } from './format-error';
import { aggregateErrorText } from './rollout';
import { goQuote, goSprint } from '../util/go-format';
import { isJsonNumber } from '../util/exact-json';
import { printFlagOptions } from './flags/print-flags';
import { FIELD_SELECTOR_HELP, NO_RESOURCES_MESSAGE, RECURSIVE_HELP } from './flags/resource-builder-flags';
import { kubectlHelp } from './kubectl-help';
import type { MutationPrinter } from './flags/mutation-output';

interface WaitFlags extends TargetFlags {
  local?: boolean;
  for?: string;
  timeout?: string;
  output?: string;
}

/** A check of one object: met, or not yet (an error stops the wait for that object). */
export type ObjectCheck = (obj: KObject) => boolean;

export type WaitCondition =
  | { kind: 'delete' }
  | { kind: 'create' }
  | { kind: 'check'; check: ObjectCheck };

/** kubectl's conditionFuncFor: parses --for. */
export async function parseForCondition(condition: string): Promise<WaitCondition> {
  const lower = condition.toLowerCase();
  if (lower === 'delete') return { kind: 'delete' };
  if (lower === 'create') return { kind: 'create' };
  if (condition.startsWith('condition=')) {
    let name = condition.slice('condition='.length);
    let value = 'true';
    const eq = name.indexOf('=');
    if (eq !== -1) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    return { kind: 'check', check: conditionCheck(name, value) };
  }
  if (condition.startsWith('jsonpath=')) return { kind: 'check', check: await jsonPathCheck(condition.slice('jsonpath='.length)) };
  throw new CliError(`unrecognized condition: ${goQuote(condition)}`);
}

/** ConditionalWait.checkCondition: status.conditions[type=name].status, case-insensitively. */
export function conditionCheck(name: string, value: string): ObjectCheck {
  const fold = (s: string) => s.toLowerCase();
  return (obj) => {
    const conditions = obj.status?.conditions;
    if (!Array.isArray(conditions)) return false;
    for (const c of conditions) {
      if (!isObject(c) || typeof c.type !== 'string' || fold(c.type) !== fold(name)) continue;
      if (typeof c.status !== 'string') continue;
      const generation = obj.metadata?.generation;
      // int64s: past 2^53 they are bigints (util/exact-json), compared exactly with numbers.
      if (isJsonNumber(generation)) {
        // A condition about an older generation says nothing about the current spec.
        const observed = isJsonNumber(c.observedGeneration) ? c.observedGeneration : obj.status?.observedGeneration;
        if (isJsonNumber(observed) && observed < generation) return false;
      }
      return fold(c.status) === fold(value);
    }
    return false;
  };
}

/** splitJSONPathInput: splits on single `=`; `==` (inside filters) stays. */
function splitJsonPathInput(input: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < input.length; i++) {
    if (input[i] === '=') {
      if (i < input.length - 1 && input[i + 1] === '=') {
        cur += '==';
        i++;
        continue;
      }
      out.push(cur);
      cur = '';
      continue;
    }
    cur += input[i];
  }
  out.push(cur);
  return out;
}

async function jsonPathCheck(input: string): Promise<ObjectCheck> {
  const { JsonPath, relaxedJsonPath } = await import('../printers/jsonpath');
  const parts = splitJsonPathInput(input);
  if (parts.length < 1 || parts.length > 2) {
    throw new CliError("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'");
  }
  let expr: string;
  try {
    expr = relaxedJsonPath(parts[0]);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  let value = '';
  if (parts.length === 2) {
    value = parts[1].replace(/^['"]+|['"]+$/g, '');
    if (value === '') throw new CliError("jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3");
  }
  if (expr === '') throw new CliError('jsonpath expression cannot be empty');
  let jp: InstanceType<typeof JsonPath>;
  try {
    jp = new JsonPath(expr);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  jp.allowMissingKeys = true;
  return (obj) => {
    let results: unknown[][];
    try {
      results = jp.findResults(obj);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    if (results.length === 0 || results[0].length === 0) return false;
    if (results.length > 1) throw new CliError('given jsonpath expression matches more than one list');
    if (results[0].length > 1) throw new CliError('given jsonpath expression matches more than one value');
    if (value === '') return true;
    const r = results[0][0];
    if (isObject(r) || Array.isArray(r)) throw new CliError('jsonpath leads to a nested object or list which is not supported');
    return goPrint(r).trim() === value.trim();
  };
}

/** fmt.Sprintf("%v") of a decoded JSON value. */
const goPrint = goSprint;

/** --timeout: Go duration; negative means a week. */
function waitTimeoutMs(v: string | undefined): number {
  const s = v ?? '30s';
  if (s.startsWith('-')) {
    parseDuration(s.slice(1));
    return 168 * 3_600_000;
  }
  return parseDuration(s);
}


export async function runWait(ctx: CliContext, resources: string[], flags: WaitFlags): Promise<number> {
  const print = await mutationPrinter(ctx, flags, 'none');
  const timeoutMs = waitTimeoutMs(flags.timeout);
  const condition = await parseForCondition(flags.for ?? '');
  if (resources.length === 0 && !(flags.filename ?? []).length) throw new CliError(NO_RESOURCES_MESSAGE);
  if (flags.local) return checkLocal(ctx, resources, flags, condition, print);
  const api = await ctx.api();
  const start = api.clock.now();
  const { driveCluster } = await import('./drive-cluster');

  if (condition.kind === 'create' && !(flags.filename ?? []).length) {
    // kubectl polls its resource finder until no named object is missing.
    const { parseResourceArgs } = await import('./resource-args');
    const named = parseResourceArgs(resources, api.registry).flatMap((s) =>
      s.names.map((name) => ({ type: s.type, ns: s.type.namespaced ? ctx.namespace : undefined, name })),
    );
    const allFound = async () => {
      for (const r of named) if ((await api.tryGet(r.type, r.ns, r.name)) === undefined) return false;
      return true;
    };
    if (!(await allFound()) && !(await driveCluster(ctx, api, allFound, timeoutMs))) throw new CliError('timed out waiting for the condition');
  }

  const targets = await resolveTargets(ctx, resources, flags, 'wait', { latest: true, visit: true });
  const isDelete = condition.kind === 'delete';
  // As the Builder's ContinueOnError collects them: the -n mismatches and the waits' errors in order, then the read errors as one aggregate.
  const errors: GoError[] = [];
  let visited = 0;
  for (const t of targets.items) {
    if (t.namespaceError) {
      errors.push(new CliError(t.namespaceError));
      continue;
    }
    visited++;
    try {
      if (!t.object.metadata?.name) throw new CliError('resource name must be provided');
      const obj = await waitOne(ctx, api, t, condition, start, timeoutMs, driveCluster);
      ctx.out(print(obj, 'condition met'));
    } catch (e) {
      errors.push(e as Error);
    }
  }
  // --for=delete ignores objects already gone.
  const read = (targets.readErrors ?? []).filter((e) => !isDelete || e.reason !== 'NotFound');
  if (read.length) errors.push(read);
  // The names not found (or a file's bad documents), already formatted.
  errors.push(...targets.errors.filter((e) => !isDelete || !/^Error from server \(NotFound\)/.test(e)).map((e) => new PrintedError(e)));
  const err = errors.length === 1 ? errors[0] : newAggregate(errors);
  if (err) throw new PrintedError(checkErrOf(err));
  if (visited === 0 && !isDelete) throw new CliError('no matching resources found');
  return 0;
}

/**
 * --local: the file's objects, which nothing will change, checked once (kubectl 1.32 panics
 * on them; a met condition is printed, an unmet one is `condition not met`).
 */
async function checkLocal(ctx: CliContext, resources: string[], flags: WaitFlags, condition: WaitCondition, print: MutationPrinter): Promise<number> {
  const localMessage = `you must specify resources by --filename when --local is set.\n${NO_RESOURCES_MESSAGE.split('\n').slice(1, 4).join('\n')}`;
  const targets = await resolveTargets(ctx, resources, flags, 'wait', { localMessage });
  const errors: unknown[] = [];
  for (const t of targets.items) {
    if (t.namespaceError) {
      errors.push(new CliError(t.namespaceError));
      continue;
    }
    const met = condition.kind === 'create' || (condition.kind === 'check' && condition.check(t.object));
    if (met) ctx.out(print(t.object, 'condition met'));
    else errors.push(new CliError(`condition not met for ${t.type.plural}/${t.object.metadata.name}`));
  }
  // The files' errors are formatted blocks: in an aggregate, each a line without `error: `.
  errors.push(...(errors.length + targets.errors.length > 1 ? targets.errors.map(rawError) : targets.errors));
  if (errors.length) throw new PrintedError(aggregateErrorText(errors));
  return 0;
}

type Drive = (ctx: CliContext, api: ApiServer, done: () => boolean | Promise<boolean>, timeoutMs: number) => Promise<boolean>;

async function waitOne(ctx: CliContext, api: ApiServer, t: Target, condition: WaitCondition, start: number, timeoutMs: number, drive: Drive): Promise<KObject> {
  const name = t.object.metadata.name!;
  const ns = t.type.namespaced ? t.object.metadata.namespace : undefined;
  const objectName = `${t.type.plural}/${name}`;
  const timedOut = () => new CliError(`timed out waiting for the condition on ${objectName}`);
  const notMet = () => new CliError(`condition not met for ${objectName}`);
  const remaining = start + timeoutMs - api.clock.now();

  if (condition.kind === 'create') return t.object;

  if (condition.kind === 'delete') {
    const uid = t.object.metadata.uid;
    const gone = async () => {
      const o = await api.tryGet(t.type, ns, name);
      return !o || o.metadata.uid !== uid;
    };
    if (await gone()) return t.object;
    if (timeoutMs === 0) throw notMet();
    if (remaining <= 0) throw timedOut();
    if (!(await drive(ctx, api, gone, remaining))) throw timedOut();
    return t.object;
  }

  let failure: unknown;
  let final: KObject = t.object;
  // Each state the object went through, as kubectl's watch sees each event: a state that
  // came and went between two looks (a container's short run) still meets the condition.
  const { objectRevisions } = await import('../api/object-revisions');
  const revisions = objectRevisions(api, t.type, ns, name);
  const met = async (): Promise<boolean> => {
    for (const o of await revisions.next()) {
      // A deleted object keeps the wait going (it may come back), as kubectl's watch does.
      if (!o) continue;
      final = o;
      try {
        if (condition.check(o)) return true;
      } catch (e) {
        failure = e;
        return true;
      }
    }
    return false;
  };
  if (timeoutMs === 0) {
    const o = await api.tryGet(t.type, ns, name);
    if (!o) throw ApiError.notFound(t.type.group ? `${t.type.plural}.${t.type.group}` : t.type.plural, name);
    if (!condition.check(o)) throw notMet();
    return o;
  }
  if (await met()) {
    if (failure) throw failure;
    return final;
  }
  if (remaining <= 0) throw timedOut();
  const ok = await drive(ctx, api, met, remaining);
  if (failure) throw failure;
  if (!ok) throw timedOut();
  return final;
}

/** kubectl wait's Long, as cobra prints it. */
const WAIT_LONG = `Experimental: Wait for a specific condition on one or many resources.

 The command takes multiple resources and waits until the specified condition is seen in the Status field of every given resource.

 Alternatively, the command can wait for the given set of resources to be created or deleted by providing the "create" or "delete" keyword as the value to the --for flag.

 A successful message will be printed to stdout indicating when the specified condition has been met. You can use -o option to change to output destination.`;

const WAIT_EXAMPLE = `  # Wait for the pod "busybox1" to contain the status condition of type "Ready"
  kubectl wait --for=condition=Ready pod/busybox1
  
  # The default value of status condition is true; you can wait for other targets after an equal delimiter (compared after Unicode simple case folding, which is a more general form of case-insensitivity)
  kubectl wait --for=condition=Ready=false pod/busybox1
  
  # Wait for the pod "busybox1" to contain the status phase to be "Running"
  kubectl wait --for=jsonpath='{.status.phase}'=Running pod/busybox1
  
  # Wait for pod "busybox1" to be Ready
  kubectl wait --for='jsonpath={.status.conditions[?(@.type=="Ready")].status}=True' pod/busybox1
  
  # Wait for the service "loadbalancer" to have ingress
  kubectl wait --for=jsonpath='{.status.loadBalancer.ingress}' service/loadbalancer
  
  # Wait for the secret "busybox1" to be created, with a timeout of 30s
  kubectl create secret generic busybox1
  kubectl wait --for=create secret/busybox1 --timeout=30s
  
  # Wait for the pod "busybox1" to be deleted, with a timeout of 60s, after having issued the "delete" command
  kubectl delete pod/busybox1
  kubectl wait --for=delete pod/busybox1 --timeout=60s`;

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('wait')
    .description('Experimental: Wait for a specific condition on one or many resources')
    .usage("([-f FILENAME] | resource.group/resource.name | resource.group [(-l label | --all)]) [--for=create|--for=delete|--for condition=available|--for=jsonpath='{}'[=value]]")
    .argument('[resources...]')
    .option('--for <condition>', "The condition to wait on: [create|delete|condition=condition-name[=condition-value]|jsonpath='{JSONPath expression}'=[JSONPath value]]. The default condition-value is true. Condition values are compared after Unicode simple case folding, which is a more general form of case-insensitivity.")
    .option('--timeout <duration>', "The length of time to wait before giving up. Zero means check once and don't wait, negative means wait for a week.", '30s')
    .option('--local', 'If true, annotation will NOT contact api-server but run locally.')
    .option('--all', 'Select all resources in the namespace of the specified resource types')
    .option('-A, --all-namespaces', 'If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.')
    .option('--field-selector <selector>', FIELD_SELECTOR_HELP)
    .option('-f, --filename <file>', 'identifying the resource.', collectList, [])
    .option('-R, --recursive', RECURSIVE_HELP, true)
    .option('-l, --selector <selector>', "Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2)")
    .addOption(printFlagOptions()[0])
    .addOption(printFlagOptions()[1])
    .addOption(printFlagOptions()[2])
    .addOption(printFlagOptions()[3]);
  kubectlHelp(cmd, p.name, { long: WAIT_LONG, example: WAIT_EXAMPLE, use: `wait ${cmd.usage()}` }, { recursive: 'true', timeout: '30s' })
    .action(p.action((ctx, resources: string[], flags: WaitFlags) => runWait(ctx, resources, flags)));
}
