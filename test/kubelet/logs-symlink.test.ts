// Container logs on disk (logs/<ns>/<pod>/<container>_<n>.log under the cluster directory):
// a symlink planted at any level is never followed for reading, writing or removal.
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
    s.remove('real', 'p');
    assert.equal(fs.existsSync(join(logs, 'real', 'p')), false);
  }));

test('logs: a namespace folder that is a symlink is not written, read or removed through', () =>
  withDirs((logs, outside) => {
    fs.mkdirSync(join(outside, 'p'));
    fs.writeFileSync(join(outside, 'p', 'c_0.log'), '2026-01-01T00:00:00.000000000Z stdout F secret\n');
    fs.symlinkSync(outside, join(logs, 'ns1'));
    const s = new FileLogStore(logs);
    s.append('ns1', 'q', 'c', 0, line('x'));
    assert.equal(fs.existsSync(join(outside, 'q')), false, 'a folder was made outside');
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

    fs.mkdirSync(join(logs, 'ns2', 'r'));
    fs.symlinkSync(join(outside, 'c_0.log'), join(logs, 'ns2', 'r', 'c_0.log'));
    assert.equal(s.read('ns2', 'r', 'c', 0), undefined, 'read through a symlinked log file');
    s.append('ns2', 'r', 'c', 0, line('appended'));
    assert.doesNotMatch(fs.readFileSync(join(outside, 'c_0.log'), 'utf8'), /appended/, 'appended through a symlinked log file');
  }));
