// A fresh machine (issue #12, #13): commands started together create the default cluster
// once and all succeed; a flag error touches no state at all.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox } from './helpers';

test('commands started together on a fresh home create one default cluster and all succeed', async () => {
  // Each round is a fresh home; the race lost one command in about one round of three before.
  for (let round = 0; round < 3; round++) {
    const sb = new Sandbox();
    try {
      const runs = await Promise.all([1, 2, 3, 4].map(() => sb.runAsync(['get', 'nodes', '-o', 'name'])));
      for (const r of runs) assert.deepEqual(r, runs[0], `round ${round}: every command sees the same cluster`);
      assert.equal(runs[0].code, 0, runs[0].stderr);
      assert.equal(runs[0].stdout, 'node/node-1\nnode/node-2\nnode/node-3\n');
      // One cluster, no temporary directory left behind.
      assert.deepEqual(readdirSync(join(sb.home, 'clusters')), ['kubesim']);
      if (round === 0) {
        // Creating it explicitly still fails as before.
        const again = sb.run(['cluster', 'create', 'kubesim']);
        assert.equal(again.code, 1);
        assert.equal(again.stderr, 'error: cluster "kubesim" already exists\n');
      }
    } finally {
      sb.cleanup();
    }
  }
});

test('a -f/-k usage error fails before the cluster is opened: the home stays empty', async () => {
  const sb = new Sandbox();
  try {
    const verbs = [['describe'], ['get'], ['rollout', 'status'], ['scale', '--replicas=1'], ['set', 'env'], ['label', 'a=b'], ['certificate', 'approve'], ['auth', 'reconcile'], ['apply', 'view-last-applied']];
    const runs = await Promise.all(verbs.map((v) => sb.runAsync([...v, '-f', 'x.yaml', '-k', '.'])));
    for (const [i, r] of runs.entries()) {
      assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', 'error: only one of -f or -k can be specified\n'], verbs[i].join(' '));
    }
    assert.deepEqual(readdirSync(sb.home), [], 'nothing created in KUBESIM_HOME');
  } finally {
    sb.cleanup();
  }
});
