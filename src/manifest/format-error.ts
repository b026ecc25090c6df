// Person-readable rendering of an error that points into a source file:
//
//   deploy.yaml:14:5: unknown field "containers" in io.k8s.api.core.v1.PodTemplateSpec
//      12 |     metadata:
//      13 |       labels: {app: web}
//    > 14 |     containers:
//         |     ^
//     hint: "containers" is not valid under spec.template, but is valid under spec.template.spec: check its indentation
import type { SourcePosition } from './types';

export interface SourceErrorLike {
  source?: string;
  position?: SourcePosition;
  message: string;
  hint?: string;
}

const MAX_WIDTH = 160;

/** Formats `file:line:col: message`, a short excerpt with a caret, and the hint. */
export function formatSourceError(e: SourceErrorLike, text?: string, contextLines = 2): string {
  const file = e.position?.file ?? e.source;
  const pos = e.position;
  const where = [file, pos?.line, pos?.col].filter((x) => x !== undefined && x !== '').join(':');
  const out = [where ? `${where}: ${e.message}` : e.message];
  if (pos && text !== undefined) out.push(...excerpt(text, pos.line, pos.col, contextLines));
  if (e.hint) out.push(`  hint: ${e.hint}`);
  return out.join('\n');
}

/** The lines before and at `line`, numbered, and a caret under `col` (all 1-based). */
export function excerpt(text: string, line: number, col: number, contextLines = 2): string[] {
  const lines = sourceLines(text, line - contextLines, line);
  if (lines.length === 0) return [];
  const width = String(line).length;
  const out: string[] = [];
  // Keep the caret visible on long lines by cutting the same window from every line.
  const start = col > MAX_WIDTH - 20 ? col - (MAX_WIDTH - 40) : 0;
  lines.forEach(({ n, s }) => {
    let shown = s.replace(/\t/g, '→'); // one visible char per TAB keeps the caret aligned
    if (start > 0) shown = '…' + shown.slice(start);
    if (shown.length > MAX_WIDTH) shown = shown.slice(0, MAX_WIDTH) + '…';
    out.push(`${n === line ? ' >' : '  '} ${String(n).padStart(width)} | ${shown}`);
  });
  const caretCol = Math.max(1, col - start + (start > 0 ? 1 : 0));
  out.push(`   ${' '.repeat(width)} | ${' '.repeat(caretCol - 1)}^`);
  return out;
}

function sourceLines(text: string, from: number, to: number): { n: number; s: string }[] {
  const res: { n: number; s: string }[] = [];
  let n = 1;
  let i = 0;
  while (n <= to && i <= text.length) {
    const j = text.indexOf('\n', i);
    const end = j < 0 ? text.length : j;
    if (n >= from) res.push({ n, s: text.slice(i, end).replace(/\r$/, '') });
    if (j < 0) break;
    i = j + 1;
    n++;
  }
  return res;
}
