// e2e: the verbs that change objects (label, annotate, patch, scale, set, replace), through
// the built CLI on a real state directory; local forms compared byte for byte with kubectl.

import { test, after, afterEach, before, beforeEach, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox } from './helpers';
import { Hosted } from './hosted';
import { KUBECTL_GO_ENV, requireKubectl } from '../oracles';
import { execAsync } from '../helpers/exec';
import { join } from 'node:path';

// The files, and the cluster (ConfigMap cfg, Deployment web) every cluster test starts a
// copy of, so that none depends on another's changes.
const base = new Sandbox('kubesim-mutate-');
/** kubesim's side of the local cases: the file's one long-lived CLI process (test/e2e/hosted.ts), not a process per case. */
const host = new Hosted(base);
after(() => base.cleanup());


const DEP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
      - name: side
        image: busybox
`;
const CM = `apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  labels:
    env: prod
data:
  a: "1"
`;
const dep = base.file('dep.yaml', DEP);
const crb = base.file('crb.yaml', 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: viewers\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\n');
const cm = base.file('cm.yaml', CM);
// Two ConfigMaps, one with its own namespace: RequireNamespace against -n, --local or not.
const cmA = base.file('cm-a.yaml', `${CM.replace('name: cfg', 'name: cfg\n  namespace: a')}---\n${CM.replace('name: cfg', 'name: other')}`);
const depA = base.file('dep-a.yaml', DEP.replace('name: web', 'name: web\n  namespace: a'));
// Metadata kubectl's decoder refuses: `y` is YAML 1.1's true, so `name: y` is a bool; a list for
// metadata; a number in labels; a good document between bad ones (ContinueOnError).
const CM_Y = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y, labels: {a: true}}\n';
const badMeta = base.file('bad-meta.yaml', CM_Y);
const listMeta = base.file('list-meta.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: [x]\n');
const nameNum = base.file('name-num.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 5, creationTimestamp: 7}\n');
const mixedMeta = base.file('mixed-meta.yaml', `${CM}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: z, labels: {a: 1}}\n---\n${CM.replace('name: cfg', 'name: w')}`);
before(() => host.ok(['apply', '-f', cm, '-f', dep]));

function kubectl(args: string[]) {
  return execAsync('kubectl', args, { cwd: base.home, env: { ...process.env, ...KUBECTL_GO_ENV } });
}

const LOCAL_CASES: string[][] = [
  ['label', '--local', '-f', cm, 'x=y'],
  ['label', '--local', '-f', cm, 'x=y', '-o', 'yaml'],
  ['label', '--local', '-f', cm, 'x=y', '-o', 'json'],
  ['label', '--local', '-f', cm, 'x=y', '-o', 'jsonpath={.metadata.labels}'],
  ['label', '--local', '-f', cm, 'x=y', '-o', 'go-template={{range $k, $v := .metadata.labels}}{{$k}}={{$v}};{{end}}'],
  ['label', '--local', '-f', cm, 'env=dev'],
  ['label', '--local', '-f', cm, 'env=dev', '--overwrite'],
  ['label', '--local', '-f', cm, 'env-'],
  ['label', '--local', '-f', cm, 'env-', '-o', 'yaml'],
  ['label', '--local', '-f', cm, 'nope-'],
  ['label', '--local', '-f', cm, 'env=prod'],
  ['label', '--local', '-f', cm],
  ['label', '--local', '-f', cm, 'x=y', 'x-'],
  ['label', '--local', '-f', cm, 'a=b=c'],
  ['label', '--local', '-f', cm, 'x=-bad'],
  ['label', '--local', '-f', cm, 'x=y', 'foo'],
  ['label', '--local', '-f', cm, 'x=y', '--dry-run=client'],
  ['label', '--local', '-f', cm, 'x=y', '-o', 'wide'],
  ['annotate', '--local', '-f', cm, 'note=hi', '-o', 'yaml'],
  ['annotate', '--local', '-f', cm, 'a=b', 'a-'],
  ['annotate', '--local', '-f', cm],
  ['patch', '--local', '-f', dep, '-p', '{"spec":{"replicas":5}}', '-o', 'yaml'],
  ['patch', '--local', '-f', dep, '--type', 'merge', '-p', '{"spec":{"replicas":2}}'],
  ['patch', '--local', '-f', dep, '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:2"}]}}}}', '-o', 'json'],
  ['patch', '--local', '-f', dep, '--type', 'json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3}]', '-o', 'jsonpath={.spec.replicas}'],
  ['patch', '--local', '-f', dep, '-p', '{bad'],
  ['patch', '--local', '-f', dep, '--type', 'merge', '-p', '{bad'],
  ['patch', '--local', '-f', dep, '-p', 'a: b: c'],
  ['patch', '--local', '-f', dep, '--type', 'json', '-p', '[{"op":"replace","path":"/spec/nope/x","value":3}]'],
  ['patch', '--local', '-f', dep, '--type', 'json', '-p', '{}'],
  ['patch', '--local', '-f', dep, '--type', 'foo', '-p', '{}'],
  ['patch', '--local', '-f', dep],
  ['set', 'image', '--local', '-f', dep, 'nginx=nginx:2', '-o', 'yaml'],
  ['set', 'image', '--local', '-f', dep, 'nginx=nginx:2'],
  ['set', 'image', '--local', '-f', dep, 'nope=x'],
  ['set', 'image', '--local', '-f', dep, 'nginx=nginx:1.25'],
  ['set', 'env', '--local', '-f', dep, 'A=1', 'B=two', '-o', 'yaml'],
  ['set', 'env', '--local', '-f', dep, 'A=1', '-c', 'side', '-o', 'jsonpath={.spec.template.spec.containers[*].env}'],
  ['set', 'resources', '--local', '-f', dep, '--limits=cpu=200m,memory=512Mi', '--requests=cpu=100m', '-o', 'yaml'],
  ['set', 'resources', '--local', '-f', dep],
  ['label', '--local', '-f', cmA, 'x=y', '-n', 'b', '-o', 'name'],
  ['label', '--local', '-f', cmA, 'x=y', '-n', 'a', '-o', 'name'],
  ['annotate', '--local', '-f', cmA, 'x=y', '-n', 'b'],
  ['patch', '--local', '-f', cmA, '-p', '{}', '-n', 'b', '-o', 'name'],
  ['set', 'env', '--local', '-f', cmA, 'A=1', '-n', 'b', '-o', 'name'],
  // --from's own -f objects go through RequireNamespace too; wait --local's as well.
  ['set', 'env', '--from=configmap/cfg', '--local', '-f', depA, '-n', 'b'],
  ['set', 'env', '--from=configmap/cfg', '--local', '-f', depA, '-n', 'a'],
  ['set', 'env', '--from=configmap/cfg', '--local', '-f', cmA, '-n', 'b'],
  ['wait', '--local', '-f', depA, '-n', 'b', '--for=condition=Available'],
  ['wait', '--local', '-f', depA, '-n', 'b', '--for=delete'],
  ['wait', '--local', '-f', depA, '-n', 'b', '--for=jsonpath={.spec.replicas}=2'],
  // The Builder decodes metadata as metav1.ObjectMeta (metadataOnlyObject's, or the kind's for the typed set verbs).
  ...['label', 'annotate'].flatMap((verb) => [badMeta, listMeta, nameNum, mixedMeta].map((f) => [verb, '--local', '-f', f, 'x=y', '-o', 'name'])),
  ...[badMeta, listMeta, nameNum, mixedMeta].map((f) => ['patch', '--local', '-f', f, '-p', '{}', '-o', 'name']),
  ['patch', '--local', '-f', mixedMeta, '-p', '{bad}'],
  ['set', 'env', '--local', '-f', listMeta, 'A=1'],
  ['set', 'image', '--local', '-f', nameNum, 'a=b'],
  ['set', 'resources', '--local', '-f', mixedMeta, '--limits=cpu=1'],
  ['create', '--dry-run=client', '--validate=false', '-f', badMeta],
  ['create', '--dry-run=client', '--validate=false', '-f', listMeta, '-o', 'yaml'],
  ['apply', '--dry-run=client', '--validate=false', '-f', nameNum],
  ['replace', '--dry-run=client', '--validate=false', '-f', badMeta],
  // SubjectOptions.Validate: a ClusterRoleBinding's service account needs its namespace.
  ['set', 'subject', '--local', '-f', crb, '--serviceaccount=:x'],
  ['set', 'subject', '--local', '-f', crb, '--serviceaccount=ns:x', '--serviceaccount=:y'],
  ['set', 'subject', '--local', '-f', crb, '--serviceaccount=ns:x', '--user=b', '--user=a', '-o', 'yaml'],
];

// Each local case waits on kubectl and kubesim's host, side by side: four cases at a time.
describe('local forms against kubectl', { concurrency: 4 }, () => {
  for (const args of LOCAL_CASES) {
    test(`matches kubectl: ${args.map((a) => (a === cm ? 'cm.yaml' : a === dep ? 'dep.yaml' : a === cmA ? 'cm-a.yaml' : a === depA ? 'dep-a.yaml' : a.startsWith(base.home) ? a.slice(base.home.length + 1) : a)).join(' ')}`, async () => {
      requireKubectl();
      const [want, got] = await Promise.all([kubectl(args), host.run(args)]);
      assert.equal(got.stdout, want.stdout);
      assert.equal(got.stderr, want.stderr);
      assert.equal(got.code, want.code);
    });
  }
});

let sb: Hosted;
describe('on the cluster', () => {
  beforeEach(() => (sb = new Hosted(base.clone())));
  afterEach(() => sb.sb.cleanup());

  test('label and annotate on the cluster: messages, overwrite, removal, not found', async () => {
    assert.equal(await sb.ok(['label', 'cm', 'cfg', 'x=y']), 'configmap/cfg labeled\n');
    assert.equal(await sb.ok(['label', 'cm', 'cfg', 'x=y']), 'configmap/cfg not labeled\n');
    let r = await sb.run(['label', 'cm', 'cfg', 'env=dev']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "error: 'env' already has a value (prod), and --overwrite is false\n");
    assert.equal(await sb.ok(['label', 'configmap/cfg', 'env-']), 'configmap/cfg unlabeled\n');
    assert.equal(await sb.ok(['label', 'cm', 'cfg', 'env-']), 'label "env" not found.\nconfigmap/cfg not labeled\n');
    r = await sb.run(['label', 'cm', 'nope', 'x=y']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error from server (NotFound): configmaps "nope" not found\n');
    r = await sb.run(['label', 'cm', 'cfg']);
    assert.equal(r.stderr, 'error: at least one label update is required\n');
    assert.equal(await sb.ok(['get', 'cm', 'cfg', '-o', 'jsonpath={.metadata.labels}']), '{"x":"y"}');
    // The last label removed: kube-apiserver stores no empty map (ObjectMeta's omitempty).
    assert.equal(await sb.ok(['label', 'cm', 'cfg', 'x-']), 'configmap/cfg unlabeled\n');
    assert.doesNotMatch(await sb.ok(['get', 'cm', 'cfg', '-o', 'yaml']), /^  labels:/m);
    assert.equal(await sb.ok(['annotate', 'deploy', 'web', 'note=hi']), 'deployment.apps/web annotated\n');
    r = await sb.run(['annotate', 'deploy', 'web', 'note=bye']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "error: --overwrite is false but found the following declared annotation(s): 'note' already has a value (hi)\n");
    assert.equal(await sb.ok(['annotate', 'deploy', 'web', 'note=bye', '--overwrite']), 'deployment.apps/web annotated\n');
  });

  test('label --resource-version is a precondition (Conflict when stale)', async () => {
    const r = await sb.run(['label', 'cm', 'cfg', 'q=1', '--resource-version=1']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error from server (Conflict): Operation cannot be fulfilled on configmaps "cfg": the object has been modified; please apply your changes to the latest version and try again\n');
  });

  test('metadata kubectl cannot decode: each verb that sends a -f object refuses it, nothing is written', async () => {
    const text = (f: string) => `error: unable to decode "${f}": json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string\n`;
    for (const args of [['label', '-f', badMeta, 'x=y'], ['annotate', '-f', badMeta, 'x=y'], ['create', '-f', badMeta], ['apply', '-f', badMeta], ['replace', '-f', badMeta], ['patch', '-f', badMeta, '-p', '{}'], ['set', 'env', '-f', badMeta, 'A=1'], ['delete', '-f', badMeta]]) {
      const r = await sb.run(args);
      assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', text(badMeta)], args.join(' '));
    }
    // A document that is no object: the unstructured decoder's text first, kubesim's source display after.
    const arr = await sb.run(['delete', '-f', sb.sb.file('arr.yaml', '- a\n')]);
    assert.equal(arr.code, 1);
    assert.ok(arr.stderr.startsWith(`error: unable to decode "${join(sb.sb.home, 'arr.yaml')}": json: cannot unmarshal array into Go value of type unstructured.detector\n`), arr.stderr);
    const r = await sb.run(['create', '-f', mixedMeta]);
    assert.equal(r.code, 1);
    // The other documents go on (ContinueOnError): cfg exists, w is created; the two errors are one aggregate (a line each, no `error: `).
    assert.deepEqual(r.stderr.split('\n').sort(), ['', `Error from server (AlreadyExists): error when creating "${mixedMeta}": configmaps "cfg" already exists`, `unable to decode "${mixedMeta}": json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string`]);
    assert.equal(await sb.ok(['get', 'cm', '-o', 'name']), 'configmap/cfg\nconfigmap/kube-root-ca.crt\nconfigmap/w\n');
  });

  test('scale: success, preconditions, invalid replicas, missing object, unscalable kind', async () => {
    assert.equal(await sb.ok(['scale', 'deploy', 'web', '--replicas=3']), 'deployment.apps/web scaled\n');
    assert.equal(await sb.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']), '3');
    let r = await sb.run(['scale', 'deploy/web', '--replicas=5', '--current-replicas=2']);
    assert.deepEqual([r.code, r.stderr], [1, 'error: Expected replicas to be 2, was 3\n']);
    r = await sb.run(['scale', 'deploy', 'web', '--replicas=-1']);
    assert.deepEqual([r.code, r.stderr], [1, 'error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n']);
    // No --replicas at all: cobra's required-flag check, reported by kubectl's run.go as a klog line.
    r = await sb.run(['scale', 'deploy', 'web']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^E\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ run\.go:72\] "command failed" err="required flag\(s\) \\"replicas\\" not set"\n$/);
    r = await sb.run(['scale', 'deploy', 'nope', '--replicas=2']);
    assert.deepEqual([r.code, r.stderr], [1, 'error: no objects passed to scale deployments.apps "nope" not found\n']);
    assert.equal(await sb.ok(['scale', 'deploy', 'web', '--replicas=1', '--dry-run=client']), 'deployment.apps/web scaled (dry run)\n');
    assert.equal(await sb.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']), '3');
  });

  test('patch on the cluster: patched, no change, bad patch, unknown field, missing object', async () => {
    assert.equal(await sb.ok(['patch', 'deploy', 'web', '-p', '{"spec":{"replicas":4}}']), 'deployment.apps/web patched\n');
    assert.equal(await sb.ok(['patch', 'deploy', 'web', '-p', '{"spec":{"replicas":4}}']), 'deployment.apps/web patched (no change)\n');
    let r = await sb.run(['patch', 'deploy', 'web', '-p', '{bad']);
    assert.deepEqual([r.code, r.stderr], [1, "Error from server (BadRequest): invalid character 'b' looking for beginning of object key string\n"]);
    r = await sb.run(['patch', 'deploy', 'web', '-p', 'a: b: c']);
    assert.deepEqual([r.code, r.stderr], [1, 'error: unable to parse "a: b: c": yaml: mapping values are not allowed in this context\n']);
    // kubectl patch sends no fieldValidation: the server's Warn drops the unknown field, and nothing else changed.
    r = await sb.run(['patch', 'deploy', 'web', '-p', '{"spec":{"foo":1}}']);
    assert.deepEqual(r, { code: 0, stdout: 'deployment.apps/web patched (no change)\n', stderr: 'Warning: unknown field "spec.foo"\n' });
    r = await sb.run(['patch', 'deploy', 'nope', '-p', '{}']);
    assert.deepEqual([r.code, r.stderr], [1, 'Error from server (NotFound): deployments.apps "nope" not found\n']);
    assert.equal(await sb.ok(['patch', 'deploy', 'web', '--type', 'merge', '-p', '{"spec":{"replicas":2}}', '-o', 'jsonpath={.spec.replicas}']), '2');
  });

  test('set image / env on the cluster', async () => {
    assert.equal(await sb.ok(['set', 'image', 'deploy/web', 'nginx=nginx:3']), 'deployment.apps/web image updated\n');
    assert.equal(await sb.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:3');
    const r = await sb.run(['set', 'image', 'deploy/web', 'nope=x']);
    assert.deepEqual([r.code, r.stderr], [1, 'error: unable to find container named "nope"\n']);
    assert.equal(await sb.ok(['set', 'env', 'deploy/web', 'A=1', '-c', 'nginx']), 'deployment.apps/web env updated\n');
    assert.equal(await sb.ok(['set', 'env', 'deploy/web', '--list', '-c', 'nginx']), '# Deployment web, container nginx\nA=1\n');
  });

  test('set env flags on the cluster: --from with --keys and --prefix, --resolve, --overwrite=false, -e -', async () => {
    await sb.ok(['create', 'secret', 'generic', 'creds', '--from-literal=pass=s3cret', '--from-literal=user.name=bob']);
    // --keys picks one key of the ConfigMap; --prefix goes in front of every name.
    assert.equal(await sb.ok(['set', 'env', 'deploy/web', '-c', 'nginx', '--from=configmap/cfg', '--keys=a', '--prefix=P_']), 'deployment.apps/web env updated\n');
    // A key that is not a valid name is upper-cased with `_`, and kubectl warns about it.
    const r = await sb.run(['set', 'env', 'deploy/web', '-c', 'nginx', '--from=secret/creds']);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'deployment.apps/web env updated\n', 'Warning: key pass transferred to PASS\nWarning: key user.name transferred to USER_NAME\n']);
    assert.equal(await sb.ok(['set', 'env', 'deploy/web', '-c', 'nginx', '--list']), '# Deployment web, container nginx\n# P_A from configmap cfg, key a\n# PASS from secret creds, key pass\n# USER_NAME from secret creds, key user.name\n');
    // --resolve reads the referenced values from the cluster.
    assert.equal(await sb.ok(['set', 'env', 'deploy/web', '-c', 'nginx', '--list', '--resolve']), '# Deployment web, container nginx\nP_A=1\nPASS=s3cret\nUSER_NAME=bob\n');
    await sb.ok(['delete', 'secret', 'creds']);
    const gone = await sb.run(['set', 'env', 'deploy/web', '-c', 'nginx', '--list', '--resolve']);
    assert.deepEqual(
      [gone.code, gone.stdout, gone.stderr],
      [0, '# Deployment web, container nginx\nP_A=1\n# PASS from secret creds, key pass\n# USER_NAME from secret creds, key user.name\n', 'error retrieving reference for PASS, USER_NAME: secrets "creds" not found\n'],
    );
    // --overwrite=false refuses a changed value and writes nothing.
    await sb.ok(['set', 'env', 'deploy/web', '-c', 'side', 'MODE=a']);
    const refused = await sb.run(['set', 'env', 'deploy/web', '-c', 'side', 'MODE=b', '--overwrite=false']);
    assert.deepEqual([refused.code, refused.stderr], [1, "error: deployment.apps/web\n 'MODE' already has a value (a), and --overwrite is false\n"]);
    // `-e -` reads env lines from stdin, comments cut.
    const piped = await sb.run(['set', 'env', 'deploy/web', '-c', 'side', '-e', '-'], { stdin: 'X=1 # one\n# only a comment\nY=2\n' });
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(await sb.ok(['set', 'env', 'deploy/web', '-c', 'side', '--list']), '# Deployment web, container side\nMODE=a\nX=1 \nY=2\n');
  });

  test('set env with removals only: written, then "at least one environment variable", as kubectl RunEnv', async () => {
    await sb.ok(['set', 'env', 'deploy/web', '-c', 'side', 'A=1', 'B=2']);
    // -e removals are not envArgs: the patch goes through, then RunEnv fails before printing.
    const r = await sb.run(['set', 'env', 'deploy/web', '-c', 'side', '-e', 'A-']);
    assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', 'error: at least one environment variable must be provided\n']);
    assert.equal(await sb.ok(['set', 'env', 'deploy/web', '-c', 'side', '--list']), '# Deployment web, container side\nB=2\n');
    // Nothing to change: no patch, so no error (and nothing printed).
    const none = await sb.run(['set', 'env', 'deploy/web', '-c', 'side', '-e', 'A-']);
    assert.deepEqual([none.code, none.stdout, none.stderr], [0, '', '']);
    // --local and --dry-run=client never write: the change is printed.
    assert.equal(await sb.ok(['set', 'env', 'deploy/web', '-c', 'side', '-e', 'B-', '--dry-run=client']), 'deployment.apps/web env updated (dry run)\n');
  });

  test('set image/resources/subject: the Builder\'s errors before the missing update, as kubectl Complete then Validate', async () => {
    for (const [args, kind] of [
      [['set', 'image', 'deploy/nope'], 'deployments.apps'],
      [['set', 'resources', 'deploy/nope'], 'deployments.apps'],
      [['set', 'subject', 'rolebinding/nope'], 'rolebindings.rbac.authorization.k8s.io'],
    ] as const) {
      const r = await sb.run([...args]);
      assert.deepEqual([r.code, r.stderr], [1, `Error from server (NotFound): ${kind} "nope" not found\n`], args.join(' '));
    }
    const r = await sb.run(['set', 'image', 'deploy/web']);
    assert.deepEqual([r.code, r.stderr], [1, 'error: at least one image update is required\n']);
  });

  test('--raw on create, replace and delete: the file as the body of a POST, PUT or DELETE, the answer as it comes', async () => {
    const body = (data: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'raw1' }, data: { k: data } });
    const created = JSON.parse(await sb.ok(['create', '--raw', '/api/v1/namespaces/default/configmaps', '-f', sb.file('raw1.json', body('one'))]));
    assert.deepEqual([created.metadata.name, created.data], ['raw1', { k: 'one' }]);
    const live = JSON.parse(await sb.ok(['get', 'cm', 'raw1', '-o', 'json']));
    const replaced = JSON.parse(await sb.ok(['replace', '--raw', '/api/v1/namespaces/default/configmaps/raw1', '-f', '-'], { stdin: JSON.stringify({ ...live, data: { k: 'two' } }) }));
    assert.equal(replaced.data.k, 'two');
    assert.equal(await sb.ok(['get', 'cm', 'raw1', '-o', 'jsonpath={.data.k}']), 'two');
    const deleted = JSON.parse(await sb.ok(['delete', '--raw', '/api/v1/namespaces/default/configmaps/raw1']));
    assert.deepEqual([deleted.kind, deleted.status], ['Status', 'Success']);
    const gone = await sb.run(['delete', '--raw', '/api/v1/namespaces/default/configmaps/raw1']);
    assert.deepEqual([gone.code, gone.stderr], [1, 'Error from server (NotFound): configmaps "raw1" not found\n']);
  });

  test('create: -l filters the files\' objects, --field-manager names the writer, --edit creates what the editor saved', async () => {
    const two = sb.file('two.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a1\n  labels: {tier: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b1\n  labels: {tier: b}\n');
    assert.equal(await sb.ok(['create', '-f', two, '-l', 'tier in (b)', '--field-manager=me']), 'configmap/b1 created\n');
    assert.match(await sb.ok(['get', 'cm', 'b1', '-o', 'yaml', '--show-managed-fields']), /manager: me\n/);
    assert.equal((await sb.run(['get', 'cm', 'a1'])).code, 1, 'a1 is filtered out');
    const none = await sb.run(['create', '-f', two, '-l', 'tier=c']);
    assert.deepEqual([none.code, none.stderr], [1, 'error: no objects passed to create\n']);
    const editor = { KUBE_EDITOR: 'sed -i s/tier:\\ a/tier:\\ edited/' };
    const r = await sb.run(['create', '-f', two, '-l', 'tier=a', '--edit', '-o', 'name'], { env: editor });
    assert.deepEqual([r.code, r.stdout], [0, 'configmap/a1\n'], r.stderr);
    assert.equal(await sb.ok(['get', 'cm', 'a1', '-o', 'jsonpath={.metadata.labels.tier}']), 'edited');
    // Saved unchanged: nothing is created.
    const same = await sb.run(['create', '-f', two, '-l', 'tier=b', '--edit'], { env: { KUBE_EDITOR: 'true' } });
    assert.deepEqual([same.code, same.stdout, same.stderr], [0, '', 'Edit cancelled, no changes made.\n']);
    // A failed create ends the edit, the changes kept in a file.
    const exists = await sb.run(['create', '-f', two, '-l', 'tier=a', '--edit'], { env: { KUBE_EDITOR: 'sed -i s/tier:\\ a/tier:\\ z/' } });
    assert.equal(exists.code, 1);
    assert.match(exists.stderr, /^A copy of your changes has been stored to ".*kubesim-edit-\d+\.yaml"\nError from server \(AlreadyExists\): configmaps "a1" already exists\n$/);
  });

  test('get --server-print=false: the client\'s NAME and AGE columns for every kind', async () => {
    assert.match(await sb.ok(['get', 'deploy', '--server-print=false']), /^NAME {3}AGE\nweb {4}\S+\n$/);
    assert.match(await sb.ok(['get', 'cm', 'cfg', '--server-print=false', '--show-labels', '-A']), /^NAMESPACE {3}NAME {3}AGE +LABELS\ndefault {5}cfg {4}\S+ +env=prod\n$/);
    assert.equal(await sb.ok(['get', 'deploy', 'web', '--server-print=false', '-o', 'name']), 'deployment.apps/web\n');
  });

  test('replace: replaced, stale resourceVersion conflicts, missing object', async () => {
    const live = await sb.ok(['get', 'cm', 'cfg', '-o', 'yaml']);
    const f = sb.file('cfg-live.yaml', live.replace('a: "1"', 'a: "2"'));
    assert.equal(await sb.ok(['replace', '-f', f]), 'configmap/cfg replaced\n');
    const r = await sb.run(['replace', '-f', f]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `Error from server (Conflict): error when replacing "${f}": Operation cannot be fulfilled on configmaps "cfg": the object has been modified; please apply your changes to the latest version and try again\n`);
    const missing = sb.file('missing.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ghost\n');
    const m = await sb.run(['replace', '-f', missing]);
    assert.deepEqual([m.code, m.stderr], [1, `Error from server (NotFound): error when replacing "${missing}": configmaps "ghost" not found\n`]);
  });
});
