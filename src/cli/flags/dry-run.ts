// --dry-run=none|client|server, with kubectl's handling of the bare flag.

import { Option, type Command } from 'commander';
import { CliError } from '../../api/errors';
import type { CliContext } from '../context';
import { parseGoBool } from './pflag';

export type DryRunMode = 'none' | 'client' | 'server';

export const DRY_RUN_HELP =
  'Must be "none", "server", or "client". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.';

/**
 * cmdutil.AddDryRunFlag: `--dry-run[=none|client|server]`. The bare flag never takes the next
 * word (its NoOptDefVal, "unchanged", is set in flags/pflag.ts); parseDryRun reads the value.
 */
export function addDryRunFlag(cmd: Command): Command {
  return cmd.addOption(dryRunOption());
}

/** The same flag as an Option, for a command declared in one chain (`.addOption(dryRunOption())`). */
export function dryRunOption(): Option {
  return new Option('--dry-run [mode]', DRY_RUN_HELP);
}

/**
 * cmdutil.GetDryRunStrategy: the bare flag (NoOptDefVal "unchanged", see flags/pflag.ts)
 * and the old boolean values are client (or none) with a deprecation warning.
 */
export function parseDryRun(ctx: CliContext, value: string | boolean | undefined): DryRunMode {
  if (value === undefined || value === false) return 'none';
  if (value === true || value === '' || value === 'unchanged') {
    ctx.err(`W${klogStamp()} ${String(process.pid).padStart(7)} helpers.go:702] --dry-run is deprecated and can be replaced with --dry-run=client.\n`);
    return 'client';
  }
  const b = parseGoBool(value);
  if (b !== undefined) {
    ctx.err(`W${klogStamp()} ${String(process.pid).padStart(7)} helpers.go:716] --dry-run=${value} is deprecated (boolean value) and can be replaced with --dry-run=${b ? 'client' : 'none'}.\n`);
    return b ? 'client' : 'none';
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
