// Validation errors as kube-apiserver v1.32 words them, through the real kubectl against
// `kubesim serve`, and the in-process CLI (KUBESIM_NO_DAEMON=1) printing the same bytes.
//
// Custom resources: apiextensions-apiserver v0.32.4 pkg/apiserver/validation/validation.go
// kubeOpenAPIResultToFieldErrors (lines 157-233) turns kube-openapi's errors
// (k8s.io/kube-openapi@32ad38e42d3f pkg/validation/errors/schema.go) into field errors, which
// apimachinery's field.Error.ErrorBody (pkg/util/validation/field/errors.go) prints.
//
// Built-in kinds: kubectl 1.32 validates nothing client-side when the server's OpenAPI shows
// fieldValidation on the kind's PATCH (kubectl pkg/validation/schema.go paramVerifyingSchema,
// cli-runtime query_param_verifier_v3.go): it sends fieldValidation=Strict and prints the
// server's error.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';
import { crdYaml } from '../helpers/crd';

const c = new ServedCluster('wording');
before(() => c.setUp({ kubectl: true, create: ['--nodes', '1'] }));
after(() => c.stop());

const GIZMOS = crdYaml({ plural: 'gizmos', kind: 'Gizmo', schema: `properties:
  spec:
    type: object
    required: [size]
    properties:
      size: {type: integer, minimum: 1, maximum: 10}
      ratio: {type: number, exclusiveMaximum: true, maximum: 1.5, multipleOf: 0.5}
      color: {type: string, enum: [red, blue]}
      level: {type: integer, enum: [1, 2]}
      name: {type: string, minLength: 3, maxLength: 5, pattern: '^[a-z]+$'}
      email: {type: string, format: email}
      when: {type: string, format: date-time}
      uid: {type: string, format: uuid}
      tags: {type: array, minItems: 1, maxItems: 2, items: {type: string}}
      labels: {type: object, maxProperties: 2, minProperties: 1, additionalProperties: {type: string}}
      port: {x-kubernetes-int-or-string: true}
      note: {type: string, nullable: true}
` });

const gizmo = (spec: string) => `apiVersion: example.com/v1\nkind: Gizmo\nmetadata: {name: g, namespace: default}\nspec: ${spec}\n`;

const refusedAlike = (args: string[], stdin: string, stderr: string) => c.refusedAlike(args, stdin, stderr);

/** kubectl and the in-process CLI at once (what they run writes nothing). */
const bothSides = (args: string[], stdin?: string) => c.bothClients(args, stdin);

const invalid = (cause: string) => `The Gizmo "g" is invalid: ${cause}\n`;

test('custom resources: each kind of schema error worded as kube-apiserver', async () => {
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: GIZMOS }).code, 0);
  assert.equal(c.kubectl(['wait', '--for=condition=Established', 'crd/gizmos.example.com', '--timeout=20s']).code, 0);
  const cases: [spec: string, cause: string][] = [
    // RequiredFailCode: field.Required(path, "").
    ['{color: red}', 'spec.size: Required value'],
    // InvalidTypeCode: field.TypeInvalid(path, err.Value, err.Error()); typeValidator passes the
    // value's type name as the value (errors.InvalidType, typeFailWithData "%s in %s must be of type %s: %q").
    ['{size: "x"}', 'spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"'],
    ['{size: 1.5}', 'spec.size: Invalid value: "number": spec.size in body must be of type integer: "number"'],
    ['{size: 1, tags: [7]}', 'spec.tags[0]: Invalid value: "integer": spec.tags[0] in body must be of type string: "integer"'],
    ['{size: 1, labels: [a]}', 'spec.labels: Invalid value: "array": spec.labels in body must be of type object: "array"'],
    // x-kubernetes-int-or-string is `type: [integer, string]` (ConvertJSONSchemaPropsWithPostProcess), one type error.
    ['{size: 1, port: {a: 1}}', 'spec.port: Invalid value: "object": spec.port in body must be of type integer,string: "object"'],
    // EnumFailCode: field.NotSupported, allowed values as strings (non-strings as JSON), each quoted.
    ['{size: 1, color: green}', 'spec.color: Unsupported value: "green": supported values: "red", "blue"'],
    ['{size: 1, level: 3}', 'spec.level: Unsupported value: 3: supported values: "1", "2"'],
    // MaxFailCode/MinFailCode: field.Invalid with maxIncFail/maxExcFail/minIncFail; an int64 value is compared with int64(bound).
    ['{size: 11}', 'spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10'],
    ['{size: 0}', 'spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1'],
    ['{size: 1, ratio: 1.5}', 'spec.ratio: Invalid value: 1.5: spec.ratio in body should be less than 1.5'],
    // MultipleOfFailCode: multipleOfFail "%s in %s should be a multiple of %v".
    ['{size: 1, ratio: 0.7}', 'spec.ratio: Invalid value: 0.7: spec.ratio in body should be a multiple of 0.5'],
    // TooShortFailCode: tooShortMessage; TooLongFailCode: field.TooLong(path, "", max), value omitted.
    ['{size: 1, name: ab}', 'spec.name: Invalid value: "ab": spec.name in body should be at least 3 chars long'],
    ['{size: 1, name: abcdefg}', 'spec.name: Too long: may not be more than 5 bytes'],
    // PatternFailCode: patternFail "%s in %s should match '%s'".
    ['{size: 1, name: AbC}', 'spec.name: Invalid value: "AbC": spec.name in body should match \'^[a-z]+$\''],
    // FormatOf: errors.InvalidType(path, in, format, data), the format as the schema spells it.
    ['{size: 1, email: nope}', 'spec.email: Invalid value: "nope": spec.email in body must be of type email: "nope"'],
    ['{size: 1, when: yesterday}', 'spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"'],
    // A format on a number: typeValidator names the format and the number's (int64, float64).
    ['{size: 1, uid: 123}', 'spec.uid: Invalid value: "int64": spec.uid in body must be of type uuid: "int64"'],
    ['{size: 1, uid: not-a-uuid}', 'spec.uid: Invalid value: "not-a-uuid": spec.uid in body must be of type uuid: "not-a-uuid"'],
    // MinItemsFailCode: field.Invalid(path, size, minItemsFail); MaxItemsFailCode: field.TooMany(path, actual, max).
    ['{size: 1, tags: []}', 'spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items'],
    ['{size: 1, tags: [a, b, c]}', 'spec.tags: Too many: 3: must have at most 2 items'],
    // TooFewPropertiesCode: field.Invalid; TooManyPropertiesCode: field.TooMany (its message says items).
    ['{size: 1, labels: {}}', 'spec.labels: Invalid value: 0: spec.labels in body should have at least 1 properties'],
    ['{size: 1, labels: {a: x, c: z, d: w}}', 'spec.labels: Too many: 3: must have at most 2 items'],
    // PruneNonNullableNullsWithoutDefaults drops a null the schema does not allow before validation.
    ['{size: null}', 'spec.size: Required value'],
  ];
  for (const [spec, cause] of cases) await refusedAlike(['create', '-f', '-'], gizmo(spec), invalid(cause));
  // A null where nullable, or dropped where not, is no error.
  const ok = c.kubectl(['create', '-f', '-', '--dry-run=server', '-o', 'jsonpath={.spec}'], { stdin: gizmo('{size: 1, ratio: null, note: null}') });
  assert.deepEqual([ok.code, ok.stdout], [0, '{"note":null,"size":1}'], ok.stderr);
  // Unknown fields: strict decoding (400), or dropped with a warning (Warn).
  await refusedAlike(['create', '-f', '-'], gizmo('{size: 1, shape: round}'),
    'Error from server (BadRequest): error when creating "STDIN": Gizmo in version "v1" cannot be handled as a Gizmo: strict decoding error: unknown field "spec.shape"\n');
  const [warn, warnS] = await bothSides(['create', '-f', '-', '--validate=warn', '--dry-run=server'], gizmo('{size: 1, shape: round}'));
  assert.deepEqual(warn, { code: 0, stdout: 'gizmo.example.com/g created (server dry run)\n', stderr: 'Warning: unknown field "spec.shape"\n' });
  assert.deepEqual(warnS, warn);
});

const deployment = (name: string, spec: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
${spec}  selector: {matchLabels: {app: d}}
  template:
    metadata: {labels: {app: d}}
    spec:
      containers: [{name: c, image: nginx}]
`;

test('built-in kinds: kubectl leaves unknown fields and wrong types to the server (400), required fields are its 422', async () => {
  for (const verb of ['create', 'apply', 'replace']) {
    const ing = verb === 'apply' ? 'creating' : `${verb.replace(/e$/, '')}ing`;
    const file = c.file(`unknown-${verb}.yaml`, deployment('d1', '  replicas: 1\n  foo: bar\n'));
    const [unknown, unknownS] = await bothSides([verb, '-f', file]);
    assert.deepEqual([unknown.code, unknown.stdout, unknown.stderr], [1, '',
      `Error from server (BadRequest): error when ${ing} "${file}": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"\n`], verb);
    assert.deepEqual(unknownS, unknown, `in-process ${verb}`);
    const wrongType = c.file(`type-${verb}.yaml`, deployment('d2', '  replicas: "two"\n'));
    const [typed, typedS] = await bothSides([verb, '-f', wrongType]);
    assert.deepEqual([typed.code, typed.stdout, typed.stderr], [1, '',
      `Error from server (BadRequest): error when ${ing} "${wrongType}": Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32\n`], verb);
    assert.deepEqual(typedS, typed, `in-process ${verb}`);
  }
  const noImage = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p1}\nspec:\n  containers: [{name: c}]\n';
  const noName = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p2}\nspec:\n  containers: [{image: nginx}]\n';
  for (const verb of ['create', 'apply']) {
    await refusedAlike([verb, '-f', '-'], noImage, 'The Pod "p1" is invalid: spec.containers[0].image: Required value\n');
    await refusedAlike([verb, '-f', '-'], noName, 'The Pod "p2" is invalid: spec.containers[0].name: Required value\n');
  }
  assert.equal(c.kubectl(['get', 'deploy,pods', '-o', 'name']).stdout, '', 'nothing was written');
});

test('built-in kinds: of two bad fields, the error names them as the decoder meets them in kubectl\'s body (its keys sorted), not in file order', async () => {
  // sigs.k8s.io/json reads depth first: the first type error wins, unknown fields are listed
  // as met. kubectl re-encodes the file through a Go map: every object's keys sorted.
  const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two-unknown\n  zeta: 1\n  alpha: 2\nzzz: 3\ndata: {a: b}\n';
  await refusedAlike(['create', '-f', '-'], cm,
    'Error from server (BadRequest): error when creating "STDIN": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "metadata.alpha", unknown field "metadata.zeta", unknown field "zzz"\n');
  const typed = deployment('two-types', '  replicas: "three"\n  minReadySeconds: "x"\n');
  await refusedAlike(['apply', '-f', '-'], typed,
    'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.minReadySeconds of type int32\n');
  const [k, s] = await bothSides(['create', '-f', '-', '--validate=warn', '--dry-run=server'], cm);
  assert.deepEqual(k, { code: 0, stdout: 'configmap/two-unknown created (server dry run)\n', stderr: 'Warning: unknown field "metadata.alpha"\nWarning: unknown field "metadata.zeta"\nWarning: unknown field "zzz"\n' });
  assert.deepEqual(s, k, 'in-process');
});

test('built-in kinds: an int64 past 2^53 in an int32 field is quoted with its own digits (kubectl and the apiserver keep int64 exact)', async () => {
  const yaml = deployment('d4', '  replicas: 9007199254740993\n');
  const json = JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd4' }, spec: { replicas: 1, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } }).replace('"replicas":1', '"replicas":9007199254740993');
  for (const [ext, text] of [['yaml', yaml], ['json', json]]) {
    const file = c.file(`past-2-53.${ext}`, text);
    const [k, s] = await bothSides(['create', '-f', file]);
    assert.deepEqual([k.code, k.stdout, k.stderr], [1, '',
      `Error from server (BadRequest): error when creating "${file}": Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 9007199254740993 into Go struct field DeploymentSpec.spec.replicas of type int32\n`], ext);
    assert.deepEqual(s, k, `in-process ${ext}`);
  }
  // Out of int32 beside an unknown field: still the decoding's type error (it comes before strict decoding's).
  const both = c.file('int32-unknown.yaml', deployment('d5', '  replicas: 3000000000\n  foo: bar\n'));
  const [k, s] = await bothSides(['create', '-f', both]);
  assert.deepEqual([k.code, k.stdout, k.stderr], [1, '',
    `Error from server (BadRequest): error when creating "${both}": Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32\n`]);
  assert.deepEqual(s, k, 'in-process');
});

test('built-in kinds: a duplicate key keeps its last value; --validate=warn|ignore drop unknown fields', async () => {
  const dup = deployment('dup', '  replicas: 1\n  replicas: 2\n');
  for (const verb of ['create', 'apply']) {
    const args = [verb, '-f', '-', '--dry-run=server', '-o', 'jsonpath={.spec.replicas}'];
    const [k, s] = await bothSides(args, dup);
    assert.deepEqual(k, { code: 0, stdout: '2', stderr: '' }, verb);
    assert.deepEqual(s, k, `in-process ${verb}`);
  }
  const unknown = deployment('lenient', '  replicas: 1\n  foo: bar\n');
  for (const [verb, validate, stderr] of [
    ['create', 'warn', 'Warning: unknown field "spec.foo"\n'], ['create', 'ignore', ''], ['create', 'false', ''],
    ['apply', 'warn', 'Warning: unknown field "spec.foo"\n'],
  ]) {
    const args = [verb, '-f', '-', `--validate=${validate}`, '--dry-run=server'];
    const [k, s] = await bothSides(args, unknown);
    assert.deepEqual(k, { code: 0, stdout: `deployment.apps/lenient created (server dry run)\n`, stderr }, args.join(' '));
    assert.deepEqual(s, k, `in-process ${args.join(' ')}`);
  }
});

test('apply of an existing object: the patch the server refuses is quoted as kubectl does', async () => {
  assert.equal(c.kubectl(['create', '-f', '-'], { stdin: deployment('live', '  replicas: 1\n') }).code, 0);
  const file = c.file('live.yaml', deployment('live', '  replicas: 1\n  foo: bar\n'));
  const [k, s] = await bothSides(['apply', '-f', file]);
  assert.equal(k.code, 1);
  assert.match(k.stderr, /\nError from server \(BadRequest\): error when applying patch:\n\{"metadata":\{"annotations":\{"kubectl.kubernetes.io\/last-applied-configuration":".*\\n"\}\}.*\}\nto:\nResource: "apps\/v1, Resource=deployments", GroupVersionKind: "apps\/v1, Kind=Deployment"\nName: "live", Namespace: "default"\nfor: "[^"]+live\.yaml": error when patching "[^"]+live\.yaml": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec\.foo"\n$/);
  assert.deepEqual(s, k);
});

const DOODADS = crdYaml({ plural: 'doodads', kind: 'Doodad', schema: `properties:
  spec:
    type: object
    required: [size, label]
    properties:
      size: {type: integer, minimum: 1.5, maximum: 10.5}
      ratio: {type: number, minimum: 1.5}
      count: {type: integer, multipleOf: 3, minimum: 5, enum: [6, 9]}
      half: {type: integer, multipleOf: 0.5}
      label: {type: string}
      short: {type: string, anyOf: [{maxLength: 2}, {pattern: '^x'}]}
      pick: {type: object, x-kubernetes-preserve-unknown-fields: true, oneOf: [{required: [a]}, {required: [b]}]}
      both: {type: string, allOf: [{minLength: 2}, {pattern: '^y'}]}
` });

const doodad = (spec: string) => `apiVersion: example.com/v1\nkind: Doodad\nmetadata: {name: d, namespace: default}\nspec: ${spec}\n`;

test('custom resources: several errors in kube-openapi\'s order, anyOf/oneOf/allOf details, integers against fractional bounds', async () => {
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: DOODADS }).code, 0);
  assert.equal(c.kubectl(['wait', '--for=condition=Established', 'crd/doodads.example.com', '--timeout=20s']).code, 0);
  const one = (cause: string) => `The Doodad "d" is invalid: ${cause}\n`;
  const list = (...causes: string[]) => `The Doodad "d" is invalid: \n${causes.map((x) => `* ${x}\n`).join('')}`;
  const cases: [spec: string, stderr: string][] = [
    // The number validator (multipleOf, minimum, maximum), then enum; the required fields after the properties.
    ['{count: 4}', list(
      'spec.count: Invalid value: 4: spec.count in body should be a multiple of 3',
      'spec.count: Invalid value: 4: spec.count in body should be greater than or equal to 5',
      'spec.count: Unsupported value: 4: supported values: "6", "9"',
      'spec.size: Required value',
      'spec.label: Required value',
    )],
    // An integer is compared with int64(bound): 1 passes `minimum: 1.5`, 11 fails `maximum: 10.5` as "10".
    ['{size: 1, label: x}', ''],
    ['{size: 11, label: x}', one('spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10')],
    // A float is compared as it is.
    ['{size: 2, label: x, ratio: 1.25}', one('spec.ratio: Invalid value: 1.25: spec.ratio in body should be greater than or equal to 1.5')],
    // int64(0.5) is 0: every integer fails MultipleOfMustBePositive.
    ['{size: 2, label: x, half: 4}', one('spec.half: Invalid value: 0: factor MultipleOf declared for spec.half must be positive: 0')],
    // anyOf/oneOf: their error first, then the errors of the first branch that matched most.
    ['{size: 2, label: x, short: abc}', list(
      '<nil>: Invalid value: "": "spec.short" must validate at least one schema (anyOf)',
      'spec.short: Too long: may not be more than 2 bytes',
    )],
    ['{size: 2, label: x, pick: {}}', list(
      '<nil>: Invalid value: "": "spec.pick" must validate one and only one schema (oneOf). Found none valid',
      'spec.pick.a: Required value',
    )],
    ['{size: 2, label: x, pick: {a: 1, b: 2}}', one('<nil>: Invalid value: "": "spec.pick" must validate one and only one schema (oneOf). Found 2 valid alternatives')],
    // allOf: each branch's errors, then its own.
    ['{size: 2, label: x, both: z}', list(
      'spec.both: Invalid value: "z": spec.both in body should be at least 2 chars long',
      'spec.both: Invalid value: "z": spec.both in body should match \'^y\'',
      '<nil>: Invalid value: "": "spec.both" must validate all the schemas (allOf). None validated',
    )],
  ];
  for (const [spec, stderr] of cases) {
    if (stderr) await refusedAlike(['create', '-f', '-'], doodad(spec), stderr);
    else {
      const [k, s] = await bothSides(['create', '-f', '-', '--dry-run=server'], doodad(spec));
      assert.deepEqual([k.code, k.stderr], [0, ''], spec);
      assert.deepEqual(s, k, spec);
    }
  }
});

test('ValidatingAdmissionPolicy: a Deny binding\'s denial (Invalid, Forbidden, through /scale) and a Warn binding\'s warning as kubectl prints them', async () => {
  // Kept to the names web and root-web (resourceNames): the Scale a /scale write is seen as has no labels to select.
  const policies = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: demo-policy.example.com}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments, deployments/scale], resourceNames: [web, root-web]}
  validations:
  - expression: object.spec.replicas <= 5
  - expression: "!object.metadata.name.startsWith('root')"
    message: names starting with root are reserved
    reason: Forbidden
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: demo-binding-test.example.com}
spec: {policyName: demo-policy.example.com, validationActions: [Deny]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: image-tags.example.com}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments], resourceNames: [web]}
  validations:
  - expression: "object.spec.template.spec.containers.all(c, !c.image.endsWith(':latest'))"
    messageExpression: "'images should be pinned: ' + object.spec.template.spec.containers.map(c, c.image).join(', ')"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: image-tags-warn.example.com}
spec: {policyName: image-tags.example.com, validationActions: [Warn, Audit]}
`;
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: policies }).code, 0);
  try {
    const web = (name: string, replicas: number, image = 'nginx:1.27') => deployment(name, `  replicas: ${replicas}\n`).replace('image: nginx}', `image: ${image}}`);
    const denied = "ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request:";
    // Reason Invalid (no reason given): 422 with the message as its one cause, which kubectl prints after an empty field.
    await refusedAlike(['create', '-f', '-'], web('web', 7), `The deployments "web" is invalid: : ${denied} failed expression: object.spec.replicas <= 5\n`);
    // Reason Forbidden: 403, kubectl prints the Status message.
    await refusedAlike(['create', '-f', '-'], web('root-web', 1), `Error from server (Forbidden): error when creating "STDIN": deployments.apps "root-web" is forbidden: ${denied} names starting with root are reserved\n`);
    // Warn: admitted, with the warning kubectl prints from the Warning header.
    const warning = "Warning: Validation failed for ValidatingAdmissionPolicy 'image-tags.example.com' with binding 'image-tags-warn.example.com': images should be pinned: nginx:latest\n";
    assert.deepEqual(c.kubectl(['create', '-f', '-'], { stdin: web('web', 1, 'nginx:latest') }), { code: 0, stdout: 'deployment.apps/web created\n', stderr: warning });
    // Validating admission runs before storage: a create of an existing object warns, then is AlreadyExists.
    const [again, againS] = await bothSides(['create', '-f', '-', '--dry-run=server'], web('web', 1, 'nginx:latest'));
    assert.deepEqual(again, { code: 1, stdout: '', stderr: `${warning}Error from server (AlreadyExists): error when creating "STDIN": deployments.apps "web" already exists\n` });
    assert.deepEqual(againS, again, 'in-process create');
    // Through /scale the object is the Scale (its spec.replicas).
    const [k, s] = await bothSides(['scale', 'deploy/web', '--replicas=9']);
    assert.deepEqual(k, { code: 1, stdout: '', stderr: `The deployments "web" is invalid: : ${denied} failed expression: object.spec.replicas <= 5\n` });
    assert.deepEqual(s, k, 'in-process scale');
    assert.equal(c.kubectl(['get', 'deploy/web', '-o', 'jsonpath={.spec.replicas}']).stdout, '1');
    // The binding gone, the same write is admitted at once.
    assert.equal(c.kubectl(['delete', 'validatingadmissionpolicybinding', 'demo-binding-test.example.com']).code, 0);
    assert.deepEqual(c.kubectl(['scale', 'deploy/web', '--replicas=9']), { code: 0, stdout: 'deployment.apps/web scaled\n', stderr: '' });
  } finally {
    c.kubectl(['delete', '-f', '-', '--ignore-not-found'], { stdin: policies });
    c.kubectl(['delete', 'deploy/web', '--ignore-not-found']);
  }
});

test('ValidatingAdmissionPolicy: `authorizer` checks the user kubectl acts as (--as) with the cluster\'s RBAC', async () => {
  const objects = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: creator, namespace: default}
rules: [{apiGroups: [apps], resources: [deployments], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: creators, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: creator}
subjects: [{kind: User, name: alice}, {kind: User, name: bob}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: scaler, namespace: default}
rules: [{apiGroups: [apps], resources: [deployments/scale], verbs: [update]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: scalers, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: scaler}
subjects: [{kind: User, name: alice}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: scale-rights.example.com}
spec:
  matchConstraints: {resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]}
  validations:
  - expression: "object.spec.replicas <= 3 || authorizer.group('apps').resource('deployments').subresource('scale').namespace(request.namespace).check('update').allowed()"
    messageExpression: "'more than 3 replicas need the right to scale (' + authorizer.requestResource.check('create').reason() + ')'"
    reason: Forbidden
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: scale-rights.example.com}
spec: {policyName: scale-rights.example.com, validationActions: [Deny]}
`;
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: objects }).code, 0);
  try {
    const big = deployment('big', '  replicas: 5\n');
    assert.deepEqual(c.kubectl(['create', '-f', '-', '--dry-run=server', '--as', 'alice'], { stdin: big }), { code: 0, stdout: 'deployment.apps/big created (server dry run)\n', stderr: '' });
    const bob = c.kubectl(['create', '-f', '-', '--dry-run=server', '--as', 'bob'], { stdin: big });
    const denied = "ValidatingAdmissionPolicy 'scale-rights.example.com' with binding 'scale-rights.example.com' denied request: more than 3 replicas need the right to scale (RBAC: allowed by RoleBinding \"creators/default\" of Role \"creator\" to User \"bob\")";
    assert.deepEqual(bob, { code: 1, stdout: '', stderr: `Error from server (Forbidden): error when creating "STDIN": deployments.apps "big" is forbidden: ${denied}\n` });
    assert.deepEqual(c.kubectl(['create', '-f', '-', '--dry-run=server', '--as', 'bob'], { stdin: deployment('small', '  replicas: 2\n') }).code, 0);
  } finally {
    c.kubectl(['delete', '-f', '-', '--ignore-not-found'], { stdin: objects });
  }
});

test('ValidatingAdmissionPolicy denials for core, apps, rbac and custom kinds: the resource (plural, with its group) and name kube-apiserver puts in the Status, each reason as kubectl prints it, a Warn binding\'s warning printed before the refusal', async () => {
  const policies = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  names: {kind: Gadget, plural: gadgets, singular: gadget}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: labels.example.com}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: ["", apps, rbac.authorization.k8s.io, example.com], apiVersions: ["*"], operations: [CREATE, UPDATE], resources: [configmaps, namespaces, deployments, roles, gadgets]}
  validations:
  - expression: "!has(object.metadata.labels) || !('bad' in object.metadata.labels)"
  - expression: "!has(object.metadata.labels) || !('forb' in object.metadata.labels)"
    messageExpression: "'forb on ' + object.metadata.name"
    reason: Forbidden
  - expression: "!has(object.metadata.labels) || !('big' in object.metadata.labels)"
    reason: RequestEntityTooLarge
  - expression: "object.metadata.name != 'who' && (!has(object.metadata.labels) || !('who' in object.metadata.labels))"
    message: "  who are you  "
    reason: Unauthorized
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: labels-deny-warn.example.com}
spec: {policyName: labels.example.com, validationActions: [Warn, Deny]}
`;
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: policies }).code, 0);
  try {
    const doc = (apiVersion: string, kind: string, meta: string) => `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {${meta}}\n${kind === 'Deployment' ? 'spec: {selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: nginx}]}}}\n' : ''}`;
    const policy = "ValidatingAdmissionPolicy 'labels.example.com' with binding 'labels-deny-warn.example.com'";
    const warned = (message: string) => `Warning: Validation failed for ValidatingAdmissionPolicy 'labels.example.com' with binding 'labels-deny-warn.example.com': ${message}\n`;
    for (const [apiVersion, kind, resource] of [['v1', 'ConfigMap', 'configmaps'], ['apps/v1', 'Deployment', 'deployments.apps'], ['rbac.authorization.k8s.io/v1', 'Role', 'roles.rbac.authorization.k8s.io'], ['example.com/v1', 'Gadget', 'gadgets.example.com']]) {
      const plural = resource.split('.')[0];
      // Invalid: kubectl's "The <resource> ... is invalid" names the plural alone, then the one cause after an empty field
      const expr = "failed expression: !has(object.metadata.labels) || !('bad' in object.metadata.labels)";
      await refusedAlike(['create', '-f', '-'], doc(apiVersion, kind, 'name: v1, labels: {bad: "1"}'), `${warned(expr)}The ${plural} "v1" is invalid: : ${policy} denied request: ${expr}\n`);
      await refusedAlike(['create', '-f', '-'], doc(apiVersion, kind, 'name: v2, labels: {forb: "1"}'), `${warned('forb on v2')}Error from server (Forbidden): error when creating "STDIN": ${resource} "v2" is forbidden: ${policy} denied request: forb on v2\n`);
      // a generated name is the one admission saw: masked
      const [k, s] = await bothSides(['create', '-f', '-'], doc(apiVersion, kind, 'generateName: g-, labels: {big: "1"}'));
      const big = "failed expression: !has(object.metadata.labels) || !('big' in object.metadata.labels)";
      assert.match(k.stderr, new RegExp(`Error from server \\(RequestEntityTooLarge\\): error when creating "STDIN": ${resource.replaceAll('.', '\\.')} "g-\\w{5}" is forbidden: `));
      assert.deepEqual({ ...s, stderr: s.stderr.replace(/"g-\w{5}"/, 'G') }, { ...k, stderr: k.stderr.replace(/"g-\w{5}"/, 'G') }, `${kind} generateName`);
      assert.ok(k.stderr.endsWith(`${big}\n`));
      await refusedAlike(['create', '-f', '-'], doc(apiVersion, kind, 'name: v3, labels: {who: "1"}'), `${warned('who are you')}error: You must be logged in to the server (error when creating "STDIN": ${resource} "v3" is forbidden: ${policy} denied request: who are you)\n`);
    }
    // a generator's create and an annotate (an UPDATE) print the warning too, in-process and through the server
    assert.equal((await c.hosted(['create', 'configmap', 'fine'])).code, 0);
    for (const env of [{}, { KUBESIM_NO_DAEMON: '' }] as Record<string, string>[]) {
      for (const args of [['create', 'namespace', 'who'], ['label', 'configmap', 'fine', 'who=1', '--dry-run=server']]) {
        const k = await c.kubectlAsync(args);
        assert.equal(k.code, 1);
        assert.match(k.stderr, /^Warning: Validation failed for .*\nerror: You must be logged in to the server \(/);
        assert.deepEqual(await c.hosted(args, { env }), k, `${args.join(' ')} ${JSON.stringify(env)}`);
      }
    }
  } finally {
    c.kubectl(['delete', '-f', '-', '--ignore-not-found'], { stdin: policies });
  }
});
