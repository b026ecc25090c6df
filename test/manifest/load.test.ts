import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadManifests, parseManifestText, formatSourceError } from '../../src/manifest';

test('multi-document YAML, List expansion and positions of fields', () => {
  const text = [
    'apiVersion: v1',
    'kind: List',
    'items:',
    '- apiVersion: v1',
    '  kind: ConfigMap',
    '  metadata: {name: a}',
    '- apiVersion: v1',
    '  kind: Service',
    '  metadata:',
    '    name: b',
    '  spec:',
    '    ports:',
    '    - port: 80',
    '---',
    '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}',
  ].join('\n');
  const { docs, errors } = parseManifestText(text, 'x.yaml');
  assert.deepEqual(errors, []);
  assert.deepEqual(docs.map((d) => [d.object.kind, d.object.metadata.name, d.docIndex, d.listIndex]), [
    ['ConfigMap', 'a', 0, 0],
    ['Service', 'b', 0, 1],
    ['Pod', 'p', 1, undefined],
  ]);
  assert.deepEqual(docs[1].positionOf(['spec', 'ports', 0, 'port']), { file: 'x.yaml', line: 13, col: 7 });
  // nearest existing ancestor
  assert.deepEqual(docs[1].positionOf(['spec', 'ports', 0, 'targetPort']), { file: 'x.yaml', line: 13, col: 7 });
  assert.deepEqual(docs[1].positionOf(['spec', 'selector']), { file: 'x.yaml', line: 11, col: 3 });
  assert.deepEqual(docs[2].positionOf(['metadata', 'name']), { file: 'x.yaml', line: 15, col: 50 });
});

test('helm `# Source:` comments are attached to their document', () => {
  const text = '---\n# Source: chart/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# Source: chart/templates/svc.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n';
  const { docs } = parseManifestText(text, 'out.yaml');
  assert.deepEqual(docs.map((d) => d.helmSource), ['chart/templates/cm.yaml', 'chart/templates/svc.yaml']);
});

test('YAML as kubectl reads it: 0644 is octal, yes/on are booleans, merge keys work', () => {
  const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nx:\n  mode: 0644\n  plain: 644\n  flag: yes\n  off: off\n  base: &b {a: 1}\n  merged:\n    <<: *b\n    c: 2\n';
  const { docs } = parseManifestText(text, 'p.yaml');
  const x = docs[0].object.x;
  assert.equal(x.mode, 420);
  assert.equal(x.plain, 644);
  assert.equal(x.flag, true);
  assert.deepEqual(x.merged, { a: 1, c: 2 });
});

test('directories (-R), stdin and globs', async (t) => {
  const d = mkdtempSync(join(tmpdir(), 'kubesim-load-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  mkdirSync(join(d, 'sub'));
  const cm = (n: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${n}}\n`;
  writeFileSync(join(d, 'b.yaml'), cm('b'));
  writeFileSync(join(d, 'a.yml'), cm('a'));
  writeFileSync(join(d, 'c.json'), JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }));
  writeFileSync(join(d, 'notes.txt'), 'not a manifest');
  writeFileSync(join(d, 'sub', 'd.yaml'), cm('d'));
  const flat = await loadManifests([d]);
  assert.deepEqual(flat.docs.map((x) => x.object.metadata.name), ['a', 'b', 'c']);
  const rec = await loadManifests([d], { recursive: true });
  assert.deepEqual(rec.docs.map((x) => x.object.metadata.name), ['a', 'b', 'c', 'd']);
  const stdin = await loadManifests(['-'], { stdin: cm('s') });
  assert.equal(stdin.docs[0].source, 'STDIN');
  const g = await loadManifests([join(d, '**', '*.yaml')], { glob: true });
  assert.deepEqual(g.docs.map((x) => x.object.metadata.name), ['b', 'd']);
  // Brace alternatives; sources keep the pattern's prefix; `dir/**` reads each file once.
  const braces = await loadManifests([join(d, '{a,c}.*')], { glob: true });
  assert.deepEqual(braces.files, [join(d, 'a.yml'), join(d, 'c.json')]);
  const all = await loadManifests([join(d, '**')], { glob: true });
  assert.deepEqual(all.docs.map((x) => x.object.metadata.name).sort(), ['a', 'b', 'c', 'd']);
  assert.deepEqual(all.errors, [], 'a final ** matches directories: notes.txt is not read');
  await assert.rejects(loadManifests([join(d, '*.nope')], { glob: true }), /does not exist/);
});

test('mis-indented containers reads clearly', () => {
  const text = 'spec:\n  template:\n    spec:\n    containers:\n    - name: web\n';
  const out = formatSourceError({ position: { file: 'd.yaml', line: 4, col: 5 }, message: 'unknown field "containers"', hint: 'check its indentation' }, text);
  assert.equal(out, ['d.yaml:4:5: unknown field "containers"', '   2 |   template:', '   3 |     spec:', ' > 4 |     containers:', '     |     ^', '  hint: check its indentation'].join('\n'));
});
