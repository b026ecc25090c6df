// ValidatingAdmissionPolicy enforcement in the API layer (src/api/admission/validating-policy.ts),
// on an in-memory store: matching, bindings and their actions, params, CEL variables and
// errors, with kube-apiserver 1.32's texts (admission/plugin/policy/validating/dispatcher.go,
// validator.go; plugin/cel/activation.go; policy/generic/policy_dispatcher.go CollectParams).

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../../src/api/server';
import { openStore } from '../../src/store/registry';
import { ManualClock } from '../../src/sim/clock';
import { seededRng } from '../../src/sim/rng';
import { ApiError } from '../../src/api/errors';
import { errorStatus } from '../../src/api/rest/status';
import { writeScale } from '../../src/api/scale';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import type { KObject } from '../../src/api/types';

before(async () => loadValidation());

let api: ApiServer;
before(async () => {
  api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-11-22T06:00:00Z')), seededRng(1), apiValidator());
  await api.bootstrap();
});

const deployment = (name: string, replicas: number, extra: { namespace?: string; labels?: Record<string, string> } = {}): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, ...(extra.namespace ? { namespace: extra.namespace } : {}), ...(extra.labels ? { labels: extra.labels } : {}) },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } },
  },
});

const DEPLOYMENTS = [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }];

const policy = (name: string, spec: Record<string, unknown>): KObject => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicy',
  metadata: { name },
  spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules: DEPLOYMENTS }, ...spec },
});

const binding = (name: string, policyName: string, spec: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicyBinding',
  metadata: { name },
  spec: { policyName, validationActions: ['Deny'], ...spec },
});

/** Creates the objects, runs `fn`, then deletes them again (each test leaves the cluster as it found it). */
async function withObjects(objs: KObject[], fn: () => Promise<void>): Promise<void> {
  const made: KObject[] = [];
  try {
    for (const o of objs) made.push(await api.create(o));
    await fn();
  } finally {
    for (const o of made.reverse()) await api.delete(api.typeOf(o), o.metadata.namespace, o.metadata.name!).catch(() => undefined);
  }
}

async function refused(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    return e;
  }
  assert.fail('the write was admitted');
}

async function cleanUp(kind: string, namespace: string | undefined, name: string): Promise<void> {
  await api.delete(api.resolve(kind), namespace, name).catch(() => undefined);
}

test('a Deny binding refuses the write: 422 Invalid, the message and one cause as kube-apiserver sends them', async () => {
  await withObjects([policy('demo-policy.example.com', { validations: [{ expression: 'object.spec.replicas <= 5' }] }), binding('demo-binding-test.example.com', 'demo-policy.example.com')], async () => {
    const e = await refused(api.create(deployment('web', 7)));
    const text = "ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5";
    assert.deepEqual(errorStatus(e), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `deployments.apps "web" is forbidden: ${text}`,
      reason: 'Invalid',
      details: { name: 'web', group: 'apps', kind: 'deployments', causes: [{ message: text }] },
      code: 422,
    });
    assert.equal(await api.tryGet(api.resolve('deployments'), 'default', 'web'), undefined);
    // Within the limit: admitted; an update past it: refused, the stored object unchanged.
    const d = await api.create(deployment('web', 3));
    const up = await refused(api.update({ ...d, spec: { ...d.spec, replicas: 9 } }));
    assert.equal(up.code, 422);
    assert.equal((await api.get(api.resolve('deployments'), 'default', 'web')).spec.replicas, 3);
    await cleanUp('deployments', 'default', 'web');
  });
});

test('message, messageExpression (blank or failing: the message) and reason Forbidden (403)', async () => {
  const validations = [
    { expression: "object.metadata.name != 'a'", message: '  name a is taken  ', messageExpression: "'name ' + object.metadata.name + ' is taken'", reason: 'Forbidden' },
    { expression: "object.metadata.name != 'b'", message: 'b is reserved', messageExpression: "'  '" },
    { expression: "object.metadata.name != 'c'", message: 'c is reserved', messageExpression: 'object.missing' },
    { expression: "object.metadata.name != 'd'", messageExpression: "'replicas: ' + string(object.spec.replicas)", reason: 'RequestEntityTooLarge' },
  ];
  await withObjects([policy('names', { validations }), binding('names', 'names')], async () => {
    const a = await refused(api.create(deployment('a', 1)));
    assert.equal(a.code, 403);
    assert.equal(a.message, "deployments.apps \"a\" is forbidden: ValidatingAdmissionPolicy 'names' with binding 'names' denied request: name a is taken");
    assert.match((await refused(api.create(deployment('b', 1)))).message, /denied request: b is reserved$/);
    assert.match((await refused(api.create(deployment('c', 1)))).message, /denied request: c is reserved$/);
    const d = await refused(api.create(deployment('d', 2)));
    assert.equal(d.code, 413);
    assert.match(d.message, /denied request: replicas: 2$/);
  });
});

test('Warn binding: the write goes through with the warning; Audit: no effect; Deny and Warn together: both', async () => {
  await withObjects([policy('max5', { validations: [{ expression: 'object.spec.replicas <= 5' }] }), binding('warn', 'max5', { validationActions: ['Warn'] }), binding('audit', 'max5', { validationActions: ['Audit'] })], async () => {
    const warnings: string[] = [];
    await api.create(deployment('w', 8), { warn: (w) => warnings.push(w) });
    assert.deepEqual(warnings, ["Validation failed for ValidatingAdmissionPolicy 'max5' with binding 'warn': failed expression: object.spec.replicas <= 5"]);
    await cleanUp('deployments', 'default', 'w');
    await withObjects([binding('zz-both', 'max5', { validationActions: ['Deny', 'Warn'] })], async () => {
      const seen: string[] = [];
      const e = await refused(api.create(deployment('w', 8), { warn: (w) => seen.push(w) }));
      assert.match(e.message, /with binding 'zz-both' denied request/);
      assert.equal(seen.length, 2);
    });
  });
});

test('a change of policy or binding holds on the next request', async () => {
  await withObjects([policy('p', { validations: [{ expression: 'false' }] })], async () => {
    await api.create(deployment('before', 1));
    const b = await api.create(binding('b', 'p'));
    await refused(api.create(deployment('during', 1)));
    await api.delete(api.typeOf(b), undefined, 'b');
    await api.create(deployment('after', 1));
    for (const n of ['before', 'after']) await cleanUp('deployments', 'default', n);
  });
});

test('matching: operations, excludeResourceRules, namespaceSelector, objectSelector, binding matchResources, resourceNames', async () => {
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { env: 'prod' } } });
  const spec = {
    matchConstraints: {
      resourceRules: [{ apiGroups: ['apps'], apiVersions: ['*'], operations: ['CREATE'], resources: ['deployments'] }],
      excludeResourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['*'], resources: ['deployments'], resourceNames: ['exempt'] }],
      namespaceSelector: { matchLabels: { env: 'prod' } },
      objectSelector: { matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }] },
    },
    validations: [{ expression: 'false', message: 'no' }],
  };
  await withObjects([policy('sel', spec), binding('sel', 'sel', { matchResources: { objectSelector: { matchLabels: { tier: 'web' } } } })], async () => {
    const web = { labels: { tier: 'web' } };
    await refused(api.create(deployment('x', 1, { namespace: 'prod', ...web })));
    await api.create(deployment('x', 1, { namespace: 'default', ...web })); // namespace not selected
    await api.create(deployment('exempt', 1, { namespace: 'prod', ...web })); // excluded by name
    await api.create(deployment('y', 1, { namespace: 'prod', labels: { tier: 'web', skip: '1' } })); // policy's objectSelector
    await api.create(deployment('z', 1, { namespace: 'prod' })); // binding's objectSelector
    const d = await api.get(api.resolve('deployments'), 'prod', 'z');
    await api.update({ ...d, metadata: { ...d.metadata, labels: web.labels } }); // UPDATE not in the rule
    for (const [ns, n] of [['default', 'x'], ['prod', 'exempt'], ['prod', 'y'], ['prod', 'z']]) await cleanUp('deployments', ns, n!);
  });
  await cleanUp('namespaces', undefined, 'prod');
});

test('DELETE (object null, oldObject the stored one) and the scale subresource (a Scale, deployments/scale)', async () => {
  const spec = {
    matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['DELETE', 'UPDATE'], resources: ['deployments', 'deployments/scale'] }] },
    validations: [
      { expression: "request.operation != 'DELETE' || (object == null && oldObject.metadata.?labels.?keep.orValue('') != 'yes')", message: 'kept' },
      { expression: "request.subResource != 'scale' || (object.kind == 'Scale' && object.spec.replicas <= 4 && request.kind.kind == 'Scale' && request.resource.resource == 'deployments')", message: 'at most 4 through scale' },
    ],
  };
  await withObjects([policy('del', spec), binding('del', 'del')], async () => {
    const rt = api.resolve('deployments');
    await api.create(deployment('keep', 1, { labels: { keep: 'yes' } }));
    const e = await refused(api.delete(rt, 'default', 'keep'));
    assert.equal(e.message, "deployments.apps \"keep\" is forbidden: ValidatingAdmissionPolicy 'del' with binding 'del' denied request: kept");
    assert.ok(await api.tryGet(rt, 'default', 'keep'));
    await writeScale(api, rt, 'default', 'keep', (s) => ({ ...s, spec: { replicas: 4 } }), {});
    const s = await refused(writeScale(api, rt, 'default', 'keep', (s) => ({ ...s, spec: { replicas: 5 } }), {}));
    assert.match(s.message, /denied request: at most 4 through scale$/);
    await api.create(deployment('go', 1));
    await api.delete(rt, 'default', 'go');
  });
  await cleanUp('deployments', 'default', 'keep');
});

test('variables, matchConditions, namespaceObject and request.userInfo', async () => {
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { owner: 'alice' } } });
  const spec = {
    matchConditions: [{ name: 'not-system', expression: "!object.metadata.name.startsWith('system-')" }],
    variables: [
      { name: 'owner', expression: "namespaceObject.metadata.labels.?owner.orValue('')" },
      { name: 'limit', expression: "variables.owner == 'alice' ? 2 : 10" },
    ],
    validations: [{ expression: 'object.spec.replicas <= variables.limit', messageExpression: "'at most ' + string(variables.limit) + ' for ' + variables.owner + ' (by ' + request.userInfo.username + ')'" }],
  };
  await withObjects([policy('vars', spec), binding('vars', 'vars')], async () => {
    const e = await refused(api.create(deployment('big', 3, { namespace: 'team-a' }), { user: { name: 'bob', groups: ['system:authenticated'] } }));
    assert.match(e.message, /denied request: at most 2 for alice \(by bob\)$/);
    await api.create(deployment('system-big', 3, { namespace: 'team-a' })); // a false matchCondition skips the policy
    await api.create(deployment('big', 3)); // default has no owner: limit 10
    await cleanUp('deployments', 'team-a', 'system-big');
    await cleanUp('deployments', 'default', 'big');
  });
  await cleanUp('namespaces', undefined, 'team-a');
});

test('errors follow failurePolicy: runtime and compile errors, a failing variable, a failing matchCondition', async () => {
  const runtime = { validations: [{ expression: 'object.spec.nothing > 1' }] };
  await withObjects([policy('rt', runtime), binding('rt', 'rt')], async () => {
    const e = await refused(api.create(deployment('e', 1)));
    assert.equal(e.message, "deployments.apps \"e\" is forbidden: ValidatingAdmissionPolicy 'rt' with binding 'rt' denied request: expression 'object.spec.nothing > 1' resulted in error: no such key: nothing");
    assert.equal(e.code, 422);
  });
  await withObjects([policy('rt', { ...runtime, failurePolicy: 'Ignore' }), binding('rt', 'rt')], async () => {
    await api.create(deployment('e', 1));
    await cleanUp('deployments', 'default', 'e');
  });
  await withObjects([policy('cc', { validations: [{ expression: 'nope == 1' }] }), binding('cc', 'cc')], async () => {
    const e = await refused(api.create(deployment('e', 1)));
    assert.equal(e.message, "deployments.apps \"e\" is forbidden: ValidatingAdmissionPolicy 'cc' with binding 'cc' denied request: compilation error: compilation failed: ERROR: <input>:1:1: undeclared reference to 'nope' (in container '')\n | nope == 1\n | ^");
  });
  const variable = { variables: [{ name: 'x', expression: 'object.spec.nothing' }], validations: [{ expression: 'variables.x == 1' }] };
  await withObjects([policy('vv', variable), binding('vv', 'vv')], async () => {
    const e = await refused(api.create(deployment('e', 1)));
    assert.match(e.message, /denied request: expression 'variables.x == 1' resulted in error: composited variable "x" fails to evaluate: no such key: nothing$/);
  });
  const condition = { matchConditions: [{ name: 'c', expression: 'object.spec.nothing' }], validations: [{ expression: 'true' }] };
  await withObjects([policy('mc', condition), binding('mc', 'mc')], async () => {
    assert.match((await refused(api.create(deployment('e', 1)))).message, /denied request: expression 'object.spec.nothing' resulted in error: no such key: nothing$/);
  });
});

test('params: paramRef by name and by selector, parameterNotFoundAction Deny and Allow', async () => {
  const spec = {
    paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
    validations: [{ expression: 'object.spec.replicas <= int(params.data.max)', messageExpression: "'at most ' + params.data.max + ' (' + params.metadata.name + ')'" }],
  };
  const cm = (name: string, max: string, labels?: Record<string, string>): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', ...(labels ? { labels } : {}) }, data: { max } });
  await withObjects([policy('pp', spec), binding('by-name', 'pp', { paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' } })], async () => {
    const missing = await refused(api.create(deployment('p', 1)));
    assert.equal(missing.message, "deployments.apps \"p\" is forbidden: ValidatingAdmissionPolicy 'pp' with binding 'by-name' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction");
    await withObjects([cm('limits', '2')], async () => {
      assert.match((await refused(api.create(deployment('p', 3)))).message, /denied request: at most 2 \(limits\)$/);
      await api.create(deployment('p', 2));
      await cleanUp('deployments', 'default', 'p');
    });
  });
  await withObjects([policy('pp', spec), binding('by-selector', 'pp', { paramRef: { selector: { matchLabels: { limits: 'yes' } }, parameterNotFoundAction: 'Allow' } })], async () => {
    await api.create(deployment('q', 9)); // no param: Allow admits
    await cleanUp('deployments', 'default', 'q');
    await withObjects([cm('a', '5', { limits: 'yes' }), cm('b', '3', { limits: 'yes' }), cm('c', '1')], async () => {
      // Each param selected validates: the first denial (a's limit 5 passes, b's 3 fails).
      assert.match((await refused(api.create(deployment('q', 4)))).message, /denied request: at most 3 \(b\)$/);
    });
  });
});

test('the policies\' own kinds are exempt; a policy without a binding does nothing', async () => {
  const all = { matchConstraints: { resourceRules: [{ apiGroups: ['*'], apiVersions: ['*'], operations: ['*'], resources: ['*'] }] }, validations: [{ expression: 'false' }] };
  await withObjects([policy('all', all)], async () => {
    await api.create(deployment('free', 1));
    await cleanUp('deployments', 'default', 'free');
    await withObjects([binding('all', 'all')], async () => {
      await refused(api.create(deployment('free', 1)));
      // The binding itself can still go (withObjects deletes it).
    });
  });
});

test('matchPolicy: Equivalent (the default) matches a rule naming another served version, with request.kind that version; Exact does not', async () => {
  const hpa: KObject = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'h' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 3 },
  };
  const spec = (matchPolicy?: string) => ({
    matchConstraints: { ...(matchPolicy ? { matchPolicy } : {}), resourceRules: [{ apiGroups: ['autoscaling'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['horizontalpodautoscalers'] }] },
    validations: [{ expression: 'false', messageExpression: "request.kind.version + ' for ' + request.requestKind.version + ' ' + request.requestResource.resource" }],
  });
  await withObjects([policy('hpa', spec()), binding('hpa', 'hpa')], async () => {
    assert.match((await refused(api.create(hpa))).message, /denied request: v1 for v2 horizontalpodautoscalers$/);
  });
  await withObjects([policy('hpa', spec('Exact')), binding('hpa', 'hpa')], async () => {
    await api.create(hpa);
    await cleanUp('horizontalpodautoscalers', 'default', 'h');
  });
});

test('a create by generateName: request.name is empty, the object has its generated name (the denial names it)', async () => {
  const spec = { validations: [{ expression: "request.name != ''", messageExpression: "'request.name=\"' + request.name + '\" object=' + object.metadata.name" }] };
  await withObjects([policy('gen', spec), binding('gen', 'gen')], async () => {
    const d = deployment('', 1);
    d.metadata = { generateName: 'w-' };
    const e = await refused(api.create(d));
    assert.match(e.message, /^deployments\.apps "w-[a-z0-9]{5}" is forbidden: .* denied request: request\.name="" object=w-[a-z0-9]{5}$/);
  });
});

test('authorizer: checks of the requesting user answered by RBAC (kube\'s reasons), requestResource, path, serviceAccount, and the library\'s errors', async () => {
  const rbac = (kind: string, name: string, body: Record<string, unknown>): KObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name, namespace: 'default' }, ...body });
  const reader = rbac('Role', 'secret-reader', { rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['db'], verbs: ['get'] }, { apiGroups: ['apps'], resources: ['deployments'], verbs: ['create'] }] });
  const readers = rbac('RoleBinding', 'readers', { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'secret-reader' }, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'builder' }] });
  const dangling = rbac('RoleBinding', 'dangling', { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'gone' }, subjects: [{ kind: 'User', name: 'bob' }] });
  const secretDb = "authorizer.group('').resource('secrets').namespace(object.metadata.namespace).name('db').check('get')";
  const spec = {
    validations: [
      { expression: `${secretDb}.allowed()`, messageExpression: `'may not read db (' + ${secretDb}.reason() + ')'`, reason: 'Forbidden' },
      // The request's own resource: the user creating deployments may create them.
      { expression: "authorizer.requestResource.check('create').allowed() && !authorizer.requestResource.check('create').errored() && authorizer.requestResource.check('create').error() == ''" },
      { expression: "authorizer.path('/healthz').check('get').allowed() && (request.userInfo.username != 'alice' || !authorizer.path('/healthz').check('post').allowed())" },
      { expression: "object.metadata.name != 'sa' || authorizer.serviceAccount('default', 'builder').group('').resource('secrets').namespace('default').name('db').check('get').allowed()" },
      { expression: "object.metadata.name != 'sa' || !authorizer.serviceAccount('default', 'builder').group('').resource('secrets').namespace('default').name('other').check('get').allowed()" },
      { expression: "object.metadata.name != 'why'", messageExpression: "authorizer.requestResource.check('create').reason()" },
      { expression: "object.metadata.name != 'empty' || authorizer.path(' ').check('get').allowed()" },
    ],
  };
  const alice = { name: 'alice', groups: ['system:authenticated'] };
  const bob = { name: 'bob', groups: ['system:authenticated'] };
  await withObjects([reader, readers, dangling, policy('authz', spec), binding('authz', 'authz')], async () => {
    // bob may not read the secret: no opinion, with the missing role of his binding as the reason.
    const e = await refused(api.create(deployment('web', 1), { user: bob }));
    assert.equal(e.message, "deployments.apps \"web\" is forbidden: ValidatingAdmissionPolicy 'authz' with binding 'authz' denied request: may not read db (RBAC: role.rbac.authorization.k8s.io \"gone\" not found)");
    assert.equal(e.code, 403);
    // system:masters is allowed everything by the privileged-group authorizer, with no reason (the message falls back).
    assert.match((await refused(api.create(deployment('why', 1), { user: { ...bob, groups: ['system:masters'] } }))).message, /denied request: failed expression: object\.metadata\.name != 'why'$/);
    await api.create(deployment('web', 1), { user: alice }).catch((x) => assert.fail(String(x)));
    await cleanUp('deployments', 'default', 'web');
    // The service account may read the secret db, not another; the admin (no user) is a cluster admin.
    await api.create(deployment('sa', 1));
    await cleanUp('deployments', 'default', 'sa');
    assert.match((await refused(api.create(deployment('why', 1)))).message, /denied request: RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins" of ClusterRole "cluster-admin" to Group "kubeadm:cluster-admins"$/);
    assert.match((await refused(api.create(deployment('empty', 1)))).message, /denied request: expression 'object\.metadata\.name != 'empty' \|\| authorizer\.path\(' '\)\.check\('get'\)\.allowed\(\)' resulted in error: path must not be empty$/);
  });
});
