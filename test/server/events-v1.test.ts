// The real kubectl 1.32 against `kubesim serve`, issue #11: an Event read as events.k8s.io/v1
// has that group's fields (regarding, note, reportingController, deprecatedSource,
// deprecated*Timestamp, deprecatedCount), converted from the core Event it is stored as, in
// get, list and watch; kubesim's own CLI prints the same, in-process and through the daemon.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster, asKubectl } from './harness';
import { eventsV1Yaml, setUpBusyWeb } from '../helpers/events-v1';

const c = new ServedCluster('evconv');

before(() => setUpBusyWeb(c));

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
    for (const env of [{}, { KUBESIM_NO_DAEMON: '' }] as Record<string, string>[]) assert.deepEqual(asKubectl(await c.hosted(args, { env })), want, `kubesim ${args.join(' ')} ${JSON.stringify(env)}`);
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

test('create, replace and patch through events.k8s.io/v1: stored as the core Event, read back in either group', async () => {
  const ev = (note: string) => eventsV1Yaml('by-hand', note);
  const created = c.kubectl(['create', '-f', '-', '-o', 'json'], { stdin: ev('first') });
  assert.equal(created.code, 0, created.stderr);
  const e = JSON.parse(created.stdout);
  assert.deepEqual([e.apiVersion, e.note, e.reportingController, e.reportingInstance, e.action, e.regarding.name], ['events.k8s.io/v1', 'first', 'example.com/hand', 'hand-1', 'Poking', 'web']);
  assert.ok(!('involvedObject' in e) && !('message' in e), created.stdout);
  const core = () => JSON.parse(c.kubectl(['get', 'events', 'by-hand', '-n', 'busy', '-o', 'json']).stdout);
  let v1 = core();
  assert.deepEqual([v1.apiVersion, v1.message, v1.reportingComponent, v1.reportingInstance, v1.action, v1.involvedObject.kind, v1.eventTime], ['v1', 'first', 'example.com/hand', 'hand-1', 'Poking', 'Deployment', '2026-01-02T03:04:05.000000Z']);
  assert.ok(!('note' in v1) && !('regarding' in v1), JSON.stringify(v1));
  // ValidateEventUpdate through events.k8s.io/v1: the note (the core message) and the count are immutable, the series is not.
  const replaced = c.kubectl(['replace', '-f', '-', '-o', 'json'], { stdin: ev('second') });
  assert.equal(replaced.code, 1);
  assert.equal(replaced.stderr.trim(), 'The Event "by-hand" is invalid: message: Invalid value: "second": field is immutable');
  const series = c.kubectl(['replace', '-f', '-', '-o', 'json'], { stdin: ev('first') + 'series: {count: 2, lastObservedTime: "2026-01-02T03:05:05.000000Z"}\n' });
  assert.equal(series.code, 0, series.stderr);
  assert.equal(JSON.parse(series.stdout).series.count, 2);
  assert.equal(core().series.count, 2);
  const patched = c.kubectl(['patch', 'events.events.k8s.io', 'by-hand', '-n', 'busy', '--type=merge', '-p', '{"note":"third","deprecatedCount":3}', '-o', 'json']);
  assert.equal(patched.code, 1);
  assert.equal(patched.stderr.trim(), 'The Event "by-hand" is invalid: \n* message: Invalid value: "third": field is immutable\n* count: Invalid value: 3: field is immutable');
  const counted = c.kubectl(['patch', 'events.events.k8s.io', 'by-hand', '-n', 'busy', '--type=merge', '-p', '{"series":{"count":3}}', '-o', 'json']);
  assert.equal(counted.code, 0, counted.stderr);
  v1 = core();
  assert.deepEqual([v1.message, v1.count, v1.reason, v1.series.count], ['first', undefined, 'Poked', 3]);
  // Through the core group only legacyValidateEvent holds: the message changes.
  v1.message = 'core';
  const coreReplaced = c.kubectl(['replace', '-f', '-', '-o', 'json'], { stdin: JSON.stringify(v1) });
  assert.equal(coreReplaced.code, 0, coreReplaced.stderr);
  assert.equal(core().message, 'core');
});

test('kubesim create and kubectl apply --server-side of an events.k8s.io/v1 Event: stored as the core Event', async () => {
  const ev = (name: string) => eventsV1Yaml(name, `from ${name}`, 'Normal');
  const runs: [string, () => Promise<{ code: number; stderr: string }>][] = [
    ['in-process', () => c.hosted(['create', '-f', '-'], { stdin: ev('in-process') })],
    ['daemon', () => c.hosted(['create', '-f', '-'], { stdin: ev('daemon'), env: { KUBESIM_NO_DAEMON: '' } })],
    ['ssa', async () => c.kubectl(['apply', '--server-side', '-f', '-'], { stdin: ev('ssa') })],
  ];
  for (const [name, run] of runs) {
    const r = await run();
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    const v1 = JSON.parse(c.kubectl(['get', 'events', name, '-n', 'busy', '-o', 'json']).stdout);
    assert.deepEqual([v1.message, v1.involvedObject?.name, v1.reportingComponent, 'note' in v1], [`from ${name}`, 'web', 'example.com/hand', false], name);
  }
  // applied again with another note: the note is immutable through events.k8s.io/v1 (ValidateEventUpdate)
  const again = c.kubectl(['apply', '--server-side', '-f', '-', '-o', 'json'], { stdin: ev('ssa').replace('note: from ssa', 'note: again') });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /message: Invalid value: "again": field is immutable/);
  // with a series: merged into the stored core Event
  const series = c.kubectl(['apply', '--server-side', '-f', '-', '-o', 'json'], { stdin: ev('ssa') + 'series: {count: 2, lastObservedTime: "2026-01-02T03:05:05.000000Z"}\n' });
  assert.equal(series.code, 0, series.stderr);
  assert.equal(JSON.parse(series.stdout).series.count, 2);
  const v1 = JSON.parse(c.kubectl(['get', 'events', 'ssa', '-n', 'busy', '-o', 'json']).stdout);
  assert.deepEqual([v1.message, v1.involvedObject?.name, 'note' in v1, v1.series?.count], ['from ssa', 'web', false, 2], JSON.stringify(v1));
});
