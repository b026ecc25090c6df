#!/usr/bin/env node
// Generates src/api/managed-fields/list-types.json: how server-side apply (structured-merge-diff)
// sees each list field of the built-in kinds, as kube-openapi's schemaconv reads the OpenAPI
// that openapi-gen writes from the Go types: `+listType` (with `+listMapKey`) wins; without it
// a `patchStrategy` of merge makes the list associative by its `patchMergeKey` (a set without
// one); anything else is atomic. Read from k8s.io/api, apimachinery's meta/v1,
// apiextensions-apiserver and kube-aggregator at one tag (v1.32's OpenAPI). Only associative
// lists are written (a list not listed is atomic), by OpenAPI definition name and JSON field:
//   { "io.k8s.api.core.v1.PodSpec": { "containers": ["name"], ... }, ... }   ([] = a set)
// An embedded struct's (`json:",inline"`) lists are its embedder's, as in the OpenAPI.
// Usage: node scripts/gen-list-types.mjs <api git dir> <apimachinery git dir> <apiextensions-apiserver git dir> <kube-aggregator git dir> [tag]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const [apiGit, machGit, extGit, aggGit, tag = 'v0.32.9'] = process.argv.slice(2);
if (!apiGit || !machGit || !extGit || !aggGit) {
  console.error('usage: gen-list-types.mjs <api git dir> <apimachinery git dir> <apiextensions-apiserver git dir> <kube-aggregator git dir> [tag]');
  process.exit(2);
}
const git = (dir, ...args) => execFileSync('git', ['--git-dir', dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });

/** [git dir, package directory in the repo, OpenAPI definition prefix]. */
const packages = [];
for (const f of git(apiGit, 'ls-tree', '-r', '--name-only', tag).split('\n')) {
  const m = /^(\w+)\/(v\w+)\/types\.go$/.exec(f);
  if (m) packages.push([apiGit, `${m[1]}/${m[2]}`, `io.k8s.api.${m[1]}.${m[2]}`]);
}
packages.push([machGit, 'pkg/apis/meta/v1', 'io.k8s.apimachinery.pkg.apis.meta.v1']);
packages.push([extGit, 'pkg/apis/apiextensions/v1', 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1']);
packages.push([aggGit, 'pkg/apis/apiregistration/v1', 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1']);

const out = {};
for (const [dir, pkg, prefix] of packages) {
  const goFiles = git(dir, 'ls-tree', '--name-only', `${tag}:${pkg}`).split('\n').filter((f) => f.endsWith('.go') && !f.endsWith('_test.go') && !f.startsWith('zz_') && !f.startsWith('generated'));
  /** type -> field -> keys; type -> embedded (inline) types. */
  const lists = {};
  const inline = {};
  for (const f of goFiles) {
    let type;
    let comment = [];
    for (const line of git(dir, 'show', `${tag}:${pkg}/${f}`).split('\n')) {
      const s = /^type (\w+) struct \{/.exec(line);
      if (s) {
        type = s[1];
        lists[type] ??= {};
        comment = [];
        continue;
      }
      if (/^\}/.test(line)) type = undefined;
      if (!type) continue;
      const t = line.trim();
      if (t.startsWith('//')) {
        comment.push(t);
        continue;
      }
      if (!t) continue;
      const embedded = /^(\w+)\s+`json:",inline"/.exec(t);
      if (embedded) (inline[type] ??= []).push(embedded[1]);
      const field = /^\w+\s+\[\]\S+\s+`json:"([^",]*)/.exec(t);
      if (field) {
        const marker = (k) => comment.map((c) => new RegExp(`^//\\s*\\+${k}=(\\S+)`).exec(c)?.[1]).filter(Boolean);
        const listType = marker('listType')[0];
        const strategy = /patchStrategy:"([^"]*)"/.exec(t)?.[1] ?? '';
        const mergeKey = /patchMergeKey:"([^"]*)"/.exec(t)?.[1];
        let keys;
        if (listType === 'map') keys = marker('listMapKey');
        else if (listType === 'set') keys = [];
        else if (listType === undefined && strategy.split(',').includes('merge')) keys = mergeKey ? [mergeKey] : [];
        if (listType && !['map', 'set', 'atomic'].includes(listType)) throw new Error(`${pkg}.${type}.${field[1]}: unknown list type ${listType}`);
        if (keys) lists[type][field[1]] = keys;
      }
      comment = [];
    }
  }
  const fieldsOf = (type, seen = new Set()) => {
    if (seen.has(type)) return {};
    seen.add(type);
    const own = { ...(lists[type] ?? {}) };
    for (const e of inline[type] ?? []) Object.assign(own, fieldsOf(e, seen));
    return own;
  };
  for (const type of Object.keys(lists)) {
    const fields = fieldsOf(type);
    if (Object.keys(fields).length) out[`${prefix}.${type}`] = fields;
  }
}

const sorted = Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = join(root, 'src', 'api', 'managed-fields', 'list-types.json');
// One definition a line, so that a regeneration's diff shows which types changed.
const body = Object.entries(sorted).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',\n');
writeFileSync(file, `{"source":${JSON.stringify(`k8s.io/api ${tag} (+apimachinery, apiextensions-apiserver, kube-aggregator)`)},"lists":{\n${body}}}\n`);
console.log(`gen-list-types: ${Object.keys(sorted).length} definitions with associative lists -> ${file}`);
