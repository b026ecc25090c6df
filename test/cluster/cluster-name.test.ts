// A cluster's name becomes a directory under $KUBESIM_HOME/clusters: the module that creates,
// opens and deletes clusters checks it itself, so no caller can hand it `../x` and have a
// directory made, opened or removed outside the state home.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCluster, deleteCluster, openCluster } from '../../src/cluster/cluster';
import { defaultProfile } from '../../src/sim/profile';

const BAD = ['../outside', 'a/b', '.hidden', 'Upper', '', 'x'.repeat(64)];

test('createCluster, openCluster and deleteCluster refuse a name that is not an RFC 1123 label, touching nothing', async () => {
  const root = mkdtempSync(join(tmpdir(), 'kubesim-cluster-name-'));
  const home = join(root, 'home');
  try {
    // A directory the `..` name would reach, with a cluster marker deleteCluster would remove.
    mkdirSync(join(home, 'outside', 'registry'), { recursive: true });
    for (const name of BAD) {
      const message = `invalid cluster name "${name}": must be a lowercase RFC 1123 label`;
      await assert.rejects(createCluster(home, name, defaultProfile('c', { nodes: 1 })), { message }, `create ${name}`);
      await assert.rejects(openCluster(home, name), { message }, `open ${name}`);
      await assert.rejects(deleteCluster(home, name), { message }, `delete ${name}`);
    }
    assert.deepEqual(readdirSync(home), ['outside'], 'no clusters/ directory was made');
    assert.ok(existsSync(join(home, 'outside', 'registry')), 'nothing outside clusters/ was removed');
    assert.deepEqual(readdirSync(root), ['home']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
