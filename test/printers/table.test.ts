import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../src/api/types';
import type { Column } from '../../src/printers/columns/types';
import { printTable } from '../../src/printers/table';
import { tableFor } from '../../src/printers/columns/index';

const NOW = Date.parse('2026-11-22T06:00:00Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString().replace('.000Z', 'Z');
const S = 1000;
const M = 60 * S;

const pod = (name: string, extra: Partial<KObject> = {}, status: any = {}, spec: any = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', creationTimestamp: ago(15 * M), ...(extra.metadata ?? {}) },
  spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec },
  status,
});

test('pod table: a recorded kubectl example (layout and cells)', () => {
  const pods = [
    pod('badimg', { metadata: { name: 'badimg', creationTimestamp: ago(4 * M + 9 * S) } }, {
      phase: 'Pending',
      containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } }],
    }),
    pod('big', { metadata: { name: 'big', creationTimestamp: ago(2 * M + 49 * S) } }, { phase: 'Pending' }),
    pod('crash', { metadata: { name: 'crash', creationTimestamp: ago(7 * M + 29 * S) } }, {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'c',
          ready: false,
          restartCount: 5,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * M + 4 * S) } },
        },
      ],
    }),
    pod('initpod', { metadata: { name: 'initpod', creationTimestamp: ago(79 * S) } }, {
      phase: 'Pending',
      initContainerStatuses: [
        { name: 'i1', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        { name: 'i2', restartCount: 0, state: { running: {} } },
      ],
    }, { initContainers: [{ name: 'i1' }, { name: 'i2' }] }),
    pod('web-7c5ddbdf54-abcde', {}, {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'c', ready: true, restartCount: 0, state: { running: {} } }],
    }),
  ];
  assert.equal(
    printTable(pods, { kind: 'Pod', group: '', now: NOW }),
    'NAME                   READY   STATUS             RESTARTS       AGE\n' +
      'badimg                 0/1     ImagePullBackOff   0              4m9s\n' +
      'big                    0/1     Pending            0              2m49s\n' +
      'crash                  0/1     CrashLoopBackOff   5 (2m4s ago)   7m29s\n' +
      'initpod                0/1     Init:1/2           0              79s\n' +
      'web-7c5ddbdf54-abcde   1/1     Running            0              15m\n',
  );
});

test('pod status: terminating, completed, sidecars, init failures', () => {
  const cells = (p: KObject) => tableFor('Pod', '').cells(p, NOW);
  assert.equal(cells(pod('t', { metadata: { name: 't', deletionTimestamp: ago(0) } }, { phase: 'Running' }))[2], 'Terminating');
  assert.equal(cells(pod('t', { metadata: { name: 't', deletionTimestamp: ago(0) } }, { phase: 'Running', reason: 'NodeLost' }))[2], 'Unknown');
  assert.equal(
    cells(pod('d', {}, { phase: 'Succeeded', containerStatuses: [{ name: 'c', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }))[2],
    'Completed',
  );
  assert.equal(cells(pod('s', {}, { phase: 'Failed', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 137, signal: 0 } } }] }))[2], 'ExitCode:137');
  assert.equal(
    cells(pod('i', {}, { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { waiting: { reason: 'CrashLoopBackOff' } } }] }, { initContainers: [{ name: 'i1' }] }))[2],
    'Init:CrashLoopBackOff',
  );
  const sidecar = pod(
    'sc',
    {},
    {
      phase: 'Running',
      initContainerStatuses: [{ name: 'proxy', started: true, ready: true, restartCount: 2, state: { running: {} } }],
      containerStatuses: [{ name: 'c', ready: true, restartCount: 1, state: { running: {} } }],
    },
    { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] },
  );
  assert.deepEqual(cells(sidecar).slice(1, 4), ['2/2', 'Running', '3']);
  assert.equal(cells(pod('g', {}, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }))[2], 'SchedulingGated');
});

test('wide, -A, -L, --show-labels, kind prefix and --no-headers', () => {
  const p = pod('crash', { metadata: { name: 'crash', labels: { run: 'crash' }, creationTimestamp: ago(6 * M + 42 * S) } }, {
    phase: 'Running',
    podIPs: [{ ip: '10.244.1.9' }],
    containerStatuses: [
      { name: 'c', restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { finishedAt: ago(77 * S) } } },
    ],
  }, { nodeName: 'node-1' });
  assert.equal(
    printTable([p], { kind: 'Pod', group: '', now: NOW, wide: true, labelColumns: ['run'], showLabels: true }),
    'NAME    READY   STATUS             RESTARTS      AGE     IP           NODE     NOMINATED NODE   READINESS GATES   RUN     LABELS\n' +
      'crash   0/1     CrashLoopBackOff   5 (77s ago)   6m42s   10.244.1.9   node-1   <none>           <none>            crash   run=crash\n',
  );
  assert.equal(
    printTable([p], { kind: 'Pod', group: '', now: NOW, allNamespaces: true, kindPrefix: 'pod', noHeaders: true, labelColumns: ['app.kubernetes.io/name'] }),
    'default   pod/crash   0/1   CrashLoopBackOff   5 (77s ago)   6m42s   \n',
  );
  assert.equal(printTable([], { kind: 'Pod', group: '', now: NOW }), '');
});

test('deployment with kind prefix (as kubectl prints it)', () => {
  const d: KObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', creationTimestamp: ago(15 * M) },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } },
    status: { readyReplicas: 3, updatedReplicas: 3, availableReplicas: 3 },
  };
  assert.equal(
    printTable([d], { kind: 'Deployment', group: 'apps', now: NOW, kindPrefix: 'deployment.apps' }),
    'NAME                  READY   UP-TO-DATE   AVAILABLE   AGE\ndeployment.apps/web   3/3     3            3           15m\n',
  );
  assert.deepEqual(tableFor('Deployment', 'apps').cells(d, NOW).slice(5), ['nginx', 'nginx:1.27', 'app=web']);
});

test('service and endpoints cells (as kubectl prints it)', () => {
  const svc = (spec: any, status: any = {}) =>
    tableFor('Service', '').cells({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', creationTimestamp: ago(12 * M) }, spec, status }, NOW);
  assert.deepEqual(svc({ type: 'NodePort', clusterIPs: ['10.96.120.15'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] }).slice(1, 5), [
    'NodePort',
    '10.96.120.15',
    '<none>',
    '80:30080/TCP',
  ]);
  assert.equal(svc({ type: 'LoadBalancer', clusterIPs: ['10.0.0.1'], ports: [] })[3], '<pending>');
  assert.equal(svc({ type: 'LoadBalancer', clusterIPs: ['10.0.0.1'] }, { loadBalancer: { ingress: [{ hostname: 'a-very-long-hostname.example.com' }] } })[3], 'a-very-long-h...');
  assert.equal(svc({ type: 'ExternalName', externalName: 'db.example.com' })[2], '<none>');
  assert.equal(svc({ type: 'ClusterIP', clusterIPs: ['None'] })[4], '<none>');
  const ep = tableFor('Endpoints', '').cells(
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'e' },
      subsets: [{ addresses: [{ ip: '10.244.1.5' }, { ip: '10.244.1.6' }, { ip: '10.244.2.7' }, { ip: '10.244.2.8' }], ports: [{ port: 80 }] }],
    },
    NOW,
  );
  assert.equal(ep[1], '10.244.1.5:80,10.244.1.6:80,10.244.2.7:80 + 1 more...');
});

test('node, job, cronjob, event, pvc, hpa cells', () => {
  const node: KObject = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-3', labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'x' }, creationTimestamp: ago(77 * 3600 * S) },
    spec: { unschedulable: true },
    status: { conditions: [{ type: 'Ready', status: 'Unknown' }], nodeInfo: { kubeletVersion: 'v1.32.4' }, addresses: [{ type: 'InternalIP', address: '172.18.0.4' }] },
  };
  assert.deepEqual(tableFor('Node', '').cells(node, NOW), [
    'node-3', 'NotReady,SchedulingDisabled', 'control-plane,x', '3d5h', 'v1.32.4', '172.18.0.4', '<none>', '<unknown>', '<unknown>', '<unknown>',
  ]);
  const job: KObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', creationTimestamp: ago(5 * M) },
    spec: { completions: 3, template: { spec: { containers: [] } } },
    status: { succeeded: 3, startTime: ago(5 * M), completionTime: ago(2 * M), conditions: [{ type: 'Complete', status: 'True' }] },
  };
  assert.deepEqual(tableFor('Job', 'batch').cells(job, NOW).slice(0, 5), ['j', 'Complete', '3/3', '3m', '5m']);
  const cj: KObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj', creationTimestamp: ago(M) }, spec: { schedule: '*/1 * * * *', suspend: false, jobTemplate: { spec: {} } }, status: {} };
  assert.deepEqual(tableFor('CronJob', 'batch').cells(cj, NOW).slice(0, 7), ['cj', '*/1 * * * *', '<none>', 'False', '0', '<none>', '60s']);
  const ev: KObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'crash.1' },
    involvedObject: { kind: 'Pod', name: 'crash', fieldPath: 'spec.containers{crash}' },
    reason: 'BackOff',
    type: 'Warning',
    message: ' Back-off restarting failed container \n',
    firstTimestamp: ago(6 * M),
    lastTimestamp: ago(12 * S),
    count: 0,
    source: { component: 'kubelet', host: 'node-1' },
  };
  assert.deepEqual(tableFor('Event', '').cells(ev, NOW), [
    '12s', 'Warning', 'BackOff', 'pod/crash', 'spec.containers{crash}', 'kubelet, node-1', 'Back-off restarting failed container', '6m', '1', 'crash.1',
  ]);
  const pvc: KObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', creationTimestamp: ago(5 * S) }, spec: { storageClassName: 'standard' }, status: { phase: 'Pending' } };
  assert.equal(
    printTable([pvc], { kind: 'PersistentVolumeClaim', group: '', now: NOW }),
    'NAME   STATUS    VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE\n' +
      'data   Pending                                      standard       <unset>                 5s\n',
  );
  const hpa: KObject = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', creationTimestamp: ago(M) },
    spec: {
      scaleTargetRef: { kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '200Mi' } } },
        { type: 'Pods', pods: { target: { averageValue: '1k' } } },
      ],
    },
    status: { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 45 } } }] },
  };
  assert.deepEqual(tableFor('HorizontalPodAutoscaler', 'autoscaling').cells(hpa, NOW), [
    'web', 'Deployment/web', 'cpu: 45%/80%, memory: <unknown>/200Mi + 1 more...', '1', '5', '2', '60s',
  ]);
});

test('custom resources: printer columns of the preferred version; default Age column', () => {
  const crd: KObject = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      versions: [
        { name: 'v1beta1', served: true, additionalPrinterColumns: [{ name: 'Old', type: 'string', jsonPath: '.spec.old' }] },
        {
          name: 'v1',
          served: true,
          additionalPrinterColumns: [
            { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
            { name: 'Ready', type: 'boolean', jsonPath: '.status.ready' },
            { name: 'Labels', type: 'string', jsonPath: '.metadata.labels' },
            { name: 'Detail', type: 'string', jsonPath: '.spec.detail', priority: 1 },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
      ],
    },
  };
  const w: KObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', labels: { a: 'b' }, creationTimestamp: ago(3 * M) }, spec: { size: 3 } };
  assert.equal(
    printTable([w], { kind: 'Widget', group: 'example.com', crd, now: NOW }),
    'NAME   SIZE   READY   LABELS      AGE\nw1     3              {"a":"b"}   3m\n',
  );
  // An exact int64 past 2^53 (a bigint) prints its digits, as %v prints an int64.
  assert.equal(printTable([{ ...w, spec: { size: 2n ** 53n + 1n } }], { kind: 'Widget', group: 'example.com', crd, now: NOW }).split('\n')[1], 'w1     9007199254740993           {"a":"b"}   3m');
  // Nil (null) where the convertor appends nil: a missing key, whatever the column's type; a
  // string column's JSON null is printed through an invalid reflect.Value (text/template's
  // "<no value>"); a string found empty stays "".
  assert.deepEqual(tableFor('Widget', 'example.com', crd).cells({ ...w, spec: { detail: null } }, NOW).slice(1, 5), [null, null, '{"a":"b"}', '<no value>']);
  assert.deepEqual(tableFor('Widget', 'example.com', crd).cells({ ...w, metadata: { name: 'w1' }, spec: { detail: '' } }, NOW).slice(1, 6), [null, null, null, '', null]);
  const bare = { ...crd, spec: { versions: [{ name: 'v1', served: true }] } };
  assert.equal(printTable([w], { kind: 'Widget', group: 'example.com', crd: bare, now: NOW }), 'NAME   AGE\nw1     3m\n');
  assert.equal(
    printTable([{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'view', creationTimestamp: '2026-01-02T03:04:05Z' } }], {
      kind: 'ClusterRole',
      group: 'rbac.authorization.k8s.io',
      now: NOW,
    }),
    'NAME   CREATED AT\nview   2026-01-02T03:04:05Z\n',
  );
});

test('PodTemplates and ControllerRevisions have kube\'s printers (printPodTemplate, printControllerRevision), not the default NAME / CREATED AT', () => {
  const templates: KObject[] = [
    { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'pt', creationTimestamp: ago(M) }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c1', image: 'busybox' }, { name: 'c2', image: 'nginx' }] } } } as KObject,
    { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'pt2', creationTimestamp: ago(M) }, template: { spec: { containers: [{ name: 'c1', image: 'busybox' }] } } } as KObject,
  ];
  assert.equal(printTable(templates, { kind: 'PodTemplate', group: '', now: NOW }), 'NAME   CONTAINERS   IMAGES          POD LABELS\npt     c1,c2        busybox,nginx   a=b\npt2    c1           busybox         <none>\n');
  const owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u', controller: true };
  const revisions: KObject[] = [
    { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'db-1', creationTimestamp: ago(2 * M), ownerReferences: [owner] }, revision: 2 } as KObject,
    { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'orphan', creationTimestamp: ago(2 * M) }, revision: 1 } as KObject,
  ];
  assert.equal(printTable(revisions, { kind: 'ControllerRevision', group: 'apps', now: NOW }), 'NAME     CONTROLLER            REVISION   AGE\ndb-1     statefulset.apps/db   2          2m\norphan   <none>                1          2m\n');
});

test('cells with newlines are cut with "..."', () => {
  const cm: KObject = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' }, message: 'line1\nline2', lastTimestamp: ago(S) };
  // LAST SEEN 12 wide, empty TYPE 7, empty REASON 9, OBJECT 9, then the cut message.
  assert.equal(printTable([cm], { kind: 'Event', group: '', now: NOW }).split('\n')[1], '1s' + ' '.repeat(10 + 7 + 9) + 'pod/p    line1...');
});

test('served cells over many rows: cuts at \\n, \\r and \\f in every row, -A, kind prefix, a wide column hidden, -L', () => {
  // As a daemon's Table reaches the printer (src/cli/get-remote.ts): cells by object, and a
  // row's metadata with only its namespace and labels.
  const columns: Column[] = [{ name: 'Name', priority: 0, isName: true }, { name: 'Note', priority: 0 }, { name: 'IP', priority: 1 }];
  const objs: KObject[] = [];
  const cells = new Map<KObject, string[]>();
  const notes = ['a\nb', 'c\rd', 'e\ff', 'plain', 'g\n'];
  for (let i = 0; i < 10; i++) {
    const o = { metadata: { namespace: `ns-${i % 2}`, labels: i % 3 ? { tier: `t${i}` } : undefined } } as unknown as KObject;
    objs.push(o);
    cells.set(o, [`p-${i}`, notes[i % notes.length], `10.0.0.${i}`]);
  }
  const text = printTable(objs, { kind: 'Pod', group: '', now: NOW, served: { columns, cells }, allNamespaces: true, kindPrefix: 'pod', labelColumns: ['tier'] });
  const want = ['NAMESPACE   NAME      NOTE    TIER'];
  for (let i = 0; i < 10; i++) {
    const note = ['a...', 'c...', 'e...', 'plain', 'g...'][i % 5];
    want.push(`ns-${i % 2}        ${`pod/p-${i}`.padEnd(10)}${note.padEnd(8)}${i % 3 ? `t${i}` : ''}`);
  }
  assert.equal(text, want.join('\n') + '\n');
  // -o wide shows the priority-1 column; the same cut cells on a second printing.
  assert.match(printTable(objs, { kind: 'Pod', group: '', now: NOW, served: { columns, cells }, wide: true, noHeaders: true }), /^p-4 {3}g\.\.\. {4}10\.0\.0\.4\n/m);
});
