// CustomResourceDefinition status: kube-apiserver's naming and establishing controllers
// accept a CRD's names and mark it Established, or report the name another CRD of the
// group holds (NamesAccepted False), until that CRD goes.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox } from './helpers';
import { Hosted } from './hosted';

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

const sb = new Hosted(new Sandbox());
after(() => sb.sb.cleanup());
const conditions = "jsonpath={range .status.conditions[*]}{.type}={.status} {.reason}: {.message}{'\\n'}{end}";

test('a new CRD gets its names accepted and becomes Established; a name taken is refused', async () => {
  await sb.ok(['apply', '-f', '-'], { stdin: crd('foos.example.com', 'foos', 'Foo', ['fo']) });
  assert.equal(await sb.ok(['wait', '--for=condition=Established', 'crd/foos.example.com', '--timeout=10s']), 'customresourcedefinition.apiextensions.k8s.io/foos.example.com condition met\n');
  assert.equal(await sb.ok(['get', 'crd', 'foos.example.com', '-o', conditions]), 'NamesAccepted=True NoConflicts: no conflicts found\nEstablished=True InitialNamesAccepted: the initial names have been accepted\n');
  assert.equal(await sb.ok(['get', 'crd', 'foos.example.com', '-o', 'jsonpath={.status.acceptedNames}']), '{"kind":"Foo","listKind":"FooList","plural":"foos","shortNames":["fo"],"singular":"foo"}');
  assert.equal(await sb.ok(['get', 'crd', 'foos.example.com', '-o', 'jsonpath={.status.storedVersions}']), '["v1"]');
  const yaml = await sb.ok(['get', 'crd', 'foos.example.com', '-o', 'yaml']);
  assert.match(yaml, /  conditions:\n  - lastTransitionTime: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\n    message: no conflicts found\n/);

  // Another CRD of the group asking for the plural "fo" (the short name of foos): refused, not Established.
  await sb.ok(['apply', '-f', '-'], { stdin: crd('fo.example.com', 'fo', 'Foo2') });
  assert.equal(await sb.ok(['get', 'crd', 'fo.example.com', '-o', conditions]), 'NamesAccepted=False PluralConflict: "fo" is already in use\nEstablished=False NotAccepted: not all names are accepted\n');
  assert.equal(await sb.ok(['get', 'crd', 'fo.example.com', '-o', 'jsonpath={.status.acceptedNames}']), '{"kind":"Foo2","listKind":"Foo2List","plural":"","singular":"foo2"}');
  const waited = await sb.run(['wait', '--for=condition=Established', 'crd/fo.example.com', '--timeout=1s']);
  assert.equal(waited.code, 1);
  assert.equal(waited.stderr, 'error: timed out waiting for the condition on customresourcedefinitions/fo.example.com\n');

  // Kind "Foo" taken (so are its singular and listKind): and the last name checked gives the reason, as in Kubernetes.
  await sb.ok(['apply', '-f', '-'], { stdin: crd('bars.example.com', 'bars', 'Foo') });
  assert.equal(await sb.ok(['get', 'crd', 'bars.example.com', '-o', 'jsonpath={.status.conditions[0].reason}: {.status.conditions[0].message}']), 'ListKindConflict: "FooList" is already in use');
  assert.equal(await sb.ok(['get', 'crd', 'bars.example.com', '-o', 'jsonpath={.status.acceptedNames}']), '{"kind":"","plural":"bars"}');

  // The holder deleted, its names are free for the CRD that asked for them.
  await sb.ok(['delete', 'crd', 'foos.example.com']);
  assert.equal(await sb.ok(['wait', '--for=condition=Established', 'crd/fo.example.com', '--timeout=10s']), 'customresourcedefinition.apiextensions.k8s.io/fo.example.com condition met\n');
  assert.equal(await sb.ok(['get', 'crd', 'fo.example.com', '-o', 'jsonpath={.status.acceptedNames.plural}']), 'fo');
});

test('changing the storage version adds it to storedVersions', async () => {
  const v2 = '  - name: v2\n    served: true\n    storage: false\n    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}\n';
  const two = crd('quxes.example.com', 'quxes', 'Qux') + v2;
  await sb.ok(['apply', '-f', '-'], { stdin: two });
  assert.equal(await sb.ok(['get', 'crd', 'quxes.example.com', '-o', 'jsonpath={.status.storedVersions}']), '["v1"]');
  await sb.ok(['apply', '-f', '-'], { stdin: two.replace('storage: true', 'storage: X').replace('storage: false', 'storage: true').replace('storage: X', 'storage: false') });
  assert.equal(await sb.ok(['get', 'crd', 'quxes.example.com', '-o', 'jsonpath={.status.storedVersions}']), '["v1","v2"]');
});

test('a CRD whose names are not accepted serves nothing until they are (no kind, no resource)', async () => {
  await sb.ok(['apply', '-f', '-'], { stdin: crd('gizmos.example.com', 'gizmos', 'Gizmo', ['gadgets']) });
  await sb.ok(['apply', '-f', '-'], { stdin: crd('gadgets.example.com', 'gadgets', 'Gadget') });
  assert.equal(await sb.ok(['get', 'crd', 'gadgets.example.com', '-o', conditions]), 'NamesAccepted=False PluralConflict: "gadgets" is already in use\nEstablished=False NotAccepted: not all names are accepted\n');
  const cr = 'apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g1, namespace: default}\n';
  const refused = await sb.run(['apply', '-f', '-'], { stdin: cr });
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, 'error: resource mapping not found for name: "g1" namespace: "default" from "STDIN": no matches for kind "Gadget" in version "example.com/v1"\nensure CRDs are installed first\n');
  const listed = await sb.ok(['api-resources', '--api-group=example.com', '-o', 'name']);
  assert.match(listed, /^gizmos\.example\.com$/m);
  assert.doesNotMatch(listed, /^gadgets\./m);
  const unknown = await sb.run(['get', 'gadget']);
  assert.equal(unknown.stderr, 'error: the server doesn\'t have a resource type "gadget"\n');

  // The holder of the name gone, the CRD is Established and its kind served.
  await sb.ok(['delete', 'crd', 'gizmos.example.com']);
  assert.equal(await sb.ok(['apply', '-f', '-'], { stdin: cr }), 'gadget.example.com/g1 created\n');
  assert.equal(await sb.ok(['get', 'gadget', '-o', 'name']), 'gadget.example.com/g1\n');
});

test('CRD spec defaults: conversion strategy None, a webhook service port 443, preserveUnknownFields false dropped', async () => {
  await sb.ok(['apply', '-f', '-'], { stdin: crd('dings.example.com', 'dings', 'Ding').replace('spec:\n', 'spec:\n  preserveUnknownFields: false\n') });
  assert.equal(await sb.ok(['get', 'crd', 'dings.example.com', '-o', 'jsonpath={.spec.conversion} {.spec.preserveUnknownFields}']), '{"strategy":"None"} ');
  assert.doesNotMatch(await sb.ok(['get', 'crd', 'dings.example.com', '-o', 'jsonpath={.spec}']), /preserveUnknownFields/);
  const webhook = '  conversion:\n    strategy: Webhook\n    webhook:\n      conversionReviewVersions: [v1]\n      clientConfig:\n        service: {namespace: default, name: conv, path: /convert}\n';
  await sb.ok(['apply', '-f', '-'], { stdin: crd('dongs.example.com', 'dongs', 'Dong') + webhook });
  assert.equal(await sb.ok(['get', 'crd', 'dongs.example.com', '-o', 'jsonpath={.spec.conversion.strategy} {.spec.conversion.webhook.clientConfig.service.port}']), 'Webhook 443');
});
