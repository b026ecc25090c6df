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
  c.ok(['create', 'namespace', 'other']);
  c.ok(['create', 'namespace', 'there']);
  c.ok(['create', 'configmap', 'b', '-n', 'there', '--from-literal=k=v']);
  for (const [name, text] of Object.entries(FILES)) path[name] = c.file(`${name}.yaml`, text);
});
after(() => c.stop());

/** `@name` stands for that file's path. */
function same(cases: string[][], verb = ['get']): void {
  for (const args of cases) {
    const full = [...verb, ...args.map((a) => (a.startsWith('@') ? path[a.slice(1)] : a))];
    assert.deepEqual(c.kubesim(full), c.kubectl(full), args.join(' '));
  }
}

test('get -f reads each object in its file\'s namespace, naming a missing namespace, refusing another -n', () => {
  same([
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

test('get -f shows a document without a name as kubectl does: never fetched, the default NAME/AGE table', () => {
  same([
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

test('the other -f verbs: label and annotate read before checking -n, describe and patch never name the namespace, none reads a document without a name', () => {
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
  for (const [verb, ...args] of cases) same([args], [verb]);
});
