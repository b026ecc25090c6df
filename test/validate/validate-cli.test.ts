import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync, chmodSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Dir, VALID_DEPLOY, BAD_DEPLOY, CRD, checkJUnit, checkSarif } from './helpers';
import { BIN, TEST_CACHE_HOME } from '../e2e/helpers';
import { requireCorpus } from '../corpus';

const d = new Dir();
after(() => d.cleanup());
const good = d.file('good.yaml', VALID_DEPLOY);
const bad = d.file('bad.yaml', BAD_DEPLOY);

test('valid input: exit 0 and the summary line', () => {
  const r = d.validate([good]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '1 resources: 1 valid, 0 invalid, 0 skipped, 0 errors\n');
  const v = d.validate([good, '--verbose']);
  assert.match(v.stdout, /^valid\s+.*good\.yaml:1:1 Deployment\/web$/m);
});

test('text: every finding of the document with file:line:col, excerpt, hint and rule id; exit 1', () => {
  const r = d.validate([bad]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /bad\.yaml:6:3: error: unknown field "replica" in io\.k8s\.api\.apps\.v1\.DeploymentSpec \[schema\/unknown-field\]/);
  assert.match(r.stdout, / > 6 \|   replica: 3\n\s+\|   \^/);
  assert.match(r.stdout, /hint: did you mean "replicas"\?/);
  assert.match(r.stdout, /bad\.yaml:14:9: error: spec\.template\.spec\.containers\[0\]\.name: Invalid value: "Web_1".*\[semantic\/invalid-value\]/);
  assert.match(r.stdout, /1 resources: 0 valid, 1 invalid, 0 skipped, 0 errors\n$/);
  assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour when not a TTY');
});

test('--no-strict turns unknown fields into warnings', () => {
  const f = d.file('unknown-only.yaml', VALID_DEPLOY.replace('  replicas: 2', '  replicas: 2\n  foo: 1'));
  assert.equal(d.validate([f]).code, 1);
  const r = d.validate([f, '--no-strict']);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /warning: unknown field "foo"/);
});

test('malformed YAML never passes: yaml/syntax, exit 1; duplicate keys: yaml/duplicate-key', () => {
  const f = d.file('broken.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n\tdata: {}\n');
  const r = d.validate([f]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /broken\.yaml:5:\d+: error: .*\[yaml\/syntax\]/);
  assert.match(r.stdout, /0 valid, 0 invalid, 0 skipped, 1 errors/);
  const dup = d.file('dup-key.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n');
  const r2 = d.validate([dup, '-o', 'json']);
  assert.equal(r2.code, 1);
  const j = JSON.parse(r2.stdout);
  assert.equal(j.resources[0].findings[0].ruleId, 'yaml/duplicate-key');
  assert.equal(j.resources[0].findings[0].line, 5);
});

test('stdin with -', () => {
  const r = d.validate(['-'], { stdin: VALID_DEPLOY + '---\n' + BAD_DEPLOY });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^STDIN:22:3: error: unknown field "replica"/m);
  assert.match(r.stdout, /2 resources: 1 valid, 1 invalid/);
});

test('usage and I/O errors exit 2; a missing path is not a skip', () => {
  const r = d.validate([join(d.path, 'nope.yaml')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /the path ".*nope\.yaml" does not exist/);
  assert.equal(d.validate([good, '-o', 'xml']).code, 2);
  assert.equal(d.validate([]).code, 2);
  // The usage and output errors validate shares with check (cli/validate.ts), worded for validate.
  const usage: [string[], RegExp][] = [
    [[], /no input: pass files, .*\nSee '.* validate -h' for help and examples/],
    [[good, '-o', 'json='], /-o json=: missing file name/],
    [['-', '--crd', '-'], /standard input \(-\) can be given only once/],
    [[good, '-o', `json=${join(d.path, 'no-such-dir', 'r.json')}`], /cannot write .*r\.json: ENOENT/],
  ];
  for (const [args, want] of usage) {
    const u = d.validate(args);
    assert.equal(u.code, 2, args.join(' '));
    assert.match(u.stderr, want, args.join(' '));
  }
  if (process.getuid?.() !== 0) {
    const locked = d.file('locked.yaml', VALID_DEPLOY);
    chmodSync(locked, 0o000);
    const u = d.validate([locked]);
    assert.equal(u.code, 2);
    assert.match(u.stderr, /cannot read .*locked\.yaml: permission denied/);
    chmodSync(locked, 0o644);
  }
});

test('zero resources is said plainly and fails unless --allow-empty', () => {
  const e = d.file('empty/only-comments.yaml', '# nothing here\n');
  const r = d.validate([e]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no resources found/);
  assert.equal(d.validate([e, '--allow-empty']).code, 0);
});

test('unknown kind is an error; --ignore-missing-schemas skips it; --fail-on-skip fails', () => {
  const f = d.file('widget.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 1}\n');
  const r = d.validate([f]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /widget\.yaml:2:1: error: no schema for kind "Widget".*\[resource\/unknown-kind\]/);
  const s = d.validate([f, '--ignore-missing-schemas']);
  assert.equal(s.code, 0);
  assert.match(s.stdout, /1 resources: 0 valid, 0 invalid, 1 skipped, 0 errors/);
  assert.equal(d.validate([f, '--ignore-missing-schemas', '--fail-on-skip']).code, 1);
});

test('CRDs among the inputs and with --crd validate custom resources', () => {
  const crd = d.file('crds/widget-crd.yaml', CRD);
  const okCr = 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 2, color: red}\n';
  const badCr = 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w2}\nspec:\n  size: 0\n  color: green\n';
  const crs = d.file('crs.yaml', okCr + '---\n' + badCr);
  const r = d.validate([crs, '--crd', join(d.path, 'crds')]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /2 resources: 1 valid, 1 invalid/);
  assert.match(r.stdout, /crs\.yaml:11:3: error: spec\.color: Unsupported value: "green"/);
  const inline = d.validate(['-'], { stdin: CRD + '---\n' + okCr });
  assert.equal(inline.code, 0, inline.stdout);
  assert.match(inline.stdout, /2 resources: 2 valid/);
});

test('duplicate objects across inputs are reported', () => {
  const a = d.file('dups/a.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same, namespace: x}\n');
  d.file('dups/b.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same, namespace: x}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: same, namespace: y}\n');
  const r = d.validate([join(d.path, 'dups'), '-o', 'json']);
  assert.equal(r.code, 1);
  const j = JSON.parse(r.stdout);
  const dup = j.resources.flatMap((x: any) => x.findings).filter((f: any) => f.ruleId === 'resource/duplicate');
  assert.equal(dup.length, 1);
  assert.match(dup[0].file, /b\.yaml$/);
  assert.ok(dup[0].message.includes(a));
});

test('helm # Source: comments name the chart template in findings', () => {
  const text = '---\n# Source: mychart/templates/deploy.yaml\n' + BAD_DEPLOY;
  const r = d.validate(['-', '-o', 'json'], { stdin: text });
  const j = JSON.parse(r.stdout);
  assert.equal(j.resources[0].findings[0].helmSource, 'mychart/templates/deploy.yaml');
  assert.equal(j.resources[0].findings[0].line, 8);
  const t = d.validate(['-'], { stdin: text });
  assert.match(t.stdout, /STDIN:8:3 \(mychart\/templates\/deploy\.yaml\): error/);
});

test('globs and directories', () => {
  d.file('tree/a/one.yaml', VALID_DEPLOY);
  d.file('tree/b/c/two.yml', VALID_DEPLOY.replace('name: web', 'name: web2'));
  d.file('tree/b/readme.txt', 'not yaml');
  assert.match(d.validate([join(d.path, 'tree')]).stdout, /^2 resources: 2 valid/m);
  assert.match(d.validate(['tree/**/*.yml']).stdout, /^1 resources: 1 valid/m);
});

test('json output parses and carries the summary', () => {
  const r = d.validate([good, bad, '-o', 'json']);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.summary, { resources: 2, valid: 1, invalid: 1, skipped: 0, errors: 0 });
  const rules = j.resources[1].findings.map((f: any) => f.ruleId);
  assert.deepEqual(rules, ['schema/unknown-field', 'semantic/invalid-value']);
});

test('sarif 2.1.0: results with ruleId and physicalLocation regions', () => {
  const r = d.validate([bad, '-o', 'sarif']);
  const s = checkSarif(r.stdout);
  assert.equal(s.version, '2.1.0');
  const run = s.runs[0];
  assert.equal(run.tool.driver.name, 'kubesim');
  const res = run.results[0];
  assert.equal(res.ruleId, 'schema/unknown-field');
  assert.equal(res.level, 'error');
  assert.equal(run.tool.driver.rules[res.ruleIndex].id, res.ruleId);
  assert.deepEqual(res.locations[0].physicalLocation.region, { startLine: 6, startColumn: 3 });
  assert.match(res.locations[0].physicalLocation.artifactLocation.uri, /bad\.yaml$/);
});

test('junit: one testcase per resource, well-formed XML', () => {
  const r = d.validate([good, bad, '-o', 'junit']);
  checkJUnit(r.stdout);
  assert.equal((r.stdout.match(/<testcase /g) ?? []).length, 2);
  assert.match(r.stdout, /<testsuites name="kubesim validate" tests="2" failures="1" errors="0" skipped="0">/);
  assert.match(r.stdout, /<failure message="unknown field &quot;replica&quot;[^"]*" type="schema\/unknown-field">/);
});

test('tap: plan and one test point per resource', () => {
  const r = d.validate([good, bad, '-o', 'tap']);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'TAP version 13');
  assert.equal(lines[1], '1..2');
  assert.match(r.stdout, /^ok 1 - .*good\.yaml:1:1 Deployment\/web$/m);
  assert.match(r.stdout, /^not ok 2 - .*bad\.yaml:1:1 Deployment\/bad$/m);
});

test('github: workflow-command annotations', () => {
  const r = d.validate([bad, '-o', 'github']);
  assert.match(r.stdout, /^::error file=.*bad\.yaml,line=6,col=3,title=schema\/unknown-field::unknown field "replica".*%0Ahint: did you mean "replicas"\?$/m);
});

test('several outputs in one run: -o text -o sarif=FILE -o junit=FILE', () => {
  const sarif = join(d.path, 'out.sarif');
  const junit = join(d.path, 'out.xml');
  const r = d.validate([bad, '-o', 'text', '-o', `sarif=${sarif}`, '-o', `junit=${junit}`]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /1 resources: 0 valid, 1 invalid/);
  assert.equal(checkSarif(readFileSync(sarif, 'utf8')).version, '2.1.0');
  assert.ok(existsSync(junit));
  checkJUnit(readFileSync(junit, 'utf8'));
});

test('corpus: every format parses on real-world manifests', () => {
  const dir = requireCorpus('stefanprodan__podinfo');
  const r = d.validate([dir, '--ignore-missing-schemas', '-o', 'json', '-o', `sarif=${join(d.path, 'c.sarif')}`, '-o', `junit=${join(d.path, 'c.xml')}`]);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.ok(j.summary.resources > 0);
  assert.equal(j.summary.valid + j.summary.invalid + j.summary.skipped + j.summary.errors, j.summary.resources);
  checkSarif(readFileSync(join(d.path, 'c.sarif'), 'utf8'));
  checkJUnit(readFileSync(join(d.path, 'c.xml'), 'utf8'));
});

test('validate ends once its report is out, without draining the event loop; the report whole through a pipe read late', () => {
  // 'beforeExit' is emitted only by a process whose event loop drained (the natural end, which
  // then frees the whole heap: ≈ 10 ms of main thread after the corpus's report, round 118).
  const preload = d.file('before-exit.cjs', "process.on('beforeExit', () => require('node:fs').writeSync(2, 'event loop drained\\n'));\n");
  const many = d.file('many.yaml', Array.from({ length: 400 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c-${i}\ndata:\n  k: v\n`).join('---\n') + '---\n' + BAD_DEPLOY);
  // A reader that starts late: the report (> 64 KiB) does not fit the pipe's buffer, so the
  // writes wait for it; the exit code is validate's, printed by bash.
  const piped = (args: string[]) => spawnSync('bash', ['-c', '"$@" | (sleep 0.3; cat); echo "exit ${PIPESTATUS[0]}" >&2', 'bash', process.execPath, '-r', preload, BIN, ...args], {
    cwd: d.path, encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, XDG_CACHE_HOME: TEST_CACHE_HOME, KUBESIM_HOME: join(d.path, '.home'), KUBESIM_NO_DAEMON: '1', NO_COLOR: '1' },
  });
  const r = piped(['validate', '-o', 'json', many]);
  assert.ok(r.stdout.length > 65536, `report of ${r.stdout.length} bytes`);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.summary, { resources: 401, valid: 400, invalid: 1, skipped: 0, errors: 0 });
  assert.match(r.stderr, /^exit 1$/m);
  assert.doesNotMatch(r.stderr, /event loop drained/);
  // The preload works: a command ending naturally prints its line.
  const other = piped(['-n', 'default', 'version', '--client']);
  assert.match(other.stdout, /^Client Version: /);
  assert.match(other.stderr, /event loop drained/);
  assert.match(other.stderr, /^exit 0$/m);
});
