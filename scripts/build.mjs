#!/usr/bin/env node
// Builds kubesim: generates the JSON Schemas and precompiled validators when their inputs
// changed, then bundles the CLI with esbuild (ESM, code-split so that a verb loads only
// what it needs). Output goes to a fresh directory that replaces dist/ at the end, so a
// build never leaves a half-written dist/ behind for a running kubesim.

import { build } from 'esbuild';
import { readFileSync, rmSync, renameSync, existsSync, statSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((e) => newest(join(path, e))));
}

const generated = 'generated/validators.mjs';
const inputs = ['scripts/gen-schemas.mjs', 'src/api/resources.ts', 'node_modules/kubernetes-types/package.json'];
if (existsSync('scripts/gen-schemas.mjs') && (!existsSync(generated) || Math.max(...inputs.filter(existsSync).map(newest)) > statSync(generated).mtimeMs)) {
  const r = spawnSync(process.execPath, ['scripts/gen-schemas.mjs'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const typesPkg = JSON.parse(readFileSync('node_modules/kubernetes-types/package.json', 'utf8'));
const out = `dist.tmp-${process.pid}`;
rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: { main: 'src/main.ts' },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  sourcemap: false,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: {
    __KUBESIM_VERSION__: JSON.stringify(pkg.version),
    __SCHEMA_VERSION__: JSON.stringify(typesPkg.version),
  },
  banner: { js: "import { createRequire as __kubesimRequire } from 'node:module'; const require = __kubesimRequire(import.meta.url);" },
});
rmSync('dist.old', { recursive: true, force: true });
if (existsSync('dist')) renameSync('dist', 'dist.old');
renameSync(out, 'dist');
rmSync('dist.old', { recursive: true, force: true });
