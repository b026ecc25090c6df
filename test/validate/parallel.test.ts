// `validate` of a large input on two threads (src/validate/validate-worker.ts): the report
// (stdout, stderr, exit code) is the bytes the single-threaded run writes, and a custom
// resource finds its CRD whichever thread reads which file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Dir, type Run } from './helpers';
import { requireCorpus } from '../corpus';

const dir = new Dir();
after(() => dir.cleanup());

const TRACE = /^validate: (\d+) of (\d+) files on a worker thread, (\d+) validated again\n/;
/** The run on one thread (no worker) and on two (a worker for any number of files). */
const both = (args: string[]): { serial: Run; parallel: Run; trace: RegExpExecArray } => {
  const serial = dir.validate(args, { env: { KUBESIM_VALIDATE_WORKER_MIN_FILES: '0', KUBESIM_VALIDATE_WORKER_TRACE: '1' } });
  assert.doesNotMatch(serial.stderr, TRACE, 'no worker when it is turned off');
  const traced = dir.validate(args, { env: { KUBESIM_VALIDATE_WORKER_MIN_FILES: '1', KUBESIM_VALIDATE_WORKER_TRACE: '1' } });
  const trace = TRACE.exec(traced.stderr);
  assert.ok(trace, `the worker ran: ${traced.stderr.slice(0, 300)}`);
  assert.ok(Number(trace[1]) > 0 && Number(trace[1]) < Number(trace[2]), 'both threads had files');
  const parallel = { ...traced, stderr: traced.stderr.replace(TRACE, '') };
  return { serial, parallel, trace };
};

test('the corpus: the same report from one thread and from two, in every format', () => {
  const corpus = requireCorpus();
  for (const args of [['--ignore-missing-schemas', '-o', 'json'], ['--ignore-missing-schemas', '-o', 'text'], ['--ignore-missing-schemas', '-o', 'sarif'], ['--no-strict', '--verbose'], ['-o', 'json']]) {
    const { serial, parallel } = both([...args, corpus]);
    assert.ok(serial.stdout.length > 10_000, `a report of the corpus (${args.join(' ')})`);
    assert.deepEqual(parallel, serial, `validate ${args.join(' ')} of the corpus`);
  }
});

test('a custom resource before its CRD, in a file the routing does not guess, is validated against it', () => {
  // The CRD in JSON (no `group:` line to guess the group from), its resources in files
  // before it: one valid, one with a wrong type, and a duplicate of a built-in object.
  const json = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
    },
  };
  const cr = (name: string, size: string) => `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: ${name}\nspec:\n  size: ${size}\n`;
  const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: b\n`;
  dir.file('in/a-good.yaml', cr('good', '3'));
  dir.file('in/b-bad.yaml', cr('bad', 'large'));
  for (let i = 0; i < 6; i++) dir.file(`in/c-${i}.yaml`, cm(`cm-${i}`));
  dir.file('in/d-dup.yaml', cm('cm-1'));
  dir.file('in/z-crd.json', JSON.stringify(json, null, 2));
  const { serial, parallel, trace } = both(['-o', 'json', 'in']);
  assert.equal(serial.code, 1, serial.stderr);
  assert.deepEqual(parallel, serial);
  assert.ok(Number(trace[3]) >= 1, 'the custom resources were validated again where the CRD is');
  const results = JSON.parse(serial.stdout).resources as { name: string; status: string }[];
  const status = Object.fromEntries(results.map((r) => [r.name, r.status]));
  assert.equal(status.good, 'valid');
  assert.equal(status.bad, 'invalid');
});
