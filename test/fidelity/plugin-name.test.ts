// kubesim run as the real kubectl's plugin (`kubectl sim ...`, bin/kubesim linked as
// kubectl-sim on PATH): its usage trailers name `kubectl sim`, where kubectl's own name
// `kubectl`; otherwise it prints what kubectl prints. The differential suite cannot see this
// (it reads kubesim's name as kubectl's), so a trailer that says `kubesim` literally is
// caught here.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { KUBECTL, ROOT, haveKubectl } from './differential';

const dir = mkdtempSync(join(tmpdir(), 'kubesim-plugin-name-'));
symlinkSync(join(ROOT, 'bin', 'kubesim'), join(dir, 'kubectl-sim'));
const kubeconfig = join(dir, 'kubeconfig');
writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n', { mode: 0o600 });
const env = { PATH: `${dir}:/usr/bin:/bin`, HOME: dir, KUBECONFIG: kubeconfig, KUBESIM_HOME: join(dir, 'kubesim'), KUBESIM_NO_DAEMON: '1' };
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => {
  const r = spawnSync(KUBECTL, args, { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

for (const args of [['logs'], ['port-forward'], ['config', 'view', 'x'], ['config', 'delete-user'], ['apply', '-f', 'x.yaml', '--timeout=5']]) {
  test(`kubectl sim ${args.join(' ')}: the usage trailer names kubectl sim`, () => {
    assert.ok(haveKubectl(), 'the real kubectl runs the plugin');
    const own = run(args);
    const plugin = run(['sim', ...args]);
    assert.match(plugin.stderr, /See 'kubectl sim [a-z -]+' for/);
    assert.deepEqual(plugin, { ...own, stderr: own.stderr.replace(/See 'kubectl /g, "See 'kubectl sim ") });
  });
}
