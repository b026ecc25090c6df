// e2e: `kubesim edit` through the built CLI, with KUBE_EDITOR set to small shell scripts that
// record what they were shown and rewrite the file, the way a user's editor would. Every
// test starts from its own copy of one empty cluster (and an empty TMPDIR for the editor).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, copyPerTest } from './helpers';
import { Hosted } from './hosted';

let sb!: Hosted;
copyPerTest(
  (base) => mkdirSync(join(base.home, 'tmp')), // and the default cluster, created by copyPerTest
  (copy) => (sb = new Hosted(copy)),
  'kubesim-edit-',
);
const tmp = () => join(sb.home, 'tmp');

const HEADER = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`;

/**
 * An editor script: pass N copies the file it was given to views/<name>/viewN, then runs
 * passes[N-1] (shell, the file is "$1"); passes beyond the list leave the file as it is.
 */
function editor(name: string, passes: string[]): string {
  const dir = join(sb.home, 'views', name);
  mkdirSync(dir, { recursive: true });
  const cases = passes.map((p, i) => `  ${i + 1}) ${p} ;;`).join('\n');
  const script = `#!/bin/sh
d='${dir}'
n=$(ls "$d" | wc -l); n=$((n+1))
cp "$1" "$d/view$n"
case $n in
${cases}
esac
`;
  const file = sb.file(`editor-${name}.sh`, script);
  chmodSync(file, 0o755);
  return file;
}

function view(name: string, n: number): string {
  return readFileSync(join(sb.home, 'views', name, `view${n}`), 'utf8');
}

function views(name: string): number {
  return readdirSync(join(sb.home, 'views', name)).length;
}

async function edit(args: string[], editorPath: string) {
  return await sb.run(['edit', ...args], { env: { KUBE_EDITOR: editorPath, TMPDIR: tmp() } });
}

function tmpFiles(): string[] {
  return readdirSync(tmp()).filter((f) => f.startsWith('kubesim-edit-'));
}

/** The first `  replicas: N` line (the spec's; status comes later) becomes M. */
const setReplicas = (from: number | string, to: number | string) => `sed -i '0,/^  replicas: ${from}$/s//  replicas: ${to}/' "$1"`;

const deployment = async (name: string, replicas = 2) => {
  await sb.ok(['create', 'deployment', name, '--image=nginx', `--replicas=${replicas}`]);
};

test('edit of a missing object: NotFound, the editor never runs', async () => {
  const ed = editor('missing', ['true']);
  const r = await edit(['deployment', 'nope'], ed);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Error from server (NotFound): deployments.apps "nope" not found\n');
  assert.equal(views('missing'), 0);
});

test('saving the file unchanged cancels the edit (exit 0) and removes the temp file', async () => {
  await deployment('same');
  const before = await sb.ok(['get', 'deploy', 'same', '-o', 'yaml']);
  const ed = editor('same', []);
  const r = await edit(['deploy', 'same'], ed);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'Edit cancelled, no changes made.\n');
  // The editor saw kubectl's header, then the object as `get -o yaml` prints it.
  assert.equal(view('same', 1), HEADER + before);
  assert.deepEqual(tmpFiles(), []);
});

test('the buffer hides managedFields (even with --show-managed-fields, as kubectl 1.32.4 does) and an edit keeps them', async () => {
  await deployment('owned');
  const managers = () => sb.ok(['get', 'deploy', 'owned', '--show-managed-fields', '-o', 'jsonpath={.metadata.managedFields[*].manager}']);
  assert.equal(await managers(), 'kubectl-create');
  const ed = editor('owned', [setReplicas(2, 3)]);
  const r = await edit(['deploy', 'owned', '--show-managed-fields'], ed);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'deployment.apps/owned edited\n');
  assert.doesNotMatch(view('owned', 1), /managedFields/);
  assert.equal(await managers(), 'kubectl-create kubectl-edit');
});

test('an edit is saved as a patch and reported as edited; --output-patch prints the patch', async () => {
  await deployment('web');
  const ed = editor('web', [setReplicas(2, 3)]);
  const r = await edit(['deploy/web', '--output-patch'], ed);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'Patch: {"spec":{"replicas":3}}\ndeployment.apps/web edited\n');
  assert.equal(await sb.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']), '3');
  assert.deepEqual(tmpFiles(), []);
});

test('an empty saved file cancels the edit when not validated (validated, it is not valid: test/server/fidelity-8)', async () => {
  await deployment('empty');
  const ed = editor('empty', [': > "$1"']);
  const r = await edit(['deploy', 'empty', '--validate=false'], ed);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, 'Edit cancelled, saved file was empty.\n');
});

test('an invalid edit re-opens the file with the reasons as comments; the fix is then saved', async () => {
  await deployment('inv');
  const ed = editor('inv', [setReplicas(2, -1), setReplicas(-1, 4)]);
  const r = await edit(['deploy', 'inv'], ed);
  assert.equal(r.stderr, 'error: deployments.apps "inv" is invalid\n');
  assert.equal(r.stdout, 'deployment.apps/inv edited\n');
  assert.equal(r.code, 0);
  assert.equal(views('inv'), 2);
  const second = view('inv', 2);
  assert.ok(
    second.startsWith(HEADER + '# deployments.apps "inv" was not valid:\n# * spec.replicas: Invalid value: -1: must be greater than or equal to 0\n#\napiVersion: apps/v1\n'),
    second,
  );
  // The re-opened file carries the user's edit, not the original object.
  assert.match(second, /^ {2}replicas: -1$/m);
  assert.equal(await sb.ok(['get', 'deploy', 'inv', '-o', 'jsonpath={.spec.replicas}']), '4');
});

test('an invalid edit saved again unchanged stops with a preserved copy (exit 1)', async () => {
  await deployment('inv2');
  const ed = editor('inv2', [setReplicas(2, -1)]);
  const r = await edit(['deploy', 'inv2'], ed);
  assert.equal(r.code, 1);
  const m = /^error: deployments\.apps "inv2" is invalid\nA copy of your changes has been stored to "([^"]+)"\nerror: Edit cancelled, no valid changes were saved\.\n$/.exec(r.stderr);
  assert.ok(m, r.stderr);
  assert.match(m[1], /\/kubesim-edit-\d+\.yaml$/);
  assert.ok(existsSync(m[1]));
  assert.match(readFileSync(m[1], 'utf8'), /^ {2}replicas: -1$/m);
  assert.equal(await sb.ok(['get', 'deploy', 'inv2', '-o', 'jsonpath={.spec.replicas}']), '2');
});

test('a YAML syntax error re-opens the file with the validator\'s refusal (kubectl\'s ValidateBytes, before the decoder)', async () => {
  await deployment('syn');
  const ed = editor('syn', [`sed -i 's/^spec:$/spec: : x/' "$1"`, `sed -i 's/^spec: : x$/spec:/' "$1"; ${setReplicas(2, 5)}`]);
  const r = await edit(['deploy', 'syn'], ed);
  assert.equal(r.stderr, 'error: deployments.apps "syn" is invalid\n');
  assert.equal(r.stdout, 'deployment.apps/syn edited\n');
  assert.equal(r.code, 0);
  const second = view('syn', 2);
  assert.match(second, /^# deployments\.apps "syn" was not valid:\n# \* <nil>: Invalid value: "The edited file failed validation": yaml: line \d+: .+\n#\napiVersion: apps\/v1\n/m);
  assert.ok(second.startsWith(HEADER), second);
  assert.equal(await sb.ok(['get', 'deploy', 'syn', '-o', 'jsonpath={.spec.replicas}']), '5');
});

test('a change made by someone else during the edit is kept: the edit is a patch on the latest object', async () => {
  await deployment('conc');
  const label = `'${process.execPath}' '${BIN}' label deployment conc team=blue >/dev/null`;
  const ed = editor('conc', [`${label}; ${setReplicas(2, 6)}`]);
  const r = await edit(['deploy', 'conc'], ed);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'deployment.apps/conc edited\n');
  assert.equal(r.code, 0);
  assert.equal(await sb.ok(['get', 'deploy', 'conc', '-o', 'jsonpath={.spec.replicas} {.metadata.labels.team}']), '6 blue');
});

test('an edited stale resourceVersion is a precondition: Conflict, with the replace hint (exit 1)', async () => {
  await deployment('stale');
  const label = `'${process.execPath}' '${BIN}' label deployment stale team=red >/dev/null`;
  const ed = editor('stale', [`${label}; ${setReplicas(2, 3)}; sed -i 's/^  resourceVersion: .*/  resourceVersion: "1"/' "$1"`]);
  const r = await edit(['deploy', 'stale'], ed);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  const m = /^error: deployments\.apps "stale" could not be patched: Operation cannot be fulfilled on deployments\.apps "stale": the object has been modified; please apply your changes to the latest version and try again\nYou can run `kubesim replace -f ([^`]+)` to try this update again\.\n$/.exec(r.stderr);
  assert.ok(m, r.stderr);
  assert.ok(existsSync(m[1]));
  assert.equal(await sb.ok(['get', 'deploy', 'stale', '-o', 'jsonpath={.spec.replicas}']), '2');
});

test('an unknown field is rejected by the server (strict field validation), not re-opened', async () => {
  await deployment('unk');
  const ed = editor('unk', [`sed -i 's/^spec:$/spec:\\n  replicaz: 3/' "$1"`]);
  const r = await edit(['deploy', 'unk'], ed);
  assert.equal(r.code, 1);
  assert.equal(views('unk'), 1);
  assert.match(r.stderr, /^error: deployments\.apps "unk" could not be patched: strict decoding error: unknown field "spec\.replicaz"\nYou can run `kubesim replace -f \S+` to try this update again\.\n$/);
});

test('changing the kind is refused, keeping a copy of the file', async () => {
  await sb.ok(['create', 'configmap', 'kindcm', '--from-literal=a=1']);
  const ed = editor('kind', [`sed -i 's/^kind: ConfigMap$/kind: Secret/' "$1"`]);
  const r = await edit(['cm', 'kindcm'], ed);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^A copy of your changes has been stored to "[^"]+"\nerror: At least one of apiVersion, kind and name was changed\n$/);
});

test('-o json edits JSON without the comment header and prints the result as JSON', async () => {
  await sb.ok(['create', 'configmap', 'jcm', '--from-literal=a=1']);
  const ed = editor('json', [`sed -i 's/"a": "1"/"a": "2"/' "$1"`]);
  const r = await edit(['cm/jcm', '-o', 'json'], ed);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(view('json', 1).startsWith('{\n    "apiVersion": "v1",\n'), view('json', 1));
  assert.equal(JSON.parse(r.stdout).data.a, '2');
});

test('several objects are edited as one List; unchanged ones are skipped', async () => {
  await sb.ok(['create', 'configmap', 'm1', '--from-literal=k=one']);
  await sb.ok(['create', 'configmap', 'm2', '--from-literal=k=two']);
  const ed = editor('multi', [`sed -i 's/k: two/k: deux/' "$1"`]);
  const r = await edit(['configmap', 'm1', 'm2'], ed);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'configmap/m1 skipped\nconfigmap/m2 edited\n');
  const shown = view('multi', 1);
  assert.ok(shown.startsWith(HEADER + 'apiVersion: v1\nitems:\n- apiVersion: v1\n'), shown);
  assert.match(shown, /^kind: List\nmetadata: {}\n$/m);
  assert.equal(await sb.ok(['get', 'cm', 'm2', '-o', 'jsonpath={.data.k}']), 'deux');
});

test('--save-config stores the edited object as the last-applied configuration', async () => {
  await sb.ok(['create', 'configmap', 'saved', '--from-literal=a=1']);
  const ed = editor('save', [`sed -i 's/a: "1"/a: "2"/' "$1"`]);
  const r = await edit(['cm', 'saved', '--save-config'], ed);
  assert.equal(r.stdout, 'configmap/saved edited\n');
  const annotation = await sb.ok(['get', 'cm', 'saved', '-o', `jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}`]);
  const applied = JSON.parse(annotation);
  assert.equal(applied.data.a, '2');
  assert.equal(applied.kind, 'ConfigMap');
  assert.equal(applied.metadata.name, 'saved');
});

test('an editor that fails stops the edit with kubectl\'s message', async () => {
  await deployment('fail');
  const r = await edit(['deploy', 'fail'], 'false');
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: there was a problem with the editor "false"\n');
  const r2 = await edit(['deploy', 'fail'], join(sb.home, 'no-such-editor'));
  assert.equal(r2.code, 1);
  assert.equal(r2.stderr, `error: unable to launch the editor "${join(sb.home, 'no-such-editor')}"\n`);
});

test('$EDITOR is used when $KUBE_EDITOR is unset', async () => {
  await deployment('envx');
  const ed = editor('envx', [setReplicas(2, 1)]);
  const r = await sb.run(['edit', 'deploy', 'envx'], { env: { KUBE_EDITOR: '', EDITOR: ed, TMPDIR: tmp() } });
  assert.equal(r.stdout, 'deployment.apps/envx edited\n');
  assert.equal(views('envx'), 1);
});

test('a type without names edits every object of that type; none at all cancels the edit', async () => {
  await deployment('web');
  await deployment('conc');
  const ed = editor('none', []);
  const r = await edit(['cronjobs'], ed);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: edit cancelled, no objects found\n');
  assert.equal(views('none'), 0);
  const ed2 = editor('alldeps', []);
  const r2 = await edit(['deployments'], ed2);
  assert.equal(r2.stderr, 'Edit cancelled, no changes made.\n');
  const shown = view('alldeps', 1);
  assert.match(shown, /^kind: List$/m);
  assert.match(shown, /^ {4}name: web$/m);
  assert.match(shown, /^ {4}name: conc$/m);
});
