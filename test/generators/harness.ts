// Runs a `create ...` command line through both the real kubectl (`--dry-run=client -o json`)
// and our generators, so tests can compare objects (with key order) and error texts.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { findGenerator, parseArgv, RequiredFlagError } from '../../src/generators/index';
import type { GeneratorContext } from '../../src/generators/index';
import { execAsync } from '../helpers/exec';
import { KUBECTL_GO_ENV } from '../oracles';

export interface Outcome {
  json?: string;
  error?: string;
  warnings?: string[];
}

export async function kubectl(argv: string[], cwd?: string, env?: Record<string, string>): Promise<Outcome> {
  const r = await execAsync('kubectl', ['--dry-run=client', '-o', 'json', ...argv], { cwd, env: { ...process.env, ...KUBECTL_GO_ENV, ...env } });
  if (r.code === 0) return { json: JSON.stringify(JSON.parse(r.stdout)), warnings: r.stderr.split('\n').filter(Boolean) };
  const line = r.stderr.split('\n')[0];
  // klog line for cobra's required flags: ... "command failed" err="required flag(s) \"image\" not set"
  const klog = /"command failed" err="(.*)"$/.exec(line);
  if (klog) return { error: JSON.parse(`"${klog[1]}"`) };
  return { error: line.replace(/^error: /, '').replace(/^Error: /, '') };
}

export function fsContext(cwd: string, rng = () => 0, env: Record<string, string> = {}): GeneratorContext {
  const abs = (p: string) => (p.startsWith('/') ? p : `${cwd}/${p}`);
  return {
    rng,
    readFile: (p) => readFileSync(abs(p)),
    stat: (p) => {
      try {
        const s = statSync(abs(p));
        return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
      } catch {
        return undefined;
      }
    },
    readDir: (p) => readdirSync(abs(p)),
    getenv: (k) => env[k] ?? process.env[k],
  };
}

export function ours(argv: string[], ctx: GeneratorContext): Outcome {
  const rest = [...argv];
  let namespace: string | undefined;
  const ni = rest.findIndex((a) => a === '-n');
  if (ni >= 0) {
    namespace = rest[ni + 1];
    rest.splice(ni, 2);
  }
  let gen;
  let consumed = 0;
  for (const n of [3, 2, 1]) {
    gen = findGenerator(rest.slice(0, n).join(' '));
    if (gen) {
      consumed = n;
      break;
    }
  }
  if (!gen) throw new Error(`no generator for ${argv.join(' ')}`);
  try {
    const { args, argsLenAtDash, flags } = parseArgv(gen, rest.slice(consumed));
    const r = gen.build(args, flags, { ...ctx, namespace }, argsLenAtDash);
    return { json: JSON.stringify(r.object), warnings: r.warnings };
  } catch (e) {
    if (e instanceof RequiredFlagError) return { error: e.message };
    return { error: (e as Error).message };
  }
}
