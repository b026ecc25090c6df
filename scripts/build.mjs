#!/usr/bin/env node
// Builds kubesim: generates the JSON Schemas and precompiled validators when their inputs
// changed, then bundles the CLI with esbuild into CommonJS files that bin/kubesim runs with
// a V8 code cache: dist/main.cjs (every verb), dist/verb-<verb>.cjs (one verb's modules
// alone, VERB_BUNDLES), dist/lib/<package>.cjs (CHUNKED_PACKAGES, loaded on first use), and
// the start-up fast path, dist/fast.cjs. Modules reached through import() stay lazy (esbuild
// initialises them on first use), so a verb still runs only what it needs. Output goes to a
// fresh directory that replaces dist/ at the end, so a build never leaves a half-written
// dist/ behind for a running kubesim.

import { build, context } from 'esbuild';
import { readFileSync, writeFileSync, rmSync, renameSync, existsSync, statSync, readdirSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire, builtinModules } from 'node:module';
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
const inputs = ['scripts/gen-schemas.mjs', 'scripts/split-validators.mjs', 'src/api/resources.ts', 'src/api/rest/proto/k8s-proto.json', 'src/api/validation/schema-version.ts', join(process.env.KUBESIM_MODELS_NODE_MODULES || 'node_modules', 'kubernetes-models', 'package.json')];
if (existsSync('scripts/gen-schemas.mjs') && (!existsSync(generated) || !existsSync('generated/quantities.json') || Math.max(...inputs.filter(existsSync).map(newest)) > statSync(generated).mtimeMs)) {
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

// Modules that a command may never use: each `import` of one gets a stand-in whose exports
// are getters that load the real module on first use, so a command that never parses YAML,
// matches a glob, compiles an RE2 pattern, makes a certificate (node-forge: 300 kB that
// `get` reached through the REST client's imports, ~6 % of an in-process `get pod X`) or
// opens a socket does not pay for loading them at start-up (loading Node's http, https,
// tls, crypto and net alone was ~13 % of `kubesim version`). What a module's exports are is read here, from the module itself. The real
// module is loaded at the same point as an access to it would have been, so behaviour does
// not change, only when the cost is paid.
const LAZY_BUILTINS = ['async_hooks', 'child_process', 'crypto', 'dgram', 'dns', 'http', 'http2', 'https', 'net', 'os', 'perf_hooks', 'readline', 'stream', 'tls', 'tty', 'vm', 'worker_threads', 'zlib'];
// The packages among them are built into files of their own, dist/lib/<name>.cjs, that the
// stand-in loads with their own code cache (bin/kubesim's require.withCodeCache): in the
// bundle they were ~630 kB a command read and whose code cache it deserialised even when it
// never loaded them.
// ws (the server's WebSocket upgrades) and cel-js (CRD validation rules) are never run by
// `get`, but were 130 kB of every CLI bundle.
const CHUNKED_PACKAGES = ['re2js', 'yaml', 'tinyglobby', 'node-forge', 'ws', '@marcbachmann/cel-js'];
// Large JSON data imported by modules a command may never initialise: each a file of its
// own, dist/lib/<name>.cjs, loaded when its default export is first read (the protobuf
// descriptors were 240 kB, 16 % of what `get` read).
const CHUNKED_JSON = { 'k8s-proto': 'src/api/rest/proto/k8s-proto.json', 'image-catalog': 'src/sim/catalog/images.json' };
const chunkedJson = {
  name: 'chunked-json',
  setup(b) {
    const byPath = new Map(Object.entries(CHUNKED_JSON).map(([n, f]) => [join(root, f), n]));
    b.onResolve({ filter: /\.json$/ }, (args) => {
      const name = args.kind === 'import-statement' ? byPath.get(join(args.resolveDir, args.path)) : undefined;
      return name ? { path: name, namespace: 'chunked-json' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'chunked-json' }, (args) => ({
      contents: `let real; module.exports = { __esModule: true, get default() { return real ??= __kubesimChunk(${JSON.stringify(args.path)}); } }; __kubesimLazyNs.add(module.exports);`,
      loader: 'js',
    }));
  },
};
const LAZY_PACKAGES = [...CHUNKED_PACKAGES, ...LAZY_BUILTINS.map((m) => `node:${m}`)];
const lazyPackages = {
  name: 'lazy-packages',
  setup(b) {
    const names = new Map();
    // Read through require(), as the stand-in loads it (the package's CommonJS entry, whose
    // names may differ from its ES module entry's).
    const requireFromRoot = createRequire(join(root, 'package.json'));
    for (const pkgName of LAZY_PACKAGES) names.set(pkgName, Object.keys(requireFromRoot(pkgName)).filter((k) => k !== 'default' && k !== '__esModule'));
    const filter = new RegExp(`^(?:${LAZY_PACKAGES.join('|')})$`);
    // The stand-in's own require() (kind require-call) resolves to the real package.
    b.onResolve({ filter }, (args) => (args.kind === 'import-statement' || args.kind === 'dynamic-import' ? { path: args.path, namespace: 'lazy-package' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-package' }, (args) => ({
      contents: [
        CHUNKED_PACKAGES.includes(args.path)
          ? `let real; const load = () => real ??= __kubesimChunk(${JSON.stringify(args.path)});`
          : `let real; const load = () => real ??= require(${JSON.stringify(args.path)});`,
        // `default` as esbuild's own interop reads it: a CommonJS module (a built-in) is its own default.
        `module.exports = { __esModule: true, get default() { const m = load(); return m && m.__esModule ? m.default : m; },`,
        ...names.get(args.path).map((k) => `  get ${JSON.stringify(k)}() { return load()[${JSON.stringify(k)}]; },`),
        '};',
        // Its own namespace object (shareBuiltinNamespaces): no copy of its getters per importer.
        '__kubesimLazyNs.add(module.exports);',
      ].join('\n'),
      loader: 'js',
      resolveDir: root,
    }));
  },
};

// Verbs run often enough to have a bundle of their own, dist/verb-<verb>.cjs: the CLI with
// only the verb modules that declare or extend that verb (src/cli/commands.ts; the others
// are left out, and loading one fails loudly). bin/kubesim runs it when the verb is the
// first word, the one case where root.ts's verbOf() names that verb and loads nothing else;
// every other command line runs dist/main.cjs. Not for the verbs that read the whole
// command tree (completion, plugin, options).
const VERB_BUNDLES = ['get', 'version', 'create', 'apply', 'delete', 'describe', 'validate'];

/** The verb the CLI is being built for (undefined: all of them). */
let cliVerb;
/** src/cli/commands.ts with the loaders of every module that does not declare cliVerb failing. */
const onlyVerb = {
  name: 'only-verb',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]cli[\\/]commands\.ts$/ }, (args) => {
      const verb = cliVerb;
      if (verb === undefined) return undefined;
      let kept = 0;
      const contents = readFileSync(args.path, 'utf8').replace(/^(\s*\[\[([^\]]*)\],\s*)\(\) => import\(('[^']+')\)\]/gm, (m, head, names, mod) => {
        if ([...names.matchAll(/'([^']+)'/g)].some((n) => n[1] === verb)) return kept++, m;
        return `${head}() => Promise.reject(new Error(\`internal error: \${${mod}} is not in the bundle of ${verb}\`))]`;
      });
      if (!kept) throw new Error(`build: no module of src/cli/commands.ts declares ${verb}`);
      return { contents, loader: 'ts' };
    });
  },
};

const define = {
  __KUBESIM_VERSION__: JSON.stringify(pkg.version),
  __SCHEMA_VERSION__: JSON.stringify(schemaSource),
  // ESM dependencies (fdir, under tinyglobby) read import.meta.url, which a CommonJS
  // bundle does not have: give them this file's URL, made when read (making it at load
  // was ~2 % of a command's start-up, for a branch no command takes).
  'import.meta.url': '__kubesimImportMeta.url',
};
const banner = [
  'var __kubesimImportMeta = { get url() { return require("url").pathToFileURL(__filename).href; } };',
  // A package's own file (CHUNKED_PACKAGES), with its code cache when run by bin/kubesim.
  'var __kubesimChunk = (n) => { const f = require("path").join(__dirname, "lib", n + ".cjs"); return require.withCodeCache ? require.withCodeCache(f) : require(f); };',
  // The stand-ins of lazy packages and chunked JSON, each its own namespace (shareBuiltinNamespaces).
  'var __kubesimLazyNs = new WeakSet();',
  // One namespace object per Node built-in (shareBuiltinNamespaces below).
  'var __kubesimBuiltinNs = {}; var __kubesimBuiltin = (n) => __kubesimBuiltinNs[n] ??= ((m) => Object.create(m, { default: { value: m, enumerable: true } }))(require(n));',
].join('\n');

/** bin/kubesim's WRAPPED_HEAD: the two must be the same text. */
const WRAPPED_HEAD = /const WRAPPED_HEAD = '([^']+)';/.exec(readFileSync('bin/kubesim', 'utf8'))?.[1];
if (!WRAPPED_HEAD) throw new Error('build: WRAPPED_HEAD not found in bin/kubesim');

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/**
 * `import * as fs from 'node:fs'` becomes `__toESM(require("node:fs"))` in each module that
 * says it, and esbuild's __toESM copies every export into a new object of getters: 49 such
 * calls (24 of them for fs's 104 names) ran before `get pod X` printed, ~10 % of its CPU
 * on the loaded machine. A built-in is not an ES module (no `__esModule`), so its namespace
 * is the module itself plus `default`: made once per built-in and shared (as an ES module's
 * namespace object is), the module as its prototype rather than a copy of its exports (fs's
 * copy alone made 104 getters; ~18 of the ~330 pages `get TYPE NAME` touches above
 * `node -e 0` through the daemon). Bundled packages keep esbuild's own call, which sees
 * exports a module adds later (a require cycle).
 */
function shareBuiltinNamespaces(code, name) {
  // esbuild's __toESM: (mod, isNodeMode, target) => (target = mod != null ? ... : {}, ...)
  const helpers = [...code.matchAll(/(?<![\w$])([\w$]+)\s*=\s*\(([\w$]+),\s*([\w$]+),\s*([\w$]+)\)\s*=>\s*\(\4\s*=\s*\2\s*!=\s*null\s*\?\s*[\w$]+\([\w$]+\(\2\)\)\s*:\s*\{\},\s*[\w$]+\([^;]*?\.__esModule\s*\?/g)];
  if (helpers.length !== 1) throw new Error(`build: dist/${name}: esbuild's __toESM helper found ${helpers.length} times (expected once)`);
  const [head, toEsm, mod, nodeMode] = helpers[0];
  // A lazy package's stand-in (lazyPackages, chunkedJson) is an ES module's namespace already
  // (`__esModule`, a getter per export): __toESM's copy of it, made again in every module that
  // imports it, read its getters for nothing (the four of yaml's 29 names and two of os's 23
  // in fast-get-store.cjs: ~1.5 M instructions of its top level; round 94). Outside Node's
  // mode, where `default` is the module itself, each importer uses the stand-in itself.
  const at = helpers[0].index + head.indexOf('=>') + 2;
  code = `${code.slice(0, at)}!${nodeMode}&&__kubesimLazyNs.has(${mod})?${mod}:${code.slice(at)}`;
  const call = new RegExp(`(?<![\\w$.])${toEsm.replace(/\$/g, '\\$')}\\(require\\(("[^"]+")\\)(,\\s*1)?\\)`, 'g');
  return code.replace(call, (m, spec) => (BUILTINS.has(JSON.parse(spec)) ? `__kubesimBuiltin(${spec})` : m));
}

const options = {
  bundle: true,
  write: false,
  metafile: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  // Minified: a smaller file is read and checked against its code cache faster (≈8 ms of
  // start-up); kubesim prints messages, not stack traces, so nothing users see changes.
  // KUBESIM_BUILD_UNMINIFIED=1 keeps names, for profiles (`node --cpu-prof`).
  minify: !process.env.KUBESIM_BUILD_UNMINIFIED,
  legalComments: 'none',
  logLevel: 'warning',
  define,
  banner: { js: banner },
};
// One context for the CLI's bundles: the sources are parsed once for all of them.
const cli = await context({ ...options, entryPoints: ['src/main.ts'], plugins: [lazyChildProcessForCommander, lazyPackages, chunkedJson, onlyVerb] });

/** One CommonJS file of the CLI (`verb`'s alone when given) or of a package (`pkgName`). */
async function bundle(name, { verb, pkgName } = {}) {
  cliVerb = verb;
  const result = pkgName ? await build({ ...options, stdin: { contents: `module.exports = require(${JSON.stringify(pkgName)});`, resolveDir: root, loader: 'js' } }) : await cli.rebuild();
  let code = result.outputFiles[0].text;
  // esbuild keeps import() of Node built-ins as a real dynamic import, and a script compiled
  // from V8's code cache has no dynamic-import callback on Node 20 (bin/kubesim): built-ins
  // are CommonJS-loadable, so require them. Anything else left would fail at run time.
  code = code.replace(/\bimport\((["'])(node:[a-z_/]+)\1\)/g, (_m, _q, n) => `Promise.resolve().then(() => require(${JSON.stringify(n)}))`);
  const left = /\bimport\(/.exec(code.replace(/(["'`])(?:\\.|(?!\1)[^\\])*\1/g, '""'));
  if (left) throw new Error(`build: dist/${name} still contains import(): ${code.slice(Math.max(0, left.index - 80), left.index + 80)}`);
  if (!pkgName) code = shareBuiltinNamespaces(code, name);
  // A package with a file of its own must not be in the CLI's too (a second copy, loaded at start-up).
  const chunked = (p) => CHUNKED_PACKAGES.some((n) => p.includes(`node_modules/${n}/`));
  const copied = pkgName ? [] : Object.entries(result.metafile.inputs).flatMap(([p, i]) => (chunked(p) ? [] : i.imports.filter((d) => chunked(d.path)).map((d) => `${p} imports ${d.original}`)));
  if (copied.length) throw new Error(`build: dist/${name} has a copy of a package with its own file in dist/lib: ${copied.join(', ')}`);
  code = pureAscii(code);
  // Wrapped as bin/kubesim compiles it (its WRAPPED_HEAD), so that it need not copy the
  // source to wrap it; require() of the file still runs it.
  code = `${WRAPPED_HEAD}${code}\n});\n`;
  mkdirSync(dirname(join(out, name)), { recursive: true });
  writeFileSync(join(out, name), code);
  return Buffer.byteLength(code);
}

const code = await bundle('main.cjs');
const verbBundleBytes = [];
for (const verb of VERB_BUNDLES) verbBundleBytes.push(await bundle(`verb-${verb}.cjs`, { verb }));
await cli.dispose();
for (const n of CHUNKED_PACKAGES) await bundle(`lib/${n}.cjs`, { pkgName: n });
for (const [n, f] of Object.entries(CHUNKED_JSON)) await bundle(`lib/${n}.cjs`, { pkgName: `./${f}` });

/**
 * A plugin giving src/printers/columns/column-docs.json as only the entries that the doc()
 * calls in `entry`'s modules name (a first build lists them): the fast path prints a pod's
 * table, whose columns name 6 of the file's entries, and the whole file was 26 kB of
 * fast-get-store.cjs's 120 kB, which every `get pod X` deserialises from its code cache
 * (round 87). A call whose arguments are not three string literals keeps the whole file.
 */
async function columnDocsOf(entry) {
  const DOC_FILE = /[\\/]printers[\\/]columns[\\/]column-docs\.json$/;
  const first = await build({ ...options, entryPoints: [entry], plugins: [lazyPackages] });
  const keys = new Set();
  let literal = true;
  for (const f of Object.keys(first.metafile.inputs)) {
    if (!/\.ts$/.test(f) || !existsSync(join(root, f))) continue;
    const src = readFileSync(join(root, f), 'utf8');
    for (const m of src.matchAll(/\bdoc\(([^)]*)\)/g)) {
      const lit = /^\s*'([^']+)',\s*'([^']+)',\s*'([^']+)'\s*$/.exec(m[1]);
      if (lit) keys.add(`${lit[1]}.${lit[2]}.${lit[3]}`);
      // The definition, and `doc()` in a comment, name nothing.
      else if (m[1] !== '' && m[1] !== 'pkg: string, type: string, field: string') literal = false;
    }
  }
  return {
    name: 'column-docs-used',
    setup(b) {
      if (!literal) return;
      b.onLoad({ filter: DOC_FILE }, (args) => {
        const all = JSON.parse(readFileSync(args.path, 'utf8'));
        const used = Object.fromEntries([...keys].filter((k) => Object.prototype.hasOwnProperty.call(all, k)).map((k) => [k, all[k]]));
        return { contents: JSON.stringify(used), loader: 'json' };
      });
    },
  };
}

// `get TYPE NAME` of the start-up fast path (src/fast-get.ts), a file of its own that
// dist/fast.cjs loads for that form alone. The packages it may reach (yaml, for a kubeconfig
// the fast reader leaves to it) and net load on first use, as in the bundles.
const fastGet = await build({ ...options, entryPoints: ['src/fast-get.ts'], plugins: [lazyPackages] });
// Wrapped as the bundles are: bin/kubesim compiles both with their code cache too.
// Pure ASCII as the bundles (pureAscii): bin/kubesim reads them as Latin-1 without checking, fast.cjs vouching for their sizes.
const fastGetCode = `${WRAPPED_HEAD}${pureAscii(shareBuiltinNamespaces(fastGet.outputFiles[0].text, 'fast-get.cjs'))}\n});\n`;
writeFileSync(join(out, 'fast-get.cjs'), fastGetCode);
// The same form on the CLI's own store (KUBESIM_NO_DAEMON=1, src/fast-get-store.ts).
const fastGetStore = await build({ ...options, entryPoints: ['src/fast-get-store.ts'], plugins: [lazyPackages, await columnDocsOf('src/fast-get-store.ts')] });
const fastGetStoreCode = `${WRAPPED_HEAD}${pureAscii(shareBuiltinNamespaces(fastGetStore.outputFiles[0].text, 'fast-get-store.cjs'))}\n});\n`;
writeFileSync(join(out, 'fast-get-store.cjs'), fastGetStoreCode);

// The start-up fast path (src/fast.ts): a few exact command lines answered without the
// bundle above, which bin/kubesim then does not read. It records the size of the bundle it
// was built with: bin/kubesim uses it only beside that bundle (a dist/ put together from two
// builds runs everything through the bundle).
await build({
  entryPoints: ['src/fast.ts'],
  bundle: true,
  outfile: join(out, 'fast.cjs'),
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: { __KUBESIM_VERSION__: JSON.stringify(pkg.version), __SCHEMA_VERSION__: JSON.stringify(schemaSource), __FAST_GET_BYTES__: String(Buffer.byteLength(fastGetCode)), __FAST_GET_STORE_BYTES__: String(Buffer.byteLength(fastGetStoreCode)) },
  footer: { js: `module.exports.bundleBytes=${code};module.exports.verbs=${JSON.stringify(verbNames())};module.exports.verbBundles=${JSON.stringify(Object.fromEntries(VERB_BUNDLES.map((v, i) => [v, verbBundleBytes[i]])))};module.exports.fastFiles=${JSON.stringify({ 'fast-get.cjs': Buffer.byteLength(fastGetCode), 'fast-get-store.cjs': Buffer.byteLength(fastGetStoreCode) })};` },
});
await (await import('./build-dashboard.mjs')).buildDashboard(out);

/**
 * esbuild escapes non-ASCII characters except in regular expression literals. Escaped there
 * too (\uXXXX means the same code unit in a pattern, with or without the u flag), the file
 * is pure ASCII: bin/kubesim then reads it as Latin-1, several times faster than decoding
 * UTF-8, and V8 keeps it as a one-byte string (half the memory of a two-byte one).
 */
function pureAscii(code) {
  return code.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The root verbs (src/cli/commands.ts): bin/kubesim keeps the bundle's code cache per verb. */
function verbNames() {
  const table = readFileSync('src/cli/commands.ts', 'utf8');
  const names = [...table.matchAll(/^\s*\[\[([^\]]*)\],/gm)].flatMap((m) => [...m[1].matchAll(/'([^']+)'/g)].map((n) => n[1]));
  if (names.length < 40 || !names.includes('get')) throw new Error(`build: could not read the verbs from src/cli/commands.ts (${names.length} found)`);
  return [...new Set(names)];
}
rmSync('dist.old', { recursive: true, force: true });
if (existsSync('dist')) renameSync('dist', 'dist.old');
renameSync(out, 'dist');
rmSync('dist.old', { recursive: true, force: true });
