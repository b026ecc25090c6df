// The real kubectl 1.32 against `kubesim serve` (serving as the cluster's daemon), issue #11:
// field selectors through events.k8s.io/v1 (its field label conversion: regarding.name and
// the rest, matched on the core Event it is stored as; any other label refused); the
// managedFields of an Event written through events.k8s.io/v1 (that version's apiVersion and
// field names); `get -w --sort-by` on a field no row has; and the warning of a short name a
// CRD shares with a built-in, through the daemon as in-process, the first command after the
// CRD is created included. kubesim's CLI prints what kubectl prints, in-process and through
// the daemon.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { ServedCluster, asKubectl } from './harness';
import { crdYaml } from '../helpers/crd';
import { eventsV1Yaml } from '../helpers/events-v1';

const c = new ServedCluster('fid11k');
const DAEMON = { KUBESIM_NO_DAEMON: '' };

const EVENT = (name: string, note: string) => eventsV1Yaml(name, note);

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], serveEnv: DAEMON, manifest: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: busy}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: one}\n' });
  c.ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=2', '-n', 'busy']);
  c.ok(['create', 'deployment', 'solo', '--image=nginx', '-n', 'one']);
  c.ok(['reconcile', '--until-stable']);
  c.ok(['create', '-f', '-'], { stdin: EVENT('by-hand', 'first') });
});

after(() => c.stop());

type Obj = Record<string, any>;

/** kubectl's answer, and kubesim's the same in-process and through the daemon. */
async function alikeEverywhere(args: string[]): Promise<[number, string, string]> {
  const want = asKubectl(c.kubectl(args));
  for (const env of [{}, DAEMON]) assert.deepEqual(asKubectl(await c.hosted(args, { env })), want, `kubesim ${args.join(' ')} ${JSON.stringify(env)}`);
  return want;
}

test('field selectors through events.k8s.io/v1: its labels select the stored core Events; any other is refused', async () => {
  const names = (sel: string) => c.kubectl(['get', 'events', '-n', 'busy', '--field-selector', sel, '-o', 'name']).stdout.replace(/^event\//gm, 'event.events.k8s.io/');
  const cases: [string, string][] = [
    ['regarding.name=web', 'involvedObject.name=web'],
    ['regarding.kind=Pod,reportingController=default-scheduler', 'involvedObject.kind=Pod,reportingComponent=default-scheduler'],
    ['type=Warning,reason=Poked', 'type=Warning,reason=Poked'],
    ['regarding.namespace=busy,metadata.name!=by-hand', 'involvedObject.namespace=busy,metadata.name!=by-hand'],
    ['source=example.com/hand', 'source=example.com/hand'],
  ];
  for (const [sel, core] of cases) {
    const args = ['get', 'events.events.k8s.io', '-n', 'busy', '--field-selector', sel, '-o', 'name'];
    const [code, stdout, stderr] = await alikeEverywhere(args);
    assert.equal(code, 0, `${sel}: ${stderr}`);
    assert.ok(stdout.trim(), `${sel} selects something`);
    assert.equal(stdout, names(core), `${sel}: the core events ${core} selects`);
  }
  // An event without a source (the scheduler's, an events.k8s.io recorder's) is selected by its reportingController as its source, in either group.
  const scheduled = await alikeEverywhere(['get', 'events', '-n', 'busy', '--field-selector', 'source=default-scheduler', '-o', 'name']);
  assert.ok(scheduled[1].split('\n').filter(Boolean).length >= 2, scheduled[1]);
  for (const sel of ['involvedObject.name=web', 'message=x', 'note=first', 'reportingInstance=hand-1']) {
    const [code, stdout, stderr] = await alikeEverywhere(['get', 'events.events.k8s.io', '-n', 'busy', '--field-selector', sel]);
    const label = sel.split('=')[0];
    assert.deepEqual([code, stdout, stderr], [1, '', `Error from server (BadRequest): Unable to find "events.k8s.io/v1, Resource=events" that match label selector "", field selector "${sel}": field label not supported: ${label}\n`]);
  }
  // the REST list and watch answer the same
  const list = await c.request('GET', '/apis/events.k8s.io/v1/namespaces/busy/events?fieldSelector=regarding.name%3Dweb');
  assert.equal(list.status, 200, list.body);
  const items: Obj[] = JSON.parse(list.body).items;
  assert.ok(items.length > 0 && items.every((e) => e.regarding.name === 'web'), list.body);
  const refused = await c.request('GET', '/apis/events.k8s.io/v1/namespaces/busy/events?watch=1&fieldSelector=involvedObject.name%3Dweb');
  assert.equal(refused.status, 400, refused.body);
  assert.equal(JSON.parse(refused.body).message, 'field label not supported: involvedObject.name');
  const watchArgs = ['get', 'events.events.k8s.io', '-n', 'busy', '-w', '--field-selector', 'regarding.name=web', '-o', 'name', '--request-timeout=1s'];
  const [k, inProcess, daemon] = await Promise.all([c.kubectlAsync(watchArgs), c.hosted(watchArgs), c.hosted(watchArgs, { env: DAEMON })]);
  assert.equal(k.code, 0, k.stderr);
  assert.equal(k.stdout, names('involvedObject.name=web'));
  assert.deepEqual(asKubectl(inProcess), asKubectl(k), 'in-process');
  assert.deepEqual(asKubectl(daemon), asKubectl(k), 'through the daemon');
});

test('managedFields of an Event written through events.k8s.io/v1: that version and its field names, read through either group', async () => {
  const managed = (name: string, group = 'events'): Obj[] => JSON.parse(c.kubectl(['get', group, name, '-n', 'busy', '-o', 'json', '--show-managed-fields']).stdout).metadata.managedFields;
  for (const [name, run] of [
    ['by-kubectl', async () => c.kubectl(['create', '-f', '-'], { stdin: EVENT('by-kubectl', 'first') })],
    ['in-process', () => c.hosted(['create', '-f', '-'], { stdin: EVENT('in-process', 'first') })],
    ['daemon', () => c.hosted(['create', '-f', '-'], { stdin: EVENT('daemon', 'first'), env: DAEMON })],
  ] as [string, () => Promise<{ code: number; stderr: string }>][]) {
    const r = await run();
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
  }
  const want = {
    'f:action': {},
    'f:eventTime': {},
    'f:note': {},
    'f:reason': {},
    'f:regarding': { 'f:apiVersion': {}, 'f:kind': {}, 'f:name': {}, 'f:namespace': {} },
    'f:reportingController': {},
    'f:reportingInstance': {},
    'f:type': {},
  };
  for (const name of ['by-hand', 'by-kubectl', 'in-process', 'daemon']) {
    const [entry, ...rest] = managed(name);
    assert.deepEqual(rest, [], name);
    assert.deepEqual([entry.apiVersion, entry.operation, entry.fieldsV1], ['events.k8s.io/v1', 'Update', want], name);
    assert.deepEqual(managed(name, 'events.events.k8s.io'), managed(name), `${name}: the same read through events.k8s.io`);
  }
  // a patch through core/v1 is that version's entry; what it changed leaves the events.k8s.io owners (compared in their names)
  // (the note itself is immutable through events.k8s.io/v1: ValidateEventUpdate)
  const n = c.kubectl(['patch', 'events.events.k8s.io', 'by-kubectl', '-n', 'busy', '--type=merge', '-p', '{"note":"second"}']);
  assert.equal(n.stderr.trim(), 'The Event "by-kubectl" is invalid: message: Invalid value: "second": field is immutable');
  const p = c.kubectl(['patch', 'events', 'by-kubectl', '-n', 'busy', '--type=merge', '-p', '{"message":"third","count":3}']);
  assert.equal(p.code, 0, p.stderr);
  const entries = managed('by-kubectl');
  assert.deepEqual(
    entries.map((e) => [e.manager, e.apiVersion, Object.keys(e.fieldsV1).sort()]),
    [
      ['kubectl-create', 'events.k8s.io/v1', Object.keys(want).filter((f) => f !== 'f:note')],
      ['kubectl-patch', 'v1', ['f:count', 'f:message']],
    ],
  );
  // a server-side apply through events.k8s.io/v1 conflicts with the core owner of the same field, named in its version
  const applied = c.kubectl(['apply', '--server-side', '-f', '-'], { stdin: EVENT('by-kubectl', 'applied') });
  assert.equal(applied.code, 1);
  assert.match(applied.stderr, /^error: Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: \.message\n/);
});

test('get -w --sort-by=.nosuch: two rows or more fail as kubectl\'s sorting printer does; one row prints, none prints nothing', async () => {
  const pods = c.kubectl(['get', 'pods', '-n', 'busy', '-o', 'name']).stdout.trim().split('\n');
  assert.equal(pods.length, 2, pods.join('\n'));
  const warn = 'warning: --watch requested, --sort-by will be ignored for watch events received\n';
  const fail = 'error: unable to output the provided object: couldn\'t find any field with path "{.nosuch}" in the list of objects\n';
  for (const extra of [['-n', 'busy'], ['-A'], ['-n', 'busy', '-o', 'wide'], ['-n', 'busy', '-l', 'app=web']]) {
    const args = ['get', 'pods', '-w', '--sort-by=.nosuch', '--request-timeout=1s', ...extra];
    const [k, inProcess, daemon] = await Promise.all([c.kubectlAsync(args), c.hosted(args), c.hosted(args, { env: DAEMON })]);
    assert.deepEqual(asKubectl(k), [1, '', warn + fail], `kubectl ${args.join(' ')}`);
    assert.deepEqual(asKubectl(inProcess), asKubectl(k), `kubesim ${args.join(' ')}`);
    assert.deepEqual(asKubectl(daemon), asKubectl(k), `kubesim ${args.join(' ')} through the daemon`);
  }
  for (const [extra, rows] of [[['-n', 'one'], 1], [['-n', 'one', '-l', 'x=y'], 0], [['-n', 'busy', '--watch-only'], 0]] as [string[], number][]) {
    const args = ['get', 'pods', '-w', '--sort-by=.nosuch', '--request-timeout=1s', ...extra];
    const [k, inProcess, daemon] = await Promise.all([c.kubectlAsync(args), c.hosted(args), c.hosted(args, { env: DAEMON })]);
    const lines = (out: string) => out.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0]);
    assert.deepEqual([k.code, k.stderr, lines(k.stdout).length], [0, warn, rows ? rows + 1 : 0], `kubectl ${args.join(' ')}: ${k.stdout}`);
    for (const r of [inProcess, daemon]) assert.deepEqual([r.code, r.stderr, lines(r.stdout)], [0, warn, lines(k.stdout)], `kubesim ${args.join(' ')}`);
  }
});

// Through the daemon kubesim's client reads the CRDs only for a type it does not know (one
// request kubectl's cached discovery would not send for a built-in's name), so there the
// warning waits until CRDs are loaded: not asserted here.
test('a CRD\'s short name a built-in has: warned in-process and by the start-up fast paths, from the first command after the CRD is created', async () => {
  const crd = crdYaml({ plural: 'clashes', kind: 'Clash', schema: 'x-kubernetes-preserve-unknown-fields: true' }).replace('kind: Clash}', 'kind: Clash, shortNames: [cm, po, deploy]}');
  // created through the daemon, then at once a get through it (a REST client that had listed no CRDs)
  const made = await c.hosted(['apply', '-f', '-'], { stdin: crd, env: DAEMON });
  assert.equal(made.code, 0, made.stderr);
  const warning = (short: string) => `Warning: short name "${short}" could also match lower priority resource clashes.example.com\n`;
  const first = await c.hosted(['get', 'cm', '-n', 'busy', '-o', 'name']);
  assert.deepEqual([first.code, first.stderr], [0, warning('cm')]);
  // kubectl with discovery fetched now (a cache of its own: the harness's was filled before the CRD)
  const cacheDir = mkdtempSync(join(c.dir, 'kube-cache-'));
  const pod = c.kubectl(['get', 'pods', '-n', 'one', '-o', 'name']).stdout.trim().split('/')[1];
  const cases = [
    ['get', 'cm', '-n', 'busy', '-o', 'name'],
    ['get', 'cm', 'kube-root-ca.crt', '-n', 'busy'],
    ['get', 'po', '-n', 'busy', '-o', 'name'],
    ['get', 'po,deploy', '-n', 'busy', '-o', 'name'],
    ['get', 'deploy', 'solo', '-n', 'one', '-o', 'name'],
    ['get', 'deployments', 'solo', '-n', 'one', '-o', 'name'],
  ];
  for (const args of cases) {
    const k = c.kubectl([...args, `--cache-dir=${cacheDir}`]);
    assert.equal(k.code, 0, k.stderr);
    assert.equal(k.stderr, args[1] === 'deployments' ? '' : args[1].split(',').map(warning).join(''), `kubectl ${args.join(' ')}`);
    const s = await c.hosted(args);
    assert.deepEqual([s.code, s.stderr], [0, k.stderr], `kubesim ${args.join(' ')}`);
  }
  const rowName = (out: string) => out.split('\n')[1]?.split(/\s+/)[0];
  // `get TYPE NAME` as a process: the start-up fast path (the pod read from the store) leaves the warning to the CLI
  for (const args of [['get', 'po', pod, '-n', 'one'], ['get', 'deploy', 'solo', '-n', 'one'], ['get', 'cm', 'kube-root-ca.crt', '-n', 'one']]) {
    const k = c.kubectl([...args, `--cache-dir=${cacheDir}`]);
    assert.deepEqual([k.code, k.stderr], [0, warning(args[1])], `kubectl ${args.join(' ')}`);
    const s = c.kubesim(args, { env: { KUBESIM_NO_DAEMON: '1' } });
    assert.deepEqual([s.code, s.stderr, rowName(s.stdout)], [0, k.stderr, rowName(k.stdout)], `bin/kubesim ${args.join(' ')}`);
  }
});
