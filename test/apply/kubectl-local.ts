// Ground truth: `kubectl patch --local` applies patches client-side with the same libraries
// the API server uses, and works without a cluster.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBECTL_GO_ENV } from '../oracles';

const dir = mkdtempSync(join(tmpdir(), 'kubesim-patch-'));
// Shared by several test files in one process: removed when the process ends.
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** Returns the patched object, or the error text without kubectl's `error: ` prefix. */
export function kubectlPatch(obj: object, type: 'json' | 'merge' | 'strategic', patch: unknown): { obj?: any; error?: string } {
  const file = join(dir, `o${n++}.json`);
  writeFileSync(file, JSON.stringify(obj));
  const r = spawnSync('kubectl', ['patch', '--local', '-f', file, '--type', type, '-p', typeof patch === 'string' ? patch : JSON.stringify(patch), '-o', 'json'], { encoding: 'utf8', env: { ...process.env, ...KUBECTL_GO_ENV } });
  if (r.status !== 0) return { error: r.stderr.trim().replace(/^error: /, '') };
  return { obj: JSON.parse(r.stdout) };
}
