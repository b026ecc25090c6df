// A container's status around its first, immediate restart, stepped 200 ms at a time on a
// clock that stands nearly still between commands: while the run that ended is shown
// (state terminated) the status names that run's container and keeps the run before it
// (none) as lastState, as the kubelet does; no step shows one run as both state and
// lastState (which `get -w` printed as extra identical Error lines).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox } from './helpers';
import { Hosted } from './hosted';

const sb = new Hosted(new Sandbox());
after(() => sb.sb.cleanup());

test('from exit to restart: state and lastState are different runs, containerID the shown one', async () => {
  await sb.ok(['cluster', 'create', '--nodes', '1']);
  await sb.ok(['clock', 'speed', '0.001']);
  await sb.ok(['run', 'c', '--image=busybox:1.36', '--', 'sh', '-c', 'sleep 2; exit 1']);
  const status = async () => JSON.parse(await sb.ok(['get', 'pod', 'c', '-o', 'json'])).status.containerStatuses?.[0];
  let st = await status();
  for (let i = 0; i < 30 && !st?.state?.running; i++) {
    await sb.ok(['clock', 'advance', '1s']);
    st = await status();
  }
  assert.ok(st.state.running, JSON.stringify(st));
  await sb.ok(['clock', 'advance', '1500ms']); // the script exits 2 s after its start
  const seen = new Set<string>();
  for (let i = 0; i < 30 && !(st.restartCount === 1 && st.state.running); i++) {
    await sb.ok(['clock', 'advance', '200ms']);
    st = await status();
    const term = st.state.terminated;
    if (!term) continue;
    seen.add(`${st.restartCount} ${term.containerID}`);
    assert.equal(st.containerID, term.containerID, JSON.stringify(st));
    assert.notEqual(st.lastState.terminated?.containerID, term.containerID, JSON.stringify(st));
  }
  assert.equal(st.restartCount, 1, JSON.stringify(st));
  assert.ok(st.state.running, JSON.stringify(st));
  assert.equal(seen.size, 1, [...seen].join('\n'));
});
