// Where a soak's bind delays come from (issue #12; not a test, not in the suite): runs soakRun
// (P processes x N pods) while sampling every 10 ms the journal's new lines (when each pod's
// ADDED and bind lines appeared, the journal's trims), the daemon's CPU time and run state
// (/proc/<pid>/stat), who holds the store lock and whether the daemon waits for it; every 200 ms the apply processes' CPU and
// the load. Writes it all as JSON for analysis:
//   node --import tsx test/stress/soak-trace.ts 10 1000 /tmp/soak.json
import { closeSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { overlayJournalTail, removeHome, run, stateDir, tempHome } from './cli';
import { readdirSync } from 'node:fs';
import { createCluster, soakRun } from './soak';

async function main() {
const P = Number(process.argv[2] ?? 10), N = Number(process.argv[3] ?? 200);
const out = process.argv[4] ?? '/tmp/soak12/probe.json';
const home = tempHome('kubesim-soakprobe-');
createCluster(home, P * N);
const s = run(home, ['cluster', 'start'], '', 30_000);
if (s.code !== 0) throw new Error(s.stderr);
const dir = stateDir(home);
const pid = Number(readFileSync(join(dir, 'daemon.pid'), 'utf8').trim().split(/\s+/)[0]);
const jp = join(dir, 'journal.log');
let off = 0, ino = 0, rest = '';
const added = new Map<string, { t: number; rev: number }>();
const bound = new Map<string, { t: number; rev: number }>();
const samples: Array<[number, number, string]> = [];
const hz = 100;
const revs: any[] = [];
const trims: number[] = [];
const sys: any[] = [];
let lastSys = 0;
const tick = () => {
  const now = Date.now();
  try {
    const st = statSync(jp);
    if (st.ino !== ino || st.size < off) { if (ino) trims.push(now); ino = st.ino; off = 0; rest = ''; }
    if (st.size > off) {
      const fd = openSync(jp, 'r');
      const buf = Buffer.alloc(st.size - off);
      readSync(fd, buf, 0, buf.length, off);
      closeSync(fd);
      off = st.size;
      const text = rest + buf.toString('utf8');
      const lines = text.split('\n');
      rest = lines.pop()!;
      for (const l of lines) {
        let e: any; try { e = JSON.parse(l); } catch { continue; }
        revs.push([e.rev, now, e.type, e.key, e.object?.spec?.nodeName ? 1 : 0] as any);
        const m = /^pods\/default\/(soak-.*)$/.exec(e.key ?? '');
        if (!m) continue;
        if (e.type === 'ADDED' && !added.has(m[1])) added.set(m[1], { t: now, rev: e.rev });
        if (e.object?.spec?.nodeName && !bound.has(m[1])) bound.set(m[1], { t: now, rev: e.rev });
      }
    }
  } catch {}
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    let h = ''; try { h = readFileSync(join(dir, 'lock'), 'utf8').split(' ')[0]; } catch {}
    // The holder's pid too (a run of user holds is one user's turn or several), and whether
    // the daemon has announced waiting for the lock (its lock.want file).
    const wants = readdirSync(dir).some((n) => n.startsWith('lock.want.') && n.endsWith(`.${pid}`)) ? 1 : 0;
    samples.push([now, (Number(f[11]) + Number(f[12])) * (1000 / hz), f[0], h === String(pid) ? 'D' : h ? 'U' : '-', h, wants] as any);
  } catch {}
};
const sysTick = () => {
  const now = Date.now();
  if (now - lastSys < 200) return;
  lastSys = now;
  let kids = 0;
  try {
    for (const c of readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
      try { const f = readFileSync(`/proc/${c}/stat`, 'utf8').split(') ')[1].split(' '); kids += (Number(f[11]) + Number(f[12])) * 10; } catch {}
    }
  } catch {}
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  sys.push([now, kids, cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6], cpu[3] + cpu[4], readFileSync('/proc/loadavg', 'utf8').split(' ')[0]]);
};
const timer = setInterval(() => { tick(); sysTick(); }, 10);
const f = await soakRun(home, P, N, 600_000);
tick();
clearInterval(timer);
console.log(JSON.stringify(f));
// pods' creation and PodScheduled from the registry+journal via kubectl-ish read of files
const pods = new Map<string, any>();
// A file can be replaced (unlinked, then renamed into place) between the listing and its read: the journal's tail has it.
for (const n of readdirSync(join(dir, 'registry/pods/default'))) if (!n.startsWith('.tmp')) try { pods.set(n, JSON.parse(readFileSync(join(dir, 'registry/pods/default', n), 'utf8'))); } catch {}
overlayJournalTail(dir, pods, (k) => (k.startsWith('pods/default/') ? k.slice(13) : undefined));
const events: any[] = [];
try { for (const n of readdirSync(join(dir, 'registry/events/default'))) events.push(JSON.parse(readFileSync(join(dir, 'registry/events/default', n), 'utf8'))); } catch {}
const rows = [...pods.values()].filter((p) => p.metadata.name.startsWith('soak-')).map((p) => {
  const name = p.metadata.name;
  const at = p.status?.conditions?.find((c: any) => c.type === 'PodScheduled')?.lastTransitionTime;
  return { name, created: p.metadata.creationTimestamp, sched: at, late: (Date.parse(at) - Date.parse(p.metadata.creationTimestamp)) / 1000, seenAdded: added.get(name), seenBound: bound.get(name) };
});
writeFileSync(out, JSON.stringify({ figures: f, rows, samples, revs, trims, sys, daemonLog: readFileSync(join(dir, 'daemon.log'), 'utf8').slice(-20000) }));
run(home, ['cluster', 'stop']);
removeHome(home);
}
void main();
