// wget and nc in `exec` reach the simulated services: DNS names and cluster IPs resolve
// through Services and their ready Endpoints, and a server container answers.
// Each test starts from its own copy of one cluster where the objects below are ready.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPerTest, Sandbox } from '../e2e/helpers';

let sb!: Sandbox;

const OBJECTS = `
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers:
  - name: nginx
    image: nginx
    ports: [{containerPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 8080, targetPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: empty}
spec:
  selector: {app: nothing}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: misport}
spec:
  containers:
  - name: nginx
    image: nginx
    ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: httpbin}
spec:
  containers:
  - name: httpbin
    image: kennethreitz/httpbin
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  containers:
  - name: c
    image: busybox
    command: [sleep, '3600']
`;

let ip = '';
copyPerTest(
  (base) => {
    base.ok(['apply', '-f', base.file('objs.yaml', OBJECTS)]);
    base.ok(['wait', '--for=condition=Ready', 'pod/web', 'pod/client', 'pod/misport', 'pod/httpbin', '--timeout=120s']);
    base.ok(['wait', '--for=jsonpath={.subsets[0].addresses[0].targetRef.name}=web', 'endpoints/web', '--timeout=120s']);
    ip = base.ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
  },
  (copy) => (sb = copy),
);

const sh = (script: string) => sb.run(['exec', 'client', '--', 'sh', '-c', script]);

test('wget through a service name, its FQDN and its cluster IP', () => {
  const r = sh('wget -qO- http://web:8080 | grep -o "Welcome to nginx!" | head -n 1');
  assert.equal(r.stdout, 'Welcome to nginx!\n', r.stderr);
  const f = sh('wget -O- web.default.svc.cluster.local:8080 >/dev/null');
  assert.equal(f.code, 0);
  assert.equal(f.stderr, `Connecting to web.default.svc.cluster.local:8080 (${ip}:8080)\nwriting to stdout\n-                    100% |********************************|   615  0:00:00 ETA\nwritten to stdout\n`);
  assert.match(sh(`wget -qO- ${ip}:8080`).stdout, /<title>Welcome to nginx!<\/title>/);
});

test('wget errors: unknown name, no ready endpoints, 404', () => {
  let r = sh('wget -qO- http://nosuch');
  assert.equal(r.stderr, "wget: bad address 'nosuch'\ncommand terminated with exit code 1\n");
  r = sh('wget -qO- http://empty');
  const emptyIp = sb.ok(['get', 'svc', 'empty', '-o', 'jsonpath={.spec.clusterIP}']);
  assert.equal(r.stderr, `wget: can't connect to remote host (${emptyIp}): Connection refused\ncommand terminated with exit code 1\n`);
  r = sh('wget -qO- http://web:8080/missing');
  assert.equal(r.stderr, 'wget: server returned error: HTTP/1.1 404 Not Found\ncommand terminated with exit code 1\n');
});

test('nc: port checks and a raw HTTP request', () => {
  assert.equal(sh('nc -z web 8080 && echo open').stdout, 'open\n');
  assert.equal(sh('nc -z -w 1 empty 80; echo $?').stdout, '1\n');
  const r = sh('printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc web 8080 | head -n 1');
  assert.equal(r.stdout, 'HTTP/1.1 200 OK\r\n');
});

test('a pod answers as the registry catalog says its image serves, as its probes see it', () => {
  const pod = (n: string) => sb.ok(['get', 'pod', n, '-o', 'jsonpath={.status.podIP}']);
  // nginx listens on 80 whatever the pod declares: 8080 is refused, 80 serves the welcome page
  const mis = pod('misport');
  assert.equal(sh(`wget -qO- http://${mis}:8080/`).stderr, `wget: can't connect to remote host (${mis}): Connection refused\ncommand terminated with exit code 1\n`);
  assert.match(sh(`wget -qO- http://${mis}/`).stdout, /<h1>Welcome to nginx!<\/h1>/);
  // the catalog's statuses by path
  const bin = pod('httpbin');
  assert.equal(sh(`wget -qO- http://${bin}/status/503`).stderr, 'wget: server returned error: HTTP/1.1 503 Service Unavailable\ncommand terminated with exit code 1\n');
  assert.equal(sh(`wget -qO- http://${bin}/nope`).stderr, 'wget: server returned error: HTTP/1.1 404 Not Found\ncommand terminated with exit code 1\n');
  assert.equal(sh(`wget -qO- http://${bin}/get >/dev/null && echo ok`).stdout, 'ok\n');
});

test('a container\'s own command reaches the services as exec does (wget, nc, their errors)', () => {
  sb.ok(['run', 'probe', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'wget -qO- http://web:8080 | grep -o "Welcome to nginx!"; nc -z web 8080 && echo open; wget -qO- http://empty; wget -qO- http://nosuch; echo done']);
  sb.ok(['wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/probe', '--timeout=120s']);
  const emptyIp = sb.ok(['get', 'svc', 'empty', '-o', 'jsonpath={.spec.clusterIP}']);
  // the page has it twice (title and heading)
  assert.equal(sb.ok(['logs', 'probe']), `Welcome to nginx!\nWelcome to nginx!\nopen\nwget: can't connect to remote host (${emptyIp}): Connection refused\nwget: bad address 'nosuch'\ndone\n`);
});
