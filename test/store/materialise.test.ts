// The object files a group puts in place (materialise): a lock-free read afterwards finds
// what the holder wrote remembered, instead of reading and parsing the file again (an idle
// daemon lists its objects between its holds); and the file is replaced whole, never seen
// half-written. The Lease is in kube-system: a node Lease's renewal stays in the journal
// (src/store/lease-beats.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../src/store/file-store';
import type { KObject } from '../../src/api/types';

const lease = (name: string, renewTime: string): KObject => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-system' }, spec: { holderIdentity: name, renewTime } });

test('materialised files are remembered for lock-free reads: the same object, not a new parse', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-materialise-'));
  try {
    const s = new FileStore(dir, { fsync: false });
    const key = 'leases/kube-system/node-1';
    s.create(key, lease('node-1', '2026-01-01T00:00:00.000000Z'));
    let inside: KObject | undefined;
    s.group(() => {
      s.batch(() => s.update(key, lease('node-1', '2026-01-01T00:00:10.000000Z')));
      inside = s.get(key, { shared: true });
    });
    // The group is over: the file is in place and the lock given up.
    const file = join(dir, 'registry', key);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).spec.renewTime, '2026-01-01T00:00:10.000000Z');
    assert.deepEqual(readdirSync(join(dir, 'registry', 'leases', 'kube-system')), ['node-1'], 'no temporary file left');
    const after = s.get(key, { shared: true });
    assert.equal(after?.spec.renewTime, '2026-01-01T00:00:10.000000Z');
    assert.ok(after === inside, 'read without the lock: the object the group wrote, not the file parsed again');
    assert.ok(s.list('leases', undefined, { shared: true }).items[0] === inside);
    // Another process's view is the file's.
    assert.equal(new FileStore(dir, { fsync: false }).get(key)?.spec.renewTime, '2026-01-01T00:00:10.000000Z');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
