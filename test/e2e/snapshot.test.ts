// `kubesim snapshot save|restore` on a cluster kept in files: the bundle is private and
// complete, and a restore after changes (scaled, deleted, added) brings every object and
// meta document back exactly as saved (resourceVersions aside: they move forward).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Sandbox } from './helpers';
import { Hosted } from './hosted';

/** Every object of the cluster's registry (without resourceVersion) and every meta document. */
function dump(clusterDir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(join(clusterDir, 'registry', rel), { withFileTypes: true })) {
      const key = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(key);
      else if (e.isFile() && !e.name.startsWith('.tmp-')) {
        const obj = JSON.parse(readFileSync(join(clusterDir, 'registry', key), 'utf8'));
        delete obj.metadata.resourceVersion;
        out[`registry/${key}`] = obj;
      }
    }
  };
  walk('');
  for (const name of readdirSync(join(clusterDir, 'meta'))) out[`meta/${name}`] = metaDoc(name, readFileSync(join(clusterDir, 'meta', name), 'utf8'));
  return out;
}

/**
 * A meta document's content: a file of kubelet records is a log of JSON lines, each later line
 * laid over those before it (null: removed; file-store-meta.ts), so its records are compared,
 * not how many releases appended them.
 */
function metaDoc(name: string, text: string): unknown {
  if (!name.startsWith('kubelet-runtime-')) return JSON.parse(text);
  try {
    return JSON.parse(text); // one document (a snapshot's restore writes it whole)
  } catch {
    // a log of lines
  }
  const lines = text.split('\n').filter((l) => l !== '');
  const records: Record<string, unknown> = {};
  for (const line of lines) for (const [k, v] of Object.entries(JSON.parse(line) as Record<string, unknown>)) {
    if (v === null) delete records[k];
    else records[k] = v;
  }
  return records;
}

test('snapshot save/restore on a file cluster: a private bundle, restored exactly as saved', async () => {
  const sb = new Hosted(new Sandbox());
  try {
    await sb.ok(['create', 'deployment', 'web', '--image', 'nginx', '--replicas', '2']);
    await sb.ok(['create', 'configmap', 'keep', '--from-literal', 'a=1']);
    await sb.ok(['reconcile', '--until-stable']);
    const clusterDir = join(sb.home, 'clusters', 'kubesim');
    const saved = dump(clusterDir);
    const file = join(sb.home, 'state.snapshot');
    const out = await sb.ok(['snapshot', 'save', file]);
    const bundle = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(out, `Snapshot saved at ${file} (${bundle.objects.length} objects, revision ${bundle.revision})\n`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(bundle.kind, 'StoreSnapshot');
    assert.equal(bundle.objects.length, Object.keys(saved).filter((k) => k.startsWith('registry/')).length);
    assert.ok(bundle.objects.some((o: { key: string }) => o.key === 'configmaps/default/keep'));

    await sb.ok(['scale', 'deployment', 'web', '--replicas', '3']);
    await sb.ok(['delete', 'configmap', 'keep']);
    await sb.ok(['create', 'configmap', 'extra', '--from-literal', 'b=2']);
    await sb.ok(['reconcile', '--until-stable']);
    assert.notDeepEqual(dump(clusterDir), saved);

    const restored = await sb.ok(['snapshot', 'restore', file]);
    assert.match(restored, new RegExp(`^Snapshot restored from ${file}: ${bundle.objects.length} objects \\(\\d+ created, \\d+ updated, \\d+ deleted\\)\\n$`));
    assert.deepEqual(dump(clusterDir), saved);
    assert.equal(await sb.ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}']), '2');
    assert.equal(await sb.ok(['get', 'configmap', 'keep', '-o', 'jsonpath={.data.a}']), '1');
    assert.equal((await sb.run(['get', 'configmap', 'extra'])).code, 1);

    // not a bundle: refused with a clear message, nothing changed
    const junk = sb.file('junk.json', '{"kind":"Other"}');
    const bad = await sb.run(['snapshot', 'restore', junk]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /is not a kubesim snapshot of a file store/);
    assert.deepEqual(dump(clusterDir), saved);
  } finally {
    rmSync(sb.home, { recursive: true, force: true });
  }
});
