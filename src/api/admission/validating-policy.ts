// ValidatingAdmissionPolicy admission (admissionregistration.k8s.io/v1, GA in 1.30), as
// kube-apiserver's admission/plugin/policy/validating does it: every binding of a policy
// that matches the request (policy-match.ts) evaluates the policy's CEL (policy-cel.ts)
// once per param; a failed validation denies the request (Deny), adds a `Warning:` header
// (Warn) or only goes to the audit log (Audit, which this simulation has not); errors
// follow the policy's failurePolicy. Policies and bindings are read from the store on every
// request (one shared list when there is no binding at all; on etcd the store's watched
// list, kept by a watch as kube's informers), so a change holds at once; compiled
// expressions are cached by their text. The `authorizer` variable (policy-authz.ts) checks
// the requesting user with the cluster's RBAC, read once per policy that names it.

import { ApiError, messageCause, type Reason } from '../errors';
import { listPrefix, objectKey } from '../keys';
import { fromLabelSelectorSpec, matchesLabels } from '../selectors';
import type { ResourceRegistry, ResourceType } from '../resources';
import { scaleOf } from '../scale';
import type { KObject } from '../types';
import type { Store } from '../../store/store';
import type { Requester } from '../strategies/types';
import { matchResources, type AdmissionAttributes, type Matched, type Operation } from './policy-match';
import { compileExpression, evaluate, lazyVariables, toCelValue, type CompiledExpression } from './policy-cel';
import { authorizerOf, type Check } from './policy-authz';
import { DEFAULT_ADMIN } from '../../rbac/authorizer';
import type { RbacGate } from '../../rbac/gate';

/** What admission reads: the store, the registry and the RBAC authorizer (ApiServer's). */
export interface PolicyHost {
  readonly store: Store;
  readonly registry: ResourceRegistry;
  readonly rbac: Pick<RbacGate, 'checker'>;
}

const GROUP = 'admissionregistration.k8s.io';

interface Decision {
  message: string;
  reason?: string;
  policy: string;
  binding?: string;
}

/** The kinds admission policies never apply to (rules.IsExemptAdmissionConfigurationResource). */
const EXEMPT = new Set(['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding']);

/**
 * A write's admission by policies: `obj` the object written (null for a delete), `old` the
 * stored one (null for a create); through /scale both are seen as their autoscaling/v1 Scale.
 * `opts.name`: the request's name where it is not the object's (a create by generateName: '').
 */
export function policyAdmission(host: PolicyHost, rt: ResourceType, operation: Operation, obj: KObject | null, old: KObject | null, opts: { dryRun?: boolean; user?: Requester; subresource?: string; warn?: (text: string) => void; name?: string }): Promise<void> {
  const o = obj ?? old!;
  const version = typeof o.apiVersion === 'string' && o.apiVersion.includes('/') ? o.apiVersion.split('/')[1]! : o.apiVersion || rt.version;
  const scale = opts.subresource === 'scale';
  const subresource = opts.subresource === 'scale' || opts.subresource === 'status' ? opts.subresource : '';
  const namespace = rt.namespaced ? (o.metadata.namespace ?? '') : rt.kind === 'Namespace' && rt.group === '' ? (o.metadata.name ?? '') : '';
  return admitByPolicies(host, {
    operation,
    resource: { group: rt.group, version, resource: rt.plural },
    subresource,
    kind: scale ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : { group: rt.group, version, kind: rt.kind },
    name: opts.name ?? o.metadata.name ?? '',
    namespace,
    object: scale && obj ? (scaleOf(obj, rt) as KObject) : obj,
    oldObject: scale && old ? (scaleOf(old, rt) as KObject) : old,
    dryRun: opts.dryRun === true,
    user: opts.user,
    versions: rt.versions,
    namespaceLabels: async () => (await readNamespace(host, namespace)).metadata.labels ?? {},
  }, opts.warn);
}

/**
 * Runs the policies bound to the request; throws the first denial as kube-apiserver's
 * dispatcher does, `warn` gets the Warn bindings' failures.
 */
export async function admitByPolicies(host: PolicyHost, a: AdmissionAttributes, warn?: (text: string) => void): Promise<void> {
  if (a.kind.group === GROUP && EXEMPT.has(a.kind.kind)) return;
  const bindings = await listAll(host, 'ValidatingAdmissionPolicyBinding');
  if (!bindings.length) return;
  const policies = (await listAll(host, 'ValidatingAdmissionPolicy')).slice().sort(byName);
  const denied: Decision[] = [];
  for (const policy of policies) {
    const own = bindings.filter((b) => b.spec?.policyName === policy.metadata.name).sort(byName);
    if (own.length) await dispatchPolicy(host, policy, own, a, denied, warn);
  }
  if (denied.length) throw denial(denied[0]!, a);
}

async function listAll(host: PolicyHost, kind: string): Promise<KObject[]> {
  const prefix = listPrefix(host.registry.forKind(`${GROUP}/v1`, kind), undefined);
  // Read on every write: from the store's informer where a list is a round trip (etcd).
  return (await (host.store.watchedList ? host.store.watchedList(prefix) : host.store.list(prefix, undefined, { shared: true }))).items;
}

const byName = (x: KObject, y: KObject) => (x.metadata.name! < y.metadata.name! ? -1 : x.metadata.name! > y.metadata.name! ? 1 : 0);

async function dispatchPolicy(host: PolicyHost, policy: KObject, bindings: KObject[], a: AdmissionAttributes, denied: Decision[], warn?: (text: string) => void): Promise<void> {
  const spec = policy.spec ?? {};
  const name = policy.metadata.name!;
  const fail = spec.failurePolicy !== 'Ignore';
  const configError = (message: string, binding?: string) => {
    if (spec.failurePolicy === 'Ignore') return;
    const text = spec.failurePolicy === undefined || spec.failurePolicy === 'Fail' ? `failed to configure ${binding === undefined ? 'policy' : 'binding'}: ${message}` : `unrecognized failure policy: '${spec.failurePolicy}'`;
    denied.push({ message: text, policy: name, binding });
  };
  let matched: Matched | undefined;
  try {
    if (!spec.matchConstraints) throw new Error('policy contained no match constraints, a required field');
    matched = await matchResources(spec.matchConstraints, a);
  } catch (e) {
    // Selector errors, a namespace not found: the policy's configuration error (dispatcher.go addConfigError).
    configError((e as Error).message);
    return;
  }
  if (!matched) return;
  const compiled = compilePolicy(spec);
  const check = compiled.usesAuthorizer ? await authorizerCheck(host) : undefined;
  for (const binding of bindings) {
    const bname = binding.metadata.name!;
    try {
      if (binding.spec?.matchResources && !(await matchResources(binding.spec.matchResources, a))) continue;
    } catch (e) {
      configError((e as Error).message, bname);
      continue;
    }
    let params: (KObject | null)[];
    try {
      params = await collectParams(host, spec.paramKind, binding.spec?.paramRef, a.namespace);
    } catch (e) {
      configError((e as Error).message, bname);
      continue;
    }
    // A Namespace's own request has no namespaceObject (the dispatcher unsets its namespace).
    const isNamespace = a.kind.group === '' && a.kind.version === 'v1' && a.kind.kind === 'Namespace';
    const namespace = a.namespace && !isNamespace ? await namespaceObject(host, a.namespace) : null;
    const actions: string[] = binding.spec?.validationActions ?? [];
    for (const param of params) {
      for (const d of validate(compiled, fail, matched, a, param, namespace, check)) {
        for (const action of actions) {
          if (action === 'Deny') denied.push({ ...d, policy: name, binding: bname });
          else if (action === 'Warn') warn?.(`Validation failed for ValidatingAdmissionPolicy '${name}' with binding '${bname}': ${d.message}`);
        }
      }
    }
  }
}

interface CompiledPolicy {
  /** An expression names `authorizer`: the roles are read before the expressions run. */
  usesAuthorizer: boolean;
  matchConditions: { name: string; expression: CompiledExpression }[];
  variables: { name: string; expression: CompiledExpression }[];
  validations: { v: Record<string, any>; expression: CompiledExpression; message?: CompiledExpression }[];
}

function compilePolicy(spec: Record<string, any>): CompiledPolicy {
  const withParams = spec.paramKind != null;
  const sources = [...(spec.matchConditions ?? []), ...(spec.variables ?? []), ...(spec.validations ?? [])].flatMap((e: any) => [e?.expression, e?.messageExpression]);
  return {
    usesAuthorizer: sources.some((x) => typeof x === 'string' && /\bauthorizer\b/.test(x)),
    matchConditions: (spec.matchConditions ?? []).map((m: any) => ({ name: m.name, expression: compileExpression(m.expression ?? '', 'bool', withParams) })),
    variables: (spec.variables ?? []).map((v: any) => ({ name: v.name, expression: compileExpression(v.expression ?? '', 'any', withParams) })),
    validations: (spec.validations ?? []).map((v: any) => ({
      v,
      expression: compileExpression(v.expression ?? '', 'bool', withParams),
      message: v.messageExpression ? compileExpression(v.messageExpression, 'string', withParams) : undefined,
    })),
  };
}

/** validator.Validate: the denials (failed validations, and errors when failurePolicy is Fail). */
function validate(p: CompiledPolicy, fail: boolean, matched: Matched, a: AdmissionAttributes, param: KObject | null, namespace: KObject | null, check?: Check): Omit<Decision, 'policy' | 'binding'>[] {
  const base: Record<string, unknown> = {
    object: toCelValue(a.object),
    oldObject: toCelValue(a.oldObject),
    request: requestOf(a, matched),
    params: toCelValue(param),
    namespaceObject: toCelValue(namespace),
  };
  if (check) base.authorizer = authorizerOf(requester(a), check, { ...a.resource, subresource: a.subresource, namespace: a.namespace, name: a.name });
  const activation = { ...base, variables: lazyVariables(p.variables, base) };
  // matchConditions: any false skips the policy; errors (with none false) follow failurePolicy.
  const errors: string[] = [];
  for (const m of p.matchConditions) {
    const r = evaluate(m.expression, activation);
    if (r.error !== undefined) errors.push(r.error);
    else if (r.value === false) return [];
  }
  if (errors.length) return fail ? [{ message: errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]` }] : [];
  const out: Omit<Decision, 'policy' | 'binding'>[] = [];
  for (const { v, expression, message } of p.validations) {
    const r = evaluate(expression, activation);
    if (r.error !== undefined) {
      if (fail) out.push({ message: r.error });
      continue;
    }
    if (r.value === true) continue;
    let text = '';
    if (message) {
      const m = evaluate(message, activation);
      // A message that is no string, blank, multi-line or past 5 KiB falls back to the message.
      if (typeof m.value === 'string') {
        const s = m.value.trim();
        text = s.includes('\n') || Buffer.byteLength(s) > 5 * 1024 ? '' : s;
      }
    }
    if (!text && typeof v.message === 'string') text = v.message.trim();
    if (!text) text = `failed expression: ${String(v.expression ?? '').trim()}`;
    out.push({ message: text, reason: v.reason || 'Invalid' });
  }
  return out;
}

/** cel.CreateAdmissionRequest: the request as `request` shows it (every field, defaults included). */
function requestOf(a: AdmissionAttributes, matched: Matched): Record<string, unknown> {
  const options = { DELETE: 'DeleteOptions', CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', CONNECT: 'ConnectOptions' }[a.operation];
  return toCelValue({
    kind: matched.kind,
    resource: matched.resource,
    subResource: a.subresource,
    requestKind: a.kind,
    requestResource: a.resource,
    requestSubResource: a.subresource,
    name: a.name,
    namespace: a.namespace,
    operation: a.operation,
    userInfo: { username: requester(a).name, uid: requester(a).uid ?? '', groups: requester(a).groups, extra: requester(a).extra ?? {} },
    dryRun: a.dryRun,
    options: { kind: options, apiVersion: 'meta.k8s.io/v1' },
  }) as Record<string, unknown>;
}

/** Who made the request: a write with no user is the CLI's (the cluster admin). */
const requester = (a: AdmissionAttributes): Requester => a.user ?? DEFAULT_ADMIN;

/**
 * The RBAC authorizer over the roles as they are now; when they cannot be read, every check
 * is an errored decision (the authorizer's error, as kube's Decision.error() gives it).
 */
async function authorizerCheck(host: PolicyHost): Promise<Check> {
  try {
    return await host.rbac.checker();
  } catch (e) {
    const error = (e as Error).message;
    return () => ({ allowed: false, reason: '', error });
  }
}

/** The request's namespace as stored (NotFound when it does not exist): the selector's labels and `namespaceObject`. */
async function readNamespace(host: PolicyHost, name: string): Promise<KObject> {
  const ns = await host.store.get(objectKey(host.registry.forKind('v1', 'Namespace'), undefined, name), { shared: true });
  if (!ns) throw ApiError.notFound('namespaces', name);
  return ns;
}

/** cel.CreateNamespaceObject: the namespace's identity, labels, annotations, finalizers, spec and status. */
async function namespaceObject(host: PolicyHost, name: string): Promise<KObject | null> {
  const ns = await readNamespace(host, name);
  const m = ns.metadata;
  const keep = ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'finalizers'];
  const metadata: Record<string, unknown> = {};
  for (const k of keep) if (m[k] !== undefined) metadata[k] = m[k];
  return { apiVersion: 'v1', kind: 'Namespace', metadata, spec: ns.spec ?? {}, status: ns.status ?? {} } as KObject;
}

/** generic.CollectParams: the params a binding validates with ([null] without paramKind or paramRef). */
async function collectParams(host: PolicyHost, paramKind: { apiVersion?: string; kind?: string } | undefined, ref: Record<string, any> | undefined, namespace: string): Promise<(KObject | null)[]> {
  if (!paramKind || !ref) return [null];
  let rt: ResourceType;
  try {
    rt = host.registry.forKind(paramKind.apiVersion ?? '', paramKind.kind ?? '');
  } catch {
    throw new Error(`paramKind kind \`&ParamKind{APIVersion:${paramKind.apiVersion ?? ''},Kind:${paramKind.kind ?? ''},}\` not known`);
  }
  let ns: string | undefined;
  if (rt.namespaced) {
    ns = ref.namespace || namespace;
    if (!ns) throw new Error('cannot use namespaced paramRef in policy binding that matches cluster-scoped resources');
  } else if (ref.namespace) {
    throw new Error('paramRef.namespace must not be provided for a cluster-scoped `paramKind`');
  }
  let params: KObject[];
  if (ref.name) {
    if (ref.selector) throw new Error('paramRef.name and paramRef.selector are mutually exclusive');
    const p = await host.store.get(objectKey(rt, ns, ref.name), { shared: true });
    params = p ? [p] : [];
  } else if (ref.selector) {
    const sel = fromLabelSelectorSpec(ref.selector);
    params = (await host.store.list(listPrefix(rt, ns), (o) => matchesLabels(sel, o.metadata.labels ?? {}), { shared: true })).items;
  } else {
    throw new Error('one of name or selector must be provided');
  }
  if (!params.length && ref.parameterNotFoundAction === 'Deny') throw new Error('no params found for policy binding with `Deny` parameterNotFoundAction');
  return params;
}

const CODES: Record<string, Reason> = { Forbidden: 'Forbidden', Unauthorized: 'Unauthorized', RequestEntityTooLarge: 'RequestEntityTooLarge' };

/**
 * The dispatcher's error: admission.NewForbidden's message (`<resource> "<name>" is
 * forbidden: ...`) with the validation's reason (Invalid unless it names another) and the
 * message again as the one cause, which kubectl prints after `The <resource> "<name>" is invalid: `.
 */
function denial(d: Decision, a: AdmissionAttributes): ApiError {
  const message = d.binding !== undefined ? `ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}' denied request: ${d.message}` : `ValidatingAdmissionPolicy '${d.policy}' denied request: ${d.message}`;
  const name = a.name || (a.object?.metadata?.name ?? a.object?.metadata?.generateName) || 'Unknown';
  const resource = a.resource.group ? `${a.resource.resource}.${a.resource.group}` : a.resource.resource;
  const reason: Reason = CODES[d.reason ?? ''] ?? 'Invalid';
  return new ApiError(reason, `${resource} "${name}" is forbidden: ${message}`, {
    name,
    group: a.resource.group,
    kind: a.resource.resource,
    causes: [messageCause(message)],
  });
}
