// `kubesim get pod NAME [-n NS]` while `kubesim serve` (API only: KUBESIM_NO_DAEMON=1, as
// bench/serve.mjs runs it) runs the cluster's clock: the CLI (KUBESIM_NO_DAEMON=1) reads the
// pod from the store on that running clock, without loading the CLI bundle
// (dist/fast-get-store.cjs), and prints what kubectl prints from the server and what the
// in-process bundle prints, errors and exit codes too. A server killed without cleaning up
// leaves its record behind: the bundle then runs (it freezes the clock), printing the same.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';

const c = new ServedCluster('fastserve');

/** bin/kubesim in-process with a code cache of its own, and whether a bundle ran. */
const fresh = (args: string[]) => c.kubesimFresh(args, { KUBESIM_NO_DAEMON: '1' });

const FORMS = [
  ['get', 'pod', 'x-0'],
  ['get', 'po', 'x-0', '-n', 'default'],
  ['get', 'pods', 'y-0', '--namespace', 'other'],
  ['get', 'Pod', 'y-0', '--namespace=other'],
  ['get', 'pod', 'nope'],
  ['get', 'pod', 'x-0', '-n', 'other'],
];

before(async () => {
  // An API-only server: it runs the clock (kubectl's ages follow the wall clock), no controllers.
  await c.setUp({ kubectl: true, create: ['--nodes', '1'] });
  for (const args of [['create', 'namespace', 'other'], ['run', 'x-0', '--image=nginx'], ['run', 'y-0', '--image=nginx', '-n', 'other'], ['reconcile', '--until-stable'], ['clock', 'advance', '3d']]) c.ok(args);
});
after(() => c.stop());

test('with kubesim serve running, get pod NAME is read from the store on the served clock without the bundle, printing what kubectl and the bundle print', async () => {
  for (const args of FORMS) {
    const r = fresh(args);
    assert.equal(r.bundleRan, false, `${args.join(' ')}: the bundle ran`);
    const out = { code: r.code, stdout: r.stdout, stderr: r.stderr };
    const k = c.kubectl(args);
    assert.deepEqual(out, { code: k.code, stdout: k.stdout, stderr: k.stderr }, `kubectl ${args.join(' ')}`);
    const b = await c.hosted(args);
    assert.deepEqual(out, { code: b.code, stdout: b.stdout, stderr: b.stderr }, `the bundle: ${args.join(' ')}`);
  }
  // Three days old on the clock the server runs (kubectl's AGE is the server's cell).
  assert.match(fresh(FORMS[0]).stdout, /^NAME +READY +STATUS +RESTARTS +AGE\nx-0 +1\/1 +Running +0 +3d\n$/);
  assert.deepEqual(fresh(['get', 'pod', 'nope']).stderr, 'Error from server (NotFound): pods "nope" not found\n');
});

test('a server killed without cleaning up: get pod NAME runs the bundle, which freezes the clock; then the fast path answers again', async () => {
  const before = fresh(FORMS[0]);
  await c.kill9();
  const r = fresh(FORMS[0]);
  assert.equal(r.bundleRan, true, 'the bundle did not run with the recorded server gone');
  assert.deepEqual([r.code, r.stdout, r.stderr], [before.code, before.stdout, before.stderr]);
  const again = fresh(FORMS[0]);
  assert.equal(again.bundleRan, false, 'the bundle ran on the frozen clock');
  assert.deepEqual([again.code, again.stdout, again.stderr], [r.code, r.stdout, r.stderr]);
});
