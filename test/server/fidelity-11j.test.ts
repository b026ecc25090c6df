// The real kubectl 1.32 against `kubesim serve`, for issue #11: `get -w` of an empty list
// prints nothing (kubectl's watch path has no "No resources found"), and `-o name` names each
// object by the group of the resource as resolved (NamePrinter: the object's GVK), so
// events.k8s.io Events, stored as core ones, are `event.events.k8s.io/…`. stdout, stderr and
// exit code equal kubesim's CLI, in-process and through the daemon.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster, asKubectl } from './harness';
import { crdYaml } from '../helpers/crd';

const c = new ServedCluster('fid11j');

const CRD = crdYaml({ plural: 'widgets', kind: 'Widget', schema: 'x-kubernetes-preserve-unknown-fields: true' });

before(async () => {
  await c.setUp({
    kubectl: true,
    create: ['--nodes', '1'],
    manifest: `apiVersion: v1\nkind: Namespace\nmetadata: {name: quiet}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: busy}\n---\n${CRD}`,
  });
  c.ok(['create', 'deployment', 'web', '--image=nginx', '-n', 'busy']);
  c.ok(['create', 'configmap', 'cfg', '-n', 'busy']);
  c.ok(['apply', '-f', c.file('widget.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: busy}\n')]);
  c.ok(['reconcile', '--until-stable']);
});

after(() => c.stop());

const DAEMON = { KUBESIM_NO_DAEMON: '' };

test('get -w of an empty list prints nothing before it watches, -o or not, --watch-only or not, -A or not', async () => {
  for (const extra of [[], ['-o', 'name'], ['--watch-only'], ['--output-watch-events'], ['-l', 'x=y'], ['-A', '-l', 'x=y']]) {
    const args = ['get', 'pods', '-w', '-n', 'quiet', '--request-timeout=1s', ...extra];
    // each runs its --request-timeout out: all three at once (two CLI hosts, one per mode)
    const [k, inProcess, daemon] = await Promise.all([c.kubectlAsync(args), c.hosted(args), c.hosted(args, { env: DAEMON })]);
    assert.deepEqual([k.code, k.stdout, k.stderr], [0, '', ''], `kubectl ${args.join(' ')}`);
    assert.deepEqual(asKubectl(inProcess), [0, '', ''], `kubesim ${args.join(' ')}`);
    assert.deepEqual(asKubectl(daemon), [0, '', ''], `kubesim ${args.join(' ')} through the daemon`);
  }
});

test('-o name: the group of the resource as resolved (events.k8s.io Events stored as core ones), core kinds without one, CRDs with theirs', async () => {
  const cases = [
    ['get', 'ev.v1.events.k8s.io', '-n', 'busy', '-o', 'name'],
    ['get', 'events.events.k8s.io', '-n', 'busy', '-o', 'name'],
    ['get', 'events', '-n', 'busy', '-o', 'name'],
    ['get', 'events.events.k8s.io,deploy,cm,widgets,pods', '-n', 'busy', '-o', 'name'],
    ['get', 'deployments.v1.apps,widgets.example.com,nodes', '-n', 'busy', '-o', 'name'],
  ];
  for (const args of cases) {
    const k = asKubectl(c.kubectl(args));
    assert.equal(k[0], 0, `${args.join(' ')}: ${k[2]}`);
    for (const env of [{}, DAEMON]) assert.deepEqual(asKubectl(await c.hosted(args, { env })), k, `kubesim ${args.join(' ')} ${JSON.stringify(env)}`);
  }
  // one event by name, and the group every line of the collection carries
  const names = c.kubectl(['get', 'events.events.k8s.io', '-n', 'busy', '-o', 'name']).stdout.trim().split('\n');
  assert.ok(names.length > 0 && names.every((n) => n.startsWith('event.events.k8s.io/')), names.join('\n'));
  const one = ['get', names[0], '-n', 'busy', '-o', 'name'];
  assert.deepEqual(asKubectl(await c.hosted(one)), asKubectl(c.kubectl(one)));
});
