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

test('ints past 2^53 are read exactly (bigints) by every reader; floats and ints past int64 stay numbers', async () => {
  const { parseManifestTextFull } = await import('../../src/manifest/parse-documents');
  const { validateSchema, loadSchemas } = await import('../../src/api/validation');
  const { typeOf } = await import('../../src/api/resources').then((m) => ({ typeOf: (o: { apiVersion: string; kind: string }) => m.BUILTIN_RESOURCES.find((r) => r.kind === o.kind)! }));
  const yaml = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  activeDeadlineSeconds: 9007199254740993\n  terminationGracePeriodSeconds: -9223372036854775808\n  containers: [{name: c, image: nginx}]\n  x: [18446744073709551615, 9007199254740993.0, 0x20000000000001, 9_007_199_254_740_993, 42]\n';
  const json = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } }).replace('"containers"', '"activeDeadlineSeconds":9007199254740993,"x":[18446744073709551615,1e300],"containers"');
  for (const [what, parsed] of [
    ['fast YAML', parseManifestText(yaml, 'a.yaml')],
    ['full YAML', parseManifestTextFull(yaml, 'a.yaml')],
    ['JSON', parseManifestText(json, 'a.json')],
  ] as const) {
    assert.deepEqual(parsed.errors, [], what);
    const spec = parsed.docs[0].object.spec as Record<string, unknown>;
    assert.equal(spec.activeDeadlineSeconds, 9007199254740993n, what);
    if (what !== 'JSON') {
      assert.equal(spec.terminationGracePeriodSeconds, -9223372036854775808n, what);
      assert.deepEqual(spec.x, [18446744073709551615, 9007199254740992, 9007199254740993n, 9007199254740993n, 42], what);
    } else assert.deepEqual(spec.x, [18446744073709551615, 1e300], what);
  }
  // The schema check takes the exact ints, and refuses what int64 cannot hold as the decoder does.
  await loadSchemas();
  const pod = parseManifestText(yaml.replace(/  x: .*\n/, ''), 'a.yaml').docs[0].object;
  assert.deepEqual(validateSchema(pod, typeOf(pod)), []);
  const past = { ...pod, spec: { ...pod.spec, activeDeadlineSeconds: 1.9e19 } };
  assert.deepEqual(validateSchema(past, typeOf(past)).map((i) => i.message), ['json: cannot unmarshal number 19000000000000000000 into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64']);
});
