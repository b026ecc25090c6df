// The set verbs' typed decoding looks fields up by JSON name in go-order's layout of each
// message (inline members' fields in place), the one the printers order keys by. Values
// below are what the decoder's own field walk (before it shared the layout) answered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import descriptor from '../../src/api/rest/proto/k8s-proto.json';
import { typedDecodeError, dropUnknownFields } from '../../src/api/validation/typed-decode';
import { fieldsByName } from '../../src/printers/go-order';

type Field = [string, string, number, number | string, number?, string?];
const messages = (descriptor as unknown as { messages: Record<string, { f: Record<string, Field> }> }).messages;

test('every message: one field per JSON name, inline members flattened, each inline member a known message', () => {
  const flat = (type: string): Field[] => Object.values(messages[type].f).flatMap((f) => {
    if (f[4] !== 2) return [f];
    assert.ok(messages[f[1]], `${type}: inline member ${f[0]} of unknown type ${f[1]}`);
    return flat(f[1]);
  });
  let inline = 0;
  for (const type of Object.keys(messages)) {
    const fields = flat(type);
    const names = fields.map((f) => f[0]);
    assert.equal(new Set(names).size, names.length, `${type} repeats a JSON name`);
    const byName = fieldsByName(type)!;
    assert.deepEqual([...byName.keys()].sort(), [...names].sort(), type);
    for (const f of fields) assert.equal(byName.get(f[0]), f, `${type}.${f[0]}`);
    if (Object.values(messages[type].f).some((f) => f[4] === 2)) inline++;
  }
  assert.ok(inline >= 20, `only ${inline} messages with inline members`);
  assert.equal(fieldsByName('no.such.Type'), undefined);
});

const pod = (volume: Record<string, unknown>, probe: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
  spec: { containers: [{ name: 'c', image: 'x', readinessProbe: probe }], volumes: [{ name: 'v', ...volume }] },
});

test('type errors in an inline member name the outer struct and the JSON path', () => {
  assert.equal(typedDecodeError(pod({ configMap: 'x' })),
    'json: cannot unmarshal string into Go struct field Volume.spec.volumes.configMap of type v1.ConfigMapVolumeSource');
  // LocalObjectReference inline in ConfigMapVolumeSource; ProbeHandler inline in Probe.
  assert.equal(typedDecodeError(pod({ configMap: { name: 5 } })),
    'json: cannot unmarshal number into Go struct field ConfigMapVolumeSource.spec.volumes.configMap.name of type string');
  assert.equal(typedDecodeError(pod({ emptyDir: {} }, { httpGet: { port: 'http', path: 1 } })),
    'json: cannot unmarshal number into Go struct field HTTPGetAction.spec.containers.readinessProbe.httpGet.path of type string');
  assert.equal(typedDecodeError(pod({ emptyDir: {} }, { exec: { command: ['true'] }, periodSeconds: 3 })), undefined);
});

test('the typed round trip keeps inline members\' fields and drops the rest', () => {
  const obj = pod({ configMap: { name: 'cm', bogus: 1, items: [{ key: 'k', path: 'p', extra: true }] } }, { tcpSocket: { port: 80 }, nope: 1 });
  dropUnknownFields(obj);
  assert.deepEqual(obj.spec.volumes, [{ name: 'v', configMap: { name: 'cm', items: [{ key: 'k', path: 'p' }] } }]);
  assert.deepEqual(obj.spec.containers[0].readinessProbe, { tcpSocket: { port: 80 } });
});
