// A command killed while it builds a cluster (issue #12) leaves its private
// `clusters/.NAME.creating-*` directory behind; the next `cluster create` or `cluster list`
// removes it once its builder is gone, never a live build, and never anything a symlink
// or an odd name points at.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, ROOT, Sandbox } from './helpers';
import { until } from '../helpers/servers';

const leftovers = (sb: Sandbox) => readdirSync(join(sb.home, 'clusters')).filter((n) => n.includes('.creating-'));

test('a cluster creation killed with SIGKILL mid-build is cleaned up by the next list or create', () => {
  const sb = new Sandbox();
  try {
    const killed = sb.run(['cluster', 'create', 'a'], { env: { KUBESIM_STORE_FAULT: 'after-journal:kill@node-2' } });
    assert.equal(killed.code, -1, 'killed by the fault point');
    assert.equal(leftovers(sb).length, 1, 'the half-built cluster is left behind');
    assert.match(leftovers(sb)[0], /^\.a\.creating-\d+-\d+-[A-Za-z0-9]{6}$/);
    assert.equal(sb.run(['cluster', 'list']).stderr, 'No clusters found. Create one with: kubesim cluster create\n');
    assert.deepEqual(leftovers(sb), [], 'cluster list removed it');

    sb.run(['cluster', 'create', 'b'], { env: { KUBESIM_STORE_FAULT: 'after-journal:kill@node-2' } });
    assert.equal(leftovers(sb).length, 1);
    assert.equal(sb.run(['cluster', 'create', 'b', '--no-switch']).stdout, 'cluster "b" created with 3 nodes\n');
    assert.deepEqual(leftovers(sb), [], 'cluster create removed it');
  } finally {
    sb.cleanup();
  }
});

test('a live build is left alone, and only real directories of that exact name shape are removed', async () => {
  const sb = new Sandbox();
  try {
    sb.ok(['cluster', 'create', 'keep', '--no-switch']);
    const clusters = join(sb.home, 'clusters');
    // A creation stopped mid-build: its builder still runs.
    const builder = spawn(process.execPath, [BIN, 'cluster', 'create', 'slow', '--no-switch'], { cwd: ROOT, env: sb.env({ KUBESIM_STORE_FAULT: 'after-journal:stop@node-2' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    builder.stdout.on('data', (d) => (out += d));
    const done = new Promise<number | null>((r) => builder.once('exit', (c) => r(c)));
    try {
      // Stopped right after journalling node-2 (KUBESIM_STORE_FAULT stops it synchronously).
      const live = await until('the builder to stop mid-build', 30_000, () => {
        const l = leftovers(sb);
        return l.length === 1 && readFileSync(join(clusters, l[0], 'journal.log'), 'utf8').includes('node-2') ? l : undefined;
      }, 20);

      // Planted entries: every one names a builder that is not running (this pid with
      // another start time) or is a dead build's directory holding a link outward.
      const outside = join(sb.home, 'outside');
      mkdirSync(outside);
      writeFileSync(join(outside, 'precious'), 'x');
      const dead = `${process.pid}-1`;
      symlinkSync(outside, join(clusters, `.l.creating-${dead}-aaaaaa`));
      writeFileSync(join(clusters, `.f.creating-${dead}-aaaaaa`), 'a file');
      mkdirSync(join(clusters, `.d.creating-${dead}-aaaaaa`));
      symlinkSync(outside, join(clusters, `.d.creating-${dead}-aaaaaa`, 'registry'));
      symlinkSync(join(outside, 'precious'), join(clusters, `.d.creating-${dead}-aaaaaa`, 'rev'));
      mkdirSync(join(clusters, `.Bad_Name.creating-${dead}-aaaaaa`));
      mkdirSync(join(clusters, `.odd.creating-${dead}-aaaaaa.bak`));
      // Older builds named no builder: only age tells them.
      mkdirSync(join(clusters, '.young.creating-AbCdEf'));
      mkdirSync(join(clusters, '.old.creating-AbCdEf'));
      const old = new Date(Date.now() - 11 * 60_000);
      utimesSync(join(clusters, '.old.creating-AbCdEf'), old, old);

      const list = sb.run(['cluster', 'list']);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /^CURRENT +NAME +NODES +DAEMON\n +keep +3 +stopped\n$/);
      assert.deepEqual(leftovers(sb).sort(), [`.Bad_Name.creating-${dead}-aaaaaa`, `.f.creating-${dead}-aaaaaa`, `.l.creating-${dead}-aaaaaa`, `.odd.creating-${dead}-aaaaaa.bak`, '.young.creating-AbCdEf', live[0]].sort());
      assert.deepEqual(readdirSync(outside), ['precious'], 'nothing reached through a symlink');
      assert.equal(readFileSync(join(outside, 'precious'), 'utf8'), 'x');

      process.kill(builder.pid!, 'SIGCONT');
      assert.equal(await done, 0);
      assert.equal(out, 'cluster "slow" created with 3 nodes\n');
      assert.equal(existsSync(join(clusters, live[0])), false, 'the build was renamed into place');
      assert.equal(readdirSync(join(clusters, 'slow', 'registry', 'nodes')).length, 3);
    } finally {
      if (builder.exitCode === null && builder.signalCode === null) {
        builder.kill('SIGKILL');
        await done;
      }
    }
  } finally {
    sb.cleanup();
  }
});
