// /openapi/v2 is built from the registry's built-in types: what it was built from is looked
// at once per registry generation (a CRD registered or removed), not at every request, and
// the document is rebuilt only when the built-in types changed (CRDs are not in it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceRegistry, type ResourceType } from '../../src/api/resources';
import { openapiV2 } from '../../src/api/rest/openapi';
import type { ApiRequest } from '../../src/api/rest/types';

const get = (accept?: string): ApiRequest => ({ method: 'GET', path: '/openapi/v2', query: new URLSearchParams(), headers: { accept } });

const widgets: ResourceType = { group: 'example.com', version: 'v1', versions: ['v1'], kind: 'Widget', plural: 'widgets', singular: 'widget', shortNames: [], namespaced: true, categories: [], verbs: ['get', 'list'], crd: 'widgets.example.com' };

/** A registry counting how often its types are listed. */
function counted(): { registry: ResourceRegistry; reads: () => number } {
  const registry = new ResourceRegistry();
  let n = 0;
  const all = registry.all.bind(registry);
  registry.all = () => (n++, all());
  return { registry, reads: () => n };
}

test('/openapi/v2: its inputs looked at once per registry generation; the same document while the built-in types stay', async () => {
  const { registry, reads } = counted();
  const first = await openapiV2(registry, get('application/json'));
  assert.equal(first.status, 200);
  const doc = JSON.parse(String(first.body));
  assert.equal(doc.swagger, '2.0');
  assert.deepEqual(doc.definitions['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Pod' }]);
  const proto = await openapiV2(registry, get('application/com.github.proto-openapi.spec.v2@v1.0+protobuf'));
  assert.equal(reads(), 1, 'the JSON and the protobuf of one generation');
  assert.equal((await openapiV2(registry, get())).body, first.body);
  assert.equal(reads(), 1);

  // a CRD moves the generation: looked at again, and the document (without CRDs) is the same
  registry.register(widgets);
  assert.equal((await openapiV2(registry, get())).body, first.body);
  assert.equal(reads(), 2);
  assert.equal((await openapiV2(registry, get('application/com.github.proto-openapi.spec.v2@v1.0+protobuf'))).body, proto.body, 'the protobuf kept');
  registry.unregister('example.com', 'widgets');
  await openapiV2(registry, get());
  assert.equal(reads(), 3);

  // another cluster's registry is looked at on its own
  const other = counted();
  assert.equal((await openapiV2(other.registry, get())).body, first.body);
  assert.equal(other.reads(), 1);
  await openapiV2(registry, get());
  assert.equal(reads(), 4);
});
