// `completion bash` in a real bash: the script registers itself for kubesim, and its function,
// called as bash calls it (COMP_WORDS/COMP_CWORD), offers verbs, types, live object names,
// namespaces and the kubeconfig's contexts.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BIN, Sandbox, TEST_CACHE_HOME } from './helpers';

const sb = new Sandbox('kubesim-compl-');
after(() => sb.cleanup());

before(() => {
  const bin = join(sb.home, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'kubesim'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'kubesim'), 0o755);
  sb.ok(['cluster', 'create', 'lab', '--nodes', '1']);
  sb.ok(['create', 'configmap', 'alpha-config', '--from-literal=a=b']);
  sb.ok(['create', 'configmap', 'beta-config', '--from-literal=a=b']);
  sb.ok(['create', 'namespace', 'team-x']);
});

/** Runs the completion function for the words typed so far (the last one being completed). */
function complete(words: string[]): string[] {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const script = `set -e
source <(kubesim completion bash)
complete -p kubesim
COMP_WORDS=(${quoted})
COMP_CWORD=${words.length - 1}
_kubesim_complete
printf '%s\\n' "\${COMPREPLY[@]}"
`;
  const r = spawnSync('bash', ['-c', script], {
    env: { PATH: `${join(sb.home, 'bin')}:/usr/bin:/bin`, HOME: sb.home, KUBESIM_HOME: sb.home, KUBESIM_NO_DAEMON: '1', KUBECONFIG: join(sb.home, 'kubeconfig'), XDG_CACHE_HOME: TEST_CACHE_HOME },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.error, undefined, 'bash must be installed');
  assert.equal(r.status, 0, r.stderr);
  const [registration, ...rest] = r.stdout.split('\n');
  assert.equal(registration, 'complete -o default -F _kubesim_complete kubesim');
  return rest.filter(Boolean);
}

test('bash completes verbs, types, live names, namespaces and contexts', { timeout: 180_000 }, () => {
  assert.deepEqual(complete(['kubesim', 'ge']), ['get']);
  assert.ok(complete(['kubesim', 'get', 'config']).includes('configmaps'));
  assert.deepEqual(complete(['kubesim', 'get', 'configmap', '']).filter((n) => n.endsWith('-config')), ['alpha-config', 'beta-config']);
  assert.deepEqual(complete(['kubesim', 'describe', 'configmap', 'al']), ['alpha-config']);
  assert.ok(complete(['kubesim', 'get', 'pods', '-n', 'te']).includes('team-x'));
  assert.deepEqual(complete(['kubesim', 'config', 'use-context', 'kubesim-']), ['kubesim-lab']);
  assert.deepEqual(complete(['kubesim', 'completion', 'p']), ['powershell']);
});
