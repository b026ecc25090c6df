import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../src/api/types';
import { parseCustomColumnsSpec, parseCustomColumnsTemplate, printCustomColumns } from '../../src/printers/custom-columns';
import { sortObjects, SortFieldNotFoundError } from '../../src/printers/sort';

const cm = (name: string, extra: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', labels: { app: name } },
  ...extra,
});

test('custom-columns: header as given, <none> for missing, lists joined by ",", maps via %v', () => {
  const objs = [cm('a', { data: { k: 'v' } }), cm('bb')];
  const cols = parseCustomColumnsSpec('NAME:.metadata.name,Data:{.data},KEYS:.data.*,NS:metadata.namespace,X:.nope');
  assert.equal(
    printCustomColumns(objs, cols),
    'NAME   Data       KEYS     NS        X\n' +
      'a      map[k:v]   v        default   <none>\n' +
      'bb     <none>     <none>   default   <none>\n',
  );
  assert.equal(printCustomColumns(objs, cols, true).split('\n')[0], 'a     map[k:v]   v        default   <none>');
  const fileCols = parseCustomColumnsTemplate('NAME   NAMESPACE\n.metadata.name   {.metadata.namespace}\n');
  assert.deepEqual(fileCols, [
    { header: 'NAME', fieldSpec: '{.metadata.name}' },
    { header: 'NAMESPACE', fieldSpec: '{.metadata.namespace}' },
  ]);
  assert.throws(() => parseCustomColumnsTemplate('A B\n.x\n'), { message: "number of headers (2) and field specifications (1) don't match" });
  assert.throws(() => parseCustomColumnsTemplate('A B\n'), /missing spec line/);
});

test('sortObjects: strings, numbers, quantities; missing first (reversed, like insertion sort)', () => {
  const names = (os: KObject[]): string[] => os.map((o) => o.metadata.name!);
  const ips = ['10.244.1.5', '10.244.1.20', '10.244.1.3'].map((ip, i) => cm(`p${i}`, { status: { podIP: ip } }));
  assert.deepEqual(names(sortObjects(ips, '.status.podIP')), ['p1', 'p2', 'p0']);
  const q = ['1Gi', '500Mi', '2'].map((v, i) => cm(`q${i}`, { spec: { v } }));
  assert.deepEqual(names(sortObjects(q, '{.spec.v}')), ['q2', 'q1', 'q0']);
  const n = [3, 1, 2].map((v, i) => cm(`n${i}`, { spec: { v } }));
  assert.deepEqual(names(sortObjects(n, 'spec.v')), ['n1', 'n2', 'n0']);
  const mixed = [cm('m0'), cm('has', { spec: { v: 1 } }), cm('m1')];
  assert.deepEqual(names(sortObjects(mixed, '.spec.v')), ['m1', 'm0', 'has']);
  assert.throws(() => sortObjects([cm('a')], '.nope'), SortFieldNotFoundError);
  assert.deepEqual(sortObjects([], '.nope'), []);
});
