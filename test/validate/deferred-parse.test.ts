// runValidate parses only the files that may hold a CRD before validating; the others are
// parsed in their turn. A CRD anywhere in the inputs (after its custom resources, or with
// its kind spelt with a JSON escape) must still be known to every file. In-process.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
