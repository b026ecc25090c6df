// --dry-run=none|client|server, with kubectl's handling of the bare flag.

import { CliError } from '../../api/errors';
import type { CliContext } from '../context';

export type DryRunMode = 'none' | 'client' | 'server';

export function parseDryRun(ctx: CliContext, value: string | boolean | undefined): DryRunMode {
  if (value === undefined || value === false) return 'none';
  if (value === true || value === '') {
    ctx.err(`W${klogStamp()} ${String(process.pid).padStart(7)} helpers.go:702] --dry-run is deprecated and can be replaced with --dry-run=client.\n`);
    return 'client';
  }
  if (value === 'none' || value === 'client' || value === 'server') return value;
  throw new CliError(`Invalid dry-run value (${value}). Must be "none", "server", or "client".`);
}

export function dryRunSuffix(mode: DryRunMode): string {
  return mode === 'client' ? ' (dry run)' : mode === 'server' ? ' (server dry run)' : '';
}

function klogStamp(): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getMonth() + 1)}${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)}`;
}
