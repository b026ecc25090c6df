// The real kubectl 1.32 against `kubesim serve`, for issue #11 (fid11p): a patched object
// kube's patcher cannot decode is its 422 for `patch` (a wrong type as well as a bad
// Quantity), while a create of the same body stays the decoder's 400; server-side apply of a
// wrong type is structured-merge-diff's typed patch error, of a bad Quantity the
// fieldmanager's conversion error (both errors kube makes no Status of: 500, no reason).
// kubesim's CLI prints the same, in-process and through the daemon.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster, asKubectl } from './harness';

const c = new ServedCluster('fid11p');

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'] });
  c.ok(['create', 'deployment', 'web', '--image=nginx']);
});

after(() => c.stop());

/** kubectl's run, exit 1, what kubesim's CLI prints the same (in-process, through the daemon); kubectl's stderr. */
async function refused(args: string[]): Promise<string> {
  const k = c.kubectl(args);
  assert.deepEqual([k.code, k.stdout], [1, ''], k.stderr);
  for (const env of [{}, { KUBESIM_NO_DAEMON: '' }] as Record<string, string>[]) assert.deepEqual(asKubectl(await c.hosted(args, { env })), asKubectl(k), `kubesim ${args.join(' ')} ${JSON.stringify(env)}`);
  return k.stderr;
}

const UNCHANGED = (): void => assert.equal(c.kubectl(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas} {.spec.paused} {.spec.strategy.type} {.metadata.generation}']).stdout, '1  RollingUpdate 1');

test('a strategic merge patch leaving a wrong type: the patcher\'s 422, the patch map and the unstructured converter\'s message', async () => {
  const cases: [string, string][] = [
    ['{"spec":{"replicas":"3"}}', 'map[spec:map[replicas:3]]": unrecognized type: int32'],
    ['{"spec":{"paused":"yes"}}', 'map[spec:map[paused:yes]]": unrecognized type: bool'],
    ['{"metadata":{"labels":{"a":1}}}', 'map[metadata:map[labels:map[a:1]]]": cannot convert int64 to string'],
    ['{"spec":{"strategy":{"type":{"a":1}}}}', 'map[spec:map[strategy:map[type:map[a:1]]]]": unrecognized type: string'],
    ['{"spec":{"replicas":1.5}}', 'map[spec:map[replicas:1.5]]": cannot convert float64 to int32'],
    ['{"spec":{"template":"x"}}', 'map[spec:map[template:x]]": cannot restore struct from: string'],
    ['{"spec":{"strategy":{"rollingUpdate":{"maxSurge":{"a":1}}}}}', 'map[spec:map[strategy:map[rollingUpdate:map[maxSurge:map[a:1]]]]]": json: cannot unmarshal object into Go value of type int32'],
  ];
  for (const [patch, tail] of cases) assert.equal(await refused(['patch', 'deploy', 'web', '-p', patch]), `The request is invalid: patch: Invalid value: "${tail}\n`, patch);
  UNCHANGED();
  // the Status: 422 Invalid, no kind or name, one cause for `patch`
  const r = await c.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { body: '{"spec":{"replicas":"3"}}', headers: { 'Content-Type': 'application/strategic-merge-patch+json' } });
  const s = JSON.parse(r.body);
  assert.deepEqual([r.status, s.reason, s.message, s.details], [422, 'Invalid', ' "" is invalid: patch: Invalid value: "map[spec:map[replicas:3]]": unrecognized type: int32', { causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "map[spec:map[replicas:3]]": unrecognized type: int32', field: 'patch' }] }]);
});

test('a merge or JSON patch leaving a wrong type: the patcher\'s 422, the patched JSON and the JSON decoder\'s message; a create of that body stays the 400', async () => {
  const DECODE = 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32';
  for (const [args, replicas] of [
    [['patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"replicas":"3"}}'], '3'],
    [['patch', 'deploy', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":"x"}]'], 'x'],
  ] as [string[], string][]) {
    const err = await refused(args);
    const m = /^The request is invalid: patch: Invalid value: "(\{.*\})": (json: .*)\n$/s.exec(err);
    assert.ok(m, err);
    const patched = JSON.parse(JSON.parse(`"${m[1]}"`));
    assert.deepEqual([patched.kind, patched.metadata.name, patched.spec.replicas, m[2]], ['Deployment', 'web', replicas, DECODE]);
  }
  const err = await refused(['patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"paused":{}}}']);
  assert.match(err, /": json: cannot unmarshal object into Go struct field DeploymentSpec\.spec\.paused of type bool\n$/);
  UNCHANGED();
  // the same body created, or replaced: the body decoder's 400, as it was
  const body = c.kubectl(['get', 'deploy', 'web', '-o', 'json']).stdout.replace('"replicas": 1,', '"replicas": "3",');
  const f = c.file('bad-replicas.json', body.replace(/"resourceVersion": "\d+",/, ''));
  assert.equal(await refused(['replace', '-f', f]), `Error from server (BadRequest): error when replacing "${f}": Deployment in version "v1" cannot be handled as a Deployment: ${DECODE}\n`);
  const created = c.file('bad-create.json', body.replace('"name": "web"', '"name": "web2"').replace(/"(resourceVersion|uid)": "[^"]+",/g, ''));
  assert.equal(await refused(['create', '-f', created]), `Error from server (BadRequest): error when creating "${created}": Deployment in version "v1" cannot be handled as a Deployment: ${DECODE}\n`);
  UNCHANGED();
});

const deployment = (spec: string): string =>
  c.file(`ssa-${spec.length}.yaml`, `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - {name: nginx, image: nginx}\n${spec}`);

test('server-side apply of a wrong type: structured-merge-diff\'s typed patch error before any conflict; of a bad Quantity: the merged object\'s conversion error (500s without a reason)', async () => {
  const typed = 'Error from server: failed to create typed patch object (default/web; apps/v1, Kind=Deployment): ';
  const cases: [string, string][] = [
    ['  replicas: "3"\n', '.spec.replicas: expected numeric (int or float), got string'],
    ['  paused: "yes"\n', '.spec.paused: expected boolean, got &{yes}'],
    ['  strategy: {type: {a: 1}}\n', '.spec.strategy.type: expected string, got &value.valueUnstructured{Value:map[string]interface {}{"a":1}}'],
    ['  template: x\n', '.spec.template: expected map, got &{x}'],
  ];
  for (const [spec, detail] of cases) assert.equal(await refused(['apply', '--server-side', '-f', deployment(spec)]), `${typed}${detail}\n`, spec);
  UNCHANGED();
  const quota = (name: string) => c.file(`${name}.yaml`, `apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: ${name}}\nspec: {hard: {cpu: abc}}\n`);
  const QUANTITY = `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`;
  // created by the apply, or merged into one that exists
  c.ok(['create', 'quota', 'q2', '--hard=cpu=1']);
  for (const name of ['q1', 'q2']) {
    assert.equal(await refused(['apply', '--server-side', '--force-conflicts', '-f', quota(name)]), `Error from server: failed to convert new object (default/${name}; /v1, Kind=ResourceQuota) to proper version: unable to convert unstructured object to /v1, Kind=ResourceQuota: ${QUANTITY}\n`);
  }
  assert.equal(c.kubectl(['get', 'quota', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.hard.cpu} {end}']).stdout, 'q2=1 ');
  // the Status kube makes of an error that is none: 500, reason and details empty
  const r = await c.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/web?fieldManager=t', { body: '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":"3"}}', headers: { 'Content-Type': 'application/apply-patch+yaml' } });
  const s = JSON.parse(r.body);
  assert.deepEqual([r.status, s.code, s.reason, s.message], [500, 500, undefined, 'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.replicas: expected numeric (int or float), got string']);
});

/** A core Event in namespace default, `meta` its metadata's other members (flow YAML). */
const coreEvent = (name: string, meta = '', involvedNs = 'default'): string =>
  `apiVersion: v1\nkind: Event\nmetadata: {name: '${name}'${meta}}\ninvolvedObject: {kind: Deployment, name: web, namespace: ${involvedNs}, apiVersion: apps/v1}\nreason: Poked\nmessage: by hand\ntype: Normal\n`;

test('core Events: the strategy checks no ObjectMeta (any path segment names one); events.k8s.io/v1 creates check it as ValidateObjectMeta, a DNS subdomain', async () => {
  // a name no DNS subdomain is: taken through v1, kubectl's and kubesim's alike
  for (const [tool, name] of [['kubectl', 'Bad_Name.A'], ['kubesim', 'Other_Name:b']]) {
    const f = c.file(`${tool}-event.yaml`, coreEvent(name));
    const r = tool === 'kubectl' ? c.kubectl(['create', '-f', f]) : await c.hosted(['create', '-f', f]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, `event/${name} created\n`, ''], tool);
  }
  assert.equal(c.kubectl(['get', 'events', '-o', 'jsonpath={range .items[?(@.reason=="Poked")]}{.metadata.name} {end}']).stdout, 'Bad_Name.A Other_Name:b ');
  // updated through v1 too: a label added, an invalid one refused by the common checks
  assert.equal(await refused(['patch', 'event', 'Bad_Name.A', '-p', '{"metadata":{"labels":{"z":"_bad"}}}']), `The Event "Bad_Name.A" is invalid: metadata.labels: Invalid value: "_bad": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')\n`);
  const labelled = c.kubectl(['label', 'event', 'Bad_Name.A', 'x=y']);
  assert.deepEqual([labelled.code, labelled.stdout], [0, 'event/Bad_Name.A labeled\n'], labelled.stderr);
  // what no path segment is: rest.BeforeCreate's common check, each of '/' and '%'
  assert.equal(await refused(['create', '-f', c.file('pct.yaml', coreEvent('a%b'))]), `The Event "a%b" is invalid: metadata.name: Invalid value: "a%b": may not contain '%'\n`);
  assert.equal(
    await refused(['create', '-f', c.file('both.yaml', coreEvent('a/b%c'))]),
    `The Event "a/b%c" is invalid: \n* metadata.name: Invalid value: "a/b%c": may not contain '/'\n* metadata.name: Invalid value: "a/b%c": may not contain '%'\n`,
  );
  // the strategy's errors alone when it has any: a bad label is not reported with a namespace mismatch
  c.ok(['create', 'namespace', 'other']);
  assert.equal(await refused(['create', '-f', c.file('mismatch.yaml', coreEvent('mm', ', labels: {a: _bad}', 'other'))]), `The Event "mm" is invalid: involvedObject.namespace: Invalid value: "other": does not match event.namespace\n`);
  // events.k8s.io/v1: the strict ObjectMeta check (a DNS subdomain), from the strategy
  const v1 = (name: string) => `apiVersion: events.k8s.io/v1\nkind: Event\nmetadata: {name: '${name}'}\neventTime: "2026-01-02T03:04:05.000000Z"\nreportingController: example.com/hand\nreportingInstance: hand-1\naction: Poking\nreason: Poked\ntype: Normal\nnote: x\nregarding: {apiVersion: apps/v1, kind: Deployment, name: web, namespace: default}\n`;
  assert.equal(
    await refused(['create', '-f', c.file('v1-bad.yaml', v1('Bad_Name'))]),
    `The Event "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n`,
  );
  const ok = c.kubectl(['create', '-f', c.file('v1-ok.yaml', v1('good.name'))]);
  assert.deepEqual([ok.code, ok.stdout], [0, 'event.events.k8s.io/good.name created\n'], ok.stderr);
});
