// kill -9 CLI processes at random points of their writes, with acknowledged writes in
// between; then the state directory must load, nothing acknowledged may be lost, and a
// stale lock must not block the next writer.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { configMap, hasStackTrace, journalRevs, registryObjects, run, runAsync, sleep, start, stateDir } from './cli';
import { rng } from './corpus-util';

export interface CrashFigures {
  injected: number;
  killedMidRun: number;
  acknowledged: number;
  lost: number;
}

function batchOf(tag: string, n: number): string {
  return Array.from({ length: n }, (_, i) => configMap(`${tag}-${i}`, { tag, i: String(i) })).join('\n---\n');
}

export async function crashRun(home: string, kills: number, seed: number, parallel = 3): Promise<CrashFigures> {
  const r = rng(seed);
  // How long a write takes here, so kills land before, during and after the write phase.
  const probe = run(home, ['apply', '-f', '-'], batchOf('probe', 5));
  assert.equal(probe.code, 0, probe.stderr);
  const span = Math.max(probe.ms * 1.6, 50);
  const earliest = probe.ms * 0.3; // before that the process is still starting up
  const acked = new Map<string, string>(); // name -> value
  for (let i = 0; i < 5; i++) acked.set(`probe-${i}`, 'probe');
  let injected = 0;
  let killedMidRun = 0;
  let round = 0;
  while (injected < kills) {
    round++;
    const victims = Array.from({ length: Math.min(parallel, kills - injected) }, (_, v) => {
      const kind = r();
      const args = kind < 0.6 ? ['apply', '-f', '-'] : kind < 0.8 ? ['delete', 'configmap', `victim-${(round + v) % 7}-0`, '--ignore-not-found'] : ['label', 'configmap', `victim-${(round + v) % 7}-0`, `round=r${round}`, '--overwrite'];
      const p = start(home, args, kind < 0.6 ? batchOf(`victim-${(round + v) % 7}`, 1 + Math.floor(r() * 4)) : '');
      const delay = Math.floor(earliest + r() * (span - earliest));
      const timer = setTimeout(() => p.child.kill('SIGKILL'), delay);
      return p.done.then((res) => {
        clearTimeout(timer);
        if (res.signal === 'SIGKILL') killedMidRun++;
        else if (hasStackTrace(res.stderr)) throw new Error(`stack trace from ${args.join(' ')}:\n${res.stderr}`);
      });
    });
    injected += victims.length;
    // An acknowledged write alongside the victims: it must survive everything that follows.
    const name = `ack-${round}`;
    const ack = runAsync(home, ['apply', '-f', '-'], configMap(name, { round: String(round) }));
    await Promise.all(victims);
    const a = await ack;
    assert.ok(!hasStackTrace(a.stderr), a.stderr);
    if (a.code === 0) acked.set(name, String(round));
    else assert.fail(`acknowledged-write attempt failed: ${a.stderr}`);
    if (round % 5 === 0) await sleep(1); // let the event loop breathe
  }

  // The state directory loads: every registry file parses, reads work, a write goes through
  // (a dead writer's lock is broken) and the journal's revisions are unique and growing.
  const objects = registryObjects(home);
  const all = run(home, ['get', 'all', '-A']);
  assert.equal(all.code, 0, all.stderr);
  const w = run(home, ['apply', '-f', '-'], configMap('after-crashes', { ok: 'yes' }), 45_000);
  assert.equal(w.code, 0, `a write after the crashes failed (stale lock?): ${w.stderr}`);
  assert.ok(!existsSync(join(stateDir(home), 'lock')), 'the lock file is left behind by a finished writer');
  const revs = journalRevs(home);
  for (let i = 1; i < revs.length; i++) assert.ok(revs[i] > revs[i - 1], `journal revision ${revs[i]} after ${revs[i - 1]}`);
  const rvs = [...objects.values()].map((o) => o.metadata.resourceVersion);
  assert.equal(new Set(rvs).size, rvs.length, 'two objects share a resourceVersion');

  const list = run(home, ['get', 'configmaps', '-o', 'json']);
  assert.equal(list.code, 0, list.stderr);
  const live = new Map((JSON.parse(list.stdout).items as { metadata: { name: string }; data: Record<string, string> }[]).map((o) => [o.metadata.name, o]));
  let lost = 0;
  for (const [name, value] of acked) {
    const got = live.get(name)?.data;
    const ok = got && (got.round ?? got.tag) === value;
    if (!ok) lost++;
  }
  assert.equal(lost, 0, `${lost} acknowledged objects lost after ${injected} kills`);
  return { injected, killedMidRun, acknowledged: acked.size, lost };
}
