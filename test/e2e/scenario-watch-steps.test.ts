// `get pods -w` against a running cluster (the daemon, its clock at 10x) shows a pod's life
// as kubectl users know it: the Pending line first, then ContainerCreating,
// and each exit of a crashing container (Error) between its restarts and back-offs.
// And `delete -f` of a namespace with its objects, where the daemon's namespace controller
// runs on its own (without a daemon the clock stands still between commands).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Sandbox, BIN, TEST_CACHE_HOME } from './helpers';

const sb = new Sandbox();
const daemon = { env: { KUBESIM_NO_DAEMON: '0' } };
before(() => {
  sb.ok(['cluster', 'create', '--nodes', '1']);
  assert.equal(sb.run(['cluster', 'start'], daemon).code, 0);
});
after(() => {
  sb.run(['cluster', 'stop'], daemon);
  sb.cleanup();
});

test('delete -f of a namespace and its objects prints every "deleted" line: the controller waits 5 s before emptying it', { timeout: 60_000 }, async () => {
  const file = sb.file('team.yaml', `apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: team}
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: team}
spec: {ports: [{port: 80}]}
`);
  assert.equal(sb.run(['apply', '-f', file], daemon).code, 0);
  const r = sb.run(['delete', '-f', file, '--wait=false'], daemon);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'namespace "team" deleted\nconfigmap "cfg" deleted\nservice "svc" deleted\n', '']);
  // then the controller removes the namespace on its own
  let gone = '';
  for (const end = Date.now() + 30_000; !gone.includes('not found') && Date.now() < end;) {
    gone = sb.run(['get', 'ns', 'team'], daemon).stderr;
    if (!gone.includes('not found')) await new Promise((res) => setTimeout(res, 500));
  }
  assert.match(gone, /namespaces "team" not found/);
});

test('get -w: Pending first, then ContainerCreating, then Error and CrashLoopBackOff in turn', { timeout: 120_000 }, async () => {
  assert.equal(sb.run(['clock', 'speed', '10'], daemon).code, 0);
  // -v=6: the watch request's line (as kubectl's) says when the watch has started; an empty
  // list prints nothing before it, as kubectl prints nothing.
  const watcher = spawn(process.execPath, [BIN, 'get', 'pods', '-w', '-v=6'], {
    env: { ...process.env, XDG_CACHE_HOME: TEST_CACHE_HOME, KUBESIM_HOME: sb.home, KUBECONFIG: `${sb.home}/kubeconfig`, KUBESIM_NO_DAEMON: '0', NO_COLOR: '1', TZ: 'UTC' },
  });
  let seen = '';
  let listed = '';
  watcher.stdout.on('data', (d) => (seen += d));
  watcher.stderr.on('data', (d) => (listed += d));
  try {
    // the watcher lists (nothing yet), then follows from the list's resourceVersion
    const watching = /GET \S+\/api\/v1\/namespaces\/default\/pods\?resourceVersion=\d+&watch=true\S* 200 OK/;
    for (const end = Date.now() + 30_000; !watching.test(listed) && Date.now() < end;) await new Promise((r) => setTimeout(r, 100));
    assert.match(listed, watching);
    assert.doesNotMatch(listed, /No resources found/);
    assert.equal(seen, '');
    assert.equal(sb.run(['run', 'crash', '--image=busybox:1.36', '--', 'sh', '-c', 'echo boom; exit 1'], daemon).code, 0);
    const statuses = () => seen.split('\n').filter((l) => l.startsWith('crash ')).map((l) => l.split(/\s+/).slice(2, 4).join(' '));
    const deadline = Date.now() + 90_000;
    while (!statuses().some((s) => s === 'Error 2') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const s = statuses();
    assert.ok(s.includes('Error 2'), `no second restart's exit within 90 s; the watcher printed:\n${seen}`);
    assert.equal(s[0], 'Pending 0', seen);
    const first = (x: string) => s.indexOf(x);
    assert.ok(first('Pending 0') < first('ContainerCreating 0') && first('ContainerCreating 0') < first('Error 0'), seen);
    assert.ok(first('Error 0') < first('CrashLoopBackOff 1') && first('CrashLoopBackOff 1') < first('Error 2'), seen);
  } finally {
    watcher.kill('SIGTERM');
  }
});
