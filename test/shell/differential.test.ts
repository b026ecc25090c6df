// Differential test: every script of cases.ts through kubesim's interpreter and through
// the machine's /bin/sh (dash, GNU coreutils), with a clean environment and the same files
// in a temporary working directory. Fails (does not skip) when /bin/sh is missing.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runShellAsync } from '../../src/shell/run';
import { CASES, type Case } from './cases';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-sh-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

test('/bin/sh is present (the oracle)', () => {
  assert.ok(fs.existsSync('/bin/sh'), '/bin/sh is required for the differential shell tests');
});

/** Files under `dir` as absolute path → content (what the simulated shell is given). */
function snapshot(dir: string): { files: Record<string, string>; dirs: string[] } {
  const files: Record<string, string> = {};
  const dirs: string[] = [dir];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const s = snapshot(p);
      Object.assign(files, s.files);
      dirs.push(...s.dirs);
    } else files[p] = fs.readFileSync(p, 'utf8');
  }
  return { files, dirs };
}

CASES.forEach((raw, n) => {
  const c: Case = typeof raw === 'string' ? { script: raw } : raw;
  test(`sh #${n}: ${c.script.replace(/\n/g, '⏎').slice(0, 70)}`, async () => {
    const real = path.join(root, `r${n}`);
    const sim = path.join(root, `s${n}`);
    for (const d of [real, sim]) {
      fs.mkdirSync(d);
      for (const [name, content] of Object.entries(c.files ?? {})) fs.writeFileSync(path.join(d, name), content);
    }
    const env = { PATH: '/usr/bin:/bin', HOME: real, LC_ALL: 'C' };
    const r = spawnSync('/bin/sh', ['-c', c.script], { cwd: real, env, input: c.stdin ?? '', encoding: 'utf8', timeout: 10_000, argv0: 'sh' });
    assert.equal(r.error, undefined, `/bin/sh failed to run: ${r.error?.message}`);
    const snap = snapshot(sim);
    const mine = await runShellAsync(c.script, {
      flavor: 'debian',
      env: Object.entries({ ...env, HOME: sim }),
      cwd: sim,
      vfs: { files: snap.files, dirs: snap.dirs },
      stdin: c.stdin ?? '',
    });
    const norm = (s: string, dir: string) => s.split(dir).join('<cwd>');
    assert.deepEqual(
      { stdout: norm(mine.stdout, sim), stderr: norm(mine.stderr, sim), code: mine.code },
      { stdout: norm(r.stdout, real), stderr: norm(r.stderr, real), code: r.status },
    );
  });
});
