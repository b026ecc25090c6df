// Server-side apply and managedFields with the real kubectl 1.32 against `kubesim serve`:
// field managers per command, conflicts (kubectl's message and exit code, the same from
// kubesim's own `apply --server-side`), --force-conflicts, --field-manager, pruning, and
// `get --show-managed-fields` printing the same entries through either client.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';

const c = new ServedCluster('ssa');

// Each test writes its own objects (its own names), so that any one runs alone or in any order.
const deploy = (name: string, replicas: number, image = 'busybox:1.36') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - {name: app, image: ${image}, command: ["sh", "-c", "sleep 36000"]}
`;

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'] });
});
after(() => c.stop());

const managers = (name: string) => {
  const o = JSON.parse(c.kubectl(['get', 'deploy', name, '-o', 'json', '--show-managed-fields']).stdout);
  return (o.metadata.managedFields ?? []) as any[];
};

test('every kubectl write is recorded under its field manager', () => {
  const a = c.kubectl(['apply', '-f', c.file('d1.yaml', deploy('web', 2))]);
  assert.equal(a.stdout, 'deployment.apps/web created\n', a.stderr);
  let m = managers('web');
  assert.deepEqual(m.map((e) => [e.manager, e.operation, e.apiVersion, e.fieldsType]), [['kubectl-client-side-apply', 'Update', 'apps/v1', 'FieldsV1']]);
  assert.match(m[0].time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const f = m[0].fieldsV1;
  assert.deepEqual(f['f:metadata']['f:annotations'], { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} });
  assert.ok('f:replicas' in f['f:spec']);
  assert.ok('.' in f['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"app"}']);
  // Without --show-managed-fields, kubectl prints none (and kubesim the same).
  assert.doesNotMatch(c.kubectl(['get', 'deploy', 'web', '-o', 'yaml']).stdout, /managedFields/);
  assert.equal(c.kubectl(['label', 'deploy', 'web', 'tier=web']).code, 0);
  assert.equal(c.kubectl(['annotate', 'deploy', 'web', 'note=x']).code, 0);
  m = managers('web');
  assert.deepEqual(m.map((e) => e.manager).sort(), ['kubectl-annotate', 'kubectl-client-side-apply', 'kubectl-label']);
  assert.deepEqual(m.find((e) => e.manager === 'kubectl-label').fieldsV1, { 'f:metadata': { 'f:labels': { 'f:tier': {} } } });
  // Both clients print the same object with its managedFields.
  const a2 = c.kubectl(['get', 'deploy', 'web', '-o', 'yaml', '--show-managed-fields']);
  const b2 = c.kubesim(['get', 'deploy', 'web', '-o', 'yaml', '--show-managed-fields']);
  assert.equal(b2.stdout, a2.stdout);
  assert.match(a2.stdout, /manager: kubectl-label\n {4}operation: Update/);
});

const ADVICE = `Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
`;

test('apply --server-side: conflicts as on a real cluster, then --force-conflicts takes the field', () => {
  const created = c.kubectl(['apply', '-f', c.file('d2-csa.yaml', deploy('web2', 2))]);
  assert.equal(created.stdout, 'deployment.apps/web2 created\n', created.stderr);
  // two Update managers besides, whose entries come after the Apply entries below
  assert.equal(c.kubectl(['label', 'deploy', 'web2', 'tier=web']).code, 0);
  assert.equal(c.kubectl(['annotate', 'deploy', 'web2', 'note=x']).code, 0);
  const f = c.file('d2.yaml', deploy('web2', 3));
  const a = c.kubectl(['apply', '--server-side', '-f', f]);
  const b = c.kubesim(['apply', '--server-side', '-f', f]);
  assert.equal(a.code, 1);
  assert.equal(a.stderr, `error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas\n${ADVICE}`);
  assert.deepEqual({ code: b.code, stdout: b.stdout, stderr: b.stderr }, { code: a.code, stdout: a.stdout, stderr: a.stderr });
  const two = c.kubectl(['apply', '--server-side', '-f', c.file('d3.yaml', deploy('web2', 3, 'busybox:1.37'))]);
  assert.equal(two.stderr.split('\n')[0], 'error: Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:');
  assert.deepEqual(two.stderr.split('\n').slice(1, 3), ['- .spec.replicas', '- .spec.template.spec.containers[name="app"].image']);
  assert.equal(c.ok(['get', 'deploy', 'web2', '-o', 'jsonpath={.spec.replicas}']), '2', 'nothing was written');
  const forced = c.kubectl(['apply', '--server-side', '--force-conflicts', '-f', f]);
  assert.equal(forced.stdout, 'deployment.apps/web2 serverside-applied\n', forced.stderr);
  assert.equal(c.ok(['get', 'deploy', 'web2', '-o', 'jsonpath={.spec.replicas}']), '3');
  // kubectl then saves its last-applied annotation (manager kubectl-last-applied) and moves
  // what kubectl-client-side-apply owned to its own Apply entry (a JSON patch of managedFields).
  const m = managers('web2');
  const mine = m.find((e) => e.manager === 'kubectl' && e.operation === 'Apply');
  assert.ok(mine && 'f:replicas' in mine.fieldsV1['f:spec'], JSON.stringify(m));
  assert.ok(m.some((e) => e.manager === 'kubectl-last-applied' && e.operation === 'Apply'), JSON.stringify(m));
  assert.ok(!m.some((e) => e.manager === 'kubectl-client-side-apply'), 'migrated to server-side apply');
  assert.deepEqual(m.map((e) => e.operation), ['Apply', 'Apply', 'Update', 'Update'], 'Apply entries first');
  // The same configuration again: no conflict, nothing changes.
  assert.equal(c.kubesim(['apply', '--server-side', '-f', f]).stdout, 'deployment.apps/web2 serverside-applied\n');
});

test('--field-manager: two appliers share an object; a field one of them drops goes unless the other owns it', () => {
  const cm = (labels: string, data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared, labels: {${labels}}}\ndata: {${data}}\n`;
  assert.equal(c.kubectl(['apply', '--server-side', '--field-manager=team-a', '-f', c.file('a1.yaml', cm('a: "1", both: "x"', 'k1: v1, k2: v2'))]).code, 0);
  assert.equal(c.kubesim(['apply', '--server-side', '--field-manager=team-b', '-f', c.file('b1.yaml', cm('b: "1", both: "x"', 'k3: v3'))]).code, 0);
  const r = c.kubectl(['apply', '--server-side', '--field-manager=team-a', '-f', c.file('a2.yaml', cm('a: "1"', 'k1: v1'))]);
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(c.ok(['get', 'cm', 'shared', '-o', 'json']));
  assert.deepEqual(o.data, { k1: 'v1', k3: 'v3' });
  assert.deepEqual(o.metadata.labels, { a: '1', b: '1', both: 'x' });
  const conflict = c.kubesim(['apply', '--server-side', '--field-manager=team-a', '-f', c.file('a3.yaml', cm('b: "2"', 'k1: v1'))]);
  assert.equal(conflict.code, 1);
  assert.match(conflict.stderr, /^error: Apply failed with 1 conflict: conflict with "team-b": \.metadata\.labels\.b\n/);
  // The status body kube-apiserver sends with it.
  return c.request('PATCH', '/api/v1/namespaces/default/configmaps/shared?fieldManager=team-a', { body: cm('b: "2"', 'k1: v1'), headers: { 'content-type': 'application/apply-patch+yaml' } }).then((res) => {
    assert.equal(res.status, 409);
    assert.deepEqual(JSON.parse(res.body), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "team-b": .metadata.labels.b',
      reason: 'Conflict',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "team-b"', field: '.metadata.labels.b' }] },
      code: 409,
    });
  });
});

test('the manager without fieldManager is the user agent\'s product, and scale is an update of the scale subresource', async () => {
  const applied = c.kubectl(['apply', '--server-side', '-f', c.file('d4-ssa.yaml', deploy('web4', 2))]);
  assert.equal(applied.stdout, 'deployment.apps/web4 serverside-applied\n', applied.stderr);
  assert.equal(c.kubectl(['scale', 'deploy', 'web4', '--replicas=1']).code, 0);
  const m = managers('web4');
  const scale = m.find((e) => e.subresource === 'scale');
  assert.deepEqual([scale?.manager, scale?.operation], ['kubectl', 'Update']);
  const res = await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ua' }, data: { a: 'b' } }), headers: { 'content-type': 'application/json', 'user-agent': 'my-operator/v0.1 (linux)' } });
  assert.equal(res.status, 201);
  assert.equal(JSON.parse(res.body).metadata.managedFields[0].manager, 'my-operator');
  const again = c.kubectl(['apply', '--server-side', '-f', c.file('d4.yaml', deploy('web4', 3))]);
  assert.equal(again.stderr, `error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas\n${ADVICE}`);
});

test('kubesim\'s own verbs record the managers kubectl records for the same commands', () => {
  const dep = (n: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${n}, labels: {app: ${n}}}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: ${n}}}\n  template:\n    metadata: {labels: {app: ${n}}}\n    spec:\n      containers:\n      - {name: app, image: busybox:1.36}\n`;
  const steps = (n: string): string[][] => [
    ['create', '-f', c.file(`${n}.yaml`, dep(n))],
    ['label', 'deploy', n, 'tier=x'],
    ['annotate', 'deploy', n, 'note=y'],
    ['set', 'image', `deploy/${n}`, 'app=busybox:1.37'],
    ['patch', 'deploy', n, '-p', '{"spec":{"minReadySeconds":3}}'],
    ['scale', 'deploy', n, '--replicas=2'],
  ];
  for (const s of steps('zqa')) assert.equal(c.kubectl(s).code, 0, s.join(' '));
  for (const s of steps('zqb')) assert.equal(c.kubesim(s).code, 0, s.join(' '));
  const view = (n: string) =>
    managers(n)
      .map((e) => JSON.stringify([e.manager, e.operation, e.subresource ?? '', e.fieldsV1]).replaceAll(n, 'X'))
      .sort();
  assert.deepEqual(view('zqb'), view('zqa'));
  assert.deepEqual(managers('zqa').map((e) => e.manager).sort(), ['kubectl', 'kubectl-annotate', 'kubectl-create', 'kubectl-label', 'kubectl-patch', 'kubectl-set']);
});

test('list keys as v1.32\'s OpenAPI declares them (x-kubernetes-list-type, else the patch merge key): a duplicate in a keyed list or set is refused, in an atomic list it is taken', () => {
  const refusedWith = (yaml: string, file: string, what: string, error: string) => {
    const r = c.kubectl(['apply', '--server-side', '-f', c.file(file, yaml)]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', `Error from server: failed to create typed patch object (${what}): ${error}\n`]);
  };
  // A ValidatingAdmissionPolicy's matchConditions and variables are map lists keyed by name (no patch strategy: kubesim had them atomic).
  refusedWith(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: dup-conditions}
spec:
  matchConstraints: {resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]}
  matchConditions: [{name: a, expression: 'true'}, {name: a, expression: 'false'}]
  validations: [{expression: 'true'}]
`, 'dup-conditions.yaml', '/dup-conditions; admissionregistration.k8s.io/v1, Kind=ValidatingAdmissionPolicy', '.spec.matchConditions: duplicate entries for key [name="a"]');
  // A binding's validationActions is a set.
  refusedWith(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: dup-actions}
spec: {policyName: p, validationActions: [Deny, Warn, Deny]}
`, 'dup-actions.yaml', '/dup-actions; admissionregistration.k8s.io/v1, Kind=ValidatingAdmissionPolicyBinding', '.spec.validationActions: duplicate entries for key [="Deny"]');
  assert.equal(c.kubectl(['get', 'validatingadmissionpolicies,validatingadmissionpolicybindings', '-o', 'name']).stdout, '', 'nothing written');
  // A Job's status.conditions has a patch merge key (type) but +listType=atomic in 1.32: the same type twice is a typed value (the status itself is then reset, as on any create).
  const job = `apiVersion: batch/v1
kind: Job
metadata: {name: dup-status}
spec:
  suspend: true
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox:1.36}]
status:
  conditions: [{type: Suspended, status: "True"}, {type: Suspended, status: "False"}]
`;
  assert.deepEqual(c.kubectl(['apply', '--server-side', '--dry-run=server', '-f', c.file('dup-status.yaml', job)]), { code: 0, stdout: 'job.batch/dup-status serverside-applied (server dry run)\n', stderr: '' });
});
