// The real kubectl 1.32 against `kubesim serve`, for issue #11 (fid11q). Quantities an older
// kubesim stored as written (`1000m`, `0.5`, `1024Mi`), here written straight into the file
// store, are read canonical ("1", "500m", "1Gi") through every path, as kube-apiserver's
// decode of each object it reads gives them: GET, LIST, WATCH, Table cells, the CLI
// in-process and through the daemon, kubectl. The stored files keep their text (a read
// writes nothing). And a CRD's short name a built-in also has is warned of through the daemon
// as kubectl warns of it (from its discovery cache; kubesim's client from the store's CRD
// index), with no request more.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServedCluster, asKubectl } from './harness';
import { crdYaml } from '../helpers/crd';

const c = new ServedCluster('fid11q');

const MANIFEST = `apiVersion: v1
kind: LimitRange
metadata: {name: lr, namespace: default}
spec:
  limits: [{type: Container, default: {cpu: 500m, memory: 1Gi}, defaultRequest: {cpu: 250m}}]
---
apiVersion: v1
kind: PodTemplate
metadata: {name: pt, namespace: default}
template:
  metadata: {labels: {app: pt}}
  spec: {containers: [{name: c, image: nginx, resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {cpu: "2"}}}]}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv1}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], persistentVolumeReclaimPolicy: Retain, storageClassName: manual, hostPath: {path: /tmp/pv1}}
`;

/** What an older kubesim stored, as written; CANONICAL: what kube reads back. */
const AS_WRITTEN: Record<string, [string, (o: any) => unknown, unknown, unknown]> = {
  'limitranges/default/lr': ['limitranges', (o) => o.spec.limits[0], { type: 'Container', default: { cpu: '0.5', memory: '1024Mi' }, defaultRequest: { cpu: '250000u' } }, { type: 'Container', default: { cpu: '500m', memory: '1Gi' }, defaultRequest: { cpu: '250m' } }],
  'podtemplates/default/pt': ['podtemplates', (o) => o.template.spec.containers[0].resources, { requests: { cpu: '0.5', memory: '1024Mi' }, limits: { cpu: '2000m' } }, { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2' } }],
  'persistentvolumes/pv1': ['persistentvolumes', (o) => o.spec.capacity, { storage: '1024Mi' }, { storage: '1Gi' }],
};

const DAEMON = { KUBESIM_NO_DAEMON: '' };
const storeDir = () => join(c.home, 'clusters', c.name);

before(async () => {
  c.ok(['cluster', 'create', c.name, '--nodes', '1']);
  c.ok(['apply', '-f', c.file('setup.yaml', MANIFEST)]);
  c.ok(['reconcile', '--until-stable']); // the PV's controller done with it: no later write of it
  // the objects rewritten in their files as an older kubesim left them (the journal's lines of
  // them are at or before `rev`: the files are what every reader takes)
  for (const [key, [, at, written]] of Object.entries(AS_WRITTEN)) {
    const file = join(storeDir(), 'registry', key);
    const o = JSON.parse(readFileSync(file, 'utf8'));
    const holder = at(o) as Record<string, unknown>;
    for (const k of Object.keys(holder)) if (k !== 'type') delete holder[k];
    Object.assign(holder, written);
    writeFileSync(file, JSON.stringify(o));
  }
  await c.serve([], DAEMON); // serving as the cluster's daemon: the CLI's DAEMON runs go through it
});

after(() => c.stop());

/** The file's object as stored (unchanged by any read). */
const stored = (key: string) => AS_WRITTEN[key][1](JSON.parse(readFileSync(join(storeDir(), 'registry', key), 'utf8')));

test('quantities stored as written are read canonical: GET, LIST, WATCH, -o yaml in-process and through the daemon, kubectl', async () => {
  for (const [key, [resource, at, , canonical]] of Object.entries(AS_WRITTEN)) {
    const name = key.split('/').pop()!;
    const ns = key.split('/').length === 3 ? 'default' : undefined;
    const base = `/api/v1${ns ? `/namespaces/${ns}` : ''}/${resource}`;
    const get = await c.request('GET', `${base}/${name}`);
    assert.equal(get.status, 200, get.body);
    assert.deepEqual(at(JSON.parse(get.body)), canonical, `GET ${key}`);
    const list = await c.request('GET', base);
    assert.deepEqual(JSON.parse(list.body).items.filter((o: any) => o.metadata.name === name).map(at), [canonical], `LIST ${key}`);
    const watch = await c.request('GET', `${base}?watch=true&timeoutSeconds=1&fieldSelector=metadata.name%3D${name}`);
    const events = watch.body.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(events.map((e) => [e.type, at(e.object)]), [['ADDED', canonical]], `WATCH ${key}`);
    const args = ['get', resource, name, '-o', 'json'];
    const k = c.kubectl(args);
    assert.equal(k.code, 0, k.stderr);
    assert.deepEqual(at(JSON.parse(k.stdout)), canonical, `kubectl ${args.join(' ')}`);
    for (const env of [{}, DAEMON]) {
      for (const output of ['json', 'yaml']) {
        const ours = asKubectl(await c.hosted(['get', resource, name, '-o', output], { env }));
        assert.equal(ours[0], 0, ours[2]);
        if (output === 'json') assert.deepEqual(at(JSON.parse(ours[1])), canonical, `kubesim get ${key} -o json ${JSON.stringify(env)}`);
        else assert.equal(ours[1], c.kubectl(['get', resource, name, '-o', 'yaml']).stdout, `kubesim get ${key} -o yaml ${JSON.stringify(env)}`);
      }
    }
    assert.notDeepEqual(stored(key), canonical, `${key}: the stored file keeps what was written`);
  }
});

test('a Table cell of a quantity stored as written: the canonical text, kubectl and kubesim alike', async () => {
  const t = await c.request('GET', '/api/v1/persistentvolumes/pv1', { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
  const table = JSON.parse(t.body);
  assert.equal(table.rows[0].cells[table.columnDefinitions.findIndex((d: any) => d.name === 'Capacity')], '1Gi');
  const ageless = (text: string) => text.replace(/\d+[smhd]\n/g, '\n');
  const k = c.kubectl(['get', 'pv', 'pv1']);
  assert.equal(k.code, 0, k.stderr);
  assert.match(k.stdout, /^pv1 +1Gi +RWO/m);
  for (const env of [{}, DAEMON]) {
    const ours = asKubectl(await c.hosted(['get', 'pv', 'pv1'], { env }));
    assert.deepEqual([ours[0], ageless(ours[1]), ours[2]], [0, ageless(k.stdout), ''], JSON.stringify(env));
  }
  assert.deepEqual(stored('persistentvolumes/pv1'), { storage: '1024Mi' });
});


test('a CRD\'s short name a built-in has, through the daemon: kubectl\'s warning, from the first command after the CRD, with no request more', async () => {
  const crd = crdYaml({ plural: 'clashes', kind: 'Clash', schema: 'x-kubernetes-preserve-unknown-fields: true' }).replace('kind: Clash}', 'kind: Clash, shortNames: [cm, pv, deploy]}');
  const made = await c.hosted(['apply', '-f', '-'], { stdin: crd, env: DAEMON });
  assert.equal(made.code, 0, made.stderr);
  // kubectl with its discovery fetched now (a cache of its own)
  const cacheDir = mkdtempSync(join(c.dir, 'kube-cache-'));
  const warning = (short: string) => `Warning: short name "${short}" could also match lower priority resource clashes.example.com\n`;
  const cases = [
    ['get', 'cm', '-o', 'name'],
    ['get', 'cm', 'kube-root-ca.crt'],
    ['get', 'pv,deploy', '-o', 'name'],
    ['get', 'pv/pv1', 'cm/kube-root-ca.crt', '-o', 'name'],
    ['describe', 'pv', 'pv1'],
    ['get', 'configmaps', '-o', 'name'],
  ];
  for (const args of cases) {
    const k = c.kubectl([...args, `--cache-dir=${cacheDir}`]);
    assert.equal(k.code, 0, k.stderr);
    const types = args[1].includes('/') ? args.filter((a) => a.includes('/')).map((a) => a.split('/')[0]) : args[1].split(',');
    assert.equal(k.stderr, types.filter((t) => t !== 'configmaps').map(warning).join(''), `kubectl ${args.join(' ')}`);
    // kubesim's client through the daemon, -v=6: the warning, and only the request of the read (no CRD list)
    const s = await c.hosted([...args, '-v=6'], { env: DAEMON });
    assert.equal(s.code, 0, s.stderr);
    const log = s.stderr.split('\n').filter((l) => /round_trippers/.test(l));
    assert.ok(log.length > 0 && log.every((l) => !/customresourcedefinitions|\/apis? /.test(l)), `kubesim ${args.join(' ')}: ${s.stderr}`);
    assert.equal(s.stderr.split('\n').filter((l) => l && !/round_trippers/.test(l)).map((l) => `${l}\n`).join(''), k.stderr, `kubesim ${args.join(' ')} through the daemon`);
  }
  // bin/kubesim as a process (the start-up fast path of `get TYPE NAME` leaves it to the CLI)
  for (const args of [['get', 'cm', 'kube-root-ca.crt'], ['get', 'pv', 'pv1'], ['get', 'deploy', 'nosuch']]) {
    const k = c.kubectl([...args, `--cache-dir=${cacheDir}`]);
    const s = c.kubesim(args, { env: DAEMON });
    assert.deepEqual([s.code, s.stderr.replace(/\bkubesim\b/g, 'kubectl')], [k.code, k.stderr], `bin/kubesim ${args.join(' ')}`);
  }
});
