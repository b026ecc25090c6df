// `exec` into a running simulated pod: what the container sees (env, mounted ConfigMap
// and Secret files), the small shell, and kubectl's errors and exit codes.
// Each test starts from its own copy of one cluster where the pod below is Ready.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPerTest } from './helpers';
import { Hosted } from './hosted';

let sb!: Hosted;

const POD = `
apiVersion: v1
kind: Pod
metadata: {name: app, labels: {app: app}}
spec:
  containers:
  - name: main
    image: busybox
    command: [sh, -c, 'sleep 3600']
    env:
    - {name: MODE, value: prod}
    - name: COLOR
      valueFrom: {configMapKeyRef: {name: game, key: ui}}
    volumeMounts:
    - {name: cfg, mountPath: /etc/config}
    - {name: creds, mountPath: /etc/creds, readOnly: true}
  - name: web
    image: nginx
  volumes:
  - {name: cfg, configMap: {name: game}}
  - {name: creds, secret: {secretName: creds}}
`;

copyPerTest(
  async (sandbox) => {
    const base = new Hosted(sandbox);
    await base.ok(['create', 'configmap', 'game', '--from-literal=game.properties=lives=3', '--from-literal=ui=dark']);
    await base.ok(['create', 'secret', 'generic', 'creds', '--from-literal=password=s3cr3t']);
    await base.ok(['create', 'service', 'clusterip', 'backend', '--tcp=8080:80']);
    await base.ok(['apply', '-f', base.file('pod.yaml', POD)]);
    await base.ok(['wait', '--for=condition=Ready', 'pod/app', '--timeout=120s']);
  },
  (copy) => (sb = new Hosted(copy)),
);

test('env: the pod env, values from ConfigMaps, the service link variables', async () => {
  const r = await sb.run(['exec', 'app', '-c', 'main', '--', 'env']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const env = new Map(r.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  assert.equal(env.get('HOSTNAME'), 'app');
  assert.equal(env.get('MODE'), 'prod');
  assert.equal(env.get('COLOR'), 'dark');
  assert.equal(env.get('KUBERNETES_SERVICE_HOST'), '10.96.0.1');
  assert.equal(env.get('KUBERNETES_SERVICE_PORT'), '443');
  assert.equal(env.get('KUBERNETES_PORT_443_TCP_PROTO'), 'tcp');
  const ip = await sb.ok(['get', 'svc', 'backend', '-o', 'jsonpath={.spec.clusterIP}']);
  assert.equal(env.get('BACKEND_SERVICE_HOST'), ip);
  assert.equal(env.get('BACKEND_SERVICE_PORT'), '8080');
  assert.equal(env.get('BACKEND_PORT_8080_TCP'), `tcp://${ip}:8080`);
  assert.ok(r.stdout.startsWith('PATH=/usr/local/sbin:'), r.stdout);
});

test('cat and ls of mounted ConfigMap and Secret files (Secrets decoded)', async () => {
  assert.equal(await sb.ok(['exec', 'app', '-c', 'main', '--', 'cat', '/etc/config/game.properties']), 'lives=3');
  assert.equal(await sb.ok(['exec', 'app', '-c', 'main', '--', 'cat', '/etc/creds/password']), 's3cr3t');
  assert.equal(await sb.ok(['exec', 'app', '-c', 'main', '--', 'ls', '/etc/config']), 'game.properties\nui\n');
  const long = await sb.ok(['exec', 'app', '-c', 'main', '--', 'ls', '-l', '/etc/config']);
  assert.match(long, /^lrwxrwxrwx +1 root +root +22 \w{3} [ \d]\d \d\d:\d\d game\.properties -> \.\.data\/game\.properties\n/);
  assert.equal(await sb.ok(['exec', 'app', '-c', 'main', '--', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/namespace']), 'default');
});

test('hostname, pwd, id, echo, sh -c with pipes and variables', async () => {
  assert.equal(await sb.ok(['exec', 'app', '-c', 'main', '--', 'hostname']), 'app\n');
  assert.equal(await sb.ok(['exec', 'app', '-c', 'main', '--', 'pwd']), '/\n');
  assert.equal(await sb.ok(['exec', 'app', '-c', 'main', '--', 'whoami']), 'root\n');
  assert.equal(await sb.ok(['exec', 'app', '-c', 'main', '--', 'echo', 'hello', 'world']), 'hello world\n');
  assert.equal(await sb.ok(['exec', 'app', '-c', 'main', '--', 'sh', '-c', 'echo "$MODE on $HOSTNAME"; env | grep -c ^MODE=']), 'prod on app\n1\n');
  assert.equal(await sb.ok(['exec', 'app', '-c', 'main', '--', 'sh', '-c', 'cd /etc/config && cat ui > /tmp/x; cat /tmp/x; echo; pwd']), 'dark\n/etc/config\n');
  // -i: the shell reads its commands from stdin
  assert.equal(await sb.ok(['exec', '-i', 'app', '-c', 'main', '--', 'sh'], { stdin: 'echo from stdin\nhostname\n' }), 'from stdin\napp\n');
});

test('exit codes propagate as kubectl reports them', async () => {
  let r = await sb.run(['exec', 'app', '-c', 'main', '--', 'sh', '-c', 'nosuchcmd']);
  assert.equal(r.code, 127);
  assert.equal(r.stderr, 'sh: nosuchcmd: not found\ncommand terminated with exit code 127\n');
  r = await sb.run(['exec', 'app', '-c', 'main', '--', 'sh', '-c', 'exit 3']);
  assert.equal(r.code, 3);
  assert.equal(r.stderr, 'command terminated with exit code 3\n');
  r = await sb.run(['exec', 'app', '-c', 'main', '--', 'cat', '/nope']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "cat: can't open '/nope': No such file or directory\ncommand terminated with exit code 1\n");
  // busybox has no bash
  r = await sb.run(['exec', 'app', '-c', 'main', '--', 'bash']);
  assert.equal(r.code, 126);
  assert.match(r.stdout, /exec: "bash": executable file not found in \$PATH/);
  // the nginx image is Debian: dash and GNU messages
  r = await sb.run(['exec', 'app', '-c', 'web', '--', 'sh', '-c', 'nosuchcmd']);
  assert.equal(r.stderr, 'sh: 1: nosuchcmd: not found\ncommand terminated with exit code 127\n');
  r = await sb.run(['exec', 'app', '-c', 'web', '--', 'ls', '/nope']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "ls: cannot access '/nope': No such file or directory\ncommand terminated with exit code 2\n");
});

test('container defaulting and kubectl errors', async () => {
  let r = await sb.run(['exec', 'app', '--', 'hostname']);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, 'Defaulted container "main" out of: main, web\n');
  assert.equal((await sb.run(['exec', '-q', 'app', '--', 'hostname'])).stderr, '');
  r = await sb.run(['exec', 'missing', '--', 'ls']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error from server (NotFound): pods "missing" not found\n');
  r = await sb.run(['exec', 'app', '-c', 'nope', '--', 'ls']);
  assert.equal(r.stderr, 'Error from server (BadRequest): container nope is not valid for pod app\n');
  r = await sb.run(['exec', 'app', 'ls']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: exec \[POD\] \[COMMAND\] is not supported anymore\. Use exec \[POD\] -- \[COMMAND\] instead\n/);
  r = await sb.run(['exec', 'app', '--']);
  assert.equal(r.stderr, 'error: you must specify at least one command for the container\n');
  r = await sb.run(['exec']);
  assert.equal(r.stderr, 'error: pod, type/name or --filename must be specified\n');
});
