// `kubesim kustomize DIR` (its command module, in process; test/kustomize/cli.test.ts runs
// bin/kubesim) against the real `kubectl kustomize DIR` (kubectl 1.32 bundles kustomize v5.5.0
// and runs it offline) over every fixture directory under
// test/fixtures/kustomize/{cases,errors}: stdout, stderr and exit code must be equal, byte for
// byte, once klog's time/pid header is set aside. Two differences are by design and checked
// as such: the Go pointer kustomize prints in generator errors, and the network error text of
// a remote resource (kubesim has no network; both must fail on the same resource).

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KUBECTL_GO_ENV, requireKubectl } from '../oracles';
import { ROOT } from '../e2e/helpers';
import { runKustomize } from '../../src/cli/kustomize';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'kustomize');
// Plus two arguments that are not kustomization directories (a missing path, a file) and
// the --load-restrictor flag, good and bad.
const CASES = [
  ...['cases', 'errors'].flatMap((g) => readdirSync(join(FIXTURES, g)).sort().map((d) => `${g}/${d}`)),
  'no-such-dir',
  'cases/images/pod.yaml',
  'errors/outside-root --load-restrictor LoadRestrictionsNone',
  'errors/outside-root --load-restrictor Bogus',
];

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[]): Promise<Out> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, {
      cwd: FIXTURES,
      env: { ...process.env, ...KUBECTL_GO_ENV, KUBECONFIG: '/nonexistent/kubeconfig' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** klog's `E1203 21:39:48.241890   21246 ` header (`I…` for info lines) differs by time and pid; the Go pointer too. */
function normalize(stderr: string): string {
  return stderr.replace(/^[EI]\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ /gm, 'E ').replace(/&\{0xc[0-9a-f]+ <nil>\}/g, '&{0xPTR <nil>}');
}

async function pool<T, R>(items: T[], width: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return out;
}

const wanted = new Map<string, Out>();

before(async () => {
  requireKubectl();
  process.chdir(FIXTURES);
  const outs = await pool(CASES, 4, (dir) => run('kubectl', ['kustomize', ...dir.split(' ')]));
  CASES.forEach((dir, i) => wanted.set(dir, outs[i]));
}, { timeout: 300_000 });

test('there are at least 40 fixture directories', () => {
  assert.ok(CASES.length >= 40, `expected at least 40 fixture directories, found ${CASES.length}`);
});

for (const dir of CASES) {
  test(`kustomize ${dir} equals kubectl kustomize`, async () => {
    const want = wanted.get(dir)!;
    const [path, ...flags] = dir.split(' ');
    const got = await runKustomize([path], flags.length ? { loadRestrictor: flags[1] } : {});
    const [ws, gs] = [normalize(want.stderr), normalize(got.stderr)];
    if (dir === 'errors/remote') {
      // No network here: kubectl's text carries DNS/git errors; both must refuse the same URL.
      const head = "accumulating resources: accumulation err='accumulating resources from 'https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.5.0': ";
      assert.ok(ws.includes(head), ws);
      assert.ok(gs.includes(head), gs);
    } else assert.equal(gs, ws, 'stderr');
    assert.equal(got.stdout, want.stdout, 'stdout');
    assert.equal(got.code, want.code, 'exit code');
  });
}
