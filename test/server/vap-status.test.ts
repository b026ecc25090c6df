// The real kubectl 1.32 against `kubesim serve`: a ValidatingAdmissionPolicy's status as
// kube-controller-manager's validatingadmissionpolicy-status controller writes it
// (pkg/controller/validatingadmissionpolicystatus, typechecking.go): the generation it
// checked, and a warning per expression that names a field the matched kinds lack, worded
// as cel-go's issues under each kind's `group/version, Kind=K`. And the policy's defaults.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';

const c = new ServedCluster('vapstatus');
before(() => c.setUp({ kubectl: true, create: ['--nodes', '1'] }));
after(() => c.stop());

const policy = (name: string, rules: string, validations: string) => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: ${name}}
spec:
  matchConstraints:
    resourceRules:
${rules}
  validations:
${validations}
`;

const APPS = '    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments, replicasets]}';
const status = (name: string) => JSON.parse(c.kubectl(['get', 'validatingadmissionpolicy', name, '-o', 'jsonpath={.status}']).stdout || '{}');

test('a clean policy: observedGeneration and an empty typeChecking; the defaults kube-apiserver sets', () => {
  const applied = c.kubectl(['apply', '-f', '-'], { stdin: policy('clean', "    - {apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: [pods, pods/status]}", "  - expression: \"object.metadata.name.size() < 20 && has(object.metadata.labels) && object.spec.containers.all(x, x.image != '')\"") });
  assert.equal(applied.stdout, 'validatingadmissionpolicy.admissionregistration.k8s.io/clean created\n', applied.stderr);
  // Before the controller ran: the empty status PrepareForCreate leaves.
  assert.deepEqual(status('clean'), {});
  c.ok(['reconcile', '--until-stable']);
  const yaml = c.kubectl(['get', 'validatingadmissionpolicy', 'clean', '-o', 'yaml']).stdout;
  assert.match(yaml, /\n {2}failurePolicy: Fail\n {2}matchConstraints:\n {4}matchPolicy: Equivalent\n {4}namespaceSelector: \{\}\n {4}objectSelector: \{\}\n {4}resourceRules:\n/);
  assert.match(yaml, /\n {6}scope: '\*'\n/);
  assert.match(yaml, /\nstatus:\n {2}observedGeneration: 1\n {2}typeChecking: \{\}\n$/);
  assert.equal(c.kubesim(['get', 'validatingadmissionpolicy', 'clean', '-o', 'yaml']).stdout, yaml);
  // The controller's server-side apply of the status, forced, under its own manager.
  const managed = JSON.parse(c.kubectl(['get', 'validatingadmissionpolicy', 'clean', '-o', 'json', '--show-managed-fields']).stdout).metadata.managedFields;
  const mine = managed.find((m: any) => m.manager === 'validatingadmissionpolicy-status');
  assert.deepEqual([mine?.operation, mine?.subresource, mine?.fieldsV1], ['Apply', 'status', { 'f:status': { 'f:observedGeneration': {}, 'f:typeChecking': {} } }]);
});

test('a field the matched kinds lack: one warning per expression, each kind\'s issue; fixed, the next generation has none', () => {
  const validations = [
    '  - expression: "object.replicas > 1"',
    "    messageExpression: \"'replicas: ' + string(object.spec.replicas)\"",
    '  - expression: "object.spec.replicas <= 5"',
    '    messageExpression: "object.spec.templat.metadata.name"',
  ].join('\n');
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: policy('typed', APPS, validations) }).code, 0);
  c.ok(['reconcile', '--until-stable']);
  const issue = (col: number, field: string, line: string) => `ERROR: <input>:1:${col}: undefined field '${field}'\n | ${line}\n | ${'.'.repeat(col - 1)}^`;
  const both = (text: string) => `apps/v1, Kind=Deployment: ${text}\n\napps/v1, Kind=ReplicaSet: ${text}\n`;
  assert.deepEqual(status('typed'), {
    observedGeneration: 1,
    typeChecking: {
      expressionWarnings: [
        { fieldRef: 'spec.validations[0].expression', warning: both(issue(7, 'replicas', 'object.replicas > 1')) },
        { fieldRef: 'spec.validations[1].messageExpression', warning: both(issue(12, 'templat', 'object.spec.templat.metadata.name')) },
      ],
    },
  });
  // As kubectl prints it (a block scalar, the newline kept), and kubesim's CLI the same.
  const yaml = c.kubectl(['get', 'validatingadmissionpolicy', 'typed', '-o', 'yaml']).stdout;
  assert.match(yaml, /\n {6}warning: \|\n {8}apps\/v1, Kind=Deployment: ERROR: <input>:1:7: undefined field 'replicas'\n {9}\| object.replicas > 1\n {9}\| \.\.\.\.\.\.\^\n\n {8}apps\/v1, Kind=ReplicaSet: /);
  assert.equal(c.kubesim(['get', 'validatingadmissionpolicy', 'typed', '-o', 'yaml']).stdout, yaml);

  const fixed = validations.replace('object.replicas', 'object.spec.replicas').replace('templat', 'template');
  const reapplied = c.kubectl(['apply', '-f', '-'], { stdin: policy('typed', APPS, fixed) });
  assert.equal(reapplied.stdout, 'validatingadmissionpolicy.admissionregistration.k8s.io/typed configured\n', reapplied.stderr);
  c.ok(['reconcile', '--until-stable']);
  assert.deepEqual(status('typed'), { observedGeneration: 2, typeChecking: {} });
});

test('rules whose kinds cannot be told (a wildcard group, a version not served) are not checked: no warning', () => {
  const rules = ["    - {apiGroups: ['*'], apiVersions: [v1], operations: [CREATE], resources: [deployments]}", '    - {apiGroups: [apps], apiVersions: [v1beta1], operations: [CREATE], resources: [deployments]}'].join('\n');
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: policy('untyped', rules, '  - expression: "object.nosuch == 1"') }).code, 0);
  c.ok(['reconcile', '--until-stable']);
  assert.deepEqual(status('untyped'), { observedGeneration: 1, typeChecking: {} });
});

test('the tables kube-apiserver prints: VALIDATIONS and PARAMKIND of a policy, POLICYNAME and PARAMREF of a binding', () => {
  const withParams = `${policy('limits', APPS, '  - expression: "object.spec.replicas <= 5"')}  paramKind: {apiVersion: v1, kind: ConfigMap}\n`;
  const binding = (name: string, paramRef: string) => `---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {name: ${name}}\nspec:\n  policyName: limits\n  validationActions: [Deny]\n${paramRef}`;
  const manifest = withParams + binding('by-name', '  paramRef: {name: max, namespace: default, parameterNotFoundAction: Allow}\n') + binding('any-namespace', '  paramRef: {name: max, parameterNotFoundAction: Deny}\n') +
    binding('by-selector', '  paramRef: {selector: {matchLabels: {tier: web, app: x}, matchExpressions: [{key: env, operator: In, values: [a, b]}]}, parameterNotFoundAction: Allow}\n') + binding('unparameterized', '');
  const applied = c.kubectl(['apply', '-f', '-'], { stdin: manifest });
  assert.equal(applied.code, 0, applied.stderr);
  // The cells as printers.go's printValidatingAdmissionPolicy(Binding) make them (AGE left out).
  const cells = (s: string) => s.split('\n').map((l) => l.split(/ {2,}/).slice(0, -1));
  const args = ['get', 'validatingadmissionpolicies,validatingadmissionpolicybindings'];
  const got = c.kubectl(args);
  const P = 'validatingadmissionpolicy.admissionregistration.k8s.io/';
  const B = 'validatingadmissionpolicybinding.admissionregistration.k8s.io/';
  assert.deepEqual(cells(got.stdout), [
    ['NAME', 'VALIDATIONS', 'PARAMKIND'],
    [`${P}clean`, '1', '<unset>'],
    [`${P}limits`, '1', 'v1/ConfigMap'],
    [`${P}typed`, '2', '<unset>'],
    [`${P}untyped`, '1', '<unset>'],
    [],
    ['NAME', 'POLICYNAME', 'PARAMREF'],
    [`${B}any-namespace`, 'limits', '*/max'],
    [`${B}by-name`, 'limits', 'default/max'],
    [`${B}by-selector`, 'limits', '&LabelSelector{MatchLabels:map[string]string{app: x,tier: web,},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:env,Operator:In,Values:[a b],},},}'],
    [`${B}unparameterized`, 'limits', '<unset>'],
    [],
  ], got.stderr);
  const noAge = (s: string) => s.replace(/ +\S+$/gm, '');
  assert.equal(noAge(c.kubesim(args).stdout), noAge(got.stdout));
});
