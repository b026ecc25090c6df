// The real kubectl 1.32 against `kubesim serve`, issue #11: an Event read as events.k8s.io/v1
// has that group's fields (regarding, note, reportingController, deprecatedSource,
// deprecated*Timestamp, deprecatedCount), converted from the core Event it is stored as, in
// get, list and watch; kubesim's own CLI prints the same, in-process and through the daemon.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster, asKubectl } from './harness';

const c = new ServedCluster('evconv');

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], manifest: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: busy}\n' });
  c.ok(['create', 'deployment', 'web', '--image=nginx', '-n', 'busy']);
  c.ok(['reconcile', '--until-stable']);
});

after(() => c.stop());

type Obj = Record<string, any>;
const items = (json: string): Obj[] => JSON.parse(json).items;

test('get events.events.k8s.io -o json: the core fields under their events.k8s.io/v1 names', async () => {
  const core = new Map(items(c.kubectl(['get', 'events', '-n', 'busy', '-o', 'json']).stdout).map((e) => [e.metadata.name, e]));
  const k = c.kubectl(['get', 'events.events.k8s.io', '-n', 'busy', '-o', 'json']);
  assert.equal(k.code, 0, k.stderr);
  const evs = items(k.stdout);
  assert.ok(evs.length > 0 && evs.length === core.size, `${evs.length} events.k8s.io events, ${core.size} core ones`);
  for (const e of evs) {
    const v1 = core.get(e.metadata.name)!;
    assert.equal(e.apiVersion, 'events.k8s.io/v1');
    for (const gone of ['involvedObject', 'message', 'source', 'count', 'firstTimestamp', 'lastTimestamp', 'reportingComponent']) assert.ok(!(gone in e), `${e.metadata.name} has ${gone}`);
    assert.deepEqual(e.regarding, v1.involvedObject);
    assert.equal(e.note, v1.message);
    assert.equal(e.reason, v1.reason);
    assert.equal(e.type, v1.type);
    assert.deepEqual(e.deprecatedSource, v1.source ?? {});
    assert.equal(e.deprecatedFirstTimestamp, v1.firstTimestamp ?? null);
    assert.equal(e.deprecatedLastTimestamp, v1.lastTimestamp ?? null);
    assert.equal(e.deprecatedCount, v1.count);
    assert.equal(e.reportingController, v1.reportingComponent || undefined);
    assert.equal(e.eventTime, v1.eventTime ?? null);
  }
  // the controllers' events counted (core recorder), the scheduler's with reportingController (events.k8s.io recorder)
  assert.ok(evs.some((e) => e.deprecatedCount >= 1 && e.deprecatedSource.component), 'a counted event with a source');
  assert.ok(evs.some((e) => e.reportingController === 'default-scheduler' && e.action === 'Binding'), 'the scheduler\'s event');
  for (const args of [['get', 'events.events.k8s.io', '-n', 'busy', '-o', 'json'], ['get', 'ev.v1.events.k8s.io', '-n', 'busy', '-o', 'yaml'], ['get', `events.events.k8s.io/${evs[0].metadata.name}`, '-n', 'busy', '-o', 'yaml']]) {
    const want = asKubectl(c.kubectl(args));
    for (const env of [{}, { KUBESIM_NO_DAEMON: '' }]) assert.deepEqual(asKubectl(await c.hosted(args, { env })), want, `kubesim ${args.join(' ')} ${JSON.stringify(env)}`);
  }
});

test('the REST endpoints: one event, the list and a watch in events.k8s.io/v1 fields; the core ones unchanged', async () => {
  const list = await c.request('GET', '/apis/events.k8s.io/v1/namespaces/busy/events');
  assert.equal(list.status, 200, list.body);
  const l = JSON.parse(list.body);
  assert.equal(l.kind, 'EventList');
  assert.ok(l.items.every((e: Obj) => 'regarding' in e && !('involvedObject' in e)), list.body);
  const name = l.items[0].metadata.name;
  const one = JSON.parse((await c.request('GET', `/apis/events.k8s.io/v1/namespaces/busy/events/${name}`)).body);
  assert.deepEqual(one, l.items[0]);
  const core = JSON.parse((await c.request('GET', `/api/v1/namespaces/busy/events/${name}`)).body);
  assert.equal(core.apiVersion, 'v1');
  assert.deepEqual(core.involvedObject, one.regarding);
  assert.ok(!('regarding' in core));
  // a watch from the list's resourceVersion 0: ADDED for each, converted
  const w = await c.kubectlAsync(['get', 'events.events.k8s.io', '-n', 'busy', '-w', '-o', 'json', '--request-timeout=2s']);
  const watched = w.stdout.split(/\n(?=\{)/).filter((s) => s.trim()).map((s) => JSON.parse(s));
  assert.ok(watched.length >= l.items.length, w.stdout + w.stderr);
  for (const e of watched) {
    assert.equal(e.apiVersion, 'events.k8s.io/v1');
    assert.ok('regarding' in e && !('involvedObject' in e), JSON.stringify(e));
  }
});
