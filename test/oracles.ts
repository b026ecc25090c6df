// The real tools the tests compare against. A test that needs one asserts it is there:
// a missing oracle is a failure with a message that says how to get it, never a skip
// (a skip would let a machine without the oracle pass the suite without the proof).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const seen = new Map<string, string | undefined>();

/** stdout of `cmd args` when it runs and exits 0, else undefined (memoised per command line). */
function probe(cmd: string, args: string[]): string | undefined {
  const key = [cmd, ...args].join(' ');
  if (!seen.has(key)) {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    seen.set(key, r.status === 0 ? r.stdout + r.stderr : undefined);
  }
  return seen.get(key);
}

/** Fails the calling test unless `cmd` runs; `pkg` is the Debian package .ci/run installs. */
export function requireTool(cmd: string, args: string[], pkg: string): string {
  const out = probe(cmd, args);
  assert.ok(out !== undefined, `this test needs \`${cmd}\` as its oracle and it is not on PATH (install the Debian package ${pkg}, as .ci/run does)`);
  return out;
}

/** Fails the calling test unless kubectl 1.32 (the spec this project follows) is on PATH. */
export function requireKubectl(): void {
  const out = requireTool('kubectl', ['version', '--client'], 'kubectl');
  assert.match(out, /^Client Version: v1\.32\./m, `this test compares with kubectl 1.32, but \`kubectl version --client\` says:\n${out}`);
}

/**
 * Go runtime settings for every run of kubectl as an oracle. A kubectl run's CPU is nearly
 * all Go package initialisation before the command runs (the same for every argument set),
 * and the suite starts thousands. One P (no idle GC workers or thread hand-offs) and fewer
 * collections cut that by ~15 % (measured: 157 -> 130 ms a run, 30 interleaved rounds;
 * 15 runs of `kubectl kustomize`: 1.02 -> 0.83 s); neither changes a byte of what kubectl prints.
 */
export const KUBECTL_GO_ENV = { GOMAXPROCS: '1', GOGC: '200' } as const;

/** Debian's python3 (not a pyenv one on PATH) with the `kubernetes` client (python3-kubernetes). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/** Fails the calling test unless Debian's python3 can import the Kubernetes Python client; its version. */
export function requirePythonKubernetes(): string {
  const out = probe(DEBIAN_PYTHON, ['-c', 'import kubernetes; print(kubernetes.__version__)']);
  assert.ok(out !== undefined, `this test needs the Kubernetes Python client as its oracle: \`${DEBIAN_PYTHON} -c "import kubernetes"\` failed (install the Debian package python3-kubernetes, as .ci/run does)`);
  return out.trim();
}
