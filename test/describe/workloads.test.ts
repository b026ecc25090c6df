import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeObject } from '../../src/printers/describe';
import { ctxWith, event } from './fixtures';

const template = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
};

const deploy: any = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', uid: 'd1', creationTimestamp: '2026-11-22T06:01:36Z', labels: { app: 'web' }, annotations: { 'deployment.kubernetes.io/revision': '1' } },
  spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } }, template },
  status: {
    replicas: 3,
    updatedReplicas: 3,
    availableReplicas: 3,
    conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
    ],
  },
};

function rs(name: string, replicas: number, tpl: any, created: string): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: created, labels: { app: 'web', 'pod-template-hash': name.slice(4) }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd1', controller: true }] },
    spec: { replicas, selector: { matchLabels: { app: 'web', 'pod-template-hash': name.slice(4) } }, template: { ...tpl, metadata: { labels: { ...tpl.metadata.labels, 'pod-template-hash': name.slice(4) } } } },
    status: { replicas },
  };
}

test('deployment (as kubectl prints it)', () => {
  const objects = [rs('web-7c5ddbdf54', 3, template, '2026-11-22T06:01:36Z')];
  const events = [event({ reason: 'ScalingReplicaSet', message: 'Scaled up replica set web-7c5ddbdf54 from 0 to 3', component: 'deployment-controller', first: '2026-11-22T06:20:00Z' })];
  assert.equal(
    describeObject(deploy, ctxWith(objects, events)),
    `Name:                   web
Namespace:              default
CreationTimestamp:      Sun, 22 Nov 2026 06:01:36 +0000
Labels:                 app=web
Annotations:            deployment.kubernetes.io/revision: 1
Selector:               app=web
Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable
StrategyType:           RollingUpdate
MinReadySeconds:        0
RollingUpdateStrategy:  25% max unavailable, 25% max surge
Pod Template:
  Labels:  app=web
  Containers:
   nginx:
    Image:         nginx:1.25
    Port:          80/TCP
    Host Port:     0/TCP
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Conditions:
  Type           Status  Reason
  ----           ------  ------
  Available      True    MinimumReplicasAvailable
  Progressing    True    NewReplicaSetAvailable
OldReplicaSets:  <none>
NewReplicaSet:   web-7c5ddbdf54 (3/3 replicas created)
Events:
  Type    Reason             Age   From                   Message
  ----    ------             ----  ----                   -------
  Normal  ScalingReplicaSet  15m   deployment-controller  Scaled up replica set web-7c5ddbdf54 from 0 to 3
`,
  );
});

test('deployment mid-rollout lists old and new ReplicaSets; Recreate has no RollingUpdateStrategy', () => {
  const newTpl = { ...template, spec: { containers: [{ ...template.spec.containers[0], image: 'nginx:1.26' }] } };
  const d = { ...deploy, spec: { ...deploy.spec, template: newTpl, strategy: { type: 'Recreate' } } };
  const objects = [rs('web-7c5ddbdf54', 2, template, '2026-11-22T06:01:36Z'), rs('web-5d9f8c7b6a', 1, newTpl, '2026-11-22T06:30:00Z'), rs('web-0000000000', 0, template, '2026-11-22T05:00:00Z')];
  const out = describeObject(d, ctxWith(objects));
  assert.ok(out.includes('OldReplicaSets:  web-0000000000 (0/0 replicas created), web-7c5ddbdf54 (2/2 replicas created)\nNewReplicaSet:   web-5d9f8c7b6a (1/1 replicas created)\n'), out);
  assert.ok(!out.includes('RollingUpdateStrategy'), out);
  assert.ok(out.includes('StrategyType:       Recreate\n'), out);
});

test('replicaset counts only pods it controls, by phase', () => {
  const r = rs('web-7c5ddbdf54', 3, template, '2026-11-22T06:01:36Z');
  const pod = (name: string, phase: string, owner = r.metadata.uid) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'web', 'pod-template-hash': '7c5ddbdf54' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: owner, controller: true }] },
    status: { phase },
  });
  const objects = [pod('a', 'Running'), pod('b', 'Running'), pod('c', 'Pending'), pod('d', 'Failed'), pod('e', 'Running', 'other')];
  const out = describeObject(r, ctxWith(objects));
  assert.ok(
    out.startsWith(`Name:           web-7c5ddbdf54
Namespace:      default
Selector:       app=web,pod-template-hash=7c5ddbdf54
Labels:         app=web
                pod-template-hash=7c5ddbdf54
Annotations:    <none>
Controlled By:  Deployment/web
Replicas:       3 current / 3 desired
Pods Status:    2 Running / 1 Waiting / 0 Succeeded / 1 Failed
Pod Template:
  Labels:  app=web
           pod-template-hash=7c5ddbdf54
  Containers:
`),
    out,
  );
  assert.ok(out.endsWith('  Tolerations:     <none>\nEvents:            <none>\n'), out);
});

test('job with completion times and ready count', () => {
  const job: any = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', labels: { 'batch.kubernetes.io/job-name': 'pi' } },
    spec: { parallelism: 1, completions: 1, completionMode: 'NonIndexed', suspend: false, backoffLimit: 6, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc' } }, template: { metadata: { labels: { 'job-name': 'pi' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl', command: ['perl', '-e', 'print 1'] }] } } },
    status: { startTime: '2026-11-22T06:00:00Z', completionTime: '2026-11-22T06:00:42Z', succeeded: 1, ready: 0 },
  };
  const out = describeObject(job, ctxWith());
  assert.ok(
    out.startsWith(`Name:             pi
Namespace:        default
Selector:         batch.kubernetes.io/controller-uid=abc
Labels:           batch.kubernetes.io/job-name=pi
Annotations:      <none>
Parallelism:      1
Completions:      1
Completion Mode:  NonIndexed
Suspend:          false
Backoff Limit:    6
Start Time:       Sun, 22 Nov 2026 06:00:00 +0000
Completed At:     Sun, 22 Nov 2026 06:00:42 +0000
Duration:         42s
Pods Statuses:    0 Active (0 Ready) / 1 Succeeded / 0 Failed
Pod Template:
  Labels:  job-name=pi
  Containers:
   pi:
    Image:      perl
    Port:       <none>
    Host Port:  <none>
    Command:
      perl
      -e
      print 1
    Environment:   <none>
`),
    out,
  );
});

test('cronjob prints unset limits and active jobs', () => {
  const cj: any = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'hello', namespace: 'default' },
    spec: { schedule: '*/1 * * * *', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } } },
    status: { active: [{ name: 'hello-1' }, { name: 'hello-2' }] },
  };
  const out = describeObject(cj, ctxWith());
  assert.ok(
    out.startsWith(`Name:                          hello
Namespace:                     default
Labels:                        <none>
Annotations:                   <none>
Schedule:                      */1 * * * *
Concurrency Policy:            Allow
Suspend:                       False
Successful Job History Limit:  3
Failed Job History Limit:      <unset>
Starting Deadline Seconds:     <unset>
Selector:                      <unset>
Parallelism:                   <unset>
Completions:                   <unset>
Pod Template:
  Labels:  <none>
`),
    out,
  );
  assert.ok(out.includes('Last Schedule Time:  <unset>\nActive Jobs:         hello-1, hello-2\nEvents:              <none>\n'), out);
});

test('statefulset with volume claim templates; daemonset counters', () => {
  const ss: any = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'default', uid: 's1', creationTimestamp: '2026-11-22T06:00:00Z' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'db' } }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres' }] } }, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] },
    status: { replicas: 2 },
  };
  const out = describeObject(ss, ctxWith());
  assert.ok(out.includes('Replicas:           2 desired | 2 total\nUpdate Strategy:    RollingUpdate\n  Partition:        0\nPods Status:        0 Running / 0 Waiting / 0 Succeeded / 0 Failed\n'), out);
  assert.ok(out.includes('Volume Claims:\n  Name:          data\n  StorageClass:  \n  Labels:        <none>\n  Annotations:   <none>\n  Capacity:      1Gi\n  Access Modes:  [ReadWriteOnce]\nEvents:          <none>\n'), out);

  const ds: any = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'kube-system' },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent' }] } } },
    status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 1 },
  };
  const dout = describeObject(ds, ctxWith());
  // kubectl 1.32's DaemonSet describer prints no Namespace line (compared with the real kubectl)
  assert.ok(dout.startsWith('Name:           agent\nSelector:       app=agent\n'), dout);
  assert.ok(dout.includes('Selector:       app=agent\nNode-Selector:  <none>\nLabels:         <none>\nAnnotations:    <none>\nDesired Number of Nodes Scheduled: 2\nCurrent Number of Nodes Scheduled: 2\nNumber of Nodes Scheduled with Up-to-date Pods: 2\nNumber of Nodes Scheduled with Available Pods: 1\nNumber of Nodes Misscheduled: 0\nPods Status:  0 Running / 0 Waiting / 0 Succeeded / 0 Failed\n'), dout);
});
