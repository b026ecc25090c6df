// Shared by the check tests: temporary manifests, `runCheck` in-process, and the built CLI
// (bin/kubesim) as a child process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { runCheck, type CheckOptions } from '../../src/check/run-check';
import type { CheckReport } from '../../src/check/types';
import type { Finding } from '../../src/validate/report';
import { TEST_CACHE_HOME } from '../e2e/helpers';

export const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'kubesim');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export class Dir {
  readonly path = mkdtempSync(join(tmpdir(), 'kubesim-check-'));

  file(name: string, content: string): string {
    const p = join(this.path, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
    return p;
  }

  /** `kubesim check ARGS` as a user runs it. */
  cli(args: string[], opts: { stdin?: string } = {}): Run {
    const r = spawnSync(process.execPath, [BIN, 'check', ...args], {
      input: opts.stdin ?? '',
      cwd: this.path,
      env: { ...process.env, XDG_CACHE_HOME: TEST_CACHE_HOME, KUBESIM_HOME: join(this.path, '.home'), KUBESIM_NO_DAEMON: '1', NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** runCheck on one manifest file (the whole engine: scheduler, controllers, kubelet). */
  async check(name: string, yaml: string, opts: CheckOptions = {}): Promise<{ file: string; report: CheckReport; findings: Finding[] }> {
    const file = this.file(name, yaml);
    const report = await runCheck([file], opts);
    return { file, report, findings: report.results.flatMap((r) => r.findings) };
  }

  cleanup(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export function only(findings: Finding[], rule: string): Finding[] {
  return findings.filter((f) => f.ruleId === rule);
}

/** A Deployment manifest; `extra` is appended to the container (indented 8 spaces), `podExtra` to the pod spec. */
export function deployment(name: string, o: { replicas?: number; image?: string; container?: string; pod?: string; spec?: string; labels?: string; namespace?: string } = {}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}${o.namespace ? `\n  namespace: ${o.namespace}` : ''}
spec:
  replicas: ${o.replicas ?? 1}${o.spec ? '\n' + o.spec : ''}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}${o.labels ? ', ' + o.labels : ''}}
    spec:
      containers:
      - name: app
        image: ${o.image ?? 'nginx:1.27'}${o.container ? '\n' + o.container : ''}${o.pod ? '\n' + o.pod : ''}
`;
}
