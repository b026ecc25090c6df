import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeObject } from '../../src/printers/describe';
import { smartLabelFor } from '../../src/printers/describe/generic';
import { formatQuantity, parseQuantity, add } from '../../src/api/quantity';
import { ctxWith, event, NOW } from './fixtures';

test('service with endpoints (first three shown, then + N more)', () => {
  const svc: any = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: { type: 'NodePort', selector: { app: 'web' }, ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'], clusterIP: '10.96.12.34', clusterIPs: ['10.96.12.34'], ports: [{ port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }], sessionAffinity: 'None', externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster' },
  };
  const ep: any = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web', namespace: 'default' },
    subsets: [{ addresses: ['10.244.1.5', '10.244.1.6', '10.244.2.3', '10.244.2.4'].map((ip) => ({ ip })), ports: [{ port: 8080, protocol: 'TCP' }] }],
  };
  assert.equal(
    describeObject(svc, ctxWith([ep])),
    `Name:                     web
Namespace:                default
Labels:                   app=web
Annotations:              <none>
Selector:                 app=web
Type:                     NodePort
IP Family Policy:         SingleStack
IP Families:              IPv4
IP:                       10.96.12.34
IPs:                      10.96.12.34
Port:                     <unset>  80/TCP
TargetPort:               8080/TCP
NodePort:                 <unset>  30080/TCP
Endpoints:                10.244.1.5:8080,10.244.1.6:8080,10.244.2.3:8080 + 1 more...
Session Affinity:         None
External Traffic Policy:  Cluster
Internal Traffic Policy:  Cluster
Events:                   <none>
`,
  );
  // Without an Endpoints object the line reads <none>.
  assert.match(describeObject(svc, ctxWith()), /\nEndpoints:\s+<none>\n/);
});

test('node: taints, conditions, capacity, non-terminated pods with percentages', () => {
  const node: any = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1', creationTimestamp: '2026-11-22T06:00:00Z', labels: { 'kubernetes.io/hostname': 'node-1', 'node-role.kubernetes.io/control-plane': '' } },
    spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'], taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] },
    status: {
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-11-22T06:34:00Z', lastTransitionTime: '2026-11-22T06:00:10Z', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      addresses: [{ type: 'InternalIP', address: '172.18.0.2' }, { type: 'Hostname', address: 'node-1' }],
      capacity: { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' },
      allocatable: { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' },
      nodeInfo: { machineID: 'm', systemUUID: 's', bootID: 'b', kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12 (bookworm)', operatingSystem: 'linux', architecture: 'amd64', containerRuntimeVersion: 'containerd://1.7.18', kubeletVersion: 'v1.32.4', kubeProxyVersion: 'v1.32.4' },
    },
  };
  const pod = (name: string, ns: string, phase: string, resources: any) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, creationTimestamp: '2026-11-22T06:05:00Z' },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'x', resources }] },
    status: { phase },
  });
  const lease: any = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'node-1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'node-1', renewTime: '2026-11-22T06:34:50.000000Z' } };
  const objects = [
    pod('web', 'default', 'Running', { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } }),
    pod('dns', 'kube-system', 'Running', { requests: { cpu: '100m', memory: '70Mi' }, limits: { memory: '170Mi' } }),
    pod('done', 'default', 'Succeeded', { requests: { cpu: '2' } }),
    lease,
  ];
  const events = [event({ reason: 'NodeReady', message: 'Node node-1 status is now: NodeReady', component: 'kubelet', first: '2026-11-22T06:00:10Z' })];
  const out = describeObject(node, ctxWith(objects, events));
  assert.ok(
    out.startsWith(`Name:               node-1
Roles:              control-plane
Labels:             kubernetes.io/hostname=node-1
                    node-role.kubernetes.io/control-plane=
Annotations:        <none>
CreationTimestamp:  Sun, 22 Nov 2026 06:00:00 +0000
Taints:             node-role.kubernetes.io/control-plane:NoSchedule
Unschedulable:      false
Lease:
  HolderIdentity:  node-1
  AcquireTime:     <unset>
  RenewTime:       Sun, 22 Nov 2026 06:34:50 +0000
Conditions:
  Type    Status  LastHeartbeatTime                 LastTransitionTime                Reason         Message
  ----    ------  -----------------                 ------------------                ------         -------
  Ready   True    Sun, 22 Nov 2026 06:34:00 +0000   Sun, 22 Nov 2026 06:00:10 +0000   KubeletReady   kubelet is posting ready status
Addresses:
  InternalIP:  172.18.0.2
  Hostname:    node-1
Capacity:
  cpu:                4
  ephemeral-storage:  100Gi
  memory:             8Gi
  pods:               110
Allocatable:
  cpu:                4
  ephemeral-storage:  100Gi
  memory:             8Gi
  pods:               110
System Info:
  Machine ID:                 m
`),
    out,
  );
  assert.ok(
    out.includes(`PodCIDR:                      10.244.0.0/24
PodCIDRs:                     10.244.0.0/24
Non-terminated Pods:          (2 in total)
  Namespace                   Name    CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age
  ---------                   ----    ------------  ----------  ---------------  -------------  ---
  default                     web     500m (12%)    1 (25%)     512Mi (6%)       1Gi (12%)      30m
  kube-system                 dns     100m (2%)     0 (0%)      70Mi (0%)        170Mi (2%)     30m
Allocated resources:
  (Total limits may be over 100 percent, i.e., overcommitted.)
  Resource           Requests    Limits
  --------           --------    ------
  cpu                600m (15%)  1 (25%)
  memory             582Mi (7%)  1194Mi (14%)
  ephemeral-storage  0 (0%)      0 (0%)
Events:
  Type    Reason     Age   From     Message
  ----    ------     ----  ----     -------
  Normal  NodeReady  34m   kubelet  Node node-1 status is now: NodeReady
`),
    out,
  );
});

test('node without a lease says so', () => {
  const out = describeObject({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' }, spec: {}, status: {} }, ctxWith());
  assert.ok(out.includes('Lease:              Failed to get lease: leases.coordination.k8s.io "n2" not found\n'), out);
});

test('configmap data sections and secret sizes', () => {
  const cm: any = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { 'b.conf': 'x=1\ny=2', a: 'hello' }, binaryData: { bin: Buffer.from([1, 2, 3, 4]).toString('base64') } };
  assert.equal(
    describeObject(cm, ctxWith()),
    'Name:         cfg\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\n\nData\n====\na:\n----\nhello\n\nb.conf:\n----\nx=1\ny=2\n\n\nBinaryData\n====\nbin: 4 bytes\n\nEvents:  <none>\n',
  );
  const secret: any = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'default' }, type: 'Opaque', data: { password: Buffer.from('abc').toString('base64'), user: Buffer.from('admin').toString('base64') } };
  assert.equal(
    describeObject(secret, ctxWith()),
    'Name:         db\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\n\nType:  Opaque\n\nData\n====\npassword:  3 bytes\nuser:      5 bytes\n',
  );
});

test('namespace without quota or limit ranges', () => {
  const ns: any = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev', labels: { 'kubernetes.io/metadata.name': 'dev' } }, status: { phase: 'Active' } };
  assert.equal(
    describeObject(ns, ctxWith()),
    'Name:         dev\nLabels:       kubernetes.io/metadata.name=dev\nAnnotations:  <none>\nStatus:       Active\n\nNo resource quota.\n\nNo LimitRange resource.\n',
  );
});

test('service account lists secrets sorted by header', () => {
  const sa: any = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' }, imagePullSecrets: [{ name: 'regcred' }] };
  assert.equal(
    describeObject(sa, ctxWith()),
    'Name:                default\nNamespace:           default\nLabels:              <none>\nAnnotations:         <none>\nImage pull secrets:  regcred (not found)\nMountable secrets:   <none>\nTokens:              <none>\nEvents:              <none>\n',
  );
});

test('pvc bound and used by a pod; pv source', () => {
  const pvc: any = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'default', finalizers: ['kubernetes.io/pvc-protection'] }, spec: { storageClassName: 'standard', volumeName: 'pv-1', volumeMode: 'Filesystem', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } };
  const pod: any = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'user', namespace: 'default' }, spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] } };
  assert.equal(
    describeObject(pvc, ctxWith([pod])),
    'Name:          data\nNamespace:     default\nStorageClass:  standard\nStatus:        Bound\nVolume:        pv-1\nLabels:        <none>\nAnnotations:   <none>\nFinalizers:    [kubernetes.io/pvc-protection]\nCapacity:      1Gi\nAccess Modes:  RWO\nVolumeMode:    Filesystem\nUsed By:       user\nEvents:        <none>\n',
  );
  const pv: any = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-1' }, spec: { storageClassName: 'standard', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', volumeMode: 'Filesystem', claimRef: { namespace: 'default', name: 'data' }, hostPath: { path: '/tmp/pv', type: 'DirectoryOrCreate' } }, status: { phase: 'Bound' } };
  assert.equal(
    describeObject(pv, ctxWith()),
    'Name:            pv-1\nLabels:          <none>\nAnnotations:     <none>\nFinalizers:      []\nStorageClass:    standard\nStatus:          Bound\nClaim:           default/data\nReclaim Policy:  Delete\nAccess Modes:    RWO\nVolumeMode:      Filesystem\nCapacity:        1Gi\nNode Affinity:   <none>\nMessage:         \nSource:\n    Type:          HostPath (bare host directory volume)\n    Path:          /tmp/pv\n    HostPathType:  DirectoryOrCreate\nEvents:            <none>\n',
  );
});

test('ingress rules with backends resolved through the service endpoints', () => {
  const ing: any = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'site', namespace: 'default' }, spec: { ingressClassName: 'nginx', rules: [{ host: 'example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } };
  const svc: any = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ port: 80 }] } };
  const ep: any = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 8080 }] }] };
  assert.equal(
    describeObject(ing, ctxWith([svc, ep])),
    'Name:             site\nLabels:           <none>\nNamespace:        default\nAddress:          \nIngress Class:    nginx\nDefault backend:  <default>\nRules:\n  Host         Path  Backends\n  ----         ----  --------\n  example.com  \n               /   web:80 (10.244.1.5:8080)\nAnnotations:   <none>\nEvents:        <none>\n',
  );
});

test('hpa (v2 resource metric)', () => {
  const hpa: any = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-11-22T06:00:00Z' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] }, status: { currentReplicas: 1, desiredReplicas: 1 } };
  assert.equal(
    describeObject(hpa, ctxWith()),
    'Name:                                                  web\nNamespace:                                             default\nLabels:                                                <none>\nAnnotations:                                           <none>\nCreationTimestamp:                                     Sun, 22 Nov 2026 06:00:00 +0000\nReference:                                             Deployment/web\nMetrics:                                               ( current / target )\n  resource cpu on pods  (as a percentage of request):  <unknown> / 50%\nMin replicas:                                          1\nMax replicas:                                          5\nDeployment pods:                                       1 current / 1 desired\nEvents:                                                <none>\n',
  );
});

test('generic describer for custom resources', () => {
  const cr: any = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default', uid: 'u-1', generation: 1, creationTimestamp: '2026-11-22T06:00:00Z', resourceVersion: '42' }, spec: { replicas: 2, containerPort: 8080, tags: ['a', 'b'], enabled: true } };
  assert.equal(
    describeObject(cr, ctxWith()),
    'Name:         w1\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\nAPI Version:  example.com/v1\nKind:         Widget\nMetadata:\n  Creation Timestamp:  2026-11-22T06:00:00Z\n  Generation:          1\n  Resource Version:    42\n  UID:                 u-1\nSpec:\n  Container Port:  8080\n  Enabled:         true\n  Replicas:        2\n  Tags:\n    a\n    b\nEvents:  <none>\n',
  );
  assert.equal(smartLabelFor('apiVersion'), 'API Version');
  assert.equal(smartLabelFor('PDName'), 'PD Name');
  assert.equal(smartLabelFor('k8s'), 'k8s');
});

test('quantities print in canonical form', () => {
  const c = (s: string) => formatQuantity(parseQuantity(s)!);
  assert.equal(c('1000m'), '1');
  assert.equal(c('0.5'), '500m');
  assert.equal(c('1024Mi'), '1Gi');
  assert.equal(c('1.5Gi'), '1536Mi');
  assert.equal(c('512'), '512');
  assert.equal(c('1e3'), '1e3');
  assert.equal(formatQuantity(add(parseQuantity('512Mi')!, parseQuantity('70Mi')!)), '582Mi');
});

test('events: series and singletons; --show-events=false omits the section', () => {
  const svc: any = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } };
  const events = [
    event({ type: 'Warning', reason: 'FailedScheduling', message: '0/1 nodes are available', component: 'default-scheduler', eventTime: new Date(NOW - 600_000).toISOString(), name: 'a' }),
  ];
  events[0].series = { count: 4, lastObservedTime: new Date(NOW - 30_000).toISOString() };
  const out = describeObject(svc, ctxWith([], events));
  assert.ok(out.endsWith('Events:\n  Type     Reason            Age                From               Message\n  ----     ------            ----               ----               -------\n  Warning  FailedScheduling  30s (x4 over 10m)  default-scheduler  0/1 nodes are available\n'), out);
  const ctx = { ...ctxWith([], events), showEvents: false };
  assert.ok(!describeObject(svc, ctx).includes('Events'));
});

test('pod disruption budget: no selector reads <unset>, events follow the status, --show-events=false drops them', () => {
  const pdb: any = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'all', namespace: 'default' },
    spec: { maxUnavailable: 2 },
    status: { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 },
  };
  const events = [event({ reason: 'NoPods', message: 'No matching pods found', component: 'controllermanager', first: '2026-11-22T06:34:00Z' })];
  assert.equal(
    describeObject(pdb, ctxWith([], events)),
    `Name:             all
Namespace:        default
Max unavailable:  2
Selector:         <unset>
Status:
    Allowed disruptions:  1
    Current:              3
    Desired:              2
    Total:                3
Events:
  Type    Reason  Age   From               Message
  ----    ------  ----  ----               -------
  Normal  NoPods  60s   controllermanager  No matching pods found
`,
  );
  assert.doesNotMatch(describeObject(pdb, { ...ctxWith([], events), showEvents: false }), /Events/);
});

test('role binding without subjects: the Subjects table has its header only; a role without rules its header only', () => {
  const rb: any = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b', namespace: 'default' }, roleRef: { kind: 'ClusterRole', name: 'view' } };
  assert.equal(describeObject(rb, ctxWith()), 'Name:         b\nLabels:       <none>\nAnnotations:  <none>\nRole:\n  Kind:  ClusterRole\n  Name:  view\nSubjects:\n  Kind  Name  Namespace\n  ----  ----  ---------\n');
  const role: any = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'default' } };
  assert.equal(describeObject(role, ctxWith()), 'Name:         r\nLabels:       <none>\nAnnotations:  <none>\nPolicyRule:\n  Resources  Non-Resource URLs  Resource Names  Verbs\n  ---------  -----------------  --------------  -----\n');
});
