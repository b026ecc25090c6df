// Events in the order they happened, as a user reads them: `get events` lists
// by name and the recorder names events by time (client-go's "<object>.<hex UnixNano>"), so
// Scheduled, Pulling, Pulled, Created, Started come in that order, in `get events` and in
// describe (which sorts by time, ties by name); repeats still aggregate onto one event
// (count) across CLI runs. Each test has its own copy of one settled cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyPerTest } from './helpers';
import { Hosted } from './hosted';

let sb!: Hosted;
copyPerTest(
  async (sandbox) => {
    const base = new Hosted(sandbox);
    await base.ok(['cluster', 'create', '--nodes', '1']);
    await base.ok(['reconcile', '--until-stable']);
  },
  (copy) => (sb = new Hosted(copy)),
);

const reasons = async (name: string): Promise<string[]> =>
  (await sb.ok(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '--no-headers'])).trim().split('\n').map((l) => l.split(/\s+/)[2]);

test('get events and describe list a pod\'s start-up in order; the pull comes before a config error', async () => {
  await sb.ok(['apply', '-f', sb.file('pods.yaml', `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers: [{name: web, image: nginx:1.27}]
---
apiVersion: v1
kind: Pod
metadata: {name: cfgpod}
spec:
  containers:
  - {name: app, image: redis:7.4, envFrom: [{configMapRef: {name: missing-config}}]}
`)]);
  await sb.ok(['clock', 'advance', '10s']);
  assert.deepEqual(await reasons('web'), ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']);
  const described = (await sb.ok(['describe', 'pod', 'web'])).split('Events:')[1].trim().split('\n').slice(2).map((l) => l.trim().split(/\s+/)[1]);
  assert.deepEqual(described, ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']);
  const cfg = await reasons('cfgpod');
  assert.deepEqual(cfg.slice(0, 4), ['Scheduled', 'Pulling', 'Pulled', 'Failed'], cfg.join(' '));
});

test('a crash loop\'s BackOff repeats aggregate onto one event across CLI runs', async () => {
  await sb.ok(['run', 'crash', '--image=busybox:1.36', '--', 'sh', '-c', 'exit 1']);
  await sb.ok(['clock', 'advance', '10s']);
  await sb.ok(['clock', 'advance', '20s']);
  await sb.ok(['clock', 'advance', '20s']);
  const backoff = JSON.parse(await sb.ok(['get', 'events', '--field-selector', 'involvedObject.name=crash,reason=BackOff', '-o', 'json'])).items;
  assert.equal(backoff.length, 1, JSON.stringify(backoff.map((e: any) => [e.metadata.name, e.count])));
  assert.ok(backoff[0].count >= 2, `count ${backoff[0].count}`);
  assert.match(backoff[0].metadata.name, /^crash\.[0-9a-f]{15,16}$/);
});
