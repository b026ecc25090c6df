import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseManifestText } from '../../src/manifest';
import { ResourceRegistry } from '../../src/api/resources';
import { loadSchemas, validateSchema, validateSemantics, SCHEMA_KUBERNETES_VERSION } from '../../src/api/validation';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import { formatFieldError } from '../../src/api/errors';
import { requireKubectl } from '../oracles';

const reg = new ResourceRegistry();
before(async () => {
  await loadSchemas();
});

function issues(text: string) {
  const { docs } = parseManifestText(text, 'm.yaml');
  const o = docs[0].object;
  return { doc: docs[0], issues: validateSchema(o, reg.forKind(o.apiVersion, o.kind)) };
}

const DEPLOY = (spec: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n${spec}`;

test('unknown field: kubectl text, strict-decoding text, did-you-mean, position', () => {
  const { doc, issues: is } = issues(DEPLOY('  replica: 3\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: nginx}]\n'));
  assert.equal(is.length, 1);
  assert.equal(is[0].kubectlMessage, 'ValidationError(Deployment.spec): unknown field "replica" in io.k8s.api.apps.v1.DeploymentSpec');
  assert.equal(is[0].decodeMessage, 'unknown field "spec.replica"');
  assert.equal(is[0].hint, 'did you mean "replicas"?');
  assert.equal(is[0].rule, 'schema/unknown-field');
  assert.deepEqual(doc.positionOf(is[0].path), { file: 'm.yaml', line: 6, col: 3 });
});

test('wrong type and missing required field', () => {
  const { issues: is } = issues(DEPLOY('  replicas: "2"\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      restartPolicy: Always\n'));
  const msgs = is.map((i) => i.kubectlMessage);
  assert.ok(msgs.includes('ValidationError(Deployment.spec.replicas): invalid type for io.k8s.api.apps.v1.DeploymentSpec.replicas: got "string", expected "integer"'), msgs.join('\n'));
  assert.ok(msgs.includes('ValidationError(Deployment.spec.template.spec): missing required field "containers" in io.k8s.api.core.v1.PodSpec'), msgs.join('\n'));
});

test('mis-indentation: valid one level down is named', () => {
  const { issues: is } = issues(DEPLOY('  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n    containers: [{name: web, image: nginx}]\n'));
  const u = is.find((i) => i.rule === 'schema/unknown-field')!;
  assert.equal(u.hint, '"containers" is not valid under spec.template, but is valid under spec.template.spec: check its indentation');
  const { issues: is2 } = issues(DEPLOY('  containers: [{name: web, image: nginx}]\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n'));
  assert.equal(is2[0].hint, '"containers" is not valid under spec, but is valid under spec.template.spec: check its indentation');
});

test('IntOrString, Quantity, nulls and label value types', () => {
  const svc = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  labels: {v: 1}\nspec:\n  clusterIP:\n  ports: [{port: 80, targetPort: http}, {port: 81, targetPort: 8081}]\n';
  const { issues: is } = issues(svc);
  assert.deepEqual(is.map((i) => i.kubectlMessage), ['ValidationError(Service.metadata.labels.v): invalid type for io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta.labels: got "integer", expected "string"']);
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: i\n    resources: {limits: {cpu: 1, memory: 1Gi}, requests: {cpu: "500m"}}\n';
  assert.deepEqual(issues(pod).issues, []);
});

test('int32 fields out of range: the decoder\'s error, with or without null members elsewhere', () => {
  const spec = (extra: string) => DEPLOY(`  replicas: 3000000000\n  selector: {matchLabels: {app: web}}\n${extra}  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx, ports: [{containerPort: -2147483649}]}]}\n`);
  const want = [
    'json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32',
    'json: cannot unmarshal number -2147483649 into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32',
  ];
  // Without a null member the object is checked as it is; with one, its copy without nulls.
  for (const extra of ['', '  minReadySeconds: null\n']) {
    const { issues: is } = issues(spec(extra));
    assert.deepEqual(is.map((i) => [i.rule, i.kubectlMessage, i.path]), want.map((m, n) => ['schema/invalid-type', m, n ? ['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'containerPort'] : ['spec', 'replicas']]), extra);
  }
  assert.deepEqual(issues(spec('').replace('3000000000', '3')).issues.map((i) => i.kubectlMessage), want.slice(1));
});

test('null members nested beside an int32 out of range: dropped where they are, the object unchanged', () => {
  // The nulls sit inside the port and before it: the checked copy drops them, everything
  // else as it came (the one issue is the int32 decoding's).
  const text = `apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: null}\nspec:\n  hostNetwork: null\n  containers: [{name: c, image: nginx, ports: [{name: null, containerPort: 3000000000}, {containerPort: 80, hostIP: null}]}]\n`;
  const { docs } = parseManifestText(text, 'm.yaml');
  const o = docs[0].object;
  const before = JSON.stringify(o);
  const is = validateSchema(o, reg.forKind('v1', 'Pod'));
  assert.deepEqual(is.map((i) => [i.kubectlMessage, i.path]), [['json: cannot unmarshal number 3000000000 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32', ['spec', 'containers', 0, 'ports', 0, 'containerPort']]]);
  assert.equal(JSON.stringify(o), before);
});

test('objects kubectl generates pass schema and semantic validation', (t) => {
  requireKubectl();
  const gens = [
    ['create', 'deployment', 'web', '--image=nginx', '--replicas=3', '--port=80'],
    ['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080'],
    ['create', 'configmap', 'cfg', '--from-literal=a.b=1'],
    ['create', 'secret', 'generic', 's', '--from-literal=k=v'],
    ['create', 'job', 'j', '--image=busybox'],
    ['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *'],
    ['create', 'ingress', 'ing', '--rule=foo.com/bar=svc:80'],
    ['create', 'namespace', 'dev'],

  ];
  for (const g of gens) {
    const r = spawnSync('kubectl', [...g, '--dry-run=client', '-o', 'yaml'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const { docs, errors } = parseManifestText(r.stdout, g.join(' '));
    assert.deepEqual(errors, []);
    const o = docs[0].object;
    const rt = reg.forKind(o.apiVersion, o.kind);
    assert.deepEqual(validateSchema(o, rt).map((i) => i.kubectlMessage), [], g.join(' '));
    assert.deepEqual(validateSemantics(o, rt).map(formatFieldError), [], g.join(' '));
  }
});

test('server validator: strict decoding texts, required left to validation', async () => {
  await loadValidation();
  const v = apiValidator(); // the validator ApiServer runs on every write
  const { docs } = parseManifestText(DEPLOY('  replica: 3\n  template: {spec: {}}\n'), 'm.yaml');
  const o = docs[0].object;
  const rt = reg.forKind(o.apiVersion, o.kind);
  // kube-apiserver: `... cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"`
  assert.deepEqual(v.schemaErrors(o, rt), ['strict decoding error: unknown field "spec.replica"']);
  assert.ok(v.validate(o, rt).some((e) => formatFieldError(e) === 'spec.selector: Required value'));
  assert.match(SCHEMA_KUBERNETES_VERSION, /^1\.\d+/);
});
