// The built-in kinds' validators are ajv standalone code split into chunks loaded per kind
// (scripts/split-validators.mjs): a kind loads its own chunk and the shared ones it uses,
// and the split code validates exactly as the unsplit module does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, basename, dirname } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { loadSchemas, generatedDir } from '../../src/api/validation/schema-store';

const loadedChunks = () => Object.keys(require.cache).filter((f) => basename(dirname(f)) === 'validators' && dirname(dirname(f)) === generatedDir()).map((f) => basename(f, '.cjs')).sort();

test('validating a ConfigMap loads the common chunk and its own, not the pod kinds\' code', async () => {
  const bundle = await loadSchemas();
  assert.deepEqual(loadedChunks(), [], 'nothing loaded before a kind is validated');
  const cm = bundle.validatorFor('v1/ConfigMap')!;
  assert.equal(cm({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } }), true);
  assert.equal(cm({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 1 } }), false);
  assert.deepEqual(cm.errors?.map((e) => [e.instancePath, e.message]), [['/data/k', 'must be string']]);
  assert.deepEqual(loadedChunks(), ['common', 'v_v1_ConfigMap']);
  const deploy = bundle.validatorFor('apps/v1/Deployment')!;
  assert.equal(deploy({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'c', imagePullPolicy: 3 }] } } } }), false);
  assert.deepEqual(deploy.errors?.map((e) => e.instancePath), ['/spec/template/spec/containers/0/imagePullPolicy']);
  assert.deepEqual(loadedChunks(), ['common', 'pod', 'v_apps_v1_Deployment', 'v_v1_ConfigMap']);
  assert.equal(bundle.validatorFor('v1/ConfigMap'), cm, 'a validator is made once');
  assert.equal(bundle.validatorFor('v1/NoSuchKind'), undefined);
});

test('split chunks validate as the unsplit module: shared, recursive and pod-only definitions', async () => {
  const { splitValidators } = await import('../../scripts/split-validators.mjs' as string);
  const definitions = {
    Meta: { type: 'object', properties: { name: { type: 'string', pattern: '^[a-z/]+$' }, labels: { type: 'object', additionalProperties: { type: 'string' } } }, additionalProperties: false },
    Props: { type: 'object', properties: { items: { $ref: '#/definitions/Props' }, all: { type: 'array', items: { $ref: '#/definitions/Props' } } }, additionalProperties: false },
    PodSpec: { type: 'object', properties: { image: { type: 'string', enum: ['a', 'b'] }, meta: { $ref: '#/definitions/Meta' } }, required: ['image'] },
    Pod: { type: 'object', properties: { metadata: { $ref: '#/definitions/Meta' }, spec: { $ref: '#/definitions/PodSpec' } } },
    Job: { type: 'object', properties: { metadata: { $ref: '#/definitions/Meta' }, template: { $ref: '#/definitions/PodSpec' } } },
    CRD: { type: 'object', properties: { metadata: { $ref: '#/definitions/Meta' }, schema: { $ref: '#/definitions/Props' } } },
  };
  const ajv = new Ajv({ allErrors: true, inlineRefs: false, strict: false, code: { source: true, esm: false, optimize: true } });
  ajv.addSchema({ $id: 'k8s', definitions });
  const mapping = { v_v1_Pod: 'k8s#/definitions/Pod', v_batch_v1_Job: 'k8s#/definitions/Job', v_crd: 'k8s#/definitions/CRD' };
  const code = standaloneCode(ajv, mapping);
  const { chunks, roots } = splitValidators(code);
  assert.deepEqual(Object.keys(chunks).sort(), ['common', 'pod', 'v_batch_v1_Job', 'v_crd', 'v_v1_Pod']);
  assert.deepEqual(roots.v_v1_Pod.chunks, ['common', 'pod', 'v_v1_Pod']);
  assert.deepEqual(roots.v_crd.chunks, ['common', 'v_crd']);
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-chunks-'));
  try {
    writeFileSync(join(dir, 'whole.cjs'), code);
    const whole = require(join(dir, 'whole.cjs'));
    const scope: Record<string, any> = {};
    for (const [name, src] of Object.entries(chunks as Record<string, string>)) writeFileSync(join(dir, `${name}.cjs`), src);
    // common first, then pod, then the kinds' own chunks: the order the index gives.
    for (const c of ['common', 'pod', 'v_batch_v1_Job', 'v_crd', 'v_v1_Pod']) require(join(dir, `${c}.cjs`))(scope);
    const samples = [
      {}, { metadata: { name: 'ok/x', labels: { a: 'b' } } }, { metadata: { name: 'BAD', labels: { a: 1 }, x: 1 } },
      { spec: { image: 'c', meta: { name: 1 } } }, { template: {} }, { schema: { items: { all: [{ items: { bad: 1 } }, 3] } } }, 7, null,
    ];
    let compared = 0;
    for (const [root, { fn }] of Object.entries(roots as Record<string, { fn: string }>)) {
      for (const s of samples) {
        const a = whole[root];
        const b = scope[fn];
        assert.equal(b(s), a(s), `${root} on ${JSON.stringify(s)}`);
        assert.deepEqual(b.errors, a.errors, `${root} on ${JSON.stringify(s)}`);
        compared++;
      }
    }
    assert.equal(compared, 3 * samples.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
