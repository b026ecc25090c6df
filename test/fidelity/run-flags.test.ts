// `run` paths kubectl itself cannot take offline (it needs a server for any Pod it builds),
// checked through the CLI against what kubectl's OverrideOptions and printers produce.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Sandbox } from '../e2e/helpers';

const sb = new Sandbox('kubesim-run-flags-');
after(() => sb.cleanup());

const base = ['run', 'web', '--image=nginx', '--dry-run=client', '-o', 'json'];

test('--override-type=strategic merges the container by name and keeps its image', () => {
  const out = JSON.parse(sb.ok([...base, '--override-type=strategic', '--overrides={"spec":{"containers":[{"name":"web","resources":{"limits":{"cpu":"1"}}}]}}']));
  assert.equal(out.spec.containers.length, 1);
  assert.equal(out.spec.containers[0].image, 'nginx');
  assert.deepEqual(out.spec.containers[0].resources, { limits: { cpu: '1' } });
});

test('--override-type=merge replaces the container list, as RFC 7386 says; the result decoded into a Pod (resources written, unknown fields gone)', () => {
  const out = JSON.parse(sb.ok([...base, '--override-type=merge', '--overrides={"spec":{"containers":[{"name":"web","image":"redis","bogus":1}]}}']));
  assert.deepEqual(out.spec.containers, [{ name: 'web', image: 'redis', resources: {} }]);
});

test('--override-type=json applies RFC 6902 operations', () => {
  const out = JSON.parse(sb.ok([...base, '--override-type=json', '--overrides=[{"op":"add","path":"/metadata/labels/x","value":"y"},{"op":"replace","path":"/spec/restartPolicy","value":"Never"}]']));
  assert.deepEqual(out.metadata.labels, { run: 'web', x: 'y' });
  assert.equal(out.spec.restartPolicy, 'Never');
});

test('an unknown override type is refused', () => {
  const r = sb.run([...base, '--override-type=bogus', '--overrides={}']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: invalid override type: bogus\n');
});

test('--env=C= is an empty value, which Go omits (EnvVar.value is omitempty)', () => {
  const out = JSON.parse(sb.ok([...base, '--env=C=', '--env=D=1']));
  assert.deepEqual(out.spec.containers[0].env, [{ name: 'C' }, { name: 'D', value: '1' }]);
});
