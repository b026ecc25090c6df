// The kubeconfig selects the kubesim cluster: `cluster create` writes context kubesim-<name>,
// and switching contexts with `config use-context` (kubesim's or the real kubectl's, on the
// same file) or setting the context's namespace changes where kubesim's verbs go.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, test } from 'node:test';
import { Sandbox } from './helpers';
import { Hosted } from './hosted';

const sb = new Hosted(new Sandbox('kubesim-kcctx-'));
after(() => sb.sb.cleanup());

function kubectl(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('/usr/bin/kubectl', args, { env: { PATH: '/usr/bin:/bin', HOME: sb.home, KUBECONFIG: `${sb.home}/kubeconfig` }, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('contexts in the kubeconfig choose the cluster and the namespace', { timeout: 120_000 }, async () => {
  await sb.ok(['cluster', 'create', 'alpha', '--nodes', '1']);
  await sb.ok(['cluster', 'create', 'beta', '--nodes', '1']);
  assert.equal(await sb.ok(['config', 'current-context']), 'kubesim-beta\n');
  await sb.ok(['create', 'namespace', 'only-in-beta']);

  // kubesim's own config use-context writes the standard file...
  assert.equal(await sb.ok(['config', 'use-context', 'kubesim-alpha']), 'Switched to context "kubesim-alpha".\n');
  assert.equal((await sb.run(['get', 'namespace', 'only-in-beta'])).code, 1, 'alpha has no such namespace');

  // ...which the real kubectl reads and writes too.
  const k = kubectl(['config', 'current-context']);
  assert.equal(k.stdout, 'kubesim-alpha\n', k.stderr);
  assert.equal(kubectl(['config', 'use-context', 'kubesim-beta']).code, 0);
  assert.match(await sb.ok(['get', 'namespace', 'only-in-beta', '-o', 'name']), /^namespace\/only-in-beta\n$/);

  // The context's namespace is kubesim's default namespace.
  assert.equal(await sb.ok(['config', 'set-context', '--current', '--namespace=only-in-beta']), 'Context "kubesim-beta" modified.\n');
  await sb.ok(['create', 'configmap', 'cm1', '--from-literal=a=b']);
  assert.equal(await sb.ok(['get', 'configmap', 'cm1', '-o', 'jsonpath={.metadata.namespace}']), 'only-in-beta');
  const rows = (await sb.ok(['config', 'get-contexts'])).split('\n');
  assert.match(rows.find((r) => r.includes('kubesim-beta')) ?? '', /^\*\s+kubesim-beta\s+kubesim-beta\s+kubesim-beta\s+only-in-beta$/);

  // --context picks a kubeconfig context for one command.
  assert.equal((await sb.run(['--context', 'kubesim-alpha', 'get', 'namespace', 'only-in-beta'])).code, 1);
  assert.match(await sb.ok(['--context', 'kubesim-beta', 'get', 'ns', 'only-in-beta', '-o', 'name']), /only-in-beta/);
});
