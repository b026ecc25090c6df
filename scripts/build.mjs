#!/usr/bin/env node
// Builds kubesim: generates the JSON Schemas and precompiled validators when their inputs
// changed, then bundles the CLI with esbuild into one CommonJS file, dist/main.cjs, that
// bin/kubesim runs with a V8 code cache. Modules reached through import() stay lazy (esbuild
// initialises them on first use), so a verb still runs only what it needs. Output goes to a
// fresh directory that replaces dist/ at the end, so a build never leaves a half-written
// dist/ behind for a running kubesim.

import { build } from 'esbuild';
import { readFileSync, writeFileSync, rmSync, renameSync, existsSync, statSync, readdirSync, mkdirSync } from 'node:fs';
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

const generated = 'generated/validators.cjs';
const inputs = ['scripts/gen-schemas.mjs', 'src/api/resources.ts', 'src/api/rest/proto/k8s-proto.json', 'src/api/validation/schema-version.ts', join(process.env.KUBESIM_MODELS_NODE_MODULES || 'node_modules', 'kubernetes-models', 'package.json')];
if (existsSync('scripts/gen-schemas.mjs') && (!existsSync(generated) || Math.max(...inputs.filter(existsSync).map(newest)) > statSync(generated).mtimeMs)) {
  const r = spawnSync(process.execPath, ['scripts/gen-schemas.mjs'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
// what `kubesim version` reports: the Kubernetes version of the schemas and their sources
const sm = /"kubernetesVersion":"([^"]*)","source":"([^"]*)"/.exec(readFileSync('generated/schemas.json', 'utf8').slice(0, 300));
const schemaSource = sm ? `Kubernetes v${sm[1]}; ${sm[2]}` : 'unknown';
const out = `dist.tmp-${process.pid}`;
rmSync(out, { recursive: true, force: true });
// commander loads node:child_process (with net, dgram and stream) when it is loaded, for
// executable subcommands kubesim never uses: ~7 ms of every start-up. It gets a stand-in
// that loads the real module on first use.
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents: "module.exports = { get spawn() { return require('node:child_process').spawn; } };",
      loader: 'js',
    }));
  },
};

const result = await build({
  entryPoints: ['src/main.ts'],
  plugins: [lazyChildProcessForCommander],
  bundle: true,
  write: false,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  // Minified: a smaller file is read and checked against its code cache faster (≈8 ms of
  // start-up); kubesim prints messages, not stack traces, so nothing users see changes.
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: {
    __KUBESIM_VERSION__: JSON.stringify(pkg.version),
    __SCHEMA_VERSION__: JSON.stringify(schemaSource),
    // ESM dependencies (fdir, under tinyglobby) read import.meta.url, which a CommonJS
    // bundle does not have: give them this file's URL.
    'import.meta.url': '__kubesimImportMetaUrl',
  },
  banner: { js: 'var __kubesimImportMetaUrl = require("url").pathToFileURL(__filename).href;' },
});
let code = result.outputFiles[0].text;
// esbuild keeps import() of Node built-ins as a real dynamic import, and a script compiled
// from V8's code cache has no dynamic-import callback on Node 20 (bin/kubesim): built-ins
// are CommonJS-loadable, so require them. Anything else left would fail at run time.
code = code.replace(/\bimport\((["'])(node:[a-z_/]+)\1\)/g, (_m, _q, name) => `Promise.resolve().then(() => require(${JSON.stringify(name)}))`);
const left = /\bimport\(/.exec(code.replace(/(["'`])(?:\\.|(?!\1)[^\\])*\1/g, '""'));
if (left) {
  console.error(`build: dist/main.cjs still contains import(): ${code.slice(Math.max(0, left.index - 80), left.index + 80)}`);
  process.exit(1);
}
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'main.cjs'), code);
await (await import('./build-dashboard.mjs')).buildDashboard(out);
rmSync('dist.old', { recursive: true, force: true });
if (existsSync('dist')) renameSync('dist', 'dist.old');
renameSync(out, 'dist');
rmSync('dist.old', { recursive: true, force: true });
