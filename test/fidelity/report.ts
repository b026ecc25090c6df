// `node --import tsx test/fidelity/report.ts [SUBSTRING]`: runs the differential suite (or
// the cases containing SUBSTRING) and prints the ratio and every difference, with both sides.

import { allCases } from './cases';
import { runAll, show, type Outcome } from './differential';

/** Both sides of a stream from a little before their first difference. */
function diff(stream: string, a: string, b: string): string {
  if (a === b) return '';
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 120);
  return `  ${stream} @${i}\n    kubectl: ${JSON.stringify(a.slice(from, i + 300))}\n    kubesim: ${JSON.stringify(b.slice(from, i + 300))}\n`;
}

function side(k: Outcome, s: Outcome): string {
  return `${k.code !== s.code ? `  exit ${k.code} vs ${s.code}\n` : ''}${diff('stdout', k.stdout, s.stdout)}${diff('stderr', k.stderr, s.stderr)}`;
}

async function main(): Promise<void> {
  const filter = process.argv[2];
  const cases = allCases().filter((c) => !filter || show(c).includes(filter));
  const started = Date.now();
  const results = await runAll(cases);
  const bad = results.filter((r) => !r.match);
  for (const r of bad) {
    console.log(`${r.needsServer ? '[NEEDS SERVER] ' : ''}${show(r.args)}`);
    console.log(side(r.kubectl, r.kubesim));
  }
  const ok = results.length - bad.length;
  console.log(`\n${ok}/${results.length} match (${((100 * ok) / results.length).toFixed(1)} %) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

void main();
