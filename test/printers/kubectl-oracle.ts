// Runs the real kubectl as ground truth: `kubectl label --local -f F x=y -o ...` prints the
// object (with the label added) through kubectl's own printers, without a cluster.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deepCopy } from '../../src/api/types';
import { KUBECTL_GO_ENV } from '../oracles';

const dir = mkdtempSync(join(tmpdir(), 'kubesim-printers-'));
// Shared by several test files in one process: removed when the process ends.
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let n = 0;

export interface OracleResult {
  stdout: string;
  stderr: string;
  status: number | null;
}

/** kubectl's output for `obj` printed with `-o <output>` (after adding label x=y). */
export function kubectlPrint(obj: unknown, output: string): OracleResult {
  const file = join(dir, `obj-${n++}.json`);
  writeFileSync(file, JSON.stringify(obj));
  const r = spawnSync('kubectl', ['label', '--local', '-f', file, 'x=y', '-o', output], { encoding: 'utf8', env: { ...process.env, ...KUBECTL_GO_ENV } });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** The same object as kubectl sees it after `label x=y`. */
export function withLabel<T extends { metadata?: { labels?: Record<string, string> } }>(obj: T): T {
  const c = deepCopy(obj);
  c.metadata = c.metadata ?? {};
  c.metadata.labels = { ...(c.metadata.labels ?? {}), x: 'y' };
  return c;
}
