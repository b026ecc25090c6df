// How a kubeconfig's YAML is read. kubectl reads it with sigs.k8s.io/yaml (go-yaml v2, YAML
// 1.1 scalars, the last of duplicate keys) and then as JSON into client-go's types; kubesim
// reads the shape kubectl writes with the fast reader (src/manifest/fast-yaml.ts) and
// anything else with the `yaml` package. Both readings must be the same value, and the
// CLI must print what kubectl prints for every variant (the real kubectl 1.32 is the oracle).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { KUBECONFIG_YAML, parseKubeconfig } from '../../src/kubeconfig/loader';
import { fastParse } from '../../src/manifest/fast-yaml';
import { CliHost } from '../helpers/cli-host';
import { KUBECTL, KUBECTL_GO_ENV, exec, haveKubectl } from './differential';

/** A kubeconfig as kubectl writes it, with `insecure`, `namespace` and `token` as given. */
function kubeconfig(insecure: string, namespace: string, token = 'abc'): string {
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM=
    insecure-skip-tls-verify: ${insecure}
    server: https://127.0.0.1:6443
  name: c1
contexts:
- context:
    cluster: c1
    namespace: ${namespace}
    user: u1
  name: x1
current-context: x1
kind: Config
preferences: {}
users:
- name: u1
  user:
    token: ${token}
- name: u2
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - --region
      - "eu-west-1"
      command: aws
      env:
      - name: AWS_PROFILE
        value: 'prod'
      - name: EMPTY
        value: ""
      interactiveMode: IfAvailable
      provideClusterInfo: false
`;
}

// Scalars where YAML 1.1 (go-yaml v2) and 1.2 differ, or that are typed at all.
const SCALARS = [
  'yes', 'Yes', 'YES', 'no', 'NO', 'on', 'On', 'off', 'OFF', 'y', 'Y', 'n', 'N', 'true', 'False', 'null', 'Null', '~',
  '0777', '0o17', '0x1F', '-0x1F', '0b11', '1_000', '12_3.5', '08', '1e3', '+12', '.inf', '-.Inf', '.nan',
  '2024-01-01', '1:20', '0b12', '1.2.3', "'yes'", '"0777"', 'web',
];

const VARIANTS: Array<[string, string]> = [
  ...SCALARS.map((s) => [`insecure-skip-tls-verify: ${s}`, kubeconfig(s, 'web')] as [string, string]),
  ...SCALARS.map((s) => [`namespace: ${s}`, kubeconfig('true', s)] as [string, string]),
  ['token: 1_0', kubeconfig('false', 'web', '1_0')],
  ['a comment and CRLF line breaks', `# mine\r\n${kubeconfig('true', 'web').replace(/\n/g, '\r\n')}`],
  ['duplicate current-context (the last wins)', `${kubeconfig('true', 'web')}current-context: x2\n`],
  ['preferences.colors: on', kubeconfig('true', 'web').replace('preferences: {}', 'preferences:\n  colors: on')],
  ['a user name that is a number', kubeconfig('true', 'web').replace('- name: u1', '- name: 12')],
  ['as-groups with a number', kubeconfig('true', 'web').replace('    token: abc', '    token: abc\n    as-groups: [a, 5]')],
  ['a cluster that is a number', 'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: 5\n'],
  ['current-context: 12', kubeconfig('true', 'web').replace('current-context: x1', 'current-context: 12')],
  ['an extension with NaN', `${kubeconfig('true', 'web')}extensions:\n- name: e\n  extension: {a: .nan}\n`],
  ['an anchor and a merge key', `${kubeconfig('true', 'web')}x-base: &b {k: v}\nx-use:\n  <<: *b\n`],
];

// Not YAML: go-yaml v2's message and line (scanner errors count lines from 1 and name none on
// the first, parser errors from 0).
const NOT_YAML: Array<[string, string]> = Object.entries({
  'a tab as indentation': 'apiVersion: v1\nkind: Config\nclusters:\n\t- name: a\n',
  'a tab on the first line': '\tapiVersion: v1\n',
  'an unclosed double quote': 'apiVersion: v1\nkind: Config\ncurrent-context: "abc\nclusters: []\n',
  'an unclosed single quote': "apiVersion: v1\nkind: Config\ncurrent-context: 'abc\n",
  'a nested mapping in a compact one': 'apiVersion: v1\nkind: Config\nclusters:\n- name: a\n   cluster: {}\n  foo: 1\n',
  'an over-indented key': 'apiVersion: v1\nkind: Config\n  users: []\n',
  'two colons on the first line': 'a: b: c\n',
  'a sequence entry where a key is due': 'apiVersion: v1\n- x\n',
  'an entry left of its sequence': 'users:\n  - name: a\n - name: b\n',
  'a key without a colon': 'apiVersion: v1\nkind: Config\ncurrent-context\n',
  'a key over two lines': 'x\ny: 1\n',
  'an unclosed flow sequence': 'apiVersion: v1\nkind: [Config\n',
  'an unclosed flow mapping': 'apiVersion: v1\nkind: Config\nclusters: {a: 1\n',
  'a flow sequence opened at the end': 'a: |\n b\nd: [\n',
  'a reserved character': 'current-context: @ctx\n',
  'an unknown escape': 'current-context: "\\q"\n',
  'an alias of no anchor': 'current-context: &a x\npreferences: *b\n',
}).map(([name, text]) => [`not YAML: ${name}`, text]);

// Directives before the document, which go-yaml v2 checks as it scans them (the `yaml`
// package takes a second %YAML, YAML 1.2 or an unknown directive with a warning at most).
const K = kubeconfig('yes', 'web');
const DIRECTIVES: Array<[string, string]> = Object.entries({
  '%YAML 1.1': `%YAML 1.1\n---\n${K}`,
  '%YAML 01.01, a comment, a %TAG, CRLF': `# c\r\n%YAML 01.01 # v\r\n%TAG !e! tag:e.com,2000:app/\r\n\r\n--- \r\n${K.replace(/\n/g, '\r\n')}`,
  '%TAG of the secondary handle': `%TAG !! tag:x.org,2000:\n---\n${K}`,
  'a duplicate %YAML directive': `%YAML 1.1\n%YAML 1.1\n---\n${K}`,
  'a duplicate %YAML directive after a comment and a blank line': `# c\n%YAML 1.1\n\n%YAML 1.1\n---\n${K}`,
  'a duplicate %TAG directive': `%TAG !e! a\n%TAG !e! b\n---\n${K}`,
  '%YAML 1.2': `%YAML 1.2\n---\n${K}`,
  '%YAML 2.0 on the second line': `\n%YAML 2.0\n---\n${K}`,
  'an unknown directive': `%FOO bar\n---\n${K}`,
  '%YAML without a version': `%YAML\n---\n${K}`,
  '%YAML 1x1': `%YAML 1x1\n---\n${K}`,
  '%YAML 001.1': `%YAML 001.1\n---\n${K}`,
  '%YAML 1.1 and more': `%YAML 1.1 x\n---\n${K}`,
  '%YAML1.1': `%YAML1.1\n---\n${K}`,
  'a bare %': `%\n---\n${K}`,
  '%TAG without a handle': `%TAG e! x\n---\n${K}`,
  '%TAG !e without its closing !': `%TAG !e x\n---\n${K}`,
  '%TAG without a space after the handle': `%TAG !e!x\n---\n${K}`,
  '%TAG without a prefix': `%TAG !e! \n---\n${K}`,
  '%TAG with a bad escape': `%TAG !e! a%zz\n---\n${K}`,
  '%TAG with a character no URI has': `%TAG !e! a{\n---\n${K}`,
  'a directive and no ---': `%YAML 1.1\n${K}`,
  'a directive and ---x': `%YAML 1.1\n---x\n${K}`,
  'a directive and the end': '%YAML 1.1\n',
  'a directive and the end of an unfinished line': '%YAML 1.1',
  'a directive, a comment and the end': '%YAML 1.1\n\n# c\n',
}).map(([name, text]) => [`directives: ${name}`, text]);

const NON_FINITE = /(?:^|[\s{:])-?\.(?:inf|Inf|nan)\b/;

test('the fast reader reads what the full parse reads, and takes the shape kubectl writes', () => {
  let fast = 0;
  for (const [name, text] of VARIANTS) {
    let full: unknown;
    try {
      full = parse(text, KUBECONFIG_YAML);
    } catch {
      full = 'parse error';
    }
    const docs = fastParse(text);
    if (docs === undefined) continue; // left to the full parse
    fast++;
    assert.equal(docs.length, 1, name);
    assert.deepEqual(docs[0].value, full, name);
    assert.deepEqual(parseKubeconfig(text), full, name);
  }
  // Every variant but the duplicate key, the anchor and those with .inf/.nan (left to the
  // full parse, which refuses them in manifests as kubectl does) is in the fast reader's subset.
  assert.equal(fast, VARIANTS.length - 2 - VARIANTS.filter(([, text]) => NON_FINITE.test(text)).length);
});

test('the fast reader types each plain keyword as the full parse does', () => {
  for (const s of SCALARS) {
    if (NON_FINITE.test(s)) assert.equal(fastParse(`k: ${s}\n`), undefined, s);
    else assert.deepEqual(fastParse(`k: ${s}\n`)?.[0].value, parse(`k: ${s}\n`, KUBECONFIG_YAML), s);
  }
});

const dir = mkdtempSync(join(tmpdir(), 'kubesim-kcyaml-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('config view prints what kubectl 1.32 prints for every variant, and its error for a file that is not YAML or whose directives go-yaml refuses', { timeout: 120_000 }, async () => {
  assert.ok(haveKubectl(), 'the real kubectl (/usr/bin/kubectl, v1.32) is the oracle of this test and must be installed');
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, KUBESIM_HOME: join(dir, 'home'), KUBESIM_NO_DAEMON: '1', NO_COLOR: '1' };
  delete env.KUBECONFIG;
  const host = new CliHost({ cwd: dir, env, timeoutMs: 30_000 });
  try {
    for (const [i, [name, text]] of [...VARIANTS, ...NOT_YAML, ...DIRECTIVES].entries()) {
      const file = join(dir, `config-${i}`);
      writeFileSync(file, text);
      const args = [`--kubeconfig=${file}`, 'config', 'view', '-o', 'json'];
      const [k, m] = await Promise.all([exec(KUBECTL, args, { ...env, ...KUBECTL_GO_ENV }, dir), host.run(args)]);
      assert.deepEqual({ stdout: m.stdout, stderr: m.stderr, code: m.code }, { stdout: k.stdout, stderr: k.stderr, code: k.code }, name);
    }
  } finally {
    host.stop();
  }
});
