#!/usr/bin/env node
// Generates src/printers/columns/column-docs.json: the field docs kube-apiserver's printers
// give their Table columns (`apiv1.PodStatus{}.SwaggerDoc()["podIP"]`), taken from the
// types_swagger_doc_generated.go files of k8s.io/api and k8s.io/apimachinery at one tag, for
// every doc('core/v1', 'PodStatus', 'podIP') call in src/printers/columns.
// Usage: node scripts/gen-column-docs.mjs <k8s.io/api git dir> <k8s.io/apimachinery git dir> [tag]
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const [apiGit, machGit, tag = 'v0.32.9'] = process.argv.slice(2);
if (!apiGit || !machGit) {
  console.error('usage: gen-column-docs.mjs <api git dir> <apimachinery git dir> [tag]');
  process.exit(2);
}
const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'printers', 'columns');
const refs = new Set();
for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
  for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/\bdoc\('([\w/.]+)', '(\w+)', '(\w*)'\)/g)) refs.add(`${m[1]}.${m[2]}.${m[3]}`);
}

const files = new Map();
/** The package's SwaggerDoc maps: type -> field -> text. */
function swaggerDocs(pkg) {
  if (files.has(pkg)) return files.get(pkg);
  const [git, path] = pkg === 'meta/v1' ? [machGit, 'pkg/apis/meta/v1'] : [apiGit, pkg];
  const src = execFileSync('git', ['--git-dir', git, 'show', `${tag}:${path}/types_swagger_doc_generated.go`], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const types = {};
  for (const m of src.matchAll(/^var map_(\w+) = map\[string\]string\{\n([\s\S]*?)\n\}/gm)) {
    const fields = {};
    // Go string literals in these files are JSON-compatible ("..." with \" \n escapes).
    for (const l of m[2].matchAll(/^\s*"([^"]*)":\s*("(?:[^"\\]|\\.)*"),?$/gm)) fields[l[1]] = JSON.parse(l[2]);
    types[m[1]] = fields;
  }
  files.set(pkg, types);
  return types;
}

const out = {};
for (const ref of [...refs].sort()) {
  const [, pkg, type, field] = /^(.+)\.(\w+)\.(\w*)$/.exec(ref);
  const fields = swaggerDocs(pkg)[type];
  if (!fields) throw new Error(`${pkg} at ${tag} has no type ${type}`);
  out[ref] = fields[field] ?? ''; // SwaggerDoc()[f] of a field the type lacks
}
writeFileSync(join(dir, 'column-docs.json'), JSON.stringify(out, null, 1) + '\n');
console.log(`column-docs.json: ${Object.keys(out).length} docs from ${tag}`);
