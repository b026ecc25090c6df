// The real kubectl 1.32 against `kubesim serve`, for issue #11 (fid11m): events.k8s.io Events
// print kube's Event table (kube-apiserver serves that group from the core event storage and
// its TableConvertor), the cells from the core fields though the object is read in
// events.k8s.io/v1 fields; kubectl's stdout equals kubesim's CLI on the same cluster.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster, asKubectl } from './harness';
import { setUpBusyWeb } from '../helpers/events-v1';

const c = new ServedCluster('fid11m');

before(() => setUpBusyWeb(c));

after(() => c.stop());

type Obj = Record<string, any>;
const TABLE = { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' };
/** A Table's rows without the two age cells (LAST SEEN, FIRST SEEN), which move with the clock. */
/** Printed rows without their ages (LAST SEEN, and FIRST SEEN with -o wide). */
const ageless = (out: string): string => out.replace(/(?<=^|\s)(\d+[smhd])+(?=\s)/gm, '').replace(/ +/g, ' ');
const timeless = (t: Obj): unknown[][] => t.rows.map((r: Obj) => r.cells.filter((_: unknown, i: number) => i !== 0 && i !== 7));

test('get events.events.k8s.io: the core Event table (columns, cells from the core fields), the rows objects in events.k8s.io/v1 fields', async () => {
  const get = async (path: string) => {
    const r = await c.request('GET', `${path}?includeObject=Object`, { headers: TABLE });
    assert.equal(r.status, 200, r.body);
    return JSON.parse(r.body) as Obj;
  };
  const [core, v1] = [await get('/api/v1/namespaces/busy/events'), await get('/apis/events.k8s.io/v1/namespaces/busy/events')];
  assert.deepEqual(v1.columnDefinitions.map((d: Obj) => [d.name, d.priority]), [
    ['Last Seen', 0], ['Type', 0], ['Reason', 0], ['Object', 0], ['Subobject', 1], ['Source', 1], ['Message', 0], ['First Seen', 1], ['Count', 1], ['Name', 1],
  ]);
  assert.deepEqual(v1.columnDefinitions, core.columnDefinitions);
  assert.ok(v1.rows.length > 0);
  assert.deepEqual(timeless(v1), timeless(core));
  // the values are the core ones: an object, a reason, a count (never empty cells from the renamed fields)
  for (const r of v1.rows as Obj[]) {
    assert.equal(r.object.apiVersion, 'events.k8s.io/v1');
    assert.deepEqual([r.cells[2], r.cells[3], r.cells[6], r.cells[8], r.cells[9]], [r.object.reason, `${r.object.regarding.kind.toLowerCase()}/${r.object.regarding.name}`, r.object.note, r.object.series?.count ?? r.object.deprecatedCount ?? 1, r.object.metadata.name]);
  }
  // what kubectl prints (ages aside), and kubesim's CLI the same, in-process and through the daemon
  for (const extra of [[], ['-o', 'wide']]) {
    const args = ['get', 'events.events.k8s.io', '-n', 'busy', ...extra];
    const k = c.kubectl(args);
    assert.equal(k.code, 0, k.stderr);
    const head = k.stdout.split('\n')[0].split(/\s{2,}/);
    assert.deepEqual(head, extra.length ? ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME'] : ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    assert.equal(ageless(k.stdout), ageless(c.kubectl(['get', 'events', '-n', 'busy', ...extra]).stdout));
    for (const env of [{}, { KUBESIM_NO_DAEMON: '' }] as Record<string, string>[]) {
      const ours = asKubectl(await c.hosted(args, { env }));
      assert.equal(ours[0], 0, ours[2]);
      assert.equal(ours[1].split('\n')[0], k.stdout.split('\n')[0], `kubesim ${args.join(' ')} ${JSON.stringify(env)}`);
      assert.equal(ageless(ours[1]), ageless(k.stdout), `kubesim ${args.join(' ')} ${JSON.stringify(env)}`);
    }
  }
});

const QUANTITY = `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`;

test('a patch that leaves a Quantity unparseable: the patcher\'s 422 for `patch` (strategic: the patch map; merge, JSON: the patched JSON)', async () => {
  c.ok(['create', 'quota', 'q', '-n', 'busy', '--hard=cpu=1,pods=4']);
  const cases: [string[], RegExp][] = [
    [['patch', 'quota', 'q', '-n', 'busy', '-p', '{"spec":{"hard":{"cpu":"abc"}}}'], /^Invalid value: "map\[spec:map\[hard:map\[cpu:abc\]\]\]"$/],
    [['patch', 'quota', 'q', '-n', 'busy', '--type=merge', '-p', '{"spec":{"hard":{"cpu":"abc"}}}'], /^Invalid value: "\{\\"apiVersion\\":\\"v1\\",\\"kind\\":\\"ResourceQuota\\",\\"metadata\\":\{.*\},\\"spec\\":\{\\"hard\\":\{\\"cpu\\":\\"abc\\",\\"pods\\":\\"4\\"\}\},\\"status\\":\{.*\}\}"$/],
    [['patch', 'quota', 'q', '-n', 'busy', '--type=json', '-p', '[{"op":"replace","path":"/spec/hard/cpu","value":"abc"}]'], /^Invalid value: "\{\\"apiVersion\\":\\"v1\\",\\"kind\\":\\"ResourceQuota\\",\\"metadata\\":\{.*\},\\"spec\\":\{\\"hard\\":\{\\"cpu\\":\\"abc\\",\\"pods\\":\\"4\\"\}\},\\"status\\":\{.*\}\}"$/],
  ];
  for (const [args, value] of cases) {
    const k = c.kubectl(args);
    assert.equal(k.code, 1, k.stderr);
    const m = /^The request is invalid: patch: (.*): (quantities must .*)\n$/s.exec(k.stderr);
    assert.ok(m, k.stderr);
    assert.match(m[1], value);
    assert.equal(m[2], QUANTITY);
    for (const env of [{}, { KUBESIM_NO_DAEMON: '' }] as Record<string, string>[]) assert.deepEqual(asKubectl(await c.hosted(args, { env })), [k.code, k.stdout, k.stderr], `kubesim ${args.join(' ')} ${JSON.stringify(env)}`);
  }
  assert.equal(c.kubectl(['get', 'quota', 'q', '-n', 'busy', '-o', 'jsonpath={.spec.hard.cpu}']).stdout, '1');
  // the Status: 422 Invalid, no kind or name, one cause for `patch`
  const r = await c.request('PATCH', '/api/v1/namespaces/busy/resourcequotas/q', { body: '{"spec":{"hard":{"memory":"1x"}}}', headers: { 'Content-Type': 'application/strategic-merge-patch+json' } });
  const s = JSON.parse(r.body);
  assert.deepEqual([r.status, s.reason, s.details], [422, 'Invalid', { causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "map[spec:map[hard:map[memory:1x]]]": ${QUANTITY}`, field: 'patch' }] }]);
  assert.equal(s.message, ` "" is invalid: patch: Invalid value: "map[spec:map[hard:map[memory:1x]]]": ${QUANTITY}`);
});
