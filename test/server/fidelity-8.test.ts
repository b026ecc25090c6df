// The real kubectl 1.32 against `kubesim serve`, for what earlier rounds left different (issue
// #11): each command's stdout, stderr and exit code equal kubesim's CLI on the same cluster.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KUBECTL, ServedCluster } from './harness';
import { BIN } from '../e2e/helpers';

const c = new ServedCluster('fidel8');

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'] });
});

after(async () => {
  await c.stop();
});

test('events -w -o json|yaml|name: each watched Event on its own through the -o printer (struct order, `---` between YAML documents), then each new one', async () => {
  const ns = 'evwo';
  await c.hostedOk(['create', 'namespace', ns]);
  await c.hostedOk(['create', 'deployment', 'first', '--image=nginx', '-n', ns]);
  await c.okAsync(['reconcile', '--until-stable']);
  const events = async () => (await c.hostedOk(['get', 'events', '-n', ns, '-o', 'name'])).trim().split('\n').length;
  const count = (out: string, re: RegExp) => out.match(re)?.length ?? 0;
  for (const [output, each] of [['json', /^\{$/gm], ['yaml', /^kind: Event$/gm], ['name', /^event\//gm]] as const) {
    const existing = await events();
    const args = ['events', '-w', '-o', output, '-n', ns];
    const k = c.started([KUBECTL, ...args]);
    const s = c.started([process.execPath, BIN, ...args]); // in-process (KUBESIM_NO_DAEMON)
    const d = c.started([process.execPath, BIN, ...args], c.env({ KUBESIM_NO_DAEMON: '' })); // a client of the server
    try {
      for (const w of [k, s, d]) await w.until((out) => count(out, each) === existing);
      // a change while all three watch: each new Event printed as it comes
      await c.hostedOk(['scale', 'deployment', 'first', `--replicas=${output === 'json' ? 2 : output === 'yaml' ? 3 : 4}`, '-n', ns]);
      await c.okAsync(['reconcile', '--until-stable']);
      await k.until((out) => count(out, each) > existing + 2);
      const total = await events();
      for (const w of [k, s, d]) await w.until((out) => count(out, each) === total);
      assert.equal(s.out(), k.out(), `in-process -o ${output}`);
      assert.equal(d.out(), k.out(), `through the server -o ${output}`);
    } finally {
      for (const w of [k, s, d]) w.child.kill();
    }
    if (output === 'json') assert.match(k.out(), /^\{\n {4}"kind": "Event",\n {4}"apiVersion": "v1",\n {4}"metadata": \{\n {8}"name": /);
    if (output === 'yaml') assert.match(k.out(), /\ntype: Normal\n---\n[a-z]/);
  }
});
