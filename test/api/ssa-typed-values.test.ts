// Server-side apply's ObjectToTyped on the API server (in-memory store): a value not of its
// field's declared scalar, map or list type is structured-merge-diff's validation error; an
// IntOrString or Quantity (untyped scalars) takes a number or a string (fid11p).

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../../src/api/server';
import { openStore } from '../../src/store/registry';
import { ManualClock } from '../../src/sim/clock';
import { seededRng } from '../../src/sim/rng';
import { apiValidator, loadValidation } from '../../src/api/validator-adapter';
import { serverSideApply } from '../../src/api/managed-fields/index';
import type { KObject } from '../../src/api/types';

before(async () => loadValidation());

async function server(): Promise<ApiServer> {
  const api = await ApiServer.open(await openStore('memory://'), new ManualClock(Date.parse('2026-11-22T06:00:00Z')), seededRng(1), apiValidator());
  await api.bootstrap();
  return api;
}

const merged = async (api: ApiServer, config: KObject): Promise<KObject> => {
  const rt = api.registry.forKind(config.apiVersion, config.kind);
  return serverSideApply(undefined, structuredClone(config), 'a', false, api.trackContext(rt, config));
};

const service = (port: unknown, targetPort: unknown): KObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 's', namespace: 'default' },
  spec: { ports: [{ name: 'http', port, targetPort }], selector: { app: 'x' } },
});

test('untyped scalars (IntOrString, Quantity) take numbers and strings; declared types are checked, under keyed items too', async () => {
  const api = await server();
  for (const t of [8080, 'http']) assert.equal((await merged(api, service(80, t))).spec.ports[0].targetPort, t);
  const quota: KObject = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'default' }, spec: { hard: { cpu: 2, memory: '1Gi' } } };
  assert.equal((await merged(api, quota)).spec.hard.cpu, 2);
  const refused = async (config: KObject, detail: string) =>
    assert.rejects(merged(api, config), (e: any) => {
      assert.deepEqual([e.code, e.reason, e.message], [500, '', `failed to create typed patch object (default/s; /v1, Kind=Service): ${detail}`]);
      return true;
    });
  await refused(service('80', 'http'), '.spec.ports[port="80",protocol="TCP"].port: expected numeric (int or float), got string');
  await refused({ ...service(80, 8080), spec: { ...service(80, 8080).spec, selector: 'app=x' } }, '.spec.selector: expected map, got &{app=x}');
  await refused({ ...service(80, 8080), spec: { ...service(80, 8080).spec, publishNotReadyAddresses: 1 } }, '.spec.publishNotReadyAddresses: expected boolean, got &{1}');
  await refused({ ...service(80, 8080), spec: { ...service(80, 8080).spec, type: 2.5 } }, '.spec.type: expected string, got &value.valueUnstructured{Value:2.5}');
});
