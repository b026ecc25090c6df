// The real kubectl against `kubesim serve` (API only, no controller manager): a CRD it
// creates is Established by the API server itself, so `kubectl wait` returns.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';

const c = new ServedCluster();
before(() => c.setUp({ kubectl: true }));
after(() => c.stop());

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;

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
