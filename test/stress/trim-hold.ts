// How long the file store's lock is held around the journal's trim (issue #12; not a test, not
// in the suite). W writer processes create N pod-sized objects each in groups (as `apply -f`
// does) while a binder process updates each new one in groups (as the daemon's scheduler
// does); every process times each of its lock holds (acquire to release) and notes those in
// which the journal was replaced, and the time each release spends (sync, compaction, the
// trim's step: the part of a hold that does not depend on the writer's own pace). Prints
// max / p99 / p50 of both, the releases that replaced the journal, and the slowest releases
// as [ms, replaced the journal, deferred writes at the release].
//   node --import tsx test/stress/trim-hold.ts [W] [N] [src dir]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const W = Number(process.argv[2] ?? 10), N = Number(process.argv[3] ?? 1500);
const SRC = resolve(process.argv[4] ?? join(__dirname, '../../src'));

const child = (role: string, dir: string, out: string, arg: string) => `
const fs = require('node:fs');
const { FileStore } = require(${JSON.stringify(join(SRC, 'store/file-store.ts'))});
const { FileLock } = require(${JSON.stringify(join(SRC, 'store/file-lock.ts'))});
const jp = ${JSON.stringify(join(dir, 'journal.log'))};
const ino = () => { try { return fs.statSync(jp).ino; } catch { return 0; } };
const holds = [];
let t0 = 0, i0 = 0;
const acq = FileLock.prototype.acquire, rel = FileLock.prototype.release;
FileLock.prototype.acquire = function () { const r = acq.call(this); t0 = performance.now(); i0 = ino(); return r; };
FileLock.prototype.release = function () { const t = performance.now() - t0; const trim = ino() !== i0; rel.call(this); holds.push([+t.toFixed(2), trim ? 1 : 0]); };
// A release's own work (the journal's sync, compaction, the trim's step): [ms, trimmed, deferred writes].
const releases = [];
const rh = FileStore.prototype.releaseHeld;
FileStore.prototype.releaseHeld = function (g) { const t = performance.now(), i = ino(), n = this.pending.size; try { return rh.call(this, g); } finally { releases.push([+(performance.now() - t).toFixed(2), ino() !== i ? 1 : 0, n]); } };
const s = new FileStore(${JSON.stringify(dir)});
const pod = (name) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { soak: '1', app: 'x'.repeat(40) }, annotations: { note: 'y'.repeat(600) } },
  spec: { containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '64Mi' } }, env: Array.from({ length: 10 }, (_, k) => ({ name: 'E' + k, value: 'v'.repeat(40) })) }] }, status: { phase: 'Pending' } });
if (${JSON.stringify(role)} === 'writer') {
  const N = ${N};
  for (let k = 0; k < N; k += 50) s.group(() => { for (let j = k; j < Math.min(N, k + 50); j++) s.create('pods/default/${arg}-' + j, pod('${arg}-' + j)); });
} else {
  const want = ${W * N};
  let bound = 0, rev = 0;
  const deadline = Date.now() + 900000;
  const bind = (keys) => s.group(() => { for (const key of keys) { const o = s.get(key); if (o && !o.spec.nodeName) { s.update(key, { ...o, spec: { ...o.spec, nodeName: 'node-' + (bound % 10) } }); bound++; } } });
  while (bound < want && Date.now() < deadline) {
    const ch = s.changesSince(rev);
    if (ch.length) { rev = ch[ch.length - 1].rev; bind(ch.filter((e) => e.type === 'ADDED').map((e) => e.key)); continue; }
    const now = s.currentRev();
    if (rev < now) { // fell behind a trimmed journal: bind from a list, as an informer re-lists
      const l = s.list('pods/default');
      rev = l.rev;
      bind(l.items.filter((o) => !o.spec.nodeName).map((o) => 'pods/default/' + o.metadata.name));
    } else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}
fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify({ holds, releases }));
`;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-trimhold-'));
  const outs: string[] = [];
  const run = (role: string, arg: string) => {
    const out = join(dir, `..holds-${role}-${arg}.json`);
    outs.push(out);
    const p = spawn(process.execPath, ['--import', 'tsx', '-e', child(role, dir, out, arg)], { stdio: ['ignore', 'inherit', 'inherit'] });
    return new Promise<number | null>((r) => p.once('exit', (c) => r(c)));
  };
  const t = Date.now();
  const codes = await Promise.all([run('binder', 'b'), ...Array.from({ length: W }, (_, i) => run('writer', `w${i}`))]);
  const got = outs.map((o) => JSON.parse(readFileSync(o, 'utf8')) as { holds: Array<[number, number]>; releases: Array<[number, number, number]> });
  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;
  const stats = (xs: number[]) => ({ n: xs.length, max: Math.max(0, ...xs), p99: q(xs, 0.99), p50: q(xs, 0.5) });
  const holds = got.flatMap((g) => g.holds);
  const rel = got.flatMap((g) => g.releases);
  console.log(JSON.stringify({
    exit: codes,
    wallS: (Date.now() - t) / 1000,
    holds: stats(holds.map((h) => h[0])),
    releases: stats(rel.map((r) => r[0])),
    trimReleases: rel.filter((r) => r[1]).map((r) => r[0]),
    slowest: [...rel].sort((a, b) => b[0] - a[0]).slice(0, 6),
  }));
  rmSync(dir, { recursive: true, force: true });
}
void main();
