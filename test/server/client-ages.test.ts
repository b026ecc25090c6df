// The ages kubectl works out itself (describe's Events and other durations, `kubectl events`)
// are time.Now() on the client's machine minus the server's timestamps. A served cluster's
// time runs from that same clock, but `clock advance` puts it ahead: kubectl then prints
// `<invalid>` for what happened after the jump. kubesim's CLI, in-process or through the
// daemon, prints what kubectl prints on the same cluster.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';

const c = new ServedCluster('ages');

before(async () => {
  await c.setUp({
    kubectl: true,
    create: ['--nodes', '1'],
    serveEnv: { KUBESIM_NO_DAEMON: '' },
    manifest: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: nginx:1.27}]}
`,
  });
  c.ok(['clock', 'advance', '10m']);
  c.ok(['scale', 'deploy/web', '--replicas=2']);
  c.ok(['reconcile', '--until-stable']);
});
after(() => c.stop());

/**
 * kubectl and kubesim's CLI (in-process, or through the daemon) run at one moment; ages of a
 * few seconds may still fall on two sides of a second, so a differing pair is run again,
 * a bounded number of times.
 */
async function sameAsKubectl(args: string[], daemon: boolean): Promise<string> {
  const env: Record<string, string> = daemon ? { KUBESIM_NO_DAEMON: '' } : {};
  let last = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const [k, s] = await Promise.all([c.kubectlAsync(args), c.hosted(args, { env })]);
    assert.equal(k.code, 0, k.stderr);
    if (s.code === k.code && s.stdout === k.stdout && s.stderr === k.stderr) return k.stdout;
    last = `kubectl:\n${k.stdout}${k.stderr}\nkubesim:\n${s.stdout}${s.stderr}`;
  }
  assert.fail(`kubesim ${args.join(' ')} (${daemon ? 'daemon' : 'in-process'}) never printed what kubectl printed:\n${last}`);
}

for (const daemon of [false, true]) {
  test(`events and describe after a clock advance: kubectl's ages, <invalid> after the jump (${daemon ? 'through the daemon' : 'in-process'})`, async () => {
    const events = await sameAsKubectl(['events'], daemon);
    assert.match(events, /^<invalid> +Normal +ScalingReplicaSet +Deployment\/web +Scaled up replica set \S+ from 1 to 2$/m);
    // the events of before the jump: seconds ago by this machine's clock, not 10m
    assert.match(events, /^\d+s +Normal +ScalingReplicaSet +Deployment\/web +Scaled up replica set \S+ from 0 to 1$/m);
    const deploy = await sameAsKubectl(['describe', 'deploy', 'web'], daemon);
    assert.match(deploy, /^ {2}Normal {2}ScalingReplicaSet {2}<invalid> {2}deployment-controller {2}Scaled up replica set \S+ from 1 to 2$/m);
    const pods = (await c.kubectlAsync(['get', 'pods', '-o', 'name', '--sort-by=.metadata.creationTimestamp'])).stdout.trim().split('\n');
    assert.equal(pods.length, 2);
    assert.match(await sameAsKubectl(['describe', pods[1]], daemon), /^ {2}Normal {2}Scheduled +<invalid> +default-scheduler /m);
  });
}
