import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkCorpus } from './corpus-check';
import { requireCorpus } from '../corpus';

const expected: Record<string, string> = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'corpus-expected-failures.json'), 'utf8'));

test('corpus: valid manifests pass, the expected ones fail with their message', { timeout: 120_000 }, async (t) => {
  requireCorpus();
  const r = await checkCorpus();
  const unexpected = [...r.failures].filter(([f]) => !(f in expected)).map(([f, m]) => `${f}: ${m[0]}`);
  assert.deepEqual(unexpected, [], 'files that should be valid but failed');
  for (const [file, substring] of Object.entries(expected)) {
    const msgs = r.failures.get(file);
    assert.ok(msgs, `${file} should fail with ${substring}`);
    assert.ok(msgs.some((m) => m.includes(substring)), `${file}: expected "${substring}", got ${JSON.stringify(msgs)}`);
  }
  // Spot checks of classes of failure the corpus holds: a removed API, duplicate keys.
  assert.match(expected['kubernetes__kubernetes.github.io/content/en/examples/policy/privileged-psp.yaml'] ?? '', /no matches for kind "PodSecurityPolicy" in version "policy\/v1beta1"/);
  assert.equal(Object.values(expected).filter((m) => /already set in map/.test(m)).length, 5);
  // Speed: printed, not asserted.
  console.log(`corpus: ${r.documents} documents in ${r.files.length} files validated in ${r.ms.toFixed(0)} ms (${((r.documents / r.ms) * 1000).toFixed(0)} documents/s)`);
});
