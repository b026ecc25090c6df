// `node --import tsx test/fidelity/report.ts [SUBSTRING]`: runs the differential suite (or
// the cases containing SUBSTRING) and prints the ratio and every difference, with both sides.

import { allCases } from './cases';
import { runAll, show, type Outcome } from './differential';

function side(name: string, o: Outcome): string {
  return `  ${name} exit ${o.code}\n    stdout: ${JSON.stringify(o.stdout.slice(0, 600))}\n    stderr: ${JSON.stringify(o.stderr.slice(0, 600))}`;
}

async function main(): Promise<void> {
  const filter = process.argv[2];
  const cases = allCases().filter((c) => !filter || show(c).includes(filter));
  const started = Date.now();
  const results = await runAll(cases);
  const bad = results.filter((r) => !r.match);
  for (const r of bad) {
    console.log(`${r.needsServer ? '[NEEDS SERVER] ' : ''}${show(r.args)}`);
    console.log(side('kubectl', r.kubectl));
    console.log(side('kubesim', r.kubesim));
  }
  const ok = results.length - bad.length;
  console.log(`\n${ok}/${results.length} match (${((100 * ok) / results.length).toFixed(1)} %) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

void main();
