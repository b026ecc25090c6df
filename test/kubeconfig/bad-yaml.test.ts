// A kubeconfig that is not YAML: the error is kubectl 1.32's byte for byte (go-yaml v2's
// wording and line through sigs.k8s.io/yaml, which kubectl reads kubeconfigs with), for the
// verbs that read the file to pick a cluster. The real kubectl is the oracle.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Sandbox, type RunResult } from '../e2e/helpers';
import { KUBECTL_GO_ENV, requireKubectl } from '../oracles';

const box = new Sandbox('kubesim-bad-kubeconfig-');
after(() => box.cleanup());

function kubectl(args: string[]): RunResult {
  const r = spawnSync('kubectl', args, { cwd: box.home, env: { ...box.env(), HOME: box.home, ...KUBECTL_GO_ENV }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const CASES: Record<string, string> = {
  'tab-indent': 'apiVersion: v1\nkind: Config\nclusters:\n\t- name: a\n',
  'tab-first-line': '\tapiVersion: v1\n',
  'unclosed-double-quote': 'apiVersion: v1\nkind: Config\ncurrent-context: "abc\nclusters: []\n',
  'unclosed-single-quote': "apiVersion: v1\nkind: Config\ncurrent-context: 'abc\n",
  'nested-compact-mapping': 'apiVersion: v1\nkind: Config\nclusters:\n- name: a\n   cluster: {}\n  foo: 1\n',
  'over-indented-key': 'apiVersion: v1\nkind: Config\n  users: []\n',
  'key-on-first-line': 'a: b: c\n',
  'sequence-under-mapping': 'apiVersion: v1\n- x\n',
  'entry-out-of-indent': 'users:\n  - name: a\n - name: b\n',
  'key-without-colon': 'apiVersion: v1\nkind: Config\ncurrent-context\n',
  'key-over-two-lines': 'x\ny: 1\n',
  'unclosed-flow-sequence': 'apiVersion: v1\nkind: [Config\n',
  'unclosed-flow-mapping': 'apiVersion: v1\nkind: Config\nclusters: {a: 1\n',
  'flow-sequence-at-end': 'a: |\n b\nd: [\n',
  'reserved-character': 'current-context: @ctx\n',
  'unknown-escape': 'current-context: "\\q"\n',
  'unknown-anchor': 'current-context: &a x\npreferences: *b\n',
};

test('a kubeconfig that is not YAML: kubectl\'s error, for config view and for a verb that needs the cluster', async () => {
  requireKubectl();
  for (const [name, text] of Object.entries(CASES)) {
    const file = box.file(`${name}.yaml`, text);
    for (const args of [['config', 'view', '-o', 'name'], ['get', 'pods']]) {
      const k = kubectl(['--kubeconfig', file, ...args]);
      assert.equal(k.code, 1, `kubectl ${name}: ${k.stderr}`);
      assert.match(k.stderr, /^error: error loading config file ".*": yaml: /, name);
      const s = await box.runAsync(['--kubeconfig', file, ...args]);
      assert.deepEqual(s, k, `${name}: kubesim ${args.join(' ')}`);
    }
  }
});
