// Output formats of `kubesim validate`: text for people, json for scripts, and the formats
// CI systems read (JUnit, TAP, SARIF 2.1.0, GitHub workflow commands). Pure: report in, text out.

import { Chalk } from 'chalk';
import { countResults, location, resourceLabel, summaryLine, type Finding, type Report, type ResourceResult } from './report';

export const FORMATS = ['text', 'json', 'junit', 'tap', 'sarif', 'github'] as const;
export type Format = (typeof FORMATS)[number];

export interface FormatOptions {
  color?: boolean;
  verbose?: boolean;
  /** Only the summary line (text). */
  summaryOnly?: boolean;
  toolVersion?: string;
}

export function formatReport(format: Format, report: Report, opts: FormatOptions = {}): string {
  switch (format) {
    case 'text':
      return formatText(report, opts);
    case 'json':
      return formatJson(report);
    case 'junit':
      return formatJunit(report);
    case 'tap':
      return formatTap(report);
    case 'sarif':
      return formatSarif(report, opts);
    case 'github':
      return formatGithub(report);
  }
}

function findingHead(f: Finding): string {
  return `${location(f)}${f.helmSource ? ` (${f.helmSource})` : ''}`;
}

export function formatText(report: Report, opts: FormatOptions = {}): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const out: string[] = [];
  if (!opts.summaryOnly) {
    for (const r of report.results) {
      if (r.status === 'valid' && !r.findings.length) {
        if (opts.verbose) out.push(`${c.green('valid')}   ${location(r)} ${resourceLabel(r)}`);
        continue;
      }
      if (r.status === 'skipped') {
        out.push(`${c.yellow('skipped')} ${location(r)} ${resourceLabel(r)}: ${r.reason ?? ''}`);
        continue;
      }
      for (const f of r.findings) {
        const sev = f.severity === 'error' ? c.red('error') : c.yellow('warning');
        out.push(`${c.bold(findingHead(f))}: ${sev}: ${f.message} ${c.dim(`[${f.ruleId}]`)}${r.kind ? c.dim(` (${resourceLabel(r)})`) : ''}`);
        if (f.excerpt) out.push(...f.excerpt);
        if (f.hint) out.push(`  ${c.cyan('hint')}: ${f.hint}`);
      }
    }
  }
  const counts = countResults(report.results);
  const line = summaryLine(counts);
  out.push(counts.invalid || counts.errors ? c.red(line) : counts.skipped ? c.yellow(line) : c.green(line));
  return out.join('\n') + '\n';
}

export function formatJson(report: Report): string {
  const counts = countResults(report.results);
  const body = {
    kubernetesVersion: report.kubernetesVersion,
    summary: counts,
    files: report.files,
    resources: report.results.map((r) => ({
      file: r.file, line: r.line, column: r.col, helmSource: r.helmSource, docIndex: r.docIndex, listIndex: r.listIndex,
      apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name, status: r.status, reason: r.reason,
      findings: r.findings.map((f) => ({
        ruleId: f.ruleId, severity: f.severity, message: f.message, file: f.file, line: f.line, column: f.col,
        field: f.field, hint: f.hint, helmSource: f.helmSource,
      })),
    })),
  };
  return JSON.stringify(body, null, 2) + '\n';
}

export function xmlEscape(s: string): string {
  // XML 1.0 forbids most control characters even when escaped.
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function findingDetail(f: Finding): string {
  return [`${findingHead(f)}: ${f.message} [${f.ruleId}]`, ...(f.excerpt ?? []), ...(f.hint ? [`hint: ${f.hint}`] : [])].join('\n');
}

/** One testsuite per file, one testcase per resource (Jenkins / GitLab JUnit reports). */
export function formatJunit(report: Report): string {
  const byFile = new Map<string, ResourceResult[]>();
  for (const r of report.results) {
    if (!byFile.has(r.file)) byFile.set(r.file, []);
    byFile.get(r.file)!.push(r);
  }
  const total = countResults(report.results);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kubesim validate" tests="${total.resources}" failures="${total.invalid}" errors="${total.errors}" skipped="${total.skipped}">`,
  ];
  for (const [file, rs] of byFile) {
    const c = countResults(rs);
    lines.push(`  <testsuite name="${xmlEscape(file)}" tests="${c.resources}" failures="${c.invalid}" errors="${c.errors}" skipped="${c.skipped}">`);
    for (const r of rs) {
      const name = `${resourceLabel(r)}${r.line ? ` (line ${r.line})` : ''}`;
      const open = `    <testcase classname="${xmlEscape(file)}" name="${xmlEscape(name)}"${r.line ? ` file="${xmlEscape(file)}" line="${r.line}"` : ''}`;
      if (r.status === 'valid' && !r.findings.length) {
        lines.push(`${open}/>`);
        continue;
      }
      lines.push(`${open}>`);
      if (r.status === 'skipped') lines.push(`      <skipped message="${xmlEscape(r.reason ?? 'skipped')}"/>`);
      else {
        const tag = r.status === 'error' ? 'error' : 'failure';
        const errs = r.findings.filter((f) => f.severity === 'error');
        const first = errs[0] ?? r.findings[0];
        if (errs.length) {
          lines.push(`      <${tag} message="${xmlEscape(first.message)}" type="${xmlEscape(first.ruleId)}">${xmlEscape(errs.map(findingDetail).join('\n\n'))}</${tag}>`);
        }
        const warns = r.findings.filter((f) => f.severity === 'warning');
        if (warns.length) lines.push(`      <system-out>${xmlEscape(warns.map(findingDetail).join('\n\n'))}</system-out>`);
      }
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

/** TAP version 13: one test point per resource, YAML diagnostics for failures. */
export function formatTap(report: Report): string {
  const out = ['TAP version 13', `1..${report.results.length}`];
  report.results.forEach((r, i) => {
    const desc = `${location(r)} ${resourceLabel(r)}`.replace(/#/g, '\\#');
    if (r.status === 'skipped') {
      out.push(`ok ${i + 1} - ${desc} # SKIP ${r.reason ?? ''}`);
      return;
    }
    const failed = r.status === 'invalid' || r.status === 'error';
    out.push(`${failed ? 'not ok' : 'ok'} ${i + 1} - ${desc}`);
    if (r.findings.length) {
      out.push('  ---');
      out.push('  findings:');
      for (const f of r.findings) {
        out.push(`    - ruleId: ${JSON.stringify(f.ruleId)}`);
        out.push(`      severity: ${f.severity}`);
        out.push(`      message: ${JSON.stringify(f.message)}`);
        out.push(`      at: ${JSON.stringify(location(f))}`);
        if (f.hint) out.push(`      hint: ${JSON.stringify(f.hint)}`);
      }
      out.push('  ...');
    }
  });
  return out.join('\n') + '\n';
}

const RULE_TEXT: Record<string, string> = {
  'yaml/syntax': 'The file is not valid YAML or JSON',
  'yaml/duplicate-key': 'A mapping has the same key twice',
  'yaml/invalid-document': 'A document is not a Kubernetes object',
  'io/read-error': 'A file could not be read',
  'schema/unknown-field': 'A field is not in the schema of its kind',
  'schema/invalid-type': 'A value has the wrong type',
  'schema/required': 'A required field is missing',
  'schema/invalid-value': 'A value is not allowed by the schema',
  'resource/unknown-kind': 'The kind is unknown (no built-in schema and no CRD)',
  'resource/missing-schema': 'No schema to validate the kind against',
  'resource/duplicate': 'The same object is defined twice',
};

function sarifUri(file: string): string {
  return file.replace(/\\/g, '/').replace(/^\.\//, '').split('/').map(encodeURIComponent).join('/');
}

/** SARIF 2.1.0, as GitHub code scanning reads it. */
export function formatSarif(report: Report, opts: FormatOptions = {}): string {
  const findings = report.results.flatMap((r) => r.findings);
  const ruleIds = [...new Set(findings.map((f) => f.ruleId))].sort();
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'kubesim',
          informationUri: 'https://github.com/kubesim/kubesim',
          version: opts.toolVersion ?? '0.0.0',
          rules: ruleIds.map((id) => ({
            id,
            name: id.replace(/[/-](\w)/g, (_, ch: string) => ch.toUpperCase()).replace(/^\w/, (ch) => ch.toUpperCase()),
            shortDescription: { text: RULE_TEXT[id] ?? (id.startsWith('semantic/') ? `The API server would reject the object (${id.slice(9).replace(/-/g, ' ')})` : id) },
            defaultConfiguration: { level: 'error' },
          })),
        },
      },
      results: findings.map((f) => ({
        ruleId: f.ruleId,
        ruleIndex: ruleIds.indexOf(f.ruleId),
        level: f.severity === 'error' ? 'error' : 'warning',
        message: { text: f.hint ? `${f.message} (hint: ${f.hint})` : f.message },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: sarifUri(f.file) },
            region: { startLine: f.line ?? 1, startColumn: f.col ?? 1 },
          },
          ...(f.helmSource ? { message: { text: `rendered from ${f.helmSource}` } } : {}),
        }],
      })),
    }],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}

function ghData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function ghProp(s: string): string {
  return ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** GitHub Actions workflow commands: `::error file=F,line=L,col=C,title=RULE::message`. */
export function formatGithub(report: Report): string {
  const out: string[] = [];
  for (const r of report.results) {
    for (const f of r.findings) {
      const props = [`file=${ghProp(f.file)}`];
      if (f.line) props.push(`line=${f.line}`);
      if (f.col) props.push(`col=${f.col}`);
      props.push(`title=${ghProp(f.ruleId)}`);
      const msg = `${f.message}${f.helmSource ? ` (${f.helmSource})` : ''}${f.hint ? `\nhint: ${f.hint}` : ''}`;
      out.push(`::${f.severity === 'error' ? 'error' : 'warning'} ${props.join(',')}::${ghData(msg)}`);
    }
  }
  out.push(`::notice::${summaryLine(countResults(report.results))}`);
  return out.join('\n') + '\n';
}
