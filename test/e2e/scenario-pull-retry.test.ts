// A pull retried after its back-off (statuses kubectl users know): while the
// kubelet pulls again the pod still reads ImagePullBackOff (its reason cache), never
// ContainerCreating, then ErrImagePull when the retry fails. The clock nearly stands still
// (speed 0.001) so that each `clock advance` lands where the test means it to.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox } from './helpers';
import { Hosted } from './hosted';

const sb = new Hosted(new Sandbox());
after(() => sb.sb.cleanup());

const status = async (): Promise<string> => (await sb.ok(['get', 'pod', 'typo', '--no-headers'])).trim().split(/\s+/)[2];

test('a retried pull keeps ImagePullBackOff until it fails again with ErrImagePull', async () => {
  await sb.ok(['cluster', 'create', '--nodes', '1']);
  await sb.ok(['clock', 'speed', '0.001']);
  await sb.ok(['run', 'typo', '--image=ngnix:1.27']);
  // pull from 0 s, failed at 2 s (ErrImagePull shown 5 s), back-off 10 s: retried at 12 s for 2 s
  await sb.ok(['clock', 'advance', '11s']);
  assert.equal(await status(), 'ImagePullBackOff');
  await sb.ok(['clock', 'advance', '1.5s']);
  const pulls = JSON.parse(await sb.ok(['get', 'events', '--field-selector', 'involvedObject.name=typo,reason=Pulling', '-o', 'json'])).items;
  assert.equal(pulls[0]?.count, 2, 'the retry has started');
  assert.equal(await status(), 'ImagePullBackOff');
  await sb.ok(['clock', 'advance', '2s']);
  assert.equal(await status(), 'ErrImagePull');
});
