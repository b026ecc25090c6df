// CRD schema defaults as kube-apiserver v1.32 applies them (apiextensions-apiserver
// pkg/apiserver/schema/defaulting/algorithm.go Default, prunenulls.go): on the decoded body of
// every write, before validation, and on every read of an object stored before the CRD had
// the default. Checked through the real kubectl against `kubesim serve` and the in-process CLI
// (KUBESIM_NO_DAEMON=1) on the same cluster.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';
import { crdYaml } from '../helpers/crd';

const c = new ServedCluster('defaults');
after(() => c.stop());

const crd = (later: boolean) => crdYaml({ plural: 'widgets', kind: 'Widget', schema: `properties:
  spec:
    type: object
    required: [replicas]
    properties:
      replicas: {type: integer, minimum: 1, default: 1}
      mode: {type: string, default: fast}
      keepNull: {type: string, nullable: true, default: kept}
      fillNull: {type: string, default: filled}
      absent: {type: object, properties: {inner: {type: string, default: in}}}
      made: {type: object, default: {}, properties: {inner: {type: string, default: in}}}
      ports: {type: array, items: {type: object, properties: {port: {type: integer, default: 80}}}}
      weights: {type: object, additionalProperties: {type: object, properties: {weight: {type: integer, default: 5}}}}
      tier: {type: string${later ? ', default: gold' : ''}}
${later ? '' : '      legacy: {type: string}\n'}` });

const widget = (name: string, spec: string) => `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: ${name}, namespace: default}\nspec: ${spec}\n`;

const DEFAULTED_SPEC = `spec:
  fillNull: filled
  keepNull: null
  made:
    inner: in
  mode: fast
  ports:
  - port: 80
  - port: 8080
  replicas: 1
  weights:
    a:
      weight: 5
    b:
      weight: 2
`;

const SPEC = '{keepNull: null, fillNull: null, ports: [{}, {port: 8080}], weights: {a: {}, b: {weight: 2}}}';

/** The spec part of `get -o yaml` (what follows `spec:` up to the end). */
const specOf = (yaml: string) => yaml.slice(yaml.indexOf('\nspec:') + 1);

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'] });
  const a = c.kubectl(['apply', '-f', '-'], { stdin: crd(false) });
  assert.equal(a.code, 0, a.stderr);
  const w = c.kubectl(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=20s']);
  assert.equal(w.code, 0, w.stderr);
});

test('a create without the defaulted fields: defaults in place, before the required check', () => {
  const k = c.kubectl(['create', '-f', '-'], { stdin: widget('by-kubectl', SPEC) });
  assert.deepEqual([k.code, k.stdout, k.stderr], [0, 'widget.example.com/by-kubectl created\n', '']);
  const s = c.kubesim(['create', '-f', '-'], { stdin: widget('by-kubesim', SPEC) });
  assert.deepEqual([s.code, s.stdout, s.stderr], [0, 'widget.example.com/by-kubesim created\n', '']);
  for (const name of ['by-kubectl', 'by-kubesim']) {
    const viaKubectl = c.kubectl(['get', 'widget', name, '-o', 'yaml']);
    assert.equal(viaKubectl.code, 0, viaKubectl.stderr);
    assert.equal(specOf(viaKubectl.stdout), DEFAULTED_SPEC, `kubectl get widget ${name} -o yaml`);
    assert.equal(specOf(c.kubesim(['get', 'widget', name, '-o', 'yaml']).stdout), DEFAULTED_SPEC, `kubesim get widget ${name} -o yaml`);
  }
});

test('a replace and a merge patch that remove a defaulted field get it back', () => {
  const r = c.kubectl(['replace', '-f', '-'], { stdin: widget('by-kubectl', '{replicas: 3}') });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(c.kubectl(['get', 'widget', 'by-kubectl', '-o', 'jsonpath={.spec.replicas} {.spec.mode} {.spec.made}']).stdout, '3 fast {"inner":"in"}');
  const p = c.kubesim(['patch', 'widget', 'by-kubesim', '--type=merge', '-p', '{"spec":{"mode":null,"replicas":null}}']);
  assert.equal(p.code, 0, p.stderr);
  assert.equal(c.kubectl(['get', 'widget', 'by-kubesim', '-o', 'jsonpath={.spec.replicas} {.spec.mode}']).stdout, '1 fast');
});

test('an object stored under an older schema reads as the CRD says now: defaulted and pruned, without a write', () => {
  const before = JSON.parse(c.kubectl(['get', '--raw', '/apis/example.com/v1/namespaces/default/widgets']).stdout).metadata.resourceVersion;
  assert.equal(c.kubectl(['create', '-f', '-'], { stdin: widget('older', '{replicas: 2, legacy: old}') }).code, 0);
  const rv = c.kubectl(['get', 'widget', 'older', '-o', 'jsonpath={.metadata.resourceVersion}']).stdout;
  assert.equal(c.kubectl(['get', 'widget', 'older', '-o', 'jsonpath=[{.spec.tier}] {.spec.legacy}']).stdout, '[] old');
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: crd(true) }).code, 0);
  for (const args of [['get', 'widget', 'older', '-o', 'jsonpath={.spec.tier} {.metadata.resourceVersion}'], ['get', 'widgets', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.tier} {end}']]) {
    const k = c.kubectl(args);
    assert.equal(k.code, 0, k.stderr);
    assert.deepEqual(c.kubesim(args), k, args.join(' '));
  }
  assert.equal(c.kubectl(['get', 'widget', 'older', '-o', 'jsonpath={.spec.tier} {.metadata.resourceVersion}']).stdout, `gold ${rv}`);
  // A watch from before the create sees the stored object as it reads now.
  const watched = c.kubectl(['get', '--raw', `/apis/example.com/v1/namespaces/default/widgets?watch=1&resourceVersion=${before}&timeoutSeconds=1`]);
  const events = watched.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name, e.object.spec.tier, e.object.spec.legacy]), [['ADDED', 'older', 'gold', undefined]], watched.stdout);
  assert.equal(c.kubectl(['get', 'widget', 'older', '-o', 'jsonpath={.spec}']).stdout, '{"fillNull":"filled","keepNull":"kept","made":{"inner":"in"},"mode":"fast","replicas":2,"tier":"gold"}');
  assert.equal(c.kubectl(['get', 'widgets', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.tier} {end}']).stdout, 'by-kubectl=gold by-kubesim=gold older=gold ');
});

test('server-side apply: the object gets the defaults, the applier owns only what it applied', () => {
  for (const [run, name] of [[c.kubectl.bind(c), 'ssa-kubectl'], [c.kubesim.bind(c), 'ssa-kubesim']] as const) {
    const r = run(['apply', '--server-side', '-f', '-'], { stdin: widget(name, '{replicas: 2}') });
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, `widget.example.com/${name} serverside-applied\n`, '']);
    const got = JSON.parse(c.kubectl(['get', 'widget', name, '-o', 'json', '--show-managed-fields']).stdout);
    assert.deepEqual([got.spec.mode, got.spec.made, got.spec.replicas], ['fast', { inner: 'in' }, 2]);
    // The defaulted fields are nobody's (structuredmerge: defaults come after the apply's field set).
    assert.deepEqual(got.metadata.managedFields.map((m: any) => [m.operation, Object.keys(m.fieldsV1['f:spec']).filter((k) => k !== '.')]), [['Apply', ['f:replicas']]]);
  }
});
