// Generators whose kubectl counterparts need a server even with --dry-run=client (run, expose,
// autoscale, role, job --from), so the local kubectl cannot be the oracle: expected objects
// follow kubectl v1.32's source and recorded output. Plus --save-config compared with kubectl.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { autoscaleGenerator, exposeGenerator, findGenerator, parseArgv, runGenerator, withSaveConfig } from '../../src/generators/index';
import type { Generator, GeneratorContext } from '../../src/generators/index';
import type { KObject } from '../../src/api/types';
import { goOrdered } from '../../src/printers/go-order';
import { requireKubectl } from '../oracles';

const ctx: GeneratorContext = { rng: () => 0, readFile: () => { throw Object.assign(new Error('x'), { code: 'ENOENT' }); } };

function build(gen: Generator, argv: string[], extra: Partial<GeneratorContext> = {}) {
  const { args, argsLenAtDash, flags } = parseArgv(gen, argv);
  return gen.build(args, flags, { ...ctx, ...extra }, argsLenAtDash);
}

const json = (o: unknown) => JSON.stringify(o);

test('run: pod with run=<name> label, args after --, env, port, restart', () => {
  const { object } = build(runGenerator, ['x', '--image=nginx']);
  assert.equal(
    json(object),
    '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"x","creationTimestamp":null,"labels":{"run":"x"}},"spec":{"containers":[{"name":"x","image":"nginx","resources":{}}],"restartPolicy":"Always","dnsPolicy":"ClusterFirst"},"status":{}}',
  );
  const r = build(runGenerator, ['x', '--image=busybox', '--restart=Never', '--port=80', '--env=A=1', '--labels=app=x,tier=fe', '--', 'sleep', '10']).object;
  assert.deepEqual(r.metadata.labels, { app: 'x', tier: 'fe' });
  assert.equal(json(r.spec.containers[0]), '{"name":"x","image":"busybox","args":["sleep","10"],"ports":[{"containerPort":80}],"env":[{"name":"A","value":"1"}],"resources":{}}');
  assert.equal(r.spec.restartPolicy, 'Never');
  const c = build(runGenerator, ['x', '--image=busybox', '--command', '--', 'sh', '-c', 'true']).object;
  assert.deepEqual(c.spec.containers[0].command, ['sh', '-c', 'true']);
  assert.equal(c.spec.containers[0].args, undefined);
});

test('run: validation errors', () => {
  assert.throws(() => build(runGenerator, ['--image=nginx']), /^Error: NAME is required for run$/);
  // --image is a required flag (cobra's check, as kubectl 1.32); given empty, run's own check.
  assert.throws(() => build(runGenerator, ['x']), /required flag\(s\) "image" not set/);
  assert.throws(() => build(runGenerator, ['x', '--image=']), /--image is required/);
  assert.throws(() => build(runGenerator, ['x', '--image=Bad Image']), /Invalid image name "Bad Image": invalid reference format/);
  assert.throws(() => build(runGenerator, ['x', '--image=nginx', '--restart=Sometimes']), /invalid restart policy: Sometimes/);
  assert.throws(() => build(runGenerator, ['x', '--image=nginx', '--env=1A=b']), /invalid env: 1A=b/);
  assert.throws(() => build(runGenerator, ['x', '--image=nginx', '--image-pull-policy=Sometimes']), /invalid image pull policy: Sometimes/);
});

const deployment: KObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } },
  },
};

test('expose deployment: selector and labels from the deployment, port from --port or the container', () => {
  const { object } = build(exposeGenerator, ['deploy', 'web', '--port=80', '--target-port=8080', '--type=NodePort'], { source: deployment });
  assert.equal(
    json(object),
    '{"kind":"Service","apiVersion":"v1","metadata":{"name":"web","creationTimestamp":null,"labels":{"app":"web"}},"spec":{"ports":[{"protocol":"TCP","port":80,"targetPort":8080}],"selector":{"app":"web"},"type":"NodePort"},"status":{"loadBalancer":{}}}',
  );
  const intro = build(exposeGenerator, ['deploy', 'web', '--name=web2'], { source: deployment }).object;
  assert.equal(intro.metadata.name, 'web2');
  assert.deepEqual(intro.spec.ports, [{ protocol: 'TCP', port: 80, targetPort: 80 }]);
  const bare = { ...deployment, spec: { ...deployment.spec, template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } };
  assert.throws(() => build(exposeGenerator, ['deploy', 'web'], { source: bare }), /couldn't find port via --port flag or introspection/);
  assert.throws(() => build(exposeGenerator, ['cm', 'x', '--port=80'], { source: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } } }), /cannot expose a ConfigMap/);
});

test('autoscale: autoscaling/v1 HPA targeting the object', () => {
  const { object } = build(autoscaleGenerator, ['deploy', 'web', '--min=2', '--max=5', '--cpu-percent=80'], { source: deployment });
  assert.equal(
    json(object),
    '{"kind":"HorizontalPodAutoscaler","apiVersion":"autoscaling/v1","metadata":{"name":"web","creationTimestamp":null},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"web","apiVersion":"apps/v1"},"minReplicas":2,"maxReplicas":5,"targetCPUUtilizationPercentage":80},"status":{"currentReplicas":0,"desiredReplicas":0}}',
  );
  assert.throws(() => build(autoscaleGenerator, ['deploy', 'web'], { source: deployment }), /required flag\(s\) "max" not set/);
  assert.throws(() => build(autoscaleGenerator, ['deploy', 'web', '--max=1', '--min=3'], { source: deployment }), /--max=MAXPODS must be larger or equal to --min=MINPODS, max: 1, min: 3/);
});

test('role: short names and groups resolved, one rule per group sorted, subresources kept', () => {
  const gen = findGenerator('create role')!;
  const { object, warnings } = build(gen, ['r', '--verb=get,list', '--verb=get', '--resource=po,deploy,rs.apps,pods/log', '--resource-name=a', '--resource-name=a']);
  assert.equal(
    json(object.rules),
    '[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods","pods/log"],"resourceNames":["a"]},{"verbs":["get","list"],"apiGroups":["apps"],"resources":["deployments","replicasets"],"resourceNames":["a"]}]',
  );
  assert.deepEqual(warnings, []);
  assert.deepEqual(build(gen, ['r', '--verb=foo', '--resource=pods']).warnings, ["Warning: 'foo' is not a standard resource verb"]);
  assert.throws(() => build(gen, ['r', '--resource=pods']), /at least one verb must be specified/);
  assert.throws(() => build(gen, ['r', '--verb=get']), /at least one resource must be specified/);
  assert.throws(() => build(gen, ['r', '--verb=use', '--resource=pods']), /can not perform 'use' on 'pods' in group ''/);
  assert.equal(json(build(gen, ['r', '--verb=*', '--resource=*']).object.rules), '[{"verbs":["*"],"apiGroups":[""],"resources":["*"]}]');
});

test('job --from=cronjob: template spec, labels, annotations and a controller reference', () => {
  const gen = findGenerator('create job')!;
  const cj: KObject = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly', uid: 'u-1' },
    spec: { jobTemplate: { metadata: { labels: { team: 'a' } }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }], restartPolicy: 'OnFailure' } }, backoffLimit: 2 } } },
  };
  const { object } = build(gen, ['manual-1', '--from=cronjob/nightly'], { source: cj });
  // as -o json prints it: in the Job struct's order (the template's own order is kept in the object),
  // with the zeros Go writes for the structs the template lacks (its metadata, a container's resources)
  assert.equal(
    json(goOrdered(object)!),
    '{"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"manual-1","creationTimestamp":null,"labels":{"team":"a"},"annotations":{"cronjob.kubernetes.io/instantiate":"manual"},"ownerReferences":[{"apiVersion":"batch/v1","kind":"CronJob","name":"nightly","uid":"u-1","controller":true}]},"spec":{"backoffLimit":2,"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"c","image":"x","resources":{}}],"restartPolicy":"OnFailure"}}},"status":{}}',
  );
  assert.throws(() => build(gen, ['j', '--from=deploy/web'], { source: deployment }), /unknown object type \*v1.Deployment/);
});

test('--save-config annotation matches kubectl', () => {
  requireKubectl();
  const r = spawnSync('kubectl', ['create', 'configmap', 'x', '--from-literal=a=<b>', '--save-config', '--dry-run=client', '-o', 'json', '-n', 'ns'], { encoding: 'utf8' });
  const gen = findGenerator('create configmap')!;
  const obj = withSaveConfig(build(gen, ['x', '--from-literal=a=<b>'], { namespace: 'ns' }).object);
  assert.equal(json(obj), json(JSON.parse(r.stdout)));
});
