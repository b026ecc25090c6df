import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../src/api/types';
import { parseOutputFlag, printObjects, resolveOutputFile } from '../../src/printers/output';
import { printNames } from '../../src/printers/name';

const cm = (name: string, extra: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', labels: { app: name } },
  ...extra,
});

test('parseOutputFlag: formats and kubectl error texts', () => {
  assert.deepEqual(parseOutputFlag(undefined), { kind: 'table', wide: false });
  assert.deepEqual(parseOutputFlag('wide'), { kind: 'table', wide: true });
  assert.deepEqual(parseOutputFlag('jsonpath={.a}'), { kind: 'jsonpath', template: '{.a}', asJson: false });
  assert.deepEqual(parseOutputFlag('jsonpath-as-json={.a}'), { kind: 'jsonpath', template: '{.a}', asJson: true });
  assert.deepEqual(parseOutputFlag('go-template={{.a}}'), { kind: 'go-template', template: '{{.a}}' });
  assert.deepEqual(parseOutputFlag('custom-columns-file=/f'), { kind: 'custom-columns-file', path: '/f' });
  assert.throws(
    () => parseOutputFlag('bogus'),
    {
      message:
        'unable to match a printer suitable for the output format "bogus", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml',
    },
  );
  assert.throws(() => parseOutputFlag('jsonpath'), { message: 'template format specified but no template given' });
  assert.throws(() => parseOutputFlag('custom-columns='), { message: 'custom-columns format specified but no custom columns given' });
  assert.throws(() => parseOutputFlag('custom-columns=NAME'), { message: 'unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>' });
  assert.throws(() => parseOutputFlag('jsonpath={.a'), { message: 'error parsing jsonpath {.a, unclosed action' });
});

test('printObjects: List wrapper for lists, object for a single named get', () => {
  const yaml = printObjects([], { kind: 'yaml' }, { asList: true });
  assert.equal(yaml, 'apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: ""\n');
  const one = printObjects([cm('a')], { kind: 'json' }, { asList: false });
  assert.match(one, /^\{\n {4}"apiVersion": "v1",\n {4}"kind": "ConfigMap",/);
  assert.equal(printObjects([cm('a'), cm('b')], parseOutputFlag('jsonpath={.items[*].metadata.name}'), { asList: true }), 'a b');
  assert.equal(printObjects([cm('a')], { kind: 'name' }, { asList: true }), 'configmap/a\n');
  const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } } as KObject;
  assert.equal(printNames([dep]), 'deployment.apps/web\n');
});

test('resolveOutputFile turns -file specs into inline ones', () => {
  assert.deepEqual(resolveOutputFile({ kind: 'jsonpath-file', path: 'f' }, '{.a}'), { kind: 'jsonpath', template: '{.a}', asJson: false });
  assert.deepEqual(resolveOutputFile({ kind: 'custom-columns-file', path: 'f' }, 'A\n.a\n'), { kind: 'custom-columns', columns: [{ header: 'A', fieldSpec: '{.a}' }] });
});
