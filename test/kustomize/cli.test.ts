// `-k DIR` through the real CLI (bin/kubesim): apply -k then get, get/diff/replace/delete -k,
// create -k --dry-run, kubectl's -f/-k/-R errors, and `kubesim kustomize` itself compared with
// `kubectl kustomize` through the binary (the differential test runs the module in process).

// Every test starts from its own copy of one empty cluster.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { copyPerTest, Sandbox, ROOT } from '../e2e/helpers';
import { KUBECTL_GO_ENV, requireKubectl } from '../oracles';

let sb!: Sandbox;
copyPerTest(
  () => {}, // the default cluster, created by copyPerTest's first command
  (copy) => (sb = copy),
);

const FX = join(ROOT, 'test', 'fixtures', 'kustomize');
const CASE = (n: string) => join(FX, 'cases', n);

test('kubesim kustomize prints what kubectl kustomize prints (through bin/kubesim)', () => {
  requireKubectl();
  for (const dir of [CASE('prefix-suffix-namerefs'), CASE('common-labels'), join(FX, 'errors', 'unknown-field')]) {
    const want = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', env: { ...process.env, ...KUBECTL_GO_ENV } });
    const got = sb.run(['kustomize', dir]);
    assert.equal(got.stdout, want.stdout, dir);
    assert.equal(got.code, want.status, dir);
    const strip = (s: string) => s.replace(/^E\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ /gm, 'E ');
    assert.equal(strip(got.stderr), strip(want.stderr), dir);
  }
  const two = sb.run(['kustomize', CASE('images'), CASE('replicas')]);
  assert.equal(two.code, 1);
  assert.match(two.stderr, /"command failed" err="specify one path to kustomization.yaml"\n$/);
});

test('apply -k creates the kustomized objects, get -k finds them by their new names', () => {
  const dir = CASE('prefix-suffix-namerefs');
  assert.equal(
    sb.ok(['apply', '-k', dir]),
    [
      'serviceaccount/dev-runner-v2 created',
      'configmap/dev-settings-v2-84565f2dbh created',
      'secret/dev-creds-v2-bf5fk5d75b created',
      'service/dev-web-v2 created',
      'persistentvolumeclaim/dev-data-v2 created',
      'deployment.apps/dev-web-v2 created',
      '',
    ].join('\n'),
  );
  // The Deployment's references follow the renamed ConfigMap and Secret.
  const dep = JSON.parse(sb.ok(['get', 'deployment', 'dev-web-v2', '-o', 'json']));
  const c = dep.spec.template.spec.containers[0];
  assert.equal(c.envFrom[0].configMapRef.name, 'dev-settings-v2-84565f2dbh');
  assert.equal(c.envFrom[1].secretRef.name, 'dev-creds-v2-bf5fk5d75b');
  assert.equal(dep.spec.template.spec.volumes[0].configMap.name, 'dev-settings-v2-84565f2dbh');
  assert.equal(dep.spec.template.spec.serviceAccountName, 'dev-runner-v2');
  const names = sb.ok(['get', '-k', dir, '-o', 'name']);
  assert.equal(
    names,
    'serviceaccount/dev-runner-v2\nconfigmap/dev-settings-v2-84565f2dbh\nsecret/dev-creds-v2-bf5fk5d75b\nservice/dev-web-v2\npersistentvolumeclaim/dev-data-v2\ndeployment.apps/dev-web-v2\n',
  );
  assert.equal(sb.ok(['apply', '-k', dir]).split('\n').filter((l) => l.endsWith(' unchanged')).length, 6);
});

test('apply -k applies replacements; a var naming a missing object fails the build and applies nothing', () => {
  sb.ok(['apply', '-k', CASE('replacements-path')]);
  const pod = JSON.parse(sb.ok(['get', 'pod', 'app', '-o', 'json']));
  assert.equal(pod.spec.containers[0].env[0].valueFrom.secretKeyRef.name, 'creds');
  const secret = JSON.parse(sb.ok(['get', 'secret', 'creds', '-o', 'json']));
  assert.deepEqual(secret.metadata.labels, { app: 'demo', team: 'a' });
  assert.equal(secret.metadata.annotations.registry, 'quay.io');
  const bad = sb.run(['apply', '-k', join(FX, 'errors', 'vars-missing-object')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /var '\{DB Service\.v1\.\[noGrp\] \{metadata\.name\}\}' cannot be mapped to a field in the set of known resources/);
  assert.equal(bad.stdout, '', 'the build fails before anything is applied');
});

test('diff -k and replace -k see the kustomized objects; delete -k removes them', () => {
  const dir = CASE('prefix-suffix-namerefs');
  sb.ok(['apply', '-k', dir]);
  const same = sb.run(['diff', '-k', dir]);
  assert.equal(same.code, 0, same.stderr);
  assert.equal(same.stdout, '');
  const secrets = CASE('secret-generator');
  sb.ok(['apply', '-k', secrets]);
  const replaced = sb.ok(['replace', '-k', secrets]);
  assert.match(replaced, /^secret\/tls-7dd2gcdkkk replaced$/m);
  assert.equal(replaced.split('\n').filter((l) => l.endsWith(' replaced')).length, 3);
  const deleted = sb.ok(['delete', '-k', dir]);
  assert.match(deleted, /^configmap "dev-settings-v2-84565f2dbh" deleted$/m);
  assert.match(deleted, /^deployment\.apps "dev-web-v2" deleted$/m);
  const gone = sb.run(['get', 'configmap', 'dev-settings-v2-84565f2dbh']);
  assert.equal(gone.code, 1);
});

test('create -k --dry-run=client prints the kustomized objects; warnings reach stderr', () => {
  const r = sb.run(['create', '-k', CASE('replicas'), '--dry-run=client', '-o', 'name']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^deployment\.apps\/web$/m);
  assert.match(r.stdout, /^statefulset\.apps\/db$/m);
  const w = sb.run(['create', '-k', CASE('common-labels'), '--dry-run=client', '-o', 'name']);
  assert.equal(w.stderr, "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. Run 'kustomize edit fix' to update your Kustomization automatically.\n");
});

test('-k errors are kubectl\'s', () => {
  const both = sb.run(['apply', '-k', CASE('replicas'), '-f', 'x.yaml']);
  assert.equal(both.code, 1);
  assert.equal(both.stderr, 'error: only one of -f or -k can be specified\n');
  const rec = sb.run(['apply', '-k', CASE('replicas'), '-R']);
  assert.equal(rec.stderr, "error: the -k flag can't be used with -f or -R\n");
  const missing = sb.run(['apply', '-k', join(FX, 'errors', 'missing-kustomization')]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, `error: unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${join(FX, 'errors', 'missing-kustomization')}'\n`);
  const bad = sb.run(['get', '-k', join(FX, 'errors', 'unknown-field'), '-f', 'x']);
  assert.equal(bad.stderr, 'error: only one of -f or -k can be specified\n');
  // kubectl get prints a kustomize failure without "error: "; delete (like the rest) with it.
  const getBad = sb.run(['get', '-k', join(FX, 'errors', 'unknown-field')]);
  assert.equal(getBad.code, 1);
  assert.equal(getBad.stderr, 'invalid Kustomization: json: unknown field "namePrefx"\n');
  const delBad = sb.run(['delete', '-k', join(FX, 'errors', 'unknown-field')]);
  assert.equal(delBad.stderr, 'error: invalid Kustomization: json: unknown field "namePrefx"\n');
});

test('kustomize helm and plugin flags: accepted, and kubectl kustomize\'s errors where charts or functions would run', () => {
  requireKubectl();
  const FIX = join(FX, 'flags');
  // Neither helm nor docker on this PATH: both programs must fail to run them the same way.
  const env = { PATH: '/usr/bin:/bin' };
  const strip = (s: string) => s.replace(/^E\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ /gm, 'E ').replace(/kustomize-helm-\d+/g, 'kustomize-helm-N');
  const cases = [
    ['kust-helm'],
    ['kust-helm', '--enable-helm'],
    ['kust-helm', '--enable-helm', '--helm-command=/nonexistent/helm'],
    ['kust-gen'],
    ['kust-gen', '--enable-alpha-plugins'],
    ['kust-tr'],
    ['kust-plain', '--enable-helm', '--helm-debug', '--helm-kube-version=1.30', '--helm-api-versions=v1', '-e', 'A=1', '--mount=type=bind,src=/tmp,dst=/x', '--network', '--network-name=host', '--as-current-user'],
  ];
  for (const [dir, ...flags] of cases) {
    const args = ['kustomize', join(FIX, dir), ...flags];
    const want = spawnSync('/usr/bin/kubectl', args, { encoding: 'utf8', env: { ...process.env, ...KUBECTL_GO_ENV, ...env } });
    const got = sb.run(args, { env });
    assert.deepEqual([got.code, got.stdout, strip(got.stderr)], [want.status, want.stdout, strip(want.stderr)], args.join(' '));
  }
  // kustomize makes its helm homes under a fresh temporary directory: os.MkdirTemp's decimal suffix.
  assert.match(sb.run(['kustomize', join(FIX, 'kust-helm'), '--enable-helm'], { env }).stderr, new RegExp(`HELM_CONFIG_HOME=${tmpdir().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/kustomize-helm-\\d+/helm `)); // os.TempDir: $TMPDIR, else /tmp
});
