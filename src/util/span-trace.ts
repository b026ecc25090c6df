// Timing spans for finding where a process's time goes under load (issue #12: the daemon's
// lock turns, its journal reads, its reconciles). Off unless KUBESIM_SPAN_TRACE names a
// folder; then each process appends one JSON line per span to <folder>/<pid>.jsonl:
// `[name, start (epoch ms), wall ms, CPU ms of the process, detail]`. The CPU time beside the
// wall time tells a span that computed from one that waited for a core (a loaded machine).
// Off, a span costs one branch.

import * as fs from 'node:fs';
import * as path from 'node:path';

const dir = process.env.KUBESIM_SPAN_TRACE || undefined;
export const spanTracing = dir !== undefined;

export interface SpanStart {
  t: number;
  cpu: number;
}

let lines: string[] = [];
let hooked = false;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** A span's start, undefined when not tracing (spanEnd then does nothing). */
export function spanBegin(): SpanStart | undefined {
  return spanTracing ? { t: performance.timeOrigin + performance.now(), cpu: cpuMs() } : undefined;
}

/** Records the span `name` from `s` to now (`detail`: a number or short object for the analysis). */
export function spanEnd(name: string, s: SpanStart | undefined, detail?: unknown): void {
  if (!s) return;
  const now = performance.timeOrigin + performance.now();
  lines.push(JSON.stringify([name, Math.round(s.t * 10) / 10, Math.round((now - s.t) * 10) / 10, Math.round((cpuMs() - s.cpu) * 10) / 10, detail ?? null]));
  if (!hooked) {
    hooked = true;
    process.on('exit', flushSpans);
    setInterval(flushSpans, 1000).unref();
  }
  if (lines.length >= 2000) flushSpans();
}

/** Runs `fn` as the span `name` (synchronous code only). */
export function span<T>(name: string, fn: () => T, detail?: () => unknown): T {
  const s = spanBegin();
  if (!s) return fn();
  try {
    return fn();
  } finally {
    spanEnd(name, s, detail?.());
  }
}

function flushSpans(): void {
  if (!dir || lines.length === 0) return;
  const text = lines.join('\n') + '\n';
  lines = [];
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.appendFileSync(path.join(dir, `${process.pid}.jsonl`), text);
  } catch {
    /* a diagnostic: never fails the process */
  }
}
