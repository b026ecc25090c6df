// Every `create` generator against the real kubectl v1.32: same object, same JSON key order,
// same error text for bad input.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsContext, kubectl, ours } from './harness';
import { requireKubectl } from '../oracles';

const dir = mkdtempSync(join(tmpdir(), 'gen-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'app.env'), 'A=1\n# comment\n  B= 2 \nFROM_ENV\nD=x=y\r\n');
writeFileSync(join(dir, 'bom.env'), '\ufeffX=1\n');
writeFileSync(join(dir, 'bad.env'), 'OK=1\n1BAD=2\n');
writeFileSync(join(dir, 'config.txt'), 'hello <world> & more\n');
writeFileSync(join(dir, 'docker.json'), '{"auths":{}}');
mkdirSync(join(dir, 'd'));
writeFileSync(join(dir, 'd', 'b.txt'), 'bee\n');
writeFileSync(join(dir, 'd', 'a.txt'), 'ay\n');
writeFileSync(join(dir, 'd', 'bin'), Buffer.from([0xff, 0xfe, 0x00]));
mkdirSync(join(dir, 'd', 'sub'));
let havePem = false;
try {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '1', '-subj', '/CN=x'], { cwd: dir, stdio: 'ignore' });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k2.pem', '-out', 'c2.pem', '-days', '1', '-subj', '/CN=y'], { cwd: dir, stdio: 'ignore' });
  havePem = true;
} catch {
  havePem = false;
}
const ENV = { FROM_ENV: 'from-process-env' };

const CASES: string[][] = [
  // deployment
  ['create', 'deployment', 'web', '--image=nginx'],
  ['create', 'deployment', 'web', '--image=nginx', '--replicas=3', '--port=80', '-n', 'prod'],
  ['create', 'deploy', 'web', '--image=nginx', '--image=redis:7', '--image=registry.k8s.io/pause@sha256:abc'],
  ['create', 'deployment', 'web', '--image=busybox', '--', 'sleep', '3600'],
  ['create', 'deployment', 'web', '--image=nginx,redis', '--', 'sleep', '1'],
  ['create', 'deployment', 'web', '-r', '0', '--image=nginx', '--port=0'],
  ['create', 'deployment', 'a', 'b', '--image=nginx'],
  ['create', 'deployment', 'web'],
  ['create', 'deployment', 'web', '--image=x', '--replicas=abc'],
  // job / cronjob
  ['create', 'job', 'j1', '--image=busybox', '--', 'echo', 'hi'],
  ['create', 'job', 'j1', '--image=busybox', '-n', 'ns1'],
  ['create', 'job', 'j1'],
  ['create', 'job', 'j1', '--image=a', '--from=cronjob/x'],
  ['create', 'job', 'j1', '--from=cronjob/x', '--', 'echo'],
  ['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/1 * * * *', '--', 'echo', 'hi'],
  ['create', 'cj', 'cj', '--image=busybox', '--schedule=@daily', '--restart=Never'],
  ['create', 'cronjob', 'cj'],
  ['create', 'cronjob', 'cj', '--schedule=x'],
  // configmap
  ['create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=b=two', '--from-literal=c=x=y'],
  ['create', 'cm', 'cfg', '--from-file=config.txt', '--from-file=renamed=config.txt'],
  ['create', 'configmap', 'cfg', '--from-file=d'],
  ['create', 'configmap', 'cfg', '--from-env-file=app.env'],
  ['create', 'configmap', 'cfg', '--from-env-file=bom.env,app.env'],
  ['create', 'configmap', 'cfg', '--from-env-file=bad.env'],
  ['create', 'configmap', 'cfg', '--from-literal=a=1', '--append-hash'],
  ['create', 'configmap', 'cfg', '--append-hash'],
  ['create', 'configmap', 'cfg', '--from-file=d', '--append-hash'],
  ['create', 'configmap', 'cfg', '--from-literal=a'],
  ['create', 'configmap', 'cfg', '--from-literal==a'],
  ['create', 'configmap', 'cfg', '--from-literal=a b=1'],
  ['create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=a=2'],
  ['create', 'configmap', 'cfg', '--from-file=nope'],
  ['create', 'configmap', 'cfg', '--from-file=k=d'],
  ['create', 'configmap', 'cfg', '--from-file==x'],
  ['create', 'configmap', 'cfg', '--from-file=x='],
  ['create', 'configmap', 'cfg', '--from-file=a=b=c'],
  ['create', 'configmap', 'cfg', '--from-env-file=d'],
  ['create', 'configmap', 'cfg', '--from-env-file=app.env', '--from-literal=a=b'],
  ['create', 'configmap'],
  // secret generic
  ['create', 'secret', 'generic', 's1', '--from-literal=password=abc', '--from-literal=user=root'],
  ['create', 'secret', 'generic', 's1', '--from-literal=a=1', '--type=Opaque', '-n', 'x'],
  ['create', 'secret', 'generic', 's1', '--from-file=d', '--from-file=config.txt'],
  ['create', 'secret', 'generic', 's1', '--from-env-file=app.env'],
  ['create', 'secret', 'generic', 's1', '--from-env-file=app.env', '--from-file=config.txt'],
  ['create', 'secret', 'generic', 's1', '--from-literal=a=1', '--append-hash'],
  ['create', 'secret', 'generic', 's1', '--from-literal=a=1', '--from-literal=a=2'],
  ['create', 'secret', 'generic', 's1', '--from-literal=.=2'],
  ['create', 'secret', 'generic', 's1', '--from-env-file=d'],
  ['create', 'secret', 'generic', 's1'],
  // docker-registry
  ['create', 'secret', 'docker-registry', 'd', '--docker-username=u', '--docker-password=p', '--docker-email=e@x.io'],
  ['create', 'secret', 'docker-registry', 'd', '--docker-username=u', '--docker-password=p<&>', '--docker-server=reg.io'],
  ['create', 'secret', 'docker-registry', 'd', '--from-file=docker.json'],
  ['create', 'secret', 'docker-registry', 'd', '--from-file=k=docker.json', '--append-hash'],
  ['create', 'secret', 'docker-registry', 'd', '--docker-username=u'],
  // services
  ['create', 'service', 'clusterip', 'svc1', '--tcp=80:8080', '--tcp=443'],
  ['create', 'service', 'clusterip', 'svc1', '--tcp=80:http,90:9090'],
  ['create', 'service', 'clusterip', 'svc1', '--clusterip=None'],
  ['create', 'service', 'clusterip', 'svc1', '--clusterip=10.0.0.5', '--tcp=80', '-n', 'ns'],
  ['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080'],
  ['create', 'service', 'nodeport', 'np', '--tcp=80'],
  ['create', 'service', 'loadbalancer', 'lb', '--tcp=80:8080'],
  ['create', 'service', 'externalname', 'ext', '--external-name=db.example.com'],
  ['create', 'service', 'externalname', 'ext', '--external-name=db.example.com', '--tcp=5432'],
  ['create', 'service', 'externalname', 'ext', '--external-name=Bad_Name'],
  ['create', 'service', 'externalname', 'ext'],
  ['create', 'service', 'clusterip', 'svc1'],
  ['create', 'service', 'clusterip', 'svc1', '--tcp=abc'],
  ['create', 'service', 'clusterip', 'svc1', '--tcp=70000'],
  ['create', 'service', 'clusterip', 'svc1', '--tcp=80:0'],
  ['create', 'service', 'clusterip', 'svc1', '--tcp=80:Bad--'],
  // namespace, serviceaccount
  ['create', 'namespace', 'dev'],
  ['create', 'ns', 'dev', '-n', 'ignored'],
  ['create', 'serviceaccount', 'sa1'],
  ['create', 'sa', 'sa1', '-n', 'kube-system'],
  ['create', 'namespace'],
  // clusterrole (resource-free forms: kubectl needs discovery for --resource)
  ['create', 'clusterrole', 'cr', '--verb=get,list', '--verb=get', '--non-resource-url=/logs,/healthz/*'],
  ['create', 'clusterrole', 'cr', '--aggregation-rule=b=2,a=1'],
  ['create', 'clusterrole', 'cr', '--aggregation-rule=a=1', '--verb=get'],
  ['create', 'clusterrole', 'cr', '--verb=get'],
  ['create', 'clusterrole', 'cr', '--non-resource-url=/x'],
  ['create', 'clusterrole', 'cr', '--verb=get', '--non-resource-url=logs'],
  ['create', 'clusterrole', 'cr', '--verb=list', '--non-resource-url=/a*/b'],
  ['create', 'clusterrole', 'cr', '--verb=watch', '--non-resource-url=/a'],
  ['create', 'clusterrole', 'cr', '--verb=*,get', '--non-resource-url=*'],
  // bindings
  ['create', 'rolebinding', 'rb', '--role=r', '--user=u', '--serviceaccount=ns:sa', '--group=g', '--user=a,b'],
  ['create', 'rolebinding', 'rb', '--clusterrole=view', '-n', 'team'],
  ['create', 'rolebinding', 'rb'],
  ['create', 'rolebinding', 'rb', '--role=r', '--clusterrole=c'],
  ['create', 'rolebinding', 'rb', '--role=r', '--serviceaccount=foo'],
  ['create', 'rolebinding', 'rb', '--role=r', '--serviceaccount=foo:'],
  ['create', 'clusterrolebinding', 'crb', '--clusterrole=cluster-admin', '--serviceaccount=kube-system:default', '--group=ops'],
  ['create', 'clusterrolebinding', 'crb', '--clusterrole=x', '-n', 'ignored'],
  ['create', 'clusterrolebinding', 'crb'],
  // ingress
  ['create', 'ingress', 'ing', '--rule=foo.com/bar=svc:80,tls=sec', '--class=nginx'],
  ['create', 'ingress', 'ing', '--rule=foo.com/=svc1:http', '--rule=foo.com/api*=svc2:8080,tls', '--rule=bar.com/*=svc3:80,tls=sec', '--rule=baz.com/x=svc4:80,tls=sec'],
  ['create', 'ingress', 'ing', '--default-backend=def:80', '--annotation=a=b=c', '--annotation=k='],
  ['create', 'ingress', 'ing', '--rule=/path=svc:80'],
  ['create', 'ingress', 'ing'],
  ['create', 'ingress', 'ing', '--rule=foo'],
  ['create', 'ingress', 'ing', '--rule=a.com/=s:80', '--annotation=noeq'],
  ['create', 'ingress', 'ing', '--default-backend=svc'],
  // pdb
  ['create', 'pdb', 'p', '--selector=app=x', '--min-available=1'],
  ['create', 'poddisruptionbudget', 'p', '--selector=app=x,tier in (a,b),!legacy', '--max-unavailable=50%', '-n', 'ns'],
  ['create', 'pdb', 'p'],
  ['create', 'pdb', 'p', '--selector=a=b'],
  ['create', 'pdb', 'p', '--selector=a=b', '--min-available=1', '--max-unavailable=1'],
  ['create', 'pdb', 'p', '--selector=a=b', '--min-available=1x'],
  ['create', 'pdb', 'p', '--selector=a=b', '--max-unavailable=-1'],
  // priorityclass
  ['create', 'priorityclass', 'pc', '--value=1000', '--description=high', '--global-default'],
  ['create', 'pc', 'pc', '--preemption-policy=Never', '-n', 'ignored'],
  // quota
  ['create', 'quota', 'q', '--hard=pods=2,cpu=1000m,memory=1Gi,requests.storage=2048Mi', '--scopes=BestEffort,NotTerminating'],
  ['create', 'quota', 'q', '-n', 'ns'],
  ['create', 'quota', 'q', '--hard=foo'],
  ['create', 'quota', 'q', '--hard=cpu=abc'],
  ['create', 'quota', 'q', '--scopes=A,'],
];

const PEM_CASES: string[][] = [
  ['create', 'secret', 'tls', 't', '--cert=c.pem', '--key=k.pem'],
  ['create', 'secret', 'tls', 't', '--cert=c.pem', '--key=k.pem', '--append-hash', '-n', 'ns'],
  ['create', 'secret', 'tls', 't', '--cert=k.pem', '--key=c.pem'],
  ['create', 'secret', 'tls', 't', '--cert=c.pem', '--key=c.pem'],
  ['create', 'secret', 'tls', 't', '--cert=c.pem', '--key=k2.pem'],
  ['create', 'secret', 'tls', 't', '--cert=config.txt', '--key=k.pem'],
  ['create', 'secret', 'tls', 't', '--cert=c.pem', '--key=config.txt'],
  ['create', 'secret', 'tls', 't', '--cert=nope.pem', '--key=k.pem'],
  ['create', 'secret', 'tls', 't', '--cert=c.pem'],
];

// Container names get a random 5-char suffix when the image has `_` or `.`: align ours to kubectl's.
function alignRandom(json: string, reference: string): string {
  const theirs = [...reference.matchAll(/"name":"([a-z0-9-]+-)([bcdfghjklmnpqrstvwxz2456789]{5})"/g)];
  let out = json;
  for (const m of theirs) out = out.replace(new RegExp(`"name":"${m[1]}[bcdfghjklmnpqrstvwxz2456789]{5}"`), `"name":"${m[1]}${m[2]}"`);
  return out;
}

async function check(argv: string[]) {
  const expected = await kubectl(argv, dir, ENV);
  const actual = ours(argv, fsContext(dir, () => 0.5, ENV));
  if (expected.error !== undefined) {
    assert.equal(actual.error, expected.error, `error for: ${argv.join(' ')}\nwe built: ${actual.json}`);
  } else {
    assert.equal(actual.error, undefined, `unexpected error for: ${argv.join(' ')}`);
    assert.equal(alignRandom(actual.json!, expected.json!), expected.json, `object for: ${argv.join(' ')}`);
  }
}

// Each case waits on a kubectl process: four at a time.
describe('create generators against kubectl', { concurrency: 4 }, () => {
  for (const argv of CASES) {
    test(`kubectl ${argv.join(' ')}`, async () => {
      requireKubectl();
      await check(argv);
    });
  }

  for (const argv of PEM_CASES) {
    test(`kubectl ${argv.join(' ')}`, async () => {
      requireKubectl();
      assert.ok(havePem, 'these cases need `openssl` to make their key pairs and it is not on PATH (install the Debian package openssl, as .ci/run does)');
      await check(argv);
    });
  }
});

test('random container suffix for images with _ or . uses the injected rng', async () => {
  requireKubectl();
  const argv = ['create', 'deployment', 'web', '--image=my_app.v2:1'];
  const expected = await kubectl(argv);
  const a = ours(argv, fsContext(dir, () => 0));
  assert.match(expected.json!, /"name":"my-app-v2-[bcdfghjklmnpqrstvwxz2456789]{5}"/);
  assert.match(a.json!, /"name":"my-app-v2-bbbbb"/);
  assert.equal(alignRandom(a.json!, expected.json!), expected.json);
});
