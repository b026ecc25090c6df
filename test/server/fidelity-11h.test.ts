// The real kubectl 1.32 against `kubesim serve`, for what fid11g left (issue #11): explain's
// errors naming a GroupVersionResource or Kind, attach and debug -it on a terminal ending with
// `exit 3`, and get --raw of paths the server does not have; stdout, stderr and exit code (or
// the terminal's transcript) equal kubesim's CLI on the same cluster.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KUBECTL, ServedCluster, sleep } from './harness';
import { BIN } from '../e2e/helpers';
import { runOnPty, type PtyStep } from '../helpers/pty';

const c = new ServedCluster('fid11h');

const PODS = `apiVersion: v1
kind: Pod
metadata: {name: shell}
spec:
  containers:
  - {name: app, image: busybox:1.36, command: [sh], stdin: true, tty: true}
---
apiVersion: v1
kind: Pod
metadata: {name: target}
spec:
  containers:
  - {name: app, image: busybox:1.36, command: ["sh", "-c", "sleep 36000"]}
`;

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], manifest: PODS });
});

after(() => c.stop());

test('explain --api-version names what it cannot find as Go prints a GroupVersionResource or GroupVersionKind', async () => {
  const cases: Array<[string[], string]> = [
    // no such group-version in /openapi/v3; the core group keeps its slash
    [['pods', '--api-version=v2'], 'couldn\'t find resource for "/v2, Resource=pods"'],
    [['cm', '--api-version=/'], 'couldn\'t find resource for "/, Resource=configmaps"'],
    // the group-version is there, the resource is not
    [['pods', '--api-version=apps/v1'], 'GVR (apps/v1, Resource=pods) not found in OpenAPI schema'],
    [['deployments', '--api-version=v1'], 'GVR (/v1, Resource=deployments) not found in OpenAPI schema'],
    // the first explain looks a kind up in /openapi/v2
    [['deployments', '--api-version=v1', '-o', 'plaintext-openapiv2'], 'couldn\'t find resource for "/v1, Kind=Deployment"'],
    [['pods', '--api-version=apps/v1', '-o', 'plaintext-openapiv2'], 'couldn\'t find resource for "apps/v1, Kind=Pod"'],
    [['pods', '--api-version=a/b/c'], 'unexpected GroupVersion string: a/b/c'],
  ];
  for (const [args, message] of cases) assert.deepEqual(await c.alike(['explain', ...args]), [1, '', `error: ${message}\n`], args.join(' '));
  // another group-version of the resource is explained
  const [code, out] = await c.alike(['explain', 'events', '--api-version=events.k8s.io/v1']);
  assert.deepEqual([code, out.split('\n').slice(0, 3)], [0, ['GROUP:      events.k8s.io', 'KIND:       Event', 'VERSION:    v1']]);
});

test('explain reads the name as kubectl\'s mapper does: the first segment\'s resource, a group-resource prefix, the reviews too', async () => {
  const head = async (args: string[]) => {
    const [code, out, err] = await c.alike(['explain', ...args]);
    return [code, out.split('\n').slice(0, 5).join('\n'), err];
  };
  // a group-resource that begins the input is followed by fields; core events' `events` begins events.events.k8s.io
  assert.deepEqual(await head(['events.events.k8s.io']), [1, 'KIND:       Event\nVERSION:    v1\n\n', 'error: field "io" does not exist\n']);
  // a short name or a version does not qualify the resource: later segments are fields, as with --api-version
  for (const args of [['deploy.apps.spec'], ['deployments.apps.spec', '--api-version=apps/v1']]) {
    assert.deepEqual(await head(args), [1, 'GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\n', 'error: field "spec" does not exist\n'], args.join(' '));
  }
  assert.deepEqual(await head(['deployments.apps.spec']), [0, 'GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: spec <DeploymentSpec>', '']);
  // the create-only reviews have schemas in /openapi/v3
  assert.deepEqual(await head(['tokenreviews']), [0, 'GROUP:      authentication.k8s.io\nKIND:       TokenReview\nVERSION:    v1\n\nDESCRIPTION:', '']);
});

/** `session` to its end while the cluster's time moves (this server only serves): its transcript and exit code. */
async function ended(session: ReturnType<typeof runOnPty>): Promise<[string | undefined, string, number]> {
  let done = false;
  void session.finally(() => (done = true));
  for (const deadline = Date.now() + 40_000; !done && Date.now() < deadline; await sleep(100)) await c.hostedOk(['clock', 'advance', '1s']);
  const r = await session;
  return [r.stalled, r.transcript.replace(/\bkubesim\b/g, 'kubectl'), r.code];
}

test('attach -it to a shell: the hint, Enter shows the prompt, `exit 3` ends the session with the resume hint and exit 0 (attach reports no exit code)', async () => {
  const steps: PtyStep[] = [{ expect: 'enter.\r\n', raw: true, send: '\r' }, { expect: '/ # ', send: 'echo hi; exit 3\r' }, { expect: 'running\r\n' }];
  const want = "If you don't see a command prompt, try pressing enter.\r\n/ # \r\n/ # echo hi; exit 3\r\nhi\r\n" +
    "Session ended, resume using 'kubectl attach shell -c app -i -t' command when the pod is running\r\n";
  for (const [argv, restarts] of [[[KUBECTL], 1], [[process.execPath, BIN], 2]] as const) {
    assert.deepEqual(await ended(runOnPty([...argv, 'attach', '-it', 'shell'], steps, c.env())), [undefined, want, 0], argv.at(-1));
    // the shell ended with 3: Error, restarted before the next session
    await c.hostedOk(['wait', `--for=jsonpath={.status.containerStatuses[0].restartCount}=${restarts}`, 'pod/shell', '--timeout=60s']);
    await c.hostedOk(['wait', '--for=jsonpath={.status.containerStatuses[0].state.running.startedAt}', 'pod/shell', '--timeout=60s']);
    assert.equal(await c.hostedOk(['get', 'pod', 'shell', '-o', 'jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode}']), '3');
  }
});

test('debug -it: `exit 3` in the ephemeral container ends the session with the reattach hint and exit 0, kubectl and kubesim alike', async () => {
  const steps: PtyStep[] = [{ expect: '/ # ', send: 'echo hi; exit 3\r' }, { expect: 'if it is still running' }];
  for (const [argv, name] of [[[KUBECTL], 'dbg1'], [[process.execPath, BIN], 'dbg2']] as const) {
    const session = runOnPty([...argv, 'debug', '-it', 'target', '-c', name, '--image=busybox:1.36', '--profile=general', '--', 'sh'], steps, c.env());
    const transcript = await c.ephemeralTranscript(session, 'target', name);
    assert.equal(transcript, "If you don't see a command prompt, try pressing enter.\r\n/ # echo hi; exit 3\r\nhi\r\n" +
      `Session ended, the ephemeral container will not be restarted but may be reattached using 'kubectl attach target -c ${name} -i -t' if it is still running\r\n`, argv.at(-1));
    // the shell was the ephemeral container's process: it ended with 3
    await c.hostedOk(['wait', 'pod/target', `--for=jsonpath={.status.ephemeralContainerStatuses[?(@.name=="${name}")].state.terminated.exitCode}=3`, '--timeout=60s']);
  }
});

test('get --raw of what the server does not have: the same error, no output, exit 1', async () => {
  const notFound = 'Error from server (NotFound): the server could not find the requested resource\n';
  for (const [path, err] of [
    ['/api/v1/namespaces/x/pods/y', 'Error from server (NotFound): pods "y" not found\n'],
    ['/apis/nosuch', notFound],
    ['/openapi/v3/apis/nosuch', notFound],
    ['/apis/apps/v9', notFound],
  ]) assert.deepEqual(await c.alike(['get', '--raw', path]), [1, '', err], path);
});
