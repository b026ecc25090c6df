// `get -f` (and the other verbs' -f) against the real kubectl 1.32 on a served cluster, byte for byte (stdout, stderr,
// exit code): each document is read in its own namespace (kubectl's Builder: SetNamespace,
// then Info.Get, which names a missing namespace, then RequireNamespace against -n), and a
// document without a name is never fetched, so it prints kubectl's default NAME/AGE table.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';

const c = new ServedCluster('gfn');
const FILES: Record<string, string> = {
  // A namespace that does not exist.
  nons: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: nons}\n',
  // b exists in `there` only (not in the context's namespace).
  there: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: there}\n',
  thereMissing: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: there}\n',
  plain: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
  // Without a name.
  noname: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: there}\ndata: {x: y}\n',
  nonameNoMeta: 'apiVersion: v1\nkind: ConfigMap\ndata: {x: y}\n',
  nonameNons: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: nons}\n',
  nonameNs: 'apiVersion: v1\nkind: Namespace\nmetadata: {}\n',
  nonameNsNoMeta: 'apiVersion: v1\nkind: Namespace\n',
  nonameDeploy: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {labels: {a: b}}\nspec: {replicas: 2}\n',
};
const path: Record<string, string> = {};

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'] });
  await c.hostedOk(['create', 'namespace', 'other']);
  await c.hostedOk(['create', 'namespace', 'there']);
  await c.hostedOk(['create', 'configmap', 'b', '-n', 'there', '--from-literal=k=v']);
  for (const [name, text] of Object.entries(FILES)) path[name] = c.file(`${name}.yaml`, text);
});
after(() => c.stop());

/** `@name` stands for that file's path. kubesim (in the cluster's CLI host) runs first, then kubectl. */
async function same(cases: string[][], verb = ['get']): Promise<void> {
  for (const args of cases) {
    const full = [...verb, ...args.map((a) => (a.startsWith('@') ? path[a.slice(1)] : a))];
    const s = await c.hosted(full);
    assert.deepEqual(s, await c.kubectlAsync(full), args.join(' '));
  }
}

test('get -f reads each object in its file\'s namespace, naming a missing namespace, refusing another -n', async () => {
  await same([
    ['-f', '@nons'],
    ['-f', '@nons', '-n', 'other'],
    ['-f', '@nons', '-o', 'yaml'],
    ['-f', '@nons', '--ignore-not-found'],
    ['-f', '@there', '-o', 'name'],
    ['-f', '@there', '-n', 'there', '-o', 'name'],
    ['-f', '@there', '-n', 'other'],
    ['-f', '@there', '-n', 'default', '-o', 'name'],
    ['-f', '@thereMissing', '-n', 'other'],
    ['-f', '@nons', '-f', '@there', '-o', 'name'],
    ['-f', '@there', '-A', '-o', 'custom-columns=NS:.metadata.namespace,NAME:.metadata.name'],
    // -A leaves a document without a namespace unset: kubectl refuses to read it.
    ['-f', '@plain', '-A'],
    ['-f', '@there', '-f', '@plain', '-A', '-o', 'name'],
    ['-f', '@plain', '-A', '-o', 'name'],
    ['-f', '@plain', '-f', '@nons', '-A', '-o', 'name'],
  ]);
});

test('get -f shows a document without a name as kubectl does: never fetched, the default NAME/AGE table', async () => {
  await same([
    ['-f', '@noname'],
    ['-f', '@nonameNoMeta'],
    ['-f', '@nonameNons'],
    ['-f', '@nonameNs'],
    ['-f', '@nonameNsNoMeta'],
    ['-f', '@nonameNsNoMeta', '-o', 'yaml'],
    ['-f', '@nonameNs', '-o', 'json'],
    ['-f', '@nonameDeploy'],
    ['-f', '@noname', '-f', '@nonameDeploy'],
    ['-f', '@noname', '-f', '@nonameNoMeta'],
    ['-f', '@noname', '-o', 'wide'],
    ['-f', '@noname', '--show-labels'],
    ['-f', '@noname', '--no-headers'],
    ['-f', '@noname', '-A'],
    ['-f', '@nonameNoMeta', '-A'],
    ['-f', '@nonameNoMeta', '-A', '-o', 'yaml'],
    ['-f', '@noname', '-L', 'a'],
    ['-f', '@noname', '--show-kind'],
    ['-f', '@noname', '-n', 'other'],
  ]);
});

test('the other -f verbs: label and annotate read before checking -n, describe and patch never name the namespace, none reads a document without a name', async () => {
  // Each refused, so kubectl changes nothing kubesim then reads.
  const cases = [
    ['describe', '-f', '@nons'],
    ['describe', '-f', '@thereMissing', '-n', 'other'],
    ['patch', '-f', '@nons', '-p', '{}'],
    ['patch', '-f', '@thereMissing', '-n', 'other', '-p', '{}'],
    ['label', '-f', '@nons', 'x=y'],
    ['label', '-f', '@nons', '-n', 'other', 'x=y'],
    ['label', '-f', '@thereMissing', '-n', 'other', 'x=y'],
    ['annotate', '-f', '@thereMissing', '-n', 'other', 'x=y'],
    ['annotate', '-f', '@there', '-n', 'other', 'x=y'],
    // A document without a name: refused, the others still done.
    ['describe', '-f', '@noname'],
    ['describe', '-f', '@there', '-f', '@noname'],
    ['label', '-f', '@noname', 'x=y'],
    ['patch', '-f', '@noname', '-p', '{}'],
  ];
  for (const [verb, ...args] of cases) await same([args], [verb]);
});

test('get -f of named and nameless documents together, --sort-by, several errors; scale -f and wait -f --for=delete where file and cluster disagree', async () => {
  const doc = (kind: string, meta: string, apiVersion = 'v1') => `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: ${meta}\n`;
  const files: Record<string, string> = {
    // kubectl prints both in one tabwriter: the Table's header, then the default handler's own.
    mix: [doc('ConfigMap', '{name: k}'), doc('ConfigMap', '{labels: {a: b}}') + 'data: {x: y}\n'].join('---\n'),
    // Read errors in file order after the rows; a nameless document first prints its header first.
    mix2: [doc('ConfigMap', '{labels: {a: b}}'), doc('ConfigMap', '{name: k}'), doc('Deployment', '{name: nodep}', 'apps/v1'), doc('ConfigMap', '{name: missing}')].join('---\n'),
    two: [doc('ConfigMap', '{name: k}'), doc('ConfigMap', '{name: kube-root-ca.crt}')].join('---\n'),
    // -n other: the mismatches first (bare), then the read errors as one aggregate (`[a, b]`).
    errs: [doc('ConfigMap', '{name: b, namespace: there}'), doc('ConfigMap', '{name: c3, namespace: there}'), doc('ConfigMap', '{name: missing}'), doc('Secret', '{name: b, namespace: there}')].join('---\n'),
    deps: [doc('Deployment', '{name: web, namespace: there}', 'apps/v1'), doc('Deployment', '{name: gone}', 'apps/v1'), doc('Deployment', '{name: web2}', 'apps/v1')].join('---\n'),
    depsMixed: [doc('Deployment', '{name: gone}', 'apps/v1'), doc('Deployment', '{labels: {a: b}}', 'apps/v1'), doc('Deployment', '{name: web, namespace: there}', 'apps/v1'), doc('Deployment', '{name: gone2, namespace: there}', 'apps/v1')].join('---\n'),
    depNons: doc('Deployment', '{name: gone, namespace: nons}', 'apps/v1'),
  };
  for (const [name, text] of Object.entries(files)) path[name] = c.file(`${name}.yaml`, text);
  await c.hostedOk(['create', 'configmap', 'k', '--from-literal=k=v']);
  await c.hostedOk(['create', 'configmap', 'c3', '-n', 'there']);
  await c.hostedOk(['create', 'deployment', 'web', '-n', 'there', '--image=nginx']);
  await c.hostedOk(['create', 'deployment', 'web2', '--image=nginx']);
  // kubectl counts a named object's age by the wall clock, kubesim by the cluster's: the AGE
  // cell (the last, so it moves no other column) is masked on both sides.
  const aged = (r: { code: number; stdout: string; stderr: string }) => ({ ...r, stdout: r.stdout.replace(/ \d+[smhd]\w*$/gm, ' AGE') });
  for (const args of [['-f', '@mix'], ['-f', '@mix2'], ['-f', '@mix', '--show-kind'], ['-f', '@mix', '--sort-by=.kind'], ['-f', '@errs', '-l', 'a!=b'], ['-f', '@mix2', '--ignore-not-found']]) {
    const full = ['get', ...args.map((a) => (a.startsWith('@') ? path[a.slice(1)] : a))];
    const s = await c.hosted(full);
    assert.deepEqual(aged(s), aged(await c.kubectlAsync(full)), args.join(' '));
  }
  await same([
    ['-f', '@mix2', '-o', 'name'],
    ['-f', '@mix', '-f', '@mix2', '-o', 'name'],
    // Sorting sees each named object's Table (no .metadata.name) and the nameless documents.
    ['-f', '@mix', '--sort-by=.metadata.name'],
    ['-f', '@two', '--sort-by=.metadata.name'],
    ['-f', '@two', '--sort-by=.metadata.name', '-o', 'name'],
    ['-f', '@errs', '-n', 'other'],
    ['-f', '@errs', '-n', 'other', '-o', 'name'],
    ['-f', '@errs', '-f', '@mix2', '-n', 'other'],
    ['-f', '@errs', '-f', '@mix2', '-n', 'other', '-o', 'name'],
  ]);
  // scale reads nothing first: the first failing object stops it, the -n mismatches come last.
  for (const args of [['-f', '@deps'], ['-f', '@deps', '-n', 'other'], ['-f', '@depNons'], ['-f', '@depsMixed', '-n', 'default'], ['-f', '@deps', '--dry-run=client', '-o', 'name']]) await same([args], ['scale', '--replicas=2']);
  // wait reads each object first (gone is done), then checks -n; a nameless one cannot be waited for.
  for (const args of [['-f', '@depNons', '-n', 'other'], ['-f', '@depsMixed', '-n', 'other'], ['-f', '@depsMixed', '-n', 'default']]) await same([args], ['wait', '--for=delete', '--timeout=5s']);
});
