// The real kubectl against `kubesim serve` (API only, no controller manager): a CRD it
// creates is Established by the API server itself, so `kubectl wait` returns.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';
import { crdYaml } from '../helpers/crd';

const c = new ServedCluster();
before(() => c.setUp({ kubectl: true }));
after(() => c.stop());

const CRD = crdYaml({ plural: 'widgets', kind: 'Widget', schema: 'x-kubernetes-preserve-unknown-fields: true' });

test('kubectl wait --for=condition=Established on a CRD kubectl applied', () => {
  const applied = c.kubectl(['apply', '-f', '-'], { stdin: CRD });
  assert.equal(applied.stdout, 'customresourcedefinition.apiextensions.k8s.io/widgets.example.com created\n', applied.stderr);
  const waited = c.kubectl(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=20s']);
  assert.equal(waited.stdout, 'customresourcedefinition.apiextensions.k8s.io/widgets.example.com condition met\n', waited.stderr);
  assert.equal(waited.code, 0);
  const names = c.kubectl(['get', 'crd', 'widgets.example.com', '-o', 'jsonpath={.status.acceptedNames.plural} {.status.conditions[?(@.type=="NamesAccepted")].reason}']);
  assert.equal(names.stdout, 'widgets NoConflicts');
  assert.equal(c.ok(['get', 'crd', 'widgets.example.com', '-o', 'jsonpath={.status.acceptedNames.plural} {.status.conditions[?(@.type=="NamesAccepted")].reason}']), names.stdout);
});

const named = (plural: string, kind: string, shortNames: string) =>
  CRD.replaceAll('widgets', plural).replace('kind: Widget', `kind: ${kind}, shortNames: [${shortNames}]`);

test('a CRD whose names are not accepted is not served: 404 for its resource, absent from discovery, kubectl cannot map its kind', () => {
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: named('sprockets', 'Sprocket', 'cogs') }).code, 0);
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: named('cogs', 'Cog', '') }).code, 0);
  assert.equal(c.kubectl(['get', 'crd', 'cogs.example.com', '-o', 'jsonpath={.status.conditions[*].reason}']).stdout, 'PluralConflict NotAccepted');

  const raw = c.kubectl(['get', '--raw', '/apis/example.com/v1/namespaces/default/cogs']);
  assert.equal(raw.code, 1);
  assert.equal(raw.stderr, 'Error from server (NotFound): the server could not find the requested resource\n');
  const resources = JSON.parse(c.kubectl(['get', '--raw', '/apis/example.com/v1']).stdout) as { resources: { name: string }[] };
  assert.deepEqual(resources.resources.map((r) => r.name).filter((n) => !n.startsWith('widgets')).sort(), ['sprockets']);

  const cr = c.file('cog.yaml', 'apiVersion: example.com/v1\nkind: Cog\nmetadata: {name: c1, namespace: default}\n');
  const refused = c.kubectl(['apply', '-f', cr]);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, `error: resource mapping not found for name: "c1" namespace: "default" from "${cr}": no matches for kind "Cog" in version "example.com/v1"\nensure CRDs are installed first\n`);
  assert.deepEqual(c.kubesim(['apply', '-f', cr]), { code: 1, stdout: '', stderr: refused.stderr });
  assert.equal(c.kubesim(['api-resources', '--api-group=example.com']).stdout, c.kubectl(['api-resources', '--api-group=example.com']).stdout);

  // The other CRD gone, the name is free: Established, served, and listed.
  assert.equal(c.kubectl(['delete', 'crd', 'sprockets.example.com']).code, 0);
  assert.equal(c.kubectl(['wait', '--for=condition=Established', 'crd/cogs.example.com', '--timeout=20s']).code, 0);
  assert.equal(c.kubectl(['apply', '-f', cr]).stdout, 'cog.example.com/c1 created\n');
  assert.equal(c.kubectl(['get', 'cogs', '-o', 'name']).stdout, 'cog.example.com/c1\n');
  assert.equal(c.kubesim(['api-resources', '--api-group=example.com']).stdout, c.kubectl(['api-resources', '--api-group=example.com']).stdout);
});
