// CustomResourceDefinition status: kube-apiserver's naming and establishing controllers
// accept a CRD's names and mark it Established, or report the name another CRD of the
// group holds (NamesAccepted False), until that CRD goes.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox } from './helpers';

const crd = (name: string, plural: string, kind: string, shortNames: string[] = []) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${name}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: ${plural}, kind: ${kind}, shortNames: [${shortNames.join(', ')}]}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;

const sb = new Sandbox();
after(() => sb.cleanup());
const conditions = "jsonpath={range .status.conditions[*]}{.type}={.status} {.reason}: {.message}{'\\n'}{end}";

test('a new CRD gets its names accepted and becomes Established; a name taken is refused', () => {
  sb.ok(['apply', '-f', '-'], { stdin: crd('foos.example.com', 'foos', 'Foo', ['fo']) });
  assert.equal(sb.ok(['wait', '--for=condition=Established', 'crd/foos.example.com', '--timeout=10s']), 'customresourcedefinition.apiextensions.k8s.io/foos.example.com condition met\n');
  assert.equal(sb.ok(['get', 'crd', 'foos.example.com', '-o', conditions]), 'NamesAccepted=True NoConflicts: no conflicts found\nEstablished=True InitialNamesAccepted: the initial names have been accepted\n');
  assert.equal(sb.ok(['get', 'crd', 'foos.example.com', '-o', 'jsonpath={.status.acceptedNames}']), '{"kind":"Foo","listKind":"FooList","plural":"foos","shortNames":["fo"],"singular":"foo"}');
  assert.equal(sb.ok(['get', 'crd', 'foos.example.com', '-o', 'jsonpath={.status.storedVersions}']), '["v1"]');
  const yaml = sb.ok(['get', 'crd', 'foos.example.com', '-o', 'yaml']);
  assert.match(yaml, /  conditions:\n  - lastTransitionTime: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\n    message: no conflicts found\n/);

  // Another CRD of the group asking for the plural "foos": refused, not Established.
  sb.ok(['apply', '-f', '-'], { stdin: crd('foos2.example.com', 'foos', 'Foo2') });
  assert.equal(sb.ok(['get', 'crd', 'foos2.example.com', '-o', conditions]), 'NamesAccepted=False PluralConflict: "foos" is already in use\nEstablished=False NotAccepted: not all names are accepted\n');
  assert.equal(sb.ok(['get', 'crd', 'foos2.example.com', '-o', 'jsonpath={.status.acceptedNames}']), '{"kind":"Foo2","listKind":"Foo2List","plural":"","singular":"foo2"}');
  const waited = sb.run(['wait', '--for=condition=Established', 'crd/foos2.example.com', '--timeout=1s']);
  assert.equal(waited.code, 1);
  assert.equal(waited.stderr, 'error: timed out waiting for the condition on customresourcedefinitions/foos2.example.com\n');

  // Kind "Foo" taken (so are its singular and listKind): and the last name checked gives the reason, as in Kubernetes.
  sb.ok(['apply', '-f', '-'], { stdin: crd('bars.example.com', 'bars', 'Foo') });
  assert.equal(sb.ok(['get', 'crd', 'bars.example.com', '-o', 'jsonpath={.status.conditions[0].reason}: {.status.conditions[0].message}']), 'ListKindConflict: "FooList" is already in use');
  assert.equal(sb.ok(['get', 'crd', 'bars.example.com', '-o', 'jsonpath={.status.acceptedNames}']), '{"kind":"","plural":"bars"}');

  // The holder deleted, its names are free for the CRD that asked for them.
  sb.ok(['delete', 'crd', 'foos.example.com']);
  assert.equal(sb.ok(['wait', '--for=condition=Established', 'crd/foos2.example.com', '--timeout=10s']), 'customresourcedefinition.apiextensions.k8s.io/foos2.example.com condition met\n');
  assert.equal(sb.ok(['get', 'crd', 'foos2.example.com', '-o', 'jsonpath={.status.acceptedNames.plural}']), 'foos');
});

test('changing the storage version adds it to storedVersions', () => {
  const v2 = '  - name: v2\n    served: true\n    storage: false\n    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}\n';
  const two = crd('quxes.example.com', 'quxes', 'Qux') + v2;
  sb.ok(['apply', '-f', '-'], { stdin: two });
  assert.equal(sb.ok(['get', 'crd', 'quxes.example.com', '-o', 'jsonpath={.status.storedVersions}']), '["v1"]');
  sb.ok(['apply', '-f', '-'], { stdin: two.replace('storage: true', 'storage: X').replace('storage: false', 'storage: true').replace('storage: X', 'storage: false') });
  assert.equal(sb.ok(['get', 'crd', 'quxes.example.com', '-o', 'jsonpath={.status.storedVersions}']), '["v1","v2"]');
});
