import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeObject } from '../../src/printers/describe';
import { ctxWith, event, NOW, PROBE_DEFAULTS } from './fixtures';

/** The text between two section headers of a describe output. */
function section(out: string, start: string, end: string): string {
  const i = out.indexOf(start);
  const j = out.indexOf(end, i + start.length);
  assert.ok(i >= 0 && j > i, `section ${start}..${end} not found in:\n${out}`);
  return out.slice(i, j);
}

const crashPod: any = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'crash', namespace: 'default', uid: 'uid-crash', creationTimestamp: '2026-11-22T06:28:15Z' },
  spec: {
    nodeName: 'node-1',
    serviceAccountName: 'default',
    priority: 0,
    containers: [
      {
        name: 'crash',
        image: 'busybox',
        command: ['sh', '-c', 'exit 1'],
        resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m', memory: '64Mi' } },
        livenessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 3, ...PROBE_DEFAULTS },
        env: [
          { name: 'MODE', value: 'debug' },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        ],
        volumeMounts: [{ name: 'kube-api-access-x7k2p', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
      },
    ],
    volumes: [
      {
        name: 'kube-api-access-x7k2p',
        projected: {
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      },
    ],
    tolerations: [
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ],
  },
  status: {
    phase: 'Running',
    qosClass: 'BestEffort',
    hostIP: '172.18.0.2',
    podIP: '10.244.1.9',
    podIPs: [{ ip: '10.244.1.9' }],
    conditions: [
      { type: 'PodReadyToStartContainers', status: 'True' },
      { type: 'Initialized', status: 'True' },
      { type: 'Ready', status: 'True' },
      { type: 'ContainersReady', status: 'True' },
      { type: 'PodScheduled', status: 'True' },
    ],
    containerStatuses: [
      {
        name: 'crash',
        containerID: 'containerd://dead',
        image: 'busybox',
        imageID: 'docker.io/library/busybox@sha256:def',
        ready: false,
        restartCount: 5,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: '2026-11-22T06:28:56Z', finishedAt: '2026-11-22T06:28:56Z' } },
      },
    ],
  },
};

test('pod containers block: crash example (as kubectl prints it)', () => {
  const out = describeObject(crashPod, ctxWith());
  assert.equal(
    section(out, 'Containers:\n', 'Conditions:'),
    `Containers:
  crash:
    Container ID:  containerd://dead
    Image:         busybox
    Image ID:      docker.io/library/busybox@sha256:def
    Port:          <none>
    Host Port:     <none>
    Command:
      sh
      -c
      exit 1
    State:          Waiting
      Reason:       CrashLoopBackOff
    Last State:     Terminated
      Reason:       Error
      Exit Code:    1
      Started:      Sun, 22 Nov 2026 06:28:56 +0000
      Finished:     Sun, 22 Nov 2026 06:28:56 +0000
    Ready:          False
    Restart Count:  5
    Limits:
      cpu:     500m
      memory:  128Mi
    Requests:
      cpu:     250m
      memory:  64Mi
    Liveness:  http-get http://:8080/healthz delay=3s timeout=1s period=10s #success=1 #failure=3
    Environment:
      MODE:      debug
      PASSWORD:  <set to the key 'password' in secret 'db'>  Optional: false
    Mounts:
      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-x7k2p (ro)
`,
  );
});

test('pod conditions block keeps the trailing space after each status', () => {
  const out = describeObject(crashPod, ctxWith());
  assert.equal(
    section(out, 'Conditions:\n', 'Volumes:'),
    'Conditions:\n  Type                        Status\n  PodReadyToStartContainers   True \n  Initialized                 True \n' +
      '  Ready                       True \n  ContainersReady             True \n  PodScheduled                True \n',
  );
});

test('pod tail: projected volume, QoS, sorted tolerations, aggregated events (as kubectl prints it)', () => {
  const events = [
    event({ reason: 'Scheduled', message: 'Successfully assigned default/crash to node-1', component: 'default-scheduler', eventTime: '2026-11-22T06:28:16.000000Z', name: 'crash.1' }),
    event({ reason: 'Pulled', message: 'Container image "busybox" already present on machine', component: 'kubelet', first: '2026-11-22T06:28:17Z', last: '2026-11-22T06:33:41Z', count: 6, name: 'crash.2' }),
    event({ reason: 'Created', message: 'Created container: crash', component: 'kubelet', first: '2026-11-22T06:28:17Z', last: '2026-11-22T06:33:41Z', count: 6, name: 'crash.3' }),
    event({ reason: 'Started', message: 'Started container crash ', component: 'kubelet', first: '2026-11-22T06:28:17Z', last: '2026-11-22T06:33:41Z', count: 6, name: 'crash.4' }),
    event({ type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container crash in pod crash_default(uid-crash)', component: 'kubelet', first: '2026-11-22T06:28:26Z', last: '2026-11-22T06:34:46Z', count: 20, name: 'crash.0' }),
  ];
  const out = describeObject(crashPod, ctxWith([], events));
  const tail = out.slice(out.indexOf('Volumes:'));
  assert.equal(
    tail,
    `Volumes:
  kube-api-access-x7k2p:
    Type:                    Projected (a volume that contains injected data from multiple sources)
    TokenExpirationSeconds:  3607
    ConfigMapName:           kube-root-ca.crt
    ConfigMapOptional:       <nil>
    DownwardAPI:             true
QoS Class:                   BestEffort
Node-Selectors:              <none>
Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
Events:
  Type     Reason     Age                   From               Message
  ----     ------     ----                  ----               -------
  Normal   Scheduled  6m44s                 default-scheduler  Successfully assigned default/crash to node-1
  Normal   Pulled     79s (x6 over 6m43s)   kubelet            Container image "busybox" already present on machine
  Normal   Created    79s (x6 over 6m43s)   kubelet            Created container: crash
  Normal   Started    79s (x6 over 6m43s)   kubelet            Started container crash
  Warning  BackOff    14s (x20 over 6m34s)  kubelet            Back-off restarting failed container crash in pod crash_default(uid-crash)
`,
  );
});

test('pod header: IP block alignment without Controlled By, Events <none> aligned', () => {
  const out = describeObject(crashPod, ctxWith());
  assert.ok(out.includes('IP:               10.244.1.9\nIPs:\n  IP:  10.244.1.9\nContainers:\n'), out);
  assert.ok(out.endsWith('Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s\nEvents:                      <none>\n'), out);
});

const appPod: any = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'app', namespace: 'default', labels: { app: 'web', tier: 'front' }, annotations: { note: 'hello', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
  spec: {
    nodeName: 'node-1',
    containers: [
      {
        name: 'app',
        image: 'nginx:latest',
        ports: [
          { containerPort: 80, protocol: 'TCP' },
          { containerPort: 443, protocol: 'TCP' },
        ],
        resources: { limits: { memory: '256Mi' }, requests: { cpu: '100m', memory: '256Mi' } },
        livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, initialDelaySeconds: 5, ...PROBE_DEFAULTS, periodSeconds: 5 },
        readinessProbe: { tcpSocket: { port: 80 }, ...PROBE_DEFAULTS, periodSeconds: 5 },
        envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'DB_', secretRef: { name: 'db' } }],
        env: [
          { name: 'NODE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
          { name: 'K', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'a', optional: true } } },
        ],
        volumeMounts: [
          { name: 'sec', mountPath: '/sec', subPath: 'x' },
          { name: 'host', mountPath: '/host' },
          { name: 'cfgvol', mountPath: '/etc/cfg', readOnly: true },
          { name: 'data', mountPath: '/data' },
          { name: 'claim', mountPath: '/claim' },
        ],
      },
    ],
    volumes: [
      { name: 'cfgvol', configMap: { name: 'cfg' } },
      { name: 'data', emptyDir: {} },
      { name: 'sec', secret: { secretName: 'db' } },
      { name: 'claim', persistentVolumeClaim: { claimName: 'data-pvc' } },
      { name: 'host', hostPath: { path: '/var/log', type: '' } },
    ],
  },
  status: {
    phase: 'Running',
    containerStatuses: [
      {
        name: 'app',
        containerID: 'containerd://c',
        imageID: 'x',
        ready: true,
        restartCount: 1,
        state: { running: { startedAt: '2026-11-22T06:29:27Z' } },
        lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: '2026-11-22T06:28:47Z', finishedAt: '2026-11-22T06:29:25Z' } },
      },
    ],
  },
};

test('pod containers block: app example with ports, probes, envFrom, fieldRef, mounts (as kubectl prints it)', () => {
  const out = describeObject(appPod, ctxWith());
  assert.equal(
    section(out, 'Containers:\n', 'Volumes:'),
    `Containers:
  app:
    Container ID:   containerd://c
    Image:          nginx:latest
    Image ID:       x
    Ports:          80/TCP, 443/TCP
    Host Ports:     0/TCP, 0/TCP
    State:          Running
      Started:      Sun, 22 Nov 2026 06:29:27 +0000
    Last State:     Terminated
      Reason:       OOMKilled
      Exit Code:    137
      Started:      Sun, 22 Nov 2026 06:28:47 +0000
      Finished:     Sun, 22 Nov 2026 06:29:25 +0000
    Ready:          True
    Restart Count:  1
    Limits:
      memory:  256Mi
    Requests:
      cpu:      100m
      memory:   256Mi
    Liveness:   exec [cat /tmp/healthy] delay=5s timeout=1s period=5s #success=1 #failure=3
    Readiness:  tcp-socket :80 delay=0s timeout=1s period=5s #success=1 #failure=3
    Environment Variables from:
      cfg  ConfigMap                 Optional: false
      db   Secret with prefix 'DB_'  Optional: false
    Environment:
      NODE:   (v1:spec.nodeName)
      K:     <set to the key 'a' of config map 'cfg'>  Optional: true
    Mounts:
      /claim from claim (rw)
      /data from data (rw)
      /etc/cfg from cfgvol (ro)
      /host from host (rw)
      /sec from sec (rw,path="x")
`,
  );
});

test('pod volumes of common types (as kubectl prints it) and computed Burstable QoS', () => {
  const out = describeObject(appPod, ctxWith());
  assert.equal(
    section(out, 'Volumes:\n', 'QoS Class:'),
    `Volumes:
  cfgvol:
    Type:      ConfigMap (a volume populated by a ConfigMap)
    Name:      cfg
    Optional:  false
  data:
    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)
    Medium:     
    SizeLimit:  <unset>
  sec:
    Type:        Secret (a volume populated by a Secret)
    SecretName:  db
    Optional:    false
  claim:
    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)
    ClaimName:  data-pvc
    ReadOnly:   false
  host:
    Type:          HostPath (bare host directory volume)
    Path:          /var/log
    HostPathType:  
`,
  );
  assert.match(out, /\nQoS Class:\s+Burstable\n/);
  // last-applied-configuration is hidden; labels are one per line aligned to the value column.
  assert.ok(out.includes('Labels:       app=web\n              tier=front\nAnnotations:  note: hello\n'), out);
  assert.ok(out.includes('Node:         node-1/\n'), out);
});

test('pending pod without node, init containers, Terminating status', () => {
  const pod: any = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns1', deletionTimestamp: new Date(NOW + 20_000).toISOString(), deletionGracePeriodSeconds: 30 },
    spec: {
      initContainers: [{ name: 'init', image: 'busybox', args: ['echo', 'a\nb'] }],
      containers: [{ name: 'c', image: 'nginx', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1024Mi' } } }],
    },
    status: { phase: 'Pending' },
  };
  const out = describeObject(pod, ctxWith());
  assert.ok(out.startsWith('Name:                      p\nNamespace:                 ns1\nNode:                      <none>\n'), out);
  assert.ok(out.includes('Status:                    Terminating (lasts <invalid>)\nTermination Grace Period:  30s\nIP:                        \nIPs:                       <none>\n'), out);
  assert.ok(out.includes('Init Containers:\n  init:\n    Image:      busybox\n    Port:       <none>\n    Host Port:  <none>\n    Args:\n      echo\n      a\n      b\n'), out);
  // Quantities print in canonical form, like the API server returns them.
  assert.ok(out.includes('    Limits:\n      cpu:     1\n      memory:  1Gi\n    Requests:\n      cpu:        1\n      memory:     1Gi\n'), out);
  // The init container has no limits, so the pod is not Guaranteed.
  assert.match(out, /\nQoS Class:\s+Burstable\n/);
});

test('pod env from resourceFieldRef: the downward API reader\'s values; an unsupported resource prints nothing, a missing cpu/memory limit "node allocatable"', () => {
  const pod = structuredClone(appPod);
  pod.spec.containers[0].env = [
    { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
    { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
    { name: 'REQ', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
    // kubectl's ExtractContainerResourceValue errors on an extended resource: an empty value
    { name: 'GPU', valueFrom: { resourceFieldRef: { resource: 'limits.nvidia.com/gpu' } } },
  ];
  const out = section(describeObject(pod, ctxWith()), '    Environment:\n', '    Mounts:');
  assert.equal(out, '    Environment:\n      MEM:  256 (limits.memory)\n      CPU:  node allocatable (limits.cpu)\n      REQ:  100 (requests.cpu)\n      GPU:   (limits.nvidia.com/gpu)\n');
});
