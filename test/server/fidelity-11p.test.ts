import { appendFileSync } from 'node:fs';
import { test, before, after } from 'node:test';
import { ServedCluster, asKubectl } from './harness';

const c = new ServedCluster('fid11p');
before(() => c.setUp({ kubectl: true, create: ['--nodes', '1'] }));
after(() => c.stop());

test('probe', async () => {
  c.ok(['create', 'deployment', 'web', '--image=nginx']);
  const cases = [
    ['patch', 'deploy', 'web', '-p', '{"spec":{"replicas":"3"}}'],
    ['patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"replicas":"3"}}'],
    ['patch', 'deploy', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":"x"}]'],
    ['patch', 'deploy', 'web', '-p', '{"spec":{"paused":"yes"}}'],
    ['patch', 'deploy', 'web', '-p', '{"metadata":{"labels":{"a":1}}}'],
    ['patch', 'deploy', 'web', '-p', '{"spec":{"strategy":{"type":{"a":1}}}}'],
  ];
  for (const args of cases) {
    const k = c.kubectl(args);
    appendFileSync('/tmp/fid11p/probe.log', '\n' + JSON.stringify([args, k]));
    for (const env of [{}, { KUBESIM_NO_DAEMON: '' }] as Record<string, string>[]) appendFileSync('/tmp/fid11p/probe.log', '\n' + JSON.stringify(asKubectl(await c.hosted(args, { env }))));
  }
});
