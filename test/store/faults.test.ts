// A write that fails (ENOSPC, EIO, a short write: injected by replacing the fs functions the
// store calls) leaves nothing behind -- no object, no journal entry, no temporary file, no
// revision used -- and says what happened. Damage is detected and refused, never acted on.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { FileStore } from '../../src/store/file-store';
import { StoreError } from '../../src/store/store';
import type { KObject } from '../../src/api/types';
import { withTempDir } from '../helpers/temp-dir';

const cm = (name: string, v = '1'): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });

/** Replaces fs[name] while fn runs. */
function patched<K extends 'writeSync' | 'renameSync' | 'rmSync'>(name: K, impl: (orig: (typeof fs)[K]) => (typeof fs)[K], fn: () => void): void {
  // The CommonJS module object itself (what the store's `import * as fs` reads through).
  const mod = require('node:fs') as Record<string, unknown>;
  const orig = mod[name] as (typeof fs)[K];
  mod[name] = impl(orig);
  try {
    fn();
  } finally {
    mod[name] = orig;
  }
}

const errno = (code: string) => Object.assign(new Error(`${code}: injected`), { code });

function tmpFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.startsWith('.tmp-') || /^lock/.test(e.name)) out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out;
}

/** What the state directory holds, for "nothing changed" comparisons. */
function snapshot(dir: string, s: FileStore) {
  return { journal: fs.readFileSync(join(dir, 'journal.log'), 'utf8'), rev: s.currentRev(), items: JSON.stringify(s.list('configmaps').items) };
}

const isWriteOf = (data: unknown, what: string) => Buffer.isBuffer(data) && data.includes(what);

for (const [name, when, code, message] of [
  ['ENOSPC writing the object', 'object', 'ENOSPC', /no space left on device/],
  ['EIO writing the object', 'object', 'EIO', /input\/output error/],
  ['ENOSPC appending the journal line', 'journal', 'ENOSPC', /no space left on device/],
  ['a short journal write, then ENOSPC', 'short-journal', 'ENOSPC', /no space left on device/],
] as const) {
  test(`file store: ${name} leaves nothing behind and says so`, () =>
    withTempDir('kubesim-faults-', (dir) => {
      const s = new FileStore(dir, { fsync: false });
      s.create('configmaps/default/a', cm('a'));
      const before = snapshot(dir, s);
      let injected = 0;
      patched(
        'writeSync',
        (orig) =>
          ((fd: number, data: Buffer, off?: number, len?: number, pos?: number) => {
            const isJournal = isWriteOf(data, '"rev":');
            if (isWriteOf(data, '"victim"') && ((when === 'object' && !isJournal) || (when !== 'object' && isJournal))) {
              if (when === 'short-journal' && injected === 0) {
                injected++;
                return orig(fd, data, off ?? 0, Math.floor((len ?? data.length) / 2), pos);
              }
              injected++;
              throw errno(code);
            }
            return orig(fd, data, off, len, pos);
          }) as typeof fs.writeSync,
        () => {
          for (const op of [() => s.create('configmaps/default/victim', cm('victim')), () => s.update('configmaps/default/a', { ...cm('a', '2'), data: { victim: '"victim"' } })]) {
            assert.throws(op, (e: unknown) => e instanceof StoreError && message.test(e.message), name);
          }
        },
      );
      assert.ok(injected >= 2);
      assert.deepEqual(snapshot(dir, s), before, 'journal, revision and objects unchanged');
      assert.deepEqual(tmpFiles(dir), [], 'no temporary file or lock left');
      const fresh = new FileStore(dir, { fsync: false });
      assert.equal(fresh.get('configmaps/default/victim'), undefined);
      assert.equal(fresh.get('configmaps/default/a')!.data.v, '1');
      // The next write takes the next revision: none was used up.
      assert.equal(fresh.create('configmaps/default/b', cm('b')).metadata.resourceVersion, String(before.rev + 1));
    }));
}

test('file store: EIO at the rename takes the journal line back', () =>
  withTempDir('kubesim-faults-', (dir) => {
    const s = new FileStore(dir, { fsync: false });
    s.create('configmaps/default/a', cm('a'));
    const before = snapshot(dir, s);
    patched(
      'renameSync',
      (orig) => ((from: fs.PathLike, to: fs.PathLike) => (String(to).endsWith('/victim') ? (() => { throw errno('EIO'); })() : orig(from, to))) as typeof fs.renameSync,
      () => assert.throws(() => s.create('configmaps/default/victim', cm('victim')), /input\/output error/),
    );
    assert.deepEqual(snapshot(dir, s), before);
    assert.deepEqual(tmpFiles(dir), []);
    assert.deepEqual(s.changesSince(before.rev), []);
  }));

test('file store: temporary files of dead writers are removed at the next open; 253-character names work', () =>
  withTempDir('kubesim-faults-', (dir) => {
    const s = new FileStore(dir, { fsync: false });
    const long = 'a'.repeat(253);
    const created = s.create(`configmaps/default/${long}`, cm(long));
    assert.equal(s.get(`configmaps/default/${long}`)!.metadata.resourceVersion, created.metadata.resourceVersion);
    s.update(`configmaps/default/${long}`, cm(long, '2'));
    assert.equal(s.list('configmaps').items[0].data.v, '2');
    fs.writeFileSync(join(dir, 'meta', '.tmp-999999999-1'), 'x');
    fs.writeFileSync(join(dir, '.tmp-999999999-2'), 'x');
    fs.writeFileSync(join(dir, 'lock.999999999'), 'x');
    fs.writeFileSync(join(dir, 'registry', 'configmaps', 'default', '.tmp-999999999-3'), 'x');
    fs.writeFileSync(join(dir, 'lock'), '999999999\n'); // a dead writer's lock: its registry temporaries go when it is broken
    const s2 = new FileStore(dir, { fsync: false });
    s2.create('configmaps/default/b', cm('b'));
    assert.deepEqual(tmpFiles(dir), []);
  }));

test('file store: damage is refused with a message naming it, and blocks nothing else', () =>
  withTempDir('kubesim-faults-', (dir) => {
    const s = new FileStore(dir, { fsync: false });
    for (const n of ['a', 'b', 'c']) s.create(`configmaps/default/${n}`, cm(n));
    const file = (n: string) => join(dir, 'registry', 'configmaps', 'default', n);
    fs.writeFileSync(file('b'), '{"torn');
    fs.writeFileSync(file('c'), JSON.stringify(cm('other')));
    const fresh = new FileStore(dir, { fsync: false });
    assert.deepEqual(fresh.list('configmaps').items.map((o) => o.metadata.name), ['a']);
    assert.throws(() => fresh.get('configmaps/default/b'), /the object file .*\/b is damaged \(not valid JSON\)/);
    assert.throws(() => fresh.get('configmaps/default/c'), /is damaged \(it holds the object named "other"\)/);
    assert.equal(fresh.delete('configmaps/default/b').metadata.name, 'b');
    assert.equal(fs.existsSync(file('b')), false);
    assert.equal(fresh.changesSince(0).at(-1)!.type, 'DELETED');

    // A revision counter that is not a safe integer.
    const revBefore = fs.readFileSync(join(dir, 'rev'), 'utf8');
    for (const bad of ['1e400\n', '99999999999999999\n', 'garbage', '-4\n']) {
      fs.writeFileSync(join(dir, 'rev'), bad);
      assert.throws(() => new FileStore(dir, { fsync: false }).create('configmaps/default/x', cm('x')), /the revision counter .* is damaged/, bad);
    }
    fs.writeFileSync(join(dir, 'rev'), revBefore);
    // The objects' high-water mark: damaged is refused too (fsck removes it).
    const markBefore = fs.readFileSync(join(dir, 'objects-rev'), 'utf8');
    assert.equal(Number(markBefore), Number(revBefore), 'the mark is the last `rev` written');
    fs.writeFileSync(join(dir, 'objects-rev'), 'garbage');
    assert.throws(() => new FileStore(dir, { fsync: false }).create('configmaps/default/x', cm('x')), /the objects' revision mark .*objects-rev is damaged \(it holds "garbage"\); run "kubesim cluster fsck --repair"/);
    fs.writeFileSync(join(dir, 'objects-rev'), markBefore);
    // A garbage lock file, a lock folder, a symlinked lock: refused at once, not waited on or removed.
    for (const plant of [() => fs.writeFileSync(join(dir, 'lock'), '12abc\n'), () => fs.mkdirSync(join(dir, 'lock')), () => fs.symlinkSync('/etc/passwd', join(dir, 'lock'))]) {
      plant();
      const t = Date.now();
      assert.throws(() => new FileStore(dir, { fsync: false }).create('configmaps/default/x', cm('x')), /lock/);
      assert.ok(Date.now() - t < 5000, 'refused at once');
      assert.ok(fs.lstatSync(join(dir, 'lock')), 'left for the user to look at');
      fs.rmSync(join(dir, 'lock'), { recursive: true });
    }
    // A revision counter behind the objects (journal gone too): refused on the object's next write.
    fs.writeFileSync(join(dir, 'journal.log'), '');
    fs.writeFileSync(join(dir, 'rev'), '0\n');
    assert.throws(() => new FileStore(dir, { fsync: false }).update('configmaps/default/a', cm('a', '2')), /revision counter \(0\) is behind/);
    // ... and a create too (no object file to compare with: the objects' high-water mark).
    assert.throws(() => new FileStore(dir, { fsync: false }).create('configmaps/default/new', cm('new')), /revision counter \(0\) is behind the objects \(revision \d+ recorded in .*objects-rev\)/);
    assert.equal(fs.existsSync(file('new')), false);
    fs.writeFileSync(join(dir, 'rev'), revBefore);
    // A file where a folder belongs.
    fs.writeFileSync(join(dir, 'registry', 'secrets'), 'x');
    assert.throws(() => new FileStore(dir, { fsync: false }).create('secrets/default/s', cm('s')), /a file where a folder belongs/);
    // A planted symlink object is never followed.
    fs.symlinkSync('/etc/hostname', file('link'));
    assert.throws(() => fresh.get('configmaps/default/link'), /symlink, never followed/);
  }));

test('file store: a simulation record larger than its readers take is refused with a message, nothing written, inside a group or not', () =>
  withTempDir('kubesim-faults-', (dir) => {
    const s = new FileStore(dir, { fsync: false });
    const doc = 'container-files-u1-c';
    s.writeMeta(doc, { '/a': 'x' });
    const big = { '/big': 'y'.repeat(17 * 1024 * 1024) }; // past OBJECT_MAX_BYTES (16 MiB)
    const refused = (e: unknown) => e instanceof StoreError && /the simulation record container-files-u1-c would be \d+ bytes, more than the 16 MiB a record may hold; nothing was written/.test(e.message);
    assert.throws(() => s.writeMeta(doc, big), refused);
    // Inside a group the write is deferred to the release: refused at once all the same.
    s.group(() => assert.throws(() => s.writeMeta(doc, big), refused));
    assert.deepEqual(s.readMeta(doc), { '/a': 'x' });
    // Read afresh by another store: the record before, not a file every reader refuses as damaged.
    assert.deepEqual(new FileStore(dir, { fsync: false }).readMeta(doc), { '/a': 'x' });
    assert.ok(fs.statSync(join(dir, 'meta', `${doc}.json`)).size < 1024);
    assert.deepEqual(tmpFiles(dir), []);
  }));
