// The simulated registry's data: every entry's tag pattern accepts the real tags listed with
// it and rejects typos; Docker Hub's library namespace is complete (a name not in it is a
// repository that does not exist); behaviours resolve as the kubelet will use them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { askRegistry, catalogEntries, httpStatus, imageBehaviour, officialRepositories, renderLogLine, requirementMet, findEntry } from '../../src/sim/catalog';
import { parseImage } from '../../src/kubelet/images';

test('every catalog entry accepts its real current tags', () => {
  const entries = catalogEntries();
  assert.ok(entries.length >= 60, `${entries.length} entries`);
  for (const e of entries) {
    assert.ok(e.realTags.length > 0, `${e.repository} lists real tags`);
    for (const tag of e.realTags) {
      const img = parseImage(`${e.repository}:${tag}`);
      assert.ok(img, `${e.repository}:${tag} parses`);
      assert.equal(askRegistry(img.domain, img.path, img.tag).kind, 'found', `${e.repository}:${tag} is accepted`);
    }
  }
});

test('made-up tags of known repositories are not found', () => {
  for (const ref of ['nginx:1.277-doesnotexist', 'nginx:1.277', 'nginx:doesnotexist', 'busybox:2', 'postgres:170', 'redis:latest-alpine-x', 'registry.k8s.io/pause:99', 'elasticsearch:latest', 'gcr.io/google-samples/hello-app:3.0']) {
    const img = parseImage(ref)!;
    assert.equal(askRegistry(img.domain, img.path, img.tag).kind, 'tagNotFound', ref);
  }
});

test('docker.io/library is complete: typos are repositories that do not exist', () => {
  const names = officialRepositories();
  assert.ok(names.length >= 140, `${names.length} official names`);
  for (const n of ['nginx', 'postgres', 'redis', 'busybox', 'hello-world', 'rocket.chat', 'centos']) assert.ok(names.includes(n), n);
  for (const ref of ['ngnix:1.27', 'postgress', 'redis-server:7', 'myapp:v1', 'busybox2']) {
    const img = parseImage(ref)!;
    assert.equal(askRegistry(img.domain, img.path, img.tag).kind, 'denied', ref);
  }
  // an official image the catalog has no behaviour for still exists
  const img = parseImage('znc:1.9')!;
  assert.equal(askRegistry(img.domain, img.path, img.tag).kind, 'unknown');
  // other namespaces and registries are not the catalog's to deny
  for (const ref of ['our-registry.io/app:v1', 'someone/app:1', 'ghcr.io/org/tool:2']) {
    const i = parseImage(ref)!;
    assert.equal(askRegistry(i.domain, i.path, i.tag).kind, 'unknown', ref);
  }
});

test('behaviours: servers, shells, modes, variants and overridden commands', () => {
  const nginx = findEntry('docker.io', 'library/nginx')!;
  const run = imageBehaviour(nginx, '1.27', [], [])!;
  assert.deepEqual(run.ports!.map((p) => p.port), [80]);
  assert.equal(httpStatus(run.ports![0], '/', 0), 200);
  assert.equal(httpStatus(run.ports![0], '/healthz', 0), 404);
  assert.ok(imageBehaviour(nginx, '1.27', ['nginx', '-g', 'daemon off;'], []), 'nginx as its own command still serves');
  assert.equal(imageBehaviour(nginx, '1.27', ['sh', '-c', 'sleep 1'], []), undefined, 'another command replaces the server');

  const agnhost = findEntry('registry.k8s.io', 'e2e-test-images/agnhost')!;
  const live = imageBehaviour(agnhost, '2.40', [], ['liveness'])!;
  assert.equal(httpStatus(live.ports![0], '/healthz', 9_000), 200);
  assert.equal(httpStatus(live.ports![0], '/healthz', 10_000), 500);

  const php = findEntry('docker.io', 'library/php')!;
  assert.equal(imageBehaviour(php, '8.3-apache', [], [])!.ports![0].port, 80);
  assert.equal(imageBehaviour(php, '8.3-fpm-alpine', [], [])!.ports![0].port, 9000);
  assert.equal(imageBehaviour(php, '8.3-cli', [], [])!.shell, true);

  const pg = imageBehaviour(findEntry('docker.io', 'library/postgres')!, '17', [], [])!;
  assert.equal(requirementMet(pg.requires![0], {}), false);
  assert.equal(requirementMet(pg.requires![0], { POSTGRES_PASSWORD: '' }), false);
  assert.equal(requirementMet(pg.requires![0], { POSTGRES_PASSWORD: 'x' }), true);
  assert.equal(requirementMet(pg.requires![0], { POSTGRES_HOST_AUTH_METHOD: 'trust' }), true);
});

test('log lines fill in time, version and address', () => {
  const at = Date.UTC(2025, 0, 2, 15, 4, 5, 123);
  assert.equal(renderLogLine('{ts:nginx} [notice] 1#1: nginx/{version}', at, { version: '1.27.3', podIP: '10.244.0.5', hostname: 'web' }), '2025/01/02 15:04:05 [notice] 1#1: nginx/1.27.3');
  assert.equal(renderLogLine('{ts:docker} [Note]', at, { podIP: '', hostname: '' }), '2025-01-02 15:04:05+00:00 [Note]');
  assert.equal(renderLogLine('1:C {ts:redis} *', at, { podIP: '', hostname: '' }), '1:C 02 Jan 2025 15:04:05.123 *');
  assert.equal(renderLogLine('{ts:pg} [1] LOG:', at, { podIP: '', hostname: '' }), '2025-01-02 15:04:05.123 UTC [1] LOG:');
});
