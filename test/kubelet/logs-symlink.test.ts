// Container logs on disk (logs/<ns>/_logs-<hh>.log under the cluster directory, 64 files a
// namespace shared by its pods; older versions' logs/<ns>/<pod>_pod.log and
// logs/<ns>/<pod>/<container>_<n>.log still read): a symlink planted at any level is never
// followed for reading, writing or removal; a removed pod's lines are not a later pod's of
// the same name, and a shared file that grew is rewritten without them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLogStore, sharedFile } from '../../src/kubelet/logs';

const line = (text: string) => [{ atMs: Date.parse('2026-01-01T00:00:00Z'), text }];

function withDirs(fn: (logs: string, outside: string) => void): void {
  const root = fs.mkdtempSync(join(tmpdir(), 'kubesim-logs-'));
  try {
    const logs = join(root, 'logs');
    const outside = join(root, 'outside');
    fs.mkdirSync(logs);
    fs.mkdirSync(outside);
    fn(logs, outside);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

test('logs: a real folder works (append, read, remove)', () =>
  withDirs((logs) => {
    const s = new FileLogStore(logs);
    s.append('real', 'p', 'c', 0, line('hello'));
    assert.deepEqual(s.read('real', 'p', 'c', 0)?.map((l) => l.text), ['hello']);
    assert.deepEqual(fs.readdirSync(join(logs, 'real')), [sharedFile('p')], "one of the namespace's shared files, no folder");
    assert.match(sharedFile('p'), /^_logs-[0-3][0-9a-f]\.log$/);
    s.remove('real', 'p');
    assert.equal(s.read('real', 'p', 'c', 0), undefined, 'removed');
    assert.deepEqual(fs.readdirSync(join(logs, 'real')), []);
  }));

test('logs: containers and runs of one pod are read apart', () =>
  withDirs((logs) => {
    const s = new FileLogStore(logs);
    s.append('ns', 'p', 'a', 0, line('a0'));
    s.append('ns', 'p', 'b', 0, [...line('b0'), { atMs: Date.parse('2026-01-01T00:00:01Z'), text: 'b0 err', stream: 'stderr' }]);
    s.append('ns', 'p', 'a', 1, line('a1'));
    s.append('ns', 'p', 'a', 0, line('a0 again'));
    s.append('ns', 'pq', 'a', 0, line('other pod'));
    assert.deepEqual(s.read('ns', 'p', 'a', 0)?.map((l) => l.text), ['a0', 'a0 again']);
    assert.deepEqual(s.read('ns', 'p', 'a', 1)?.map((l) => l.text), ['a1']);
    assert.deepEqual(s.read('ns', 'p', 'b', 0)?.map((l) => [l.text, l.stream]), [['b0', 'stdout'], ['b0 err', 'stderr']]);
    assert.equal(s.read('ns', 'p', 'a', 2), undefined, 'a run that never logged');
    assert.equal(s.read('ns', 'p', 'c', 0), undefined, 'a container that never logged');
  }));

test('logs: a pod name of 253 characters goes to the shared file too', () =>
  withDirs((logs) => {
    const pod = 'p'.repeat(253);
    const s = new FileLogStore(logs);
    s.append('ns', pod, 'c', 0, line('long'));
    s.append('ns', pod, 'c', 0, line('name'));
    assert.deepEqual(s.read('ns', pod, 'c', 0)?.map((l) => l.text), ['long', 'name']);
    assert.deepEqual(fs.readdirSync(join(logs, 'ns')), [sharedFile(pod)]);
    s.remove('ns', pod);
    assert.deepEqual(fs.readdirSync(join(logs, 'ns')), []);
  }));

test("logs: pods sharing a file keep their own lines; a removal rewrites a small file, marks a larger one, rewrites it past 256 KiB, removes it when empty", () =>
  withDirs((logs) => {
    const s = new FileLogStore(logs);
    const same = Array.from({ length: 800 }, (_, i) => `web-${i}`).filter((p) => sharedFile(p) === sharedFile('web-0')).slice(0, 4);
    assert.equal(same.length, 4);
    const [a, b, c, d] = same;
    const f = join(logs, 'ns', sharedFile(a));
    const onlyB = () => assert.equal(fs.readFileSync(f, 'utf8'), `${b} x 0 2026-01-01T00:00:00.000000000Z stdout F b0\n`, "only b's line is left");
    s.append('ns', a, 'x', 0, line('a0'));
    s.append('ns', b, 'x', 0, line('b0'));
    s.append('ns', a, 'x', 0, line('a1'));
    s.remove('ns', a);
    assert.equal(s.read('ns', a, 'x', 0), undefined);
    assert.deepEqual(s.read('ns', b, 'x', 0)?.map((l) => l.text), ['b0']);
    onlyB();
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ atMs: Date.parse('2026-01-01T00:00:00Z') + i, text: `line ${i} ${'z'.repeat(60)}` }));
    s.append('ns', c, 'x', 0, many(1200)); // ~130 KiB: marked, not rewritten
    assert.equal(s.read('ns', c, 'x', 0)?.length, 1200);
    s.remove('ns', c);
    assert.equal(s.read('ns', c, 'x', 0), undefined);
    assert.match(fs.readFileSync(f, 'utf8'), new RegExp(`^${c} -$`, 'm'), 'a removal mark');
    s.append('ns', c, 'x', 0, line('a new c'));
    assert.deepEqual(s.read('ns', c, 'x', 0)?.map((l) => l.text), ['a new c'], "the removed pod's lines are not the new pod's of its name");
    s.remove('ns', c);
    s.append('ns', d, 'x', 0, many(1400)); // past 256 KiB with c's
    s.remove('ns', d);
    onlyB();
    assert.deepEqual(s.read('ns', b, 'x', 0)?.map((l) => l.text), ['b0']);
    assert.equal(s.read('ns', c, 'x', 0), undefined);
    assert.equal(s.read('ns', d, 'x', 0), undefined);
    s.remove('ns', b);
    assert.deepEqual(fs.readdirSync(join(logs, 'ns')), [], 'the file is removed with its last pod, nothing left beside it');
  }));

test("logs: older versions' folder per pod and file per pod are read before the shared file, and removed with the pod", () =>
  withDirs((logs) => {
    fs.mkdirSync(join(logs, 'ns', 'p'), { recursive: true });
    fs.writeFileSync(join(logs, 'ns', 'p', 'c_0.log'), '2026-01-01T00:00:00.000000000Z stdout F before the upgrades\n');
    fs.writeFileSync(join(logs, 'ns', 'p_pod.log'), 'c 0 2026-01-01T00:00:00.000000000Z stdout F between them\n');
    const s = new FileLogStore(logs);
    s.append('ns', 'p', 'c', 0, line('after'));
    assert.deepEqual(s.read('ns', 'p', 'c', 0)?.map((l) => l.text), ['before the upgrades', 'between them', 'after']);
    s.remove('ns', 'p');
    assert.deepEqual(fs.readdirSync(join(logs, 'ns')), []);
  }));

test('logs: a namespace folder that is a symlink is not written, read or removed through', () =>
  withDirs((logs, outside) => {
    fs.mkdirSync(join(outside, 'p'));
    fs.writeFileSync(join(outside, 'p', 'c_0.log'), '2026-01-01T00:00:00.000000000Z stdout F secret\n');
    fs.symlinkSync(outside, join(logs, 'ns1'));
    const s = new FileLogStore(logs);
    s.append('ns1', 'q', 'c', 0, line('x'));
    assert.deepEqual(fs.readdirSync(outside), ['p'], 'a file was made outside');
    assert.equal(s.read('ns1', 'p', 'c', 0), undefined, 'read through the symlink');
    s.remove('ns1', 'p');
    assert.ok(fs.existsSync(join(outside, 'p', 'c_0.log')), 'removed outside');
  }));

test('logs: a pod folder or a log file that is a symlink is not followed', () =>
  withDirs((logs, outside) => {
    fs.writeFileSync(join(outside, 'c_0.log'), '2026-01-01T00:00:00.000000000Z stdout F secret\n');
    fs.mkdirSync(join(logs, 'ns2'));
    fs.symlinkSync(outside, join(logs, 'ns2', 'p'));
    const s = new FileLogStore(logs);
    assert.equal(s.read('ns2', 'p', 'c', 0), undefined, 'read through a symlinked pod folder');
    s.append('ns2', 'p', 'c', 1, line('x'));
    assert.equal(fs.existsSync(join(outside, 'c_1.log')), false, 'written through a symlinked pod folder');

    s.remove('ns2', 'p');
    assert.ok(fs.existsSync(join(outside, 'c_0.log')), 'removed through a symlinked pod folder');

    fs.mkdirSync(join(logs, 'ns2', 'r'));
    fs.symlinkSync(join(outside, 'c_0.log'), join(logs, 'ns2', 'r', 'c_0.log'));
    assert.equal(s.read('ns2', 'r', 'c', 0), undefined, 'read through a symlinked log file');
    fs.writeFileSync(join(outside, 'pod.log'), 'c 0 2026-01-01T00:00:00.000000000Z stdout F secret\n');
    fs.symlinkSync(join(outside, 'pod.log'), join(logs, 'ns2', 't_pod.log'));
    assert.equal(s.read('ns2', 't', 'c', 0), undefined, "read through a symlinked pod's file");
    s.append('ns2', 't', 'c', 0, line('appended'));
    assert.doesNotMatch(fs.readFileSync(join(outside, 'pod.log'), 'utf8'), /appended/, "appended through a symlinked pod's file");
    s.remove('ns2', 't');
    assert.ok(fs.existsSync(join(outside, 'pod.log')), "removed through a symlinked pod's file");
    assert.equal(fs.existsSync(join(logs, 'ns2', 't_pod.log')), false, 'the symlink itself is removed');

    fs.writeFileSync(join(outside, 'shared.log'), 'u c 0 2026-01-01T00:00:00.000000000Z stdout F secret\n');
    fs.mkdirSync(join(logs, 'ns3'));
    fs.symlinkSync(join(outside, 'shared.log'), join(logs, 'ns3', sharedFile('u')));
    assert.equal(s.read('ns3', 'u', 'c', 0), undefined, 'read through a symlinked shared file');
    s.append('ns3', 'u', 'c', 0, line('appended'));
    s.remove('ns3', 'u');
    assert.equal(fs.readFileSync(join(outside, 'shared.log'), 'utf8'), 'u c 0 2026-01-01T00:00:00.000000000Z stdout F secret\n', 'appended or marked through a symlinked shared file');
  }));
