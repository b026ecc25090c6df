// @kubernetes/client-node against `kubesim serve` (with the cluster's controllers running):
// an informer lists and watches pods through a rollout and sees every change in order.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster, sleep } from './harness';

const c = new ServedCluster('informer');

before(async () => {
  // The daemon in the foreground: controllers and kubelets run, so the rollout happens, at
  // ten cluster seconds a second (pulls, starts and graceful stops take a tenth of the wait).
  await c.setUp({ prepare: [['clock', 'speed', '10']], serveEnv: { KUBESIM_NO_DAEMON: '' } });
});
after(() => c.stop());

const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: roll}
spec:
  replicas: 2
  selector: {matchLabels: {app: roll}}
  template:
    metadata: {labels: {app: roll}}
    spec:
      containers:
      - {name: app, image: ${image}, command: ["sh", "-c", "sleep 36000"]}
`;

test('an informer follows pods through a rollout, every change in resourceVersion order', async () => {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  assert.equal(kc.getCurrentContext(), 'kubesim-informer');
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const seen: { type: string; name: string; rv: number; image: string; phase: string }[] = [];
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/pods', () => core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=roll' }), 'app=roll');
  const note = (type: string) => (p: any) =>
    seen.push({ type, name: p.metadata.name, rv: Number(p.metadata.resourceVersion), image: p.spec.containers[0].image, phase: p.status?.phase ?? '' });
  informer.on('add', note('add'));
  informer.on('update', note('update'));
  informer.on('delete', note('delete'));
  const errors: unknown[] = [];
  informer.on('error', (e: unknown) => errors.push(e));
  await informer.start();
  try {
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    c.ok(['apply', '-f', c.file('roll.yaml', deployment('busybox:1.36'))]);
    const deadline = Date.now() + 90_000;
    const running = (image: string) => {
      const live = new Map<string, (typeof seen)[number]>();
      for (const e of seen) (e.type === 'delete' ? live.delete(e.name) : live.set(e.name, e));
      return [...live.values()].filter((e) => e.image === image && e.phase === 'Running').length;
    };
    while (running('busybox:1.36') < 2) {
      assert.ok(Date.now() < deadline, `first rollout: ${JSON.stringify(seen)} ${errors}`);
      await sleep(100);
    }
    // The rollout: a new image through the typed client (a strategic merge patch).
    await apps.patchNamespacedDeployment(
      { name: 'roll', namespace: 'default', body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'busybox:1.37' }] } } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    while (!(running('busybox:1.37') === 2 && running('busybox:1.36') === 0)) {
      assert.ok(Date.now() < deadline, `second rollout: ${JSON.stringify(seen.slice(-10))} ${errors}`);
      await sleep(100);
    }
    assert.deepEqual(errors, []);
    // Every change in order: resourceVersions only grow, and each pod's life reads
    // add, updates, delete (an old pod) — never an update after its delete.
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].rv > seen[i - 1].rv, `rv order at ${i}: ${JSON.stringify(seen.slice(i - 1, i + 1))}`);
    const byPod = new Map<string, string[]>();
    for (const e of seen) byPod.set(e.name, [...(byPod.get(e.name) ?? []), e.type]);
    for (const [name, types] of byPod) {
      assert.equal(types[0], 'add', `${name}: ${types}`);
      assert.ok(types.slice(1, -1).every((t) => t === 'update'), `${name}: ${types}`);
    }
    const old = [...byPod].filter(([, t]) => t[t.length - 1] === 'delete');
    assert.equal(old.length, 2, `the two old pods were deleted: ${JSON.stringify([...byPod])}`);
    // The pods' phases as the informer saw them went Pending before Running.
    for (const [name] of byPod) {
      const phases = seen.filter((e) => e.name === name).map((e) => e.phase);
      assert.ok(phases.indexOf('Pending') < phases.indexOf('Running'), `${name}: ${phases}`);
    }
  } finally {
    await informer.stop();
  }
});
