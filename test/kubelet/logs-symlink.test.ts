// Container logs on disk (logs/<ns>/<pod>_pod.log under the cluster directory; older
// versions' logs/<ns>/<pod>/<container>_<n>.log still read): a symlink planted at any level
// is never followed for reading, writing or removal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLogStore } from '../../src/kubelet/logs';

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
    assert.deepEqual(fs.readdirSync(join(logs, 'real')), ['p_pod.log'], 'one file for the pod, no folder');
    s.remove('real', 'p');
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

test('logs: a pod whose name leaves no room for its file (253 characters) keeps a folder, as older versions did', () =>
  withDirs((logs) => {
    const pod = 'p'.repeat(253);
    const s = new FileLogStore(logs);
    s.append('ns', pod, 'c', 0, line('long'));
    s.append('ns', pod, 'c', 0, line('name'));
    assert.deepEqual(s.read('ns', pod, 'c', 0)?.map((l) => l.text), ['long', 'name']);
    assert.deepEqual(fs.readdirSync(join(logs, 'ns', pod)), ['c_0.log']);
    s.remove('ns', pod);
    assert.deepEqual(fs.readdirSync(join(logs, 'ns')), []);
  }));

test("logs: an older version's folder per pod is read before the pod's file, and removed with it", () =>
  withDirs((logs) => {
    fs.mkdirSync(join(logs, 'ns', 'p'), { recursive: true });
    fs.writeFileSync(join(logs, 'ns', 'p', 'c_0.log'), '2026-01-01T00:00:00.000000000Z stdout F before the upgrade\n');
    const s = new FileLogStore(logs);
    s.append('ns', 'p', 'c', 0, line('after'));
    assert.deepEqual(s.read('ns', 'p', 'c', 0)?.map((l) => l.text), ['before the upgrade', 'after']);
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
  }));
