// `cluster-info dump` beside the real kubectl 1.32 on the same served cluster.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServedCluster } from './harness';

const c = new ServedCluster('dump');

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'] });
});
after(() => c.stop());

test('-o name: the name printer refuses the nodes list, exit 1, nothing printed; with a directory, nodes.txt is left empty', () => {
  const refused = [1, '', 'error: list types are not supported by name printing: *v1.NodeList\n'];
  for (const out of [[], ['--output-directory', 'DIR']]) {
    const files: string[][] = [];
    for (const [who, run] of [['kubectl', c.kubectl.bind(c)], ['kubesim', c.kubesim.bind(c)]] as const) {
      const dir = join(c.dir, `${who}-dump`);
      const r = run(['cluster-info', 'dump', '-o', 'name', ...out.map((a) => (a === 'DIR' ? dir : a))]);
      assert.deepEqual([r.code, r.stdout, r.stderr], refused, `${who} ${out.join(' ')}`);
      if (out.length) files.push(readdirSync(dir).map((f) => `${f}:${readFileSync(join(dir, f), 'utf8')}`));
    }
    if (out.length) assert.deepEqual(files, [['nodes.txt:'], ['nodes.txt:']]);
  }
});
