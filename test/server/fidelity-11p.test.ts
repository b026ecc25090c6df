import { appendFileSync } from 'node:fs';
import { test, before, after } from 'node:test';
import { ServedCluster, asKubectl } from './harness';

const c = new ServedCluster('fid11p');
before(() => c.setUp({ kubectl: true, create: ['--nodes', '1'] }));
after(() => c.stop());

test('probe', async () => {
  c.ok(['create', 'deployment', 'web', '--image=nginx']);
  const dep = (spec: string, labels = '') => c.file(`d${Math.random()}.yaml`, `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web${labels}}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - {name: nginx, image: nginx}\n${spec}`);
  const cases = [
    ['apply', '--server-side', '-f', dep('  replicas: "3"\n')],
    ['apply', '--server-side', '-f', dep('  paused: "yes"\n')],
    ['apply', '--server-side', '-f', dep('', ', labels: {a: 1}')],
    ['apply', '--server-side', '-f', dep('  strategy: {type: {a: 1}}\n')],
    ['apply', '--server-side', '-f', dep('  template: x\n')],
    ['apply', '--server-side', '-f', c.file('q.yaml', 'apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {cpu: abc}}\n')],
    ['create', '-f', dep('  replicas: "3"\n')],
  ];
  for (const args of cases) {
    const k = c.kubectl(args);
    appendFileSync('/tmp/fid11p/probe.log', '\n' + JSON.stringify([args, k]));
    for (const env of [{}, { KUBESIM_NO_DAEMON: '' }] as Record<string, string>[]) appendFileSync('/tmp/fid11p/probe.log', '\n' + JSON.stringify(asKubectl(await c.hosted(args, { env }))));
  }
});
