#!/usr/bin/env node
// What kubesim loads before it runs any verb: the static import closure of src/main.ts as
// esbuild bundles it, with the chain that pulls each named module in. Start-up time grows
// with this closure, so heavy modules belong behind `await import()` inside actions.
//
//   node bench/startup-graph.mjs [module-substring,...]

import { build } from 'esbuild';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(ROOT);
const r = await build({
  entryPoints: { main: 'src/main.ts' },
  outdir: 'bench/.graph-out',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  metafile: true,
  write: false,
  logLevel: 'error',
  define: { __KUBESIM_VERSION__: '"0"', __SCHEMA_VERSION__: '"0"' },
});
const inputs = r.metafile.inputs;
const parent = new Map();
const queue = [['src/main.ts', null]];
while (queue.length) {
  const [f, from] = queue.shift();
  if (parent.has(f)) continue;
  parent.set(f, from);
  for (const i of inputs[f]?.imports ?? []) if (i.kind === 'import-statement' && !i.external) queue.push([i.path, f]);
}
const chain = (f) => {
  const c = [];
  for (let x = f; x; x = parent.get(x)) c.push(x);
  return c.reverse().join(' -> ');
};
let bytes = 0;
for (const f of parent.keys()) bytes += inputs[f]?.bytes ?? 0;
const builtins = new Set();
for (const f of parent.keys()) for (const i of inputs[f]?.imports ?? []) if (i.external && i.kind === 'import-statement') builtins.add(`${i.path} (${f})`);
console.log(`static closure: ${parent.size} files, ${(bytes / 1024).toFixed(0)} KiB of source`);
console.log(`builtins: ${[...builtins].sort().join(', ')}`);
const wanted = (process.argv[2] ?? 'node_modules/yaml/,src/api/server.ts,src/kubelet/,src/generators/index.ts,src/exec/,src/store/file-store.ts').split(',');
for (const w of wanted) {
  const hit = [...parent.keys()].find((k) => k.includes(w));
  console.log(`${w}: ${hit ? chain(hit) : 'not loaded at start-up'}`);
}
