// Every manifest of the shared corpus that is valid Kubernetes v1.32 applies through the
// real CLI; the ones listed as expected failures are rejected with their message.
//
// Many corpus files define the same object (a Pod "nginx", a Deployment "frontend") in
// incompatible ways, which a single cluster rightly refuses (immutable fields), so files
// are grouped so that no object is defined twice in a group, and each group gets a fresh
// cluster — with its namespaces created and the corpus CRDs installed first, as a person
// would (kube-prometheus' CRDs need --server-side: too large for the last-applied
// annotation, as its README says).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync, readFileSync, mkdirSync, copyFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Sandbox, ROOT } from './helpers';
import { CORPUS, requireCorpus } from '../corpus';

const expected: Record<string, string> = existsSync(join(ROOT, 'test', 'fixtures', 'corpus-expected-failures.json'))
  ? JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'corpus-expected-failures.json'), 'utf8'))
  : {};

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.ya?ml$/.test(e)) out.push(p);
  }
  return out;
}

/** Each file's objects, parsed once: grouping, the node-port sort's comparisons and each group's checks ask again and again. */
const parsed = new Map<string, any[]>();

function objectsOf(file: string): any[] {
  let out = parsed.get(file);
  if (!out) parsed.set(file, (out = parseObjects(file)));
  return out;
}

function parseObjects(file: string): any[] {
  const out: any[] = [];
  for (const d of parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: false })) {
    const o = (d as any).toJS?.();
    if (!o || typeof o !== 'object') continue;
    for (const item of Array.isArray(o.items) && /List$/.test(o.kind ?? '') ? o.items : [o]) out.push(item);
  }
  return out;
}

/** An expected failure's message as the API server words it (undefined: kubectl accepts the file). */
function serverWording(message: string): string | undefined {
  if (/already set in map/.test(message)) return undefined;
  const m = /^ValidationError\((\w+)\.([^)]+)\): (.*)$/.exec(message);
  if (!m) return message;
  const [, , path, what] = m;
  const unknown = /^unknown field "([^"]+)"/.exec(what);
  // one of the strict decoding error's list, which is in the order kubectl's sorted body has them
  if (unknown) return `unknown field "${path}.${unknown[1]}"`;
  const required = /^missing required field "([^"]+)"/.exec(what);
  if (required) return `${path}.${required[1]}: Required value`;
  const typed = /^invalid type for [\w.]+\.(\w+)\.\w+: got "(\w+)"/.exec(what);
  if (typed) return `json: cannot unmarshal ${typed[2]} into Go struct field ${typed[1]}.${path.replace(/\[\d+\]/g, '')}`;
  return message;
}

const sandboxes: Sandbox[] = [];
after(() => sandboxes.forEach((s) => s.cleanup()));

test('the valid corpus applies; the invalid part is rejected with its message', () => {
  requireCorpus();
  const files = walk(CORPUS);
  const valid = files.filter((f) => !(relative(CORPUS, f) in expected));
  assert.ok(valid.length > 700, `found ${valid.length} valid files`);

  const crdFiles = valid.filter((f) => objectsOf(f).some((o) => o.kind === 'CustomResourceDefinition'));
  const others = valid.filter((f) => !crdFiles.includes(f));
  const identity = (o: any) => `${o.apiVersion?.split('/')[0]}/${o.kind}/${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? o.metadata?.generateName}`;
  // A ResourceQuota or a LimitRange constrains everything else in its namespace (a real
  // cluster would refuse the other files' pods too: LimitRanger's max and min, the quota's
  // counts), so a file that defines one gets a cluster of its own.
  const groups: Array<{ files: string[]; ids: Set<string>; solo?: boolean }> = [];
  for (const f of others) {
    const objs = objectsOf(f);
    const ids = objs.map(identity);
    const solo = objs.some((o) => o.kind === 'ResourceQuota' || o.kind === 'LimitRange');
    let g = solo ? undefined : groups.find((x) => !x.solo && ids.every((id) => !x.ids.has(id)));
    if (!g) groups.push((g = { files: [], ids: new Set(), solo }));
    g.files.push(f);
    ids.forEach((id) => g!.ids.add(id));
  }

  // Files that name their node ports go first, as an operator reserving well-known ports
  // would: a port allocated at random to an earlier Service (from the dynamic band, 30086 and
  // up) could otherwise take the one a later file names, and a real cluster refuses that too.
  const namesNodePort = (f: string) => objectsOf(f).some((o) => o.kind === 'Service' && (o.spec?.ports ?? []).some((p: any) => p?.nodePort));
  for (const g of groups) g.files.sort((a, b) => Number(namesNodePort(b)) - Number(namesNodePort(a)));

  let appliedObjects = 0;
  for (const [gi, g] of groups.entries()) {
    const sb = new Sandbox();
    sandboxes.push(sb);
    const namespaces = new Set<string>();
    for (const f of g.files) for (const o of objectsOf(f)) if (typeof o.metadata?.namespace === 'string') namespaces.add(o.metadata.namespace);
    const builtin = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);
    const nsDocs = [...namespaces].filter((n) => !builtin.has(n)).map((n) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${n}\n`);
    if (nsDocs.length) sb.ok(['apply', '-f', sb.file('namespaces.yaml', nsDocs.join('---\n'))]);
    // The ServiceAccounts pods name that no file of the group defines (a docs example assumes
    // `kubectl create serviceaccount build-robot` first): ServiceAccount admission refuses a
    // pod whose account does not exist, so they are created first, as a person would.
    const accounts = new Set<string>();
    const defined = new Set<string>();
    for (const f of g.files) {
      for (const o of objectsOf(f)) {
        const ns = o.metadata?.namespace ?? 'default';
        if (o.kind === 'ServiceAccount') defined.add(`${ns}/${o.metadata?.name}`);
        for (const spec of [o.kind === 'Pod' ? o.spec : undefined, o.spec?.template?.spec, o.spec?.jobTemplate?.spec?.template?.spec]) {
          const sa = spec?.serviceAccountName || spec?.serviceAccount;
          if (typeof sa === 'string' && sa !== 'default') accounts.add(`${ns}/${sa}`);
        }
      }
    }
    const saDocs = [...accounts].filter((a) => !defined.has(a)).map((a) => `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${a.split('/')[1]}\n  namespace: ${a.split('/')[0]}\n`);
    if (saDocs.length) sb.ok(['apply', '-f', sb.file('serviceaccounts.yaml', saDocs.join('---\n'))]);
    const usesCustomKinds = g.files.some((f) => objectsOf(f).some((o) => typeof o.apiVersion === 'string' && !/^(v1|[a-z.]*k8s\.io\/|apps\/|batch\/|policy\/|autoscaling\/)/.test(o.apiVersion)));
    if (usesCustomKinds || gi === 0) {
      const crdDir = join(sb.home, 'crds');
      mkdirSync(crdDir);
      crdFiles.forEach((f, i) => copyFileSync(f, join(crdDir, `${i}.yaml`)));
      const crds = sb.run(['apply', '--server-side', '-f', crdDir]);
      assert.equal(crds.stderr, '', 'every corpus CRD applies');
    }

    const dir = join(sb.home, 'corpus');
    mkdirSync(dir);
    const generateName: string[] = [];
    g.files.forEach((f, i) => {
      // generateName objects cannot be applied (kubectl says so); they are created.
      if (objectsOf(f).some((o) => o.metadata?.generateName && !o.metadata?.name)) generateName.push(f);
      else copyFileSync(f, join(dir, `${String(i).padStart(4, '0')}-${f.split('/').pop()}`));
    });
    const r = sb.run(['apply', '-f', dir]);
    assert.equal(r.stderr, '', `group ${gi}: no valid corpus document was rejected`);
    assert.equal(r.code, 0);
    appliedObjects += r.stdout.split('\n').filter((l) => / (created|configured|unchanged)$/.test(l)).length;
    for (const f of generateName) appliedObjects += sb.ok(['create', '-f', f]).split('\n').filter((l) => / created$/.test(l)).length;
  }
  assert.ok(appliedObjects > 900, `${appliedObjects} objects applied`);

  // The expected failures fail with their message (one apply over all of them).
  const sb = new Sandbox();
  sandboxes.push(sb);
  const badDir = join(sb.home, 'bad');
  mkdirSync(badDir);
  // kubectl 1.32 checks these kinds on the server (fieldValidation=Strict), not client-side
  // as `kubesim validate` does: its words; a duplicate key is no error at all (the last wins).
  const present = Object.entries(expected)
    .filter(([rel]) => existsSync(join(CORPUS, rel)))
    .map(([rel, message]) => [rel, serverWording(message)] as const)
    .filter((e): e is readonly [string, string] => e[1] !== undefined);
  present.forEach(([rel], i) => copyFileSync(join(CORPUS, rel), join(badDir, `${String(i).padStart(3, '0')}.yaml`)));
  const out = sb.run(['apply', '-f', badDir]);
  assert.equal(out.code, 1);
  for (const [rel, message] of present) {
    assert.ok(out.stderr.includes(message), `${rel}: expected ${JSON.stringify(message)} in the errors`);
  }
});
