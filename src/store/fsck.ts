// `kubesim cluster fsck`: finds the damage the store refuses to act on (a revision counter
// that is not a number or is behind the objects or their high-water mark, a garbage lock, damaged object files,
// symlinks and other planted file types, files where folders belong, dead writers'
// temporary files, a torn journal line) and, with --repair, repairs it. Damaged object files
// are kept in `lost+found/` and deleted through the store, so watchers see them go.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DamagedObjectError, FileStore, TMP_PREFIX, parseObject } from './file-store';
import { readSmallFile } from './file-lock';
import { readHighWater } from './file-store-marks';
import { parseProcessIdentity, processAlive } from './process-alive';
import { StoreError } from './store';

export interface FsckProblem {
  path: string;
  problem: string;
  repaired?: string;
}

export interface FsckReport {
  objects: number;
  problems: FsckProblem[];
}

export function fsck(root: string, repair: boolean): FsckReport {
  const problems: FsckProblem[] = [];
  const note = (p: string, problem: string, fix?: () => string) => {
    const entry: FsckProblem = { path: p, problem };
    if (repair && fix) entry.repaired = fix();
    problems.push(entry);
  };
  const lockPath = path.join(root, 'lock');
  checkLock(lockPath, note);
  const store = new FileStore(root, { fsync: true, create: false });
  const revPath = path.join(root, 'rev');
  let revOk = true;
  try {
    store.readRevFile();
  } catch (e) {
    revOk = false;
    note(revPath, (e as Error).message.replace(/; run .*$/, ''), () => {
      fs.rmSync(revPath, { force: true }); // rewritten below from the journal and the objects
      return 'rebuilt from the journal and the objects';
    });
  }
  let highWater = 0;
  try {
    highWater = readHighWater(store.highWater.file);
  } catch (e) {
    note(store.highWater.file, (e as Error).message.replace(/; run .*$/, ''), () => {
      fs.rmSync(store.highWater.file, { force: true }); // written again with `rev`
      return 'removed';
    });
  }
  const journal = path.join(root, 'journal.log');
  try {
    const st = fs.lstatSync(journal);
    if (!st.isFile()) {
      note(journal, 'not a regular file', () => {
        fs.renameSync(journal, `${journal}.damaged-${Date.now()}`);
        return 'moved aside; watchers re-list';
      });
    }
  } catch {
    /* no journal yet */
  }

  // The registry: every entry must be a folder or an object file of the right object.
  let objects = 0;
  let maxRv = 0;
  /** Each revision's object files (see the duplicates' check below). */
  const byRv = new Map<number, Array<{ key: string; file: string }>>();
  const damaged: Array<{ key: string; file: string; reason: string }> = [];
  const walk = (dir: string, key: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      const k = key ? `${key}/${e.name}` : e.name;
      if (e.name.startsWith(TMP_PREFIX)) {
        const pid = Number(/^\.tmp-(\d+)-/.exec(e.name)?.[1]);
        if (!pid || !processAlive(pid)) note(full, 'a temporary file left by a writer that died', () => (fs.rmSync(full, { force: true }), 'removed'));
        continue;
      }
      if (e.isDirectory()) walk(full, k, depth + 1);
      else if (e.isSymbolicLink() || !e.isFile()) {
        note(full, e.isSymbolicLink() ? 'a symlink (never followed)' : 'not a regular file or folder', () => (fs.rmSync(full, { force: true }), 'removed'));
      } else if (depth === 0) {
        note(full, 'a file where a folder belongs', () => moveAside(root, full, k));
      } else {
        let reason: string | undefined;
        try {
          const text = readSmallFile(full, 16 * 1024 * 1024);
          if (text === undefined) continue;
          const obj = parseObject(k, full, text);
          objects++;
          const rv = Number(obj.metadata.resourceVersion);
          if (Number.isSafeInteger(rv)) {
            maxRv = Math.max(maxRv, rv);
            const same = byRv.get(rv);
            if (same) same.push({ key: k, file: full });
            else byRv.set(rv, [{ key: k, file: full }]);
          }
        } catch (err) {
          reason = err instanceof DamagedObjectError ? err.reason : err instanceof Error ? err.message : String(err);
        }
        if (reason !== undefined) damaged.push({ key: k, file: full, reason });
      }
    }
  };
  walk(path.join(root, 'registry'), '', 0);
  for (const d of damaged) {
    note(d.file, `damaged object file (${d.reason})`, () => {
      const kept = moveAside(root, d.file, d.key, true);
      store.delete(d.key);
      return `${kept}; deleted`;
    });
  }
  for (const name of fs.readdirSync(root)) {
    if (/^(?:\.tmp-|lock\.\d+$)/.test(name)) {
      const pid = Number(/(\d+)/.exec(name)?.[1]);
      if (!processAlive(pid)) note(path.join(root, name), 'a temporary file left by a writer that died', () => (fs.rmSync(path.join(root, name), { force: true }), 'removed'));
    }
  }

  // The revision counter must be ahead of every object (and of the journal), and of the
  // objects' high-water mark (a deleted object's revision is in no file any more).
  if (revOk || repair) {
    let counter = 0;
    try {
      counter = Math.max(store.readRevFile(), journalLast(store));
    } catch {
      counter = 0;
    }
    const ahead = Math.max(maxRv, highWater);
    if (counter < ahead) {
      const mark = highWater > maxRv ? `; ${store.highWater.file} records ${highWater}` : '';
      note(revPath, `the revision counter (${counter}) is behind the objects (resourceVersion ${maxRv}${mark})`, () => {
        store.writeRevFile(ahead);
        return `set to ${ahead}`;
      });
    }
  }
  // A revision held by two objects was given twice: the counter, the journal and the
  // objects' mark all copied back from an older state (nothing at a take can see it once
  // the counter has passed every object again). Watchers may have missed one of the writes:
  // each is written again at a new revision (after the counter's repair above).
  for (const [rv, same] of byRv) {
    if (same.length < 2) continue;
    note(same[same.length - 1].file, `revision ${rv} is held by ${same.map((o) => o.key).join(', ')}: the revision counter was rewound and its revisions given again`, () => {
      for (const { key } of same) {
        const obj = store.get(key);
        if (obj && obj.metadata.resourceVersion === String(rv)) store.update(key, obj, rv);
      }
      return 'each written again at a new revision';
    });
  }
  // Takes the lock, cuts a torn journal line and writes the journal's tail into the object
  // files (and `rev`, also when it was rebuilt: the journal's last revision).
  if (repair && !problems.some((p) => p.path === lockPath && !p.repaired)) store.compact();
  store.close();
  return { objects, problems };
}

function journalLast(store: FileStore): number {
  return store.currentRev();
}

function moveAside(root: string, file: string, key: string, copy = false): string {
  const dir = path.join(root, 'lost+found');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const dest = path.join(dir, `${Date.now()}-${key.replace(/\//g, '%2F')}`.slice(0, 250));
  if (copy) fs.copyFileSync(file, dest, fs.constants.COPYFILE_EXCL);
  else fs.renameSync(file, dest);
  return `kept as ${dest}`;
}

function checkLock(lockPath: string, note: (p: string, problem: string, fix?: () => string) => void): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(lockPath);
  } catch {
    return;
  }
  const remove = () => (fs.rmSync(lockPath, { recursive: true, force: true }), 'removed');
  if (!st.isFile()) {
    note(lockPath, st.isDirectory() ? 'the state lock is a folder' : 'the state lock is not a regular file', remove);
    return;
  }
  let text: string | undefined;
  try {
    text = readSmallFile(lockPath, 256);
  } catch (e) {
    note(lockPath, e instanceof StoreError ? e.message : String(e), remove);
    return;
  }
  if (text === undefined) return;
  const id = parseProcessIdentity(text);
  if (!id) note(lockPath, `the state lock is damaged (it holds ${JSON.stringify(text.slice(0, 40))})`, remove);
  else if (!processAlive(id.pid, id.startTime)) note(lockPath, `the state lock of process ${id.pid}, which is gone`, remove);
}
