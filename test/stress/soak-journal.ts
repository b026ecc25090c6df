// The soak's bind delays read from a cluster's journal while it runs (issue #12; not a test):
// two soaks run side by side (a base build and a change) compared over the same minutes of
// creation, or a run that cannot finish in time measured as far as it went. Pods created
// before the journal's last trim are not seen. Cluster seconds, 1 s resolution, as soak.ts:
//   node --import tsx test/stress/soak-journal.ts <cluster dir>/journal.log [fromIso] [toIso]
import { readFileSync } from 'node:fs';

interface PodLine {
  type?: string;
  object?: {
    metadata: { name: string; creationTimestamp: string };
    spec?: { nodeName?: string };
    status?: { conditions?: Array<{ type: string; status: string; lastTransitionTime?: string }> };
  };
}

const [file, from = '', to = '\uffff'] = process.argv.slice(2);
const created = new Map<string, string>();
const bound = new Map<string, string>();
for (const l of readFileSync(file, 'utf8').split('\n')) {
  if (!l.includes('"pods/default/soak-')) continue;
  let e: PodLine;
  try {
    e = JSON.parse(l) as PodLine;
  } catch {
    continue; // the line being written
  }
  const o = e.object;
  if (!o) continue;
  created.set(o.metadata.name, o.metadata.creationTimestamp);
  const at = o.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'True')?.lastTransitionTime;
  if (o.spec?.nodeName && at && !bound.has(o.metadata.name)) bound.set(o.metadata.name, at);
}
const delays: number[] = [];
let unbound = 0;
for (const [name, at] of created) {
  if (at < from || at > to) continue;
  const b = bound.get(name);
  if (b) delays.push((Date.parse(b) - Date.parse(at)) / 1000);
  else unbound++;
}
delays.sort((a, b) => a - b);
const q = (p: number) => delays[Math.min(delays.length - 1, Math.floor(p * delays.length))] ?? 0;
console.log(JSON.stringify({ bound: delays.length, unbound, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: delays.at(-1) ?? 0, late: delays.filter((d) => d > 1).length }));
