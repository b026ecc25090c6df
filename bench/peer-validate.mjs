#!/usr/bin/env node
// The peer for `kubesim validate` in the benchmarks: kubernetes-models (npm), which validates
// objects against the Kubernetes OpenAPI schemas with ajv. It is a library, not a CLI, so
// this script gives it the same job: walk the inputs, parse every YAML/JSON document with
// the `yaml` package, validate each built-in object with its model; kinds it has no model
// for are skipped. Prints {"resources", "valid", "invalid", "skipped"} as JSON.
//
//   node bench/peer-validate.mjs <peer node_modules parent> <path>...
// (bench/run.mjs installs kubernetes-models into a temporary directory and passes it.)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [peerDir, ...inputs] = process.argv.slice(2);
const requirePeer = createRequire(join(peerDir, 'package.json'));
const { parseAllDocuments } = requirePeer('yaml');
const modelsRoot = join(peerDir, 'node_modules', 'kubernetes-models');

function files(p, out = []) {
  if (statSync(p).isDirectory()) for (const e of readdirSync(p).sort()) files(join(p, e), out);
  else if (['.yaml', '.yml', '.json'].includes(extname(p).toLowerCase())) out.push(p);
  return out;
}

const modules = new Map();
async function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  const dir = join(modelsRoot, ...apiVersion.split('/'));
  if (!modules.has(dir)) {
    let mod;
    try {
      mod = await import(pathToFileURL(join(dir, 'index.js')).href);
    } catch {
      mod = undefined;
    }
    modules.set(dir, mod);
  }
  return modules.get(dir)?.[kind];
}

const counts = { resources: 0, valid: 0, invalid: 0, skipped: 0 };
for (const input of inputs) {
  for (const f of files(input)) {
    let docs;
    try {
      docs = parseAllDocuments(readFileSync(f, 'utf8'));
    } catch {
      continue;
    }
    for (const doc of Array.isArray(docs) ? docs : []) {
      if (doc.errors.length) continue;
      const obj = doc.toJS();
      if (!obj || typeof obj !== 'object') continue;
      counts.resources++;
      const Model = await modelFor(obj.apiVersion, obj.kind);
      if (!Model) {
        counts.skipped++;
        continue;
      }
      try {
        new Model(obj).validate();
        counts.valid++;
      } catch {
        counts.invalid++;
      }
    }
  }
}
process.stdout.write(JSON.stringify(counts) + '\n');
