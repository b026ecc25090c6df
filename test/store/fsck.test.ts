// Through the CLI: a damaged object file blocks nothing else (lists skip it with a warning
// naming the file, `delete` removes it) and `kubesim cluster fsck` reports and repairs damage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { removeHome, run, stateDir, tempHome } from '../stress/cli';

test('cluster fsck: a damaged object file is skipped with a warning, deletable, reported and repaired', () => {
  const home = tempHome('kubesim-fsck-');
  try {
    assert.equal(run(home, ['cluster', 'create']).code, 0);
    for (const n of ['a', 'b', 'c', 'd']) assert.equal(run(home, ['create', 'configmap', n, '--from-literal=k=v']).code, 0);
    const dir = stateDir(home);
    const file = (n: string) => join(dir, 'registry', 'configmaps', 'default', n);
    fs.writeFileSync(file('b'), 'not json');
    fs.writeFileSync(file('c'), JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'zzz', namespace: 'default' } }));
    fs.symlinkSync('/etc/passwd', file('evil'));
    fs.writeFileSync(join(dir, 'rev'), 'garbage');

    // A damaged counter is refused by every command, with the way out.
    let r = run(home, ['get', 'configmaps']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: the revision counter .*\/rev is damaged \(it holds "garbage"\); run "kubesim cluster fsck --repair"\n$/);

    r = run(home, ['cluster', 'fsck']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /\/rev: the revision counter .* is damaged/);
    assert.match(r.stdout, /\/b: damaged object file \(not valid JSON\)\n/);
    assert.match(r.stdout, /\/c: damaged object file \(it holds the object named "zzz"\)\n/);
    assert.match(r.stdout, /\/evil: a symlink \(never followed\)\n/);
    assert.match(r.stdout, /4 problem\(s\) found\n$/);
    assert.equal(r.stderr, 'error: run "kubesim cluster fsck --repair" to repair them\n');
    assert.equal(fs.readFileSync(join(dir, 'rev'), 'utf8'), 'garbage', 'fsck without --repair changes nothing');

    fs.writeFileSync(join(dir, 'rev'), '1000\n');
    r = run(home, ['get', 'configmaps', '-o', 'name']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'configmap/a\nconfigmap/d\nconfigmap/kube-root-ca.crt\n');
    assert.match(r.stderr, /^Warning: skipping the damaged object file .*\/b \(not valid JSON\)/m);
    assert.match(r.stderr, /^Warning: skipping .*\/evil: a symlink, never followed/m);
    r = run(home, ['delete', 'configmap', 'b']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'configmap "b" deleted\n');
    assert.equal(fs.existsSync(file('b')), false);

    r = run(home, ['cluster', 'fsck', '--repair']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\/c: damaged object file .*\(repaired: kept as .*lost\+found.*; deleted\)/);
    assert.match(r.stdout, /2 problem\(s\) found, 2 repaired\n$/);
    assert.equal(fs.existsSync(file('evil')), false);
    r = run(home, ['cluster', 'fsck']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, / 0 problem\(s\) found\n$/);
    assert.equal(run(home, ['get', 'configmaps', '-o', 'name']).stdout, 'configmap/a\nconfigmap/d\nconfigmap/kube-root-ca.crt\n');
  } finally {
    removeHome(home);
  }
});

test('cluster fsck: the revision counter and the journal both copied back from an older state: a create is refused, not given an old revision', () => {
  const home = tempHome('kubesim-fsck-');
  try {
    assert.equal(run(home, ['cluster', 'create']).code, 0);
    const dir = stateDir(home);
    assert.equal(run(home, ['create', 'configmap', 'old', '--from-literal=k=v']).code, 0);
    const oldRev = fs.readFileSync(join(dir, 'rev'));
    const oldJournal = fs.readFileSync(join(dir, 'journal.log'));
    for (const n of ['a', 'b', 'c']) assert.equal(run(home, ['create', 'configmap', n, '--from-literal=k=v']).code, 0);
    const newest = Number(run(home, ['get', 'configmap', 'c', '-o', 'jsonpath={.metadata.resourceVersion}']).stdout);
    assert.ok(newest > Number(oldRev.toString()), `${newest} after ${oldRev}`);
    // The double fault: both files rewound (the objects written since stay).
    fs.writeFileSync(join(dir, 'rev'), oldRev);
    fs.writeFileSync(join(dir, 'journal.log'), oldJournal);

    let r = run(home, ['create', 'configmap', 'x', '--from-literal=k=v']);
    assert.equal(r.code, 1, `a create went through: ${r.stdout}`);
    assert.match(r.stderr, /^error: the revision counter \(\d+\) is behind the objects \(revision \d+ recorded in .*\); run "kubesim cluster fsck --repair"\n$/);
    assert.equal(run(home, ['get', 'configmap', 'x']).code, 1, 'nothing was written');

    r = run(home, ['cluster', 'fsck']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /\/rev: the revision counter \(\d+\) is behind the objects/);
    r = run(home, ['cluster', 'fsck', '--repair']);
    assert.equal(r.code, 0, r.stderr);
    r = run(home, ['create', 'configmap', 'x', '--from-literal=k=v']);
    assert.equal(r.code, 0, r.stderr);
    const rv = Number(run(home, ['get', 'configmap', 'x', '-o', 'jsonpath={.metadata.resourceVersion}']).stdout);
    assert.ok(rv > newest, `the new object's resourceVersion ${rv} is after every object's (${newest})`);
    assert.match(run(home, ['cluster', 'fsck']).stdout, / 0 problem\(s\) found\n$/);
  } finally {
    removeHome(home);
  }
});

test('cluster fsck: the counter, the journal and the objects\' mark all copied back, then passed again by new writes: the revisions given twice are found and written again', () => {
  const home = tempHome('kubesim-fsck-');
  try {
    assert.equal(run(home, ['cluster', 'create']).code, 0);
    const dir = stateDir(home);
    assert.equal(run(home, ['create', 'configmap', 'old', '--from-literal=k=v']).code, 0);
    const saved = ['rev', 'journal.log', 'objects-rev'].map((f) => [f, fs.readFileSync(join(dir, f))] as const);
    for (const n of ['a', 'b', 'c']) assert.equal(run(home, ['create', 'configmap', n, '--from-literal=k=v']).code, 0);
    for (const [f, bytes] of saved) fs.writeFileSync(join(dir, f), bytes);
    // Nothing at a take can tell (round 85): the new writes get a, b and c's revisions again,
    // and once the counter has passed them every object is behind it.
    for (const n of ['x', 'y', 'z', 'w']) assert.equal(run(home, ['create', 'configmap', n, '--from-literal=k=v']).code, 0);
    const rvs = () => {
      const out = run(home, ['get', 'configmaps', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion} {end}']).stdout.trim().split(' ');
      return new Map(out.map((p) => p.split('=') as [string, string]));
    };
    const before = rvs();
    assert.equal(before.get('x'), before.get('a'), 'the rewind gave a revision twice');
    let r = run(home, ['cluster', 'fsck']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, new RegExp(`revision ${before.get('a')} is held by configmaps/default/(?:a, configmaps/default/x|x, configmaps/default/a): the revision counter was rewound`));
    r = run(home, ['cluster', 'fsck', '--repair']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const after = rvs();
    assert.equal(new Set(after.values()).size, after.size, `every object's revision its own: ${JSON.stringify([...after])}`);
    assert.match(run(home, ['cluster', 'fsck']).stdout, / 0 problem\(s\) found\n$/);
  } finally {
    removeHome(home);
  }
});
