// Cross-object lint findings of `kubesim check`: rule id, text and file:line:col.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Dir, only, deployment } from './helpers';

const d = new Dir();
after(() => d.cleanup());

const WEB = deployment('web', { container: '        ports:\n        - {name: http, containerPort: 8080}' });

test('lint/service-selector: a Service selecting no pod template, at spec.selector', async () => {
  const { file, findings } = await d.check('svc-sel.yaml', `${WEB}---
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector: {app: api}
  ports:
  - port: 80
`);
  const [f] = only(findings, 'lint/service-selector');
  assert.ok(f, JSON.stringify(findings.map((x) => x.ruleId)));
  assert.equal(f.message, 'Service "api" selects app=api, but no pod template in namespace "default" has these labels');
  assert.equal(f.file, file);
  assert.deepEqual([f.line, f.col], [24, 3]);
  assert.equal(f.severity, 'error');
});

test('lint/service-target-port: named and numbered targetPorts no selected container exposes', async () => {
  const { findings } = await d.check('svc-port.yaml', `${WEB}---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - name: a
    port: 80
    targetPort: http
  - name: b
    port: 81
    targetPort: metrics
  - name: c
    port: 82
    targetPort: 9090
  - name: d
    port: 8080
`);
  const fs = only(findings, 'lint/service-target-port');
  assert.equal(fs.length, 2, fs.map((f) => f.message).join('\n'));
  assert.equal(fs[0].message, 'Service "web" port 81: targetPort "metrics" is not the name of a TCP port of any selected container (Deployment/web)');
  assert.deepEqual([fs[0].line, fs[0].col], [31, 5]);
  assert.equal(fs[0].hint, 'named ports of the selected containers: http');
  assert.equal(fs[1].message, 'Service "web" port 82: targetPort 9090 is not a TCP containerPort of any selected container (Deployment/web)');
  assert.deepEqual([fs[1].line, fs[1].field], [34, 'spec.ports[2].targetPort']);
});

test('lint/ingress-backend: missing Service, missing port number, missing port name', async () => {
  const { findings } = await d.check('ing.yaml', `${WEB}---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: site
spec:
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: web, port: {number: 8080}}
      - path: /api
        pathType: Prefix
        backend:
          service: {name: api, port: {number: 80}}
      - path: /x
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              name: https
`);
  const fs = only(findings, 'lint/ingress-backend');
  assert.deepEqual(fs.map((f) => f.message), [
    'Ingress "site" routes to port 8080 of Service "web", which has no such port (ports: 80)',
    'Ingress "site" routes to Service "api", which is not defined in namespace "default"',
    'Ingress "site" routes to port "https" of Service "web", which has no port of that name (names: http)',
  ]);
  assert.deepEqual(fs.map((f) => f.line), [39, 43, 50]);
  assert.equal(fs[1].hint, 'define the Service, or pass --assume-exists service/api if it already exists in the cluster');
});

test('lint/hpa-target and lint/pdb-selector: objects targeting nothing', async () => {
  const { findings } = await d.check('hpa.yaml', `${WEB}---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 1
  maxReplicas: 3
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: api
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: api}
`);
  const [h] = only(findings, 'lint/hpa-target');
  assert.equal(h.message, 'HorizontalPodAutoscaler "api" targets Deployment "api", which is not defined in namespace "default"');
  assert.equal(h.line, 24);
  const [p] = only(findings, 'lint/pdb-selector');
  assert.equal(p.message, 'PodDisruptionBudget "api" selects no pod template in namespace "default"');
  assert.equal(p.line, 34);
});

test('lint/pdb-blocks-eviction: minAvailable >= replicas and maxUnavailable 0 (warnings)', async () => {
  const { findings } = await d.check('pdb.yaml', `${deployment('db', { replicas: 2 })}---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: db-min
spec:
  minAvailable: 2
  selector:
    matchLabels: {app: db}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: db-max
spec:
  maxUnavailable: 0
  selector:
    matchLabels: {app: db}
`);
  const fs = only(findings, 'lint/pdb-blocks-eviction');
  assert.deepEqual(fs.map((f) => [f.message, f.line, f.severity]), [
    ['PodDisruptionBudget "db-min" allows no voluntary eviction (minAvailable 2 >= 2 replicas of Deployment/db): node drains and cluster upgrades will block', 22, 'warning'],
    ['PodDisruptionBudget "db-max" allows no voluntary eviction (maxUnavailable is 0): node drains and cluster upgrades will block', 31, 'warning'],
  ]);
});

const REFS = deployment('app', {
  pod: `      serviceAccountName: builder
      priorityClassName: high
      volumes:
      - name: cfg
        configMap: {name: app-config}
      - name: data
        persistentVolumeClaim: {claimName: data}`,
  container: `        envFrom:
        - secretRef: {name: db-creds}
        - configMapRef: {name: maybe, optional: true}`,
});

test('lint/missing-reference: ServiceAccount, PriorityClass, Secret, ConfigMap, PVC and StorageClass, each at its field', async () => {
  const { findings } = await d.check('refs.yaml', `${REFS}---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  storageClassName: fast
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
`, { maxReconciles: 3000 });
  const fs = only(findings, 'lint/missing-reference');
  assert.deepEqual(fs.map((f) => [f.message, f.line]), [
    ['Deployment "app" references ServiceAccount "builder", which is not defined in namespace "default"', 19],
    ['Deployment "app" references PriorityClass "high", which is not defined', 20],
    ['Deployment "app" references Secret "db-creds", which is not defined in namespace "default"', 17],
    ['Deployment "app" references ConfigMap "app-config", which is not defined in namespace "default"', 23],
    ['PersistentVolumeClaim "data" references StorageClass "fast", which is not defined', 32],
  ]);
  assert.equal(fs[2].hint, 'define the Secret, or pass --assume-exists secret/db-creds if it already exists in the cluster');
  assert.equal(fs[2].field, 'spec.template.spec.containers[0].envFrom[0].secretRef.name');
});

test('--assume-exists silences missing references; the cluster\'s own objects (standard StorageClass, default SA, system priority classes) count as existing', async () => {
  const { findings } = await d.check('refs-ok.yaml', `${REFS.replace('builder', 'default').replace('high', 'system-cluster-critical')}---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  storageClassName: standard
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
`, { assumeExists: ['secret/db-creds', 'cm/app-config'] });
  assert.deepEqual(only(findings, 'lint/missing-reference'), []);
});

test('a StorageClass name carried by a PersistentVolume of the inputs needs no StorageClass object (static binding)', async () => {
  const { findings } = await d.check('pv.yaml', `apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv1
spec:
  storageClassName: manual
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /mnt/data}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: claim
spec:
  storageClassName: manual
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
`);
  assert.deepEqual(only(findings, 'lint/missing-reference'), []);
});
