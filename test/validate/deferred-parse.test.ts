// runValidate parses only the files that may hold a CRD before validating; the others are
// parsed in their turn. A CRD anywhere in the inputs (after its custom resources, or with
// its kind spelt with a JSON escape) must still be known to every file. In-process.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runValidate } from '../../src/validate/run-validate';
import { crdObject } from '../helpers/crd';

const dir = mkdtempSync(join(tmpdir(), 'kubesim-validate-deferred-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const schema = 'properties:\n  spec:\n    type: object\n    properties:\n      size: {type: integer, minimum: 1}';
const cr = (kind: string, name: string, size: number) => `apiVersion: example.com/v1\nkind: ${kind}\nmetadata: {name: ${name}}\nspec: {size: ${size}}\n`;

test('CRDs later in the inputs, one with an escaped kind, validate the custom resources before them', async () => {
  writeFileSync(join(dir, 'a-crs.yaml'), `${cr('Widget', 'w', 0)}---\n${cr('Gadget', 'g', 0)}---\n${cr('Gizmo', 'z', 0)}`);
  // JSON's \u006e is an `n`: the file's text never spells CustomResourceDefinition.
  const escaped = JSON.stringify(crdObject({ plural: 'widgets', kind: 'Widget', schema })).replace('"CustomResourceDefinition"', '"CustomResourceDefinitio\\u006e"');
  assert.ok(!escaped.includes('CustomResourceDefinition'));
  writeFileSync(join(dir, 'b-widget-crd.json'), escaped);
  writeFileSync(join(dir, 'c-gadget-crd.json'), JSON.stringify(crdObject({ plural: 'gadgets', kind: 'Gadget', schema })));
  const report = await runValidate([dir], { ignoreMissingSchemas: true });
  const byName = new Map(report.results.map((r) => [r.name, r]));
  for (const name of ['w', 'g']) {
    const r = byName.get(name)!;
    assert.equal(r.status, 'invalid', name);
    assert.deepEqual(r.findings.map((f) => [f.file, f.line, f.message]), [[join(dir, 'a-crs.yaml'), 4 + (name === 'g' ? 5 : 0), 'spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1']], name);
  }
  // No CRD names Gizmo: skipped, as before.
  assert.equal(byName.get('z')!.status, 'skipped');
  assert.deepEqual(report.results.map((r) => r.name), ['w', 'g', 'z', 'widgets.example.com', 'gadgets.example.com']);
});

test('files read by a directory listing: every size around the read chunk, empty, linked, binary, not UTF-8, with a BOM', async () => {
  const tree = join(dir, 'sizes');
  mkdirSync(tree);
  // A ConfigMap of exactly `size` bytes whose last line is an unknown field: its finding's
  // line says the whole file was read, its name that the text is the file's own.
  const sized = (name: string, size: number) => {
    const head = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  pad: "`;
    const tail = '"\nbogus: 1\n';
    return head + 'x'.repeat(size - head.length - tail.length) + tail;
  };
  const sizes = [100, 65535, 65536, 65537, 200000];
  for (const size of sizes) {
    const text = sized(`cm-${size}`, size);
    assert.equal(Buffer.byteLength(text), size);
    writeFileSync(join(tree, `s-${size}.yaml`), text);
  }
  writeFileSync(join(tree, 'empty.yaml'), '');
  writeFileSync(join(dir, 'linked.yaml'), sized('cm-linked', 65536));
  symlinkSync(join(dir, 'linked.yaml'), join(tree, 'z-link.yaml'));
  writeFileSync(join(tree, 'bin.yaml'), Buffer.from('apiVersion: v1\nkind: ConfigMap\x00\n'));
  writeFileSync(join(tree, 'latin1.yaml'), Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n', 'latin1'));
  writeFileSync(join(tree, 'bom.yaml'), `\ufeff${sized('cm-bom', 200)}`);
  const report = await runValidate([tree], { ignoreMissingSchemas: true });
  const rows = report.results.map((r) => [r.file.slice(tree.length + 1), r.name, r.status, r.findings.map((f) => `${f.line}:${f.col} ${f.ruleId}`).join(', ')]);
  assert.deepEqual(rows, [
    ['bin.yaml', undefined, 'error', '2:16 yaml/syntax'],
    ['bom.yaml', 'cm-bom', 'invalid', '7:1 schema/unknown-field'],
    ['latin1.yaml', undefined, 'error', '4:12 yaml/syntax'],
    ...[...sizes].sort().map((size) => [`s-${size}.yaml`, `cm-${size}`, 'invalid', '7:1 schema/unknown-field']),
    ['z-link.yaml', 'cm-linked', 'invalid', '7:1 schema/unknown-field'],
  ]);
  assert.deepEqual(report.files.map((f) => f.slice(tree.length + 1)), ['bin.yaml', 'bom.yaml', 'empty.yaml', 'latin1.yaml', ...[...sizes].sort().map((s) => `s-${s}.yaml`), 'z-link.yaml']);
});
