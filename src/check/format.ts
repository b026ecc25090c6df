// Output of `kubesim check`: the validate formats (text, json, junit, tap, sarif, github)
// with what check adds — deploy/lint rule descriptions, the per-workload verdicts and the
// simulated time — layered on the shared formatters so both commands read alike.

import { Chalk } from 'chalk';
import { formatReport, type Format, type FormatOptions } from '../validate/formatters';
import { CHECK_RULE_TEXT, type CheckReport, type CheckRuleId, type WorkloadStatus } from './types';

export function workloadSummary(r: CheckReport): string {
  const ok = r.workloads.filter((w) => w.state === 'Ready' || w.state === 'Complete').length;
  const secs = Math.round(r.simulatedMs / 1000);
  const time = secs >= 60 ? `${Math.floor(secs / 60)}m${secs % 60}s` : `${secs}s`;
  return `${r.workloads.length} workloads: ${ok} ready, ${r.workloads.length - ok} not ready (simulated ${time}${r.settled ? '' : r.capped ? ', stopped at the reconcile limit' : ', deadline reached'})`;
}

function workloadLabel(w: WorkloadStatus): string {
  return `${w.kind}/${w.namespace ? `${w.namespace}/` : ''}${w.name}`;
}

export function formatCheckReport(format: Format, report: CheckReport, opts: FormatOptions = {}): string {
  const base = formatReport(format, report, opts);
  switch (format) {
    case 'text': {
      const c = new Chalk({ level: opts.color ? 1 : 0 });
      const lines: string[] = [];
      if (opts.verbose && !opts.summaryOnly) {
        for (const w of report.workloads) {
          const good = w.state === 'Ready' || w.state === 'Complete';
          lines.push(`${good ? c.green(w.state) : c.red(w.state)} ${w.file}${w.line ? `:${w.line}` : ''} ${workloadLabel(w)} (${w.detail})`);
        }
      }
      const notReady = report.workloads.some((w) => w.state !== 'Ready' && w.state !== 'Complete');
      const s = workloadSummary(report);
      lines.push(notReady ? c.red(s) : c.green(s));
      return base + lines.join('\n') + '\n';
    }
    case 'json': {
      const body = JSON.parse(base);
      body.workloads = report.workloads.map((w) => ({ kind: w.kind, namespace: w.namespace, name: w.name, file: w.file, line: w.line, state: w.state, detail: w.detail }));
      body.simulatedSeconds = report.simulatedMs / 1000;
      body.settled = report.settled;
      if (report.capped) body.capped = true;
      return JSON.stringify(body, null, 2) + '\n';
    }
    case 'sarif': {
      const sarif = JSON.parse(base);
      for (const rule of sarif.runs[0].tool.driver.rules) {
        const text = CHECK_RULE_TEXT[rule.id as CheckRuleId];
        if (text) rule.shortDescription = { text };
        // Lint warnings are configured as warnings, so code scanning ranks them right.
        if (rule.id === 'lint/pdb-blocks-eviction') rule.defaultConfiguration = { level: 'warning' };
      }
      return JSON.stringify(sarif, null, 2) + '\n';
    }
    case 'junit':
      return base.replace('<testsuites name="kubesim validate"', '<testsuites name="kubesim check"');
    case 'tap':
      return base + `# ${workloadSummary(report)}\n`;
    case 'github':
      return base + `::notice::${workloadSummary(report)}\n`;
  }
}
