// A CronJob firing every minute while `clock advance` runs for a long simulated time, through
// the real CLI on the file driver: what stays on disk (events, kubelet records, logs) must not
// grow with the simulated time. Bounded by cleanup.test.ts, a full year in long.stress.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { BIN, ROOT } from './corpus-util';
import { envFor, overlayJournalTail, run, stateDir } from './cli';

export interface CleanupFigures {
  simulatedHours: number;
  realMs: number;
  msPerSimulatedHour: number;
  /** Per checkpoint: stored events (files under registry/events with the journal's tail over them), the kubelet's runtime records, logs/<ns>/<pod>_pod.log, and bytes on disk without the journal. */
  samples: Array<{ hour: number; events: number; records: number; logPods: number; bytes: number; journalBytes: number }>;
}

function count(dir: string, pred: (n: string) => boolean = () => true): number {
  try {
    return readdirSync(dir).filter(pred).length;
  } catch {
    return 0;
  }
}

/** The kubelet's runtime records: `kubelet-pod-` entries of meta/kubelet-runtime-*.json (256 files of records, each a log of lines), and any in a file of their own. */
function runtimeRecords(metaDir: string): number {
  let n = count(metaDir, (f) => f.startsWith('kubelet-pod-'));
  for (const f of statSync(metaDir, { throwIfNoEntry: false }) ? readdirSync(metaDir, { withFileTypes: true }) : []) {
    if (!f.isFile() || !/^kubelet-runtime-[0-9a-f]{2}\.json$/.test(f.name)) continue;
    // A log of JSON lines: later lines over earlier ones, null removing a record.
    const records = new Set<string>();
    for (const line of readFileSync(join(metaDir, f.name), 'utf8').split('\n').filter(Boolean)) {
      for (const [k, v] of Object.entries(JSON.parse(line) as Record<string, unknown>)) {
        if (!k.startsWith('kubelet-pod-')) continue; // a node's IP allocations or images share the files
        if (v === null) records.delete(k);
        else records.add(k);
      }
    }
    n += records.size;
  }
  return n;
}

function storedEvents(dir: string): number {
  const names = new Map<string, true>();
  try {
    for (const n of readdirSync(join(dir, 'registry', 'events', 'default'))) if (!n.startsWith('.tmp-')) names.set(n, true);
  } catch {
    /* no events yet */
  }
  overlayJournalTail(dir, names, (key) => (key.startsWith('events/default/') ? key.slice('events/default/'.length) : undefined));
  return names.size;
}

function bytesUnder(dir: string, skip: string): number {
  let total = 0;
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      if (p === skip) continue;
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else total += st.size;
    }
  };
  walk(dir);
  return total;
}

export function sample(home: string, hour: number): CleanupFigures['samples'][number] {
  const dir = stateDir(home);
  const journal = join(dir, 'journal.log');
  return {
    hour,
    events: storedEvents(dir),
    records: runtimeRecords(join(dir, 'meta')),
    logPods: count(join(dir, 'logs', 'default')),
    bytes: bytesUnder(dir, journal),
    journalBytes: statSync(journal, { throwIfNoEntry: false })?.size ?? 0,
  };
}

/**
 * Creates a one-node cluster (event TTL `eventTtlMin` minutes) with a CronJob every minute,
 * then advances `hours` in `step`-hour jumps. Object files are not fsynced (durability is
 * not what this measures; the disk is shared).
 */
export function cleanupRun(home: string, hours: number, step: number, timeoutMs: number, eventTtlMin = 60, budgetMs = Infinity): CleanupFigures {
  const profile = join(home, 'profile.yaml');
  writeFileSync(profile, `nodes: {count: 1}\ntimings: {eventTtlMs: ${eventTtlMin * 60_000}}\n`);
  const c = run(home, ['cluster', 'create', '--config', profile]);
  if (c.code !== 0) throw new Error(c.stderr);
  const cj = run(home, ['create', 'cronjob', 'tick', '--image=busybox', '--schedule=* * * * *', '--', 'sh', '-c', 'echo tick']);
  if (cj.code !== 0) throw new Error(cj.stderr);
  const samples: CleanupFigures['samples'] = [];
  const t0 = Date.now();
  for (let i = 1; i <= Math.round(hours / step); i++) {
    const h = i * step;
    if (Date.now() - t0 > budgetMs) break;
    const r = spawnSync(process.execPath, [BIN, 'clock', 'advance', `${Math.round(step * 60)}m`], { cwd: ROOT, env: { ...envFor(home), KUBESIM_FSYNC: '0' }, encoding: 'utf8', timeout: timeoutMs });
    if (r.status !== 0) throw new Error(`clock advance at ${h}h: ${r.signal ?? r.status} ${r.stderr}`);
    samples.push(sample(home, h));
  }
  const realMs = Date.now() - t0;
  hours = samples.at(-1)?.hour ?? 0;
  return { simulatedHours: hours, realMs, msPerSimulatedHour: hours ? Math.round(realMs / hours) : 0, samples };
}
