import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toYaml, yamlKeyLess } from '../../src/printers/yaml';
import { toJson } from '../../src/printers/json';
import { kubectlPrint, withLabel } from './kubectl-oracle';
import { requireKubectl } from '../oracles';

// Values chosen to hit every quoting rule of go-yaml v2 (as used by kubectl -o yaml).
const TRICKY = [
  'yes', 'no', 'y', 'n', 'Y', 'on', 'off', 'true', 'True', '1', '10', '1.5', '0x1F', '0o17', '0b101', '08',
  '1e3', '1_000', '.5', '+', '-', '~', 'null', 'Null', '*', '- a', 'a: b', 'a:b', '#x', 'a #b', 'a#b', ' lead',
  'trail ', 'both  ', '', 'héllo', '日本語', '😀 smile', 'tab\tx', 'multi\nline', 'multi\nline\n', 'multi\nline\n\n',
  '\nlead', '  indented\nx', 'trail \nx', '1:20', '2026-11-22T06:00:26Z', '2026-11-22', '2026-1-2', '@at', '`tick',
  '%p', '!bang', '&amp', '|pipe', '>gt', "it's", '"dq"', 'a\\b', '---', '...', '?q', '? q', ':x', '[a]', '{a}',
  'a,b', 'a [b]', '<none>', 'a&b', '-1', '+1', '-.5', '1.', 'NaN', 'Infinity', '.inf', '0', '00', '0.0',
  '12345678901234567890', 'x'.repeat(100), 'word '.repeat(30).trim(), 'a b '.repeat(40).trim(),
  "it's a long sentence with quote ' and more words that go beyond the eighty column limit for sure ok",
  'l' + 'o'.repeat(85) + 'ng word', '- ' + 'x '.repeat(50), 'tab\t' + 'y '.repeat(50), '\u00a0nbsp', 'ctl\u0007',
  '{"apiVersion":"v1","data":{"k":"v"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"api-cfg","namespace":"default"}}\n',
];

const obj = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'c',
    creationTimestamp: '2026-11-22T06:00:26Z',
    resourceVersion: '1234',
    labels: { a10: 'x', a9: 'y', A: 'z', _u: 'w', 'b.c/d': 'e', 'app.kubernetes.io/name': 'n', app: 'a' },
  },
  data: Object.fromEntries(TRICKY.map((v, i) => [`k${i}`, v])),
  nested: {
    emptyMap: {},
    emptyList: [],
    list: [1, 'two', { a: 1, b: [] }, [1, [2, 3]], [], {}, [{ x: 1, y: 2 }]],
    n: { m: { deep: 'x'.repeat(90) + ' end', text: 'first line\nsecond line\n' } },
    floats: [1.5, 0.00001, 1234567.5, -2.25, 1e21, 3e-7],
    nul: null,
    bool: false,
    num: 42,
    neg: -7,
  },
};

test('toYaml matches kubectl -o yaml byte for byte', (t) => {
  requireKubectl();
  const want = kubectlPrint(obj, 'yaml');
  assert.equal(want.status, 0, want.stderr);
  assert.equal(toYaml(withLabel(obj)), want.stdout);
});

test('toJson matches kubectl -o json byte for byte (sorted keys, 4 spaces, HTML escapes)', (t) => {
  requireKubectl();
  const want = kubectlPrint(obj, 'json');
  assert.equal(toJson(withLabel(obj)), want.stdout);
});

test('toYaml: documented shapes', () => {
  assert.equal(
    toYaml({ apiVersion: 'v1', items: [], kind: 'List', metadata: { resourceVersion: '' } }),
    'apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: ""\n',
  );
  assert.equal(
    toYaml({ spec: { containers: [{ name: 'x', image: 'nginx' }] }, schedule: '*/1 * * * *', creationTimestamp: null }),
    "creationTimestamp: null\nschedule: '*/1 * * * *'\nspec:\n  containers:\n  - image: nginx\n    name: x\n",
  );
  assert.equal(toYaml({ a: 'x\n' }), 'a: |\n  x\n');
  assert.equal(toYaml({ a: 'x' + '\ny' }), 'a: |-\n  x\n  y\n');
});

test('toJson keeps key order when asked (client-side objects)', () => {
  assert.equal(toJson({ kind: 'Pod', apiVersion: 'v1' }, { sortKeys: false }), '{\n    "kind": "Pod",\n    "apiVersion": "v1"\n}\n');
  assert.equal(toJson({ kind: 'Pod', apiVersion: 'v1' }), '{\n    "apiVersion": "v1",\n    "kind": "Pod"\n}\n');
});

test('yaml key order is go-yaml natural order', () => {
  const keys = ['a10', 'a9', 'A', '_u', 'b', 'B', 'a-b', 'ab'];
  keys.sort((a, b) => (yamlKeyLess(a, b) ? -1 : yamlKeyLess(b, a) ? 1 : 0));
  assert.deepEqual(keys, ['_u', 'A', 'B', 'a-b', 'a9', 'a10', 'ab', 'b']);
});
