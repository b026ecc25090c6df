// `kubesim check` as users run it: every output format parsed back, stdin, exit codes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Dir, deployment } from './helpers';
import { checkJUnit, checkSarif } from '../validate/helpers';

const d = new Dir();
after(() => d.cleanup());

const GOOD = `${deployment('web', { replicas: 2, container: '        ports:\n        - {name: http, containerPort: 80}' })}---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - {port: 80, targetPort: http}
`;
const BAD = deployment('big', { replicas: 2, container: '        resources:\n          requests: {cpu: "6"}' });
const good = d.file('good.yaml', GOOD);
const bad = d.file('bad.yaml', BAD);

test('exit 0: everything valid and every workload Ready; the summary lines', () => {
  const r = d.cli([good]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^2 resources: 2 valid, 0 invalid, 0 skipped, 0 errors\n1 workloads: 1 ready, 0 not ready \(simulated \d+s\)\n$/);
  // --kubernetes-version as kubeconform takes it: the bundled 1.32 schemas, however spelled
  const v = d.cli([good, '--verbose', '--kubernetes-version', 'v1.32.4']);
  assert.match(v.stdout, /^Ready .*good\.yaml:3 Deployment\/web \(2\/2 ready\)$/m);
});

test('exit 1: a workload that cannot be scheduled; text finding at file:line with the rule id', () => {
  const r = d.cli([bad, '--timeout', '2m']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /bad\.yaml:3:1: error: FailedScheduling: 0\/3 nodes are available: 3 Insufficient cpu\. .* \[deploy\/failed-scheduling\] \(Deployment\/big\)/);
  assert.match(r.stdout, /1 resources: 0 valid, 1 invalid, 0 skipped, 0 errors\n1 workloads: 0 ready, 1 not ready \(simulated 2m0s, deadline reached\)\n$/);
});

test('invalid documents are findings too (the validate rules), and are not applied', () => {
  const f = d.file('typo.yaml', GOOD.replace('  replicas: 2', '  replica: 2'));
  const r = d.cli([f]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /typo\.yaml:6:3: error: unknown field "replica" .*\[schema\/unknown-field\]/);
  assert.match(r.stdout, /0 workloads: 0 ready, 0 not ready/);
});

test('stdin: cat x | kubesim check -', () => {
  const r = d.cli(['-', '--timeout', '2m'], { stdin: BAD });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^STDIN:3:1: error: FailedScheduling/m);
});

test('json: summary, resources with findings, workloads', () => {
  const r = d.cli([good, bad, '--timeout', '2m', '-o', 'json']);
  assert.equal(r.code, 1);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.summary, { resources: 3, valid: 2, invalid: 1, skipped: 0, errors: 0 });
  assert.deepEqual(j.workloads.map((w: any) => [w.name, w.state, w.detail]), [['web', 'Ready', '2/2 ready'], ['big', 'NotReady', '0/2 ready']]);
  const f = j.resources[2].findings[0];
  assert.deepEqual([f.ruleId, f.line, f.column], ['deploy/failed-scheduling', 3, 1]);
  assert.equal(j.settled, false);
  assert.equal(j.simulatedSeconds, 120);
});

test('sarif 2.1.0: deploy rules described, results located', () => {
  const r = d.cli([bad, '--timeout', '2m', '-o', 'sarif']);
  const s = checkSarif(r.stdout);
  assert.equal(s.version, '2.1.0');
  const run = s.runs[0];
  const res = run.results.find((x: any) => x.ruleId === 'deploy/failed-scheduling');
  assert.equal(res.level, 'error');
  assert.deepEqual(res.locations[0].physicalLocation.region, { startLine: 3, startColumn: 1 });
  assert.equal(run.tool.driver.rules[res.ruleIndex].shortDescription.text, 'Pods of a workload cannot be scheduled on the cluster');
});

test('junit, tap, github: well-formed and parseable', () => {
  const j = d.cli([good, bad, '--timeout', '2m', '-o', 'junit']);
  checkJUnit(j.stdout);
  assert.match(j.stdout, /<testsuites name="kubesim check" tests="3" failures="1" errors="0" skipped="0">/);
  assert.match(j.stdout, /<failure message="FailedScheduling: 0\/3 nodes are available[^"]*" type="deploy\/failed-scheduling">/);
  const t = d.cli([good, bad, '--timeout', '2m', '-o', 'tap']);
  assert.match(t.stdout, /^TAP version 13\n1\.\.3\n/);
  assert.match(t.stdout, /^not ok 3 - .*bad\.yaml:1:1 Deployment\/big$/m);
  assert.match(t.stdout, /^# 2 workloads: 1 ready, 1 not ready/m);
  const g = d.cli([bad, '--timeout', '2m', '-o', 'github']);
  assert.match(g.stdout, /^::error file=.*bad\.yaml,line=3,col=1,title=deploy\/failed-scheduling::FailedScheduling: 0\/3 nodes are available/m);
  assert.match(g.stdout, /^::notice::1 workloads: 0 ready, 1 not ready/m);
});

test('several outputs in one run: -o text -o sarif=FILE -o junit=FILE', () => {
  const r = d.cli([bad, '--timeout', '2m', '-o', 'text', '-o', `sarif=${join(d.path, 'o.sarif')}`, '-o', `junit=${join(d.path, 'o.xml')}`]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /\[deploy\/failed-scheduling\]/);
  assert.equal(checkSarif(readFileSync(join(d.path, 'o.sarif'), 'utf8')).runs[0].results[0].ruleId, 'deploy/failed-scheduling');
  checkJUnit(readFileSync(join(d.path, 'o.xml'), 'utf8'));
});

test('exit 2: usage and I/O errors', () => {
  const cases: [string[], RegExp][] = [
    [[], /no input: pass files/],
    [['missing.yaml'], /the path "missing\.yaml" does not exist/],
    [[good, '-o', 'xml'], /unknown output format "xml"/],
    [[good, '--timeout', 'soon'], /invalid --timeout "soon"/],
    [[good, '--nodes', 'two'], /invalid --nodes "two"/],
    [[good, '--node-cpu', 'lots'], /invalid --node-cpu "lots"/],
    [[good, '--cluster-config', 'nope.yaml'], /cannot read nope\.yaml: no such file/],
    [[good, '--cluster-config', good, '--nodes', '2'], /cannot be combined/],
    [[good, '--assume-exists', 'secret'], /invalid --assume-exists "secret": expected KIND\/NAME/],
    [[good, '--assume-exists', 'gizmo/x'], /the server doesn't have a resource type "gizmo"/],
    [[good, '--kubernetes-version', '1.29'], /--kubernetes-version 1\.29: no schemas for Kubernetes 1\.29 are bundled/],
  ];
  for (const [args, re] of cases) {
    const r = d.cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
});

test('no resources: said plainly, exit 1 unless --allow-empty', () => {
  const empty = d.file('empty.yaml', '# nothing\n');
  const r = d.cli([empty]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no resources found in .*empty\.yaml \(pass --allow-empty to accept this\)/);
  assert.equal(d.cli([empty, '--allow-empty']).code, 0);
});
