// The real kubectl 1.32 against `kubesim serve`, for what fid11h left (issue #11): the
// shortcut expander's warning of an ambiguous short name, explain of an empty field segment,
// the plain-text 404 of paths nothing serves; stdout, stderr and exit code equal kubesim's CLI
// on the same cluster.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';

const c = new ServedCluster('fid11i');

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], manifest: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: quiet}\n' });
});

after(() => c.stop());

const EV = 'Warning: short name "ev" could also match lower priority resource events.events.k8s.io\n';

test('a short name two resources have warns of the lower priority one, once a command, before any error; a group or a full name does not', async () => {
  // a namespace without events: kubesim's ages are the cluster clock's
  for (const args of [['get', 'ev'], ['get', 'ev,ev,cm', '-o', 'name'], ['get', 'ev.v1.'], ['describe', 'ev'], ['delete', 'ev', '--all', '--dry-run=server'], ['auth', 'can-i', 'get', 'ev']]) {
    const [code, , err] = await c.alike([...args, '-n', 'quiet']);
    assert.deepEqual([code, err.startsWith(EV), err.indexOf(EV, 1)], [0, true, -1], args.join(' '));
  }
  for (const args of [['get', 'ev/x'], ['label', 'ev', 'x', 'a=b']]) assert.deepEqual(await c.alike(args), [1, '', `${EV}Error from server (NotFound): events "x" not found\n`], args.join(' '));
  // explain resolves the first segment, with --api-version too
  assert.deepEqual((await c.alike(['explain', 'ev.events.k8s.io'])).slice(2), [`${EV}error: field "io" does not exist\n`]);
  assert.equal((await c.alike(['explain', 'ev', '--api-version=events.k8s.io/v1']))[2], EV);
  // create role maps each --resource twice (validation, then the rules), warning each time
  assert.equal((await c.alike(['create', 'role', 'r', '--verb=get', '--resource=ev,cm,ev', '--dry-run=client']))[2], EV.repeat(4));
  for (const args of [['get', 'ev.events.k8s.io', '-n', 'quiet'], ['get', 'events', '-n', 'quiet'], ['get', 'cm', '-n', 'quiet', '-o', 'name'], ['auth', 'can-i', 'get', 'ev.events.k8s.io']]) assert.doesNotMatch((await c.alike(args))[2], /Warning/, args.join(' '));
});

test('explain parses its argument as the JSONPath {.ARG}: a `..` or any node not a field is refused, as the mapper refuses an empty resource', async () => {
  const firstNode = 'error: invalid jsonpath syntax, first node must be field node\n';
  for (const [args, err] of [
    [['pods.spec..containers'], firstNode],
    [['pods.spec..containers', '-o', 'plaintext-openapiv2'], firstNode],
    [['.pods'], firstNode],
    [['pods.spec[0]'], firstNode],
    [['pods.spec..containers', '--api-version=v1'], 'error: invalid jsonpath syntax, all nodes must be field nodes\n'],
    [['pods{'], "error: unrecognized character in action: U+007B '{'\n"],
    [['.'], 'error: a resource must be present, got: /, Resource=\n'],
  ] as const) assert.deepEqual(await c.alike(['explain', ...args]), [1, '', err], args.join(' '));
  // a trailing dot is dropped; an escaped dot is part of the field's name
  assert.equal((await c.alike(['explain', 'pods.spec.']))[1].split('\n')[3], 'FIELD: spec <PodSpec>');
  assert.deepEqual((await c.alike(['explain', 'pods.metadata.labels\\.x'])).slice(2), ['error: field "labels.x" does not exist\n']);
});

test('a path nothing serves: go-restful\'s Status under a built-in web service\'s root, else the NotFound handler\'s plain text', async () => {
  const restful = '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound",' +
    '"details":{},"code":404}\n';
  for (const path of ['/api/v2', '/api/v1/foo', '/api/v1/namespaces/default/foo', '/apis/apps/v9', '/apis/apps/v1/foo', '/version/x']) assert.deepEqual(await c.rawGet(path), { status: 404, body: restful }, path);
  for (const path of ['/bogus', '/apis/nosuch', '/apis/nosuch/v1', '/apis/nosuch/v1/foo', '/healthz/x']) {
    const r = await c.request('GET', path);
    assert.deepEqual([r.status, r.headers['content-type'], r.headers['x-content-type-options'], r.body], [404, 'text/plain; charset=utf-8', 'nosniff', '404 page not found\n'], path);
  }
  // kubectl words both alike
  for (const path of ['/bogus', '/apis/apps/v9']) assert.deepEqual(await c.alike(['get', '--raw', path]), [1, '', 'Error from server (NotFound): the server could not find the requested resource\n'], path);
});

test('resource names as kubectl maps them: a short name as typed, a name in any case, resource.version only with a group after it; the error names the resource part', async () => {
  for (const args of [['get', 'PO'], ['get', 'Deploy'], ['get', 'pods.v1'], ['get', 'po.v1'], ['get', 'nosuch.apps'], ['get', 'Nosuch.x.y'], ['delete', 'pods.v1', 'x']]) {
    const [code, out, err] = await c.alike([...args, '-n', 'quiet']);
    assert.deepEqual([code, out], [1, ''], args.join(' '));
    assert.match(err, /^error: the server doesn't have a resource type "[A-Za-z]+"\n$/, args.join(' '));
  }
  for (const args of [['get', 'Pods'], ['get', 'POD'], ['get', 'Deployment'], ['get', 'pods.v1.'], ['get', 'deployment.v1.apps']]) assert.equal((await c.alike([...args, '-n', 'quiet', '-o', 'name']))[0], 0, args.join(' '));
});
