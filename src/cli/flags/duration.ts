// Go-style durations as kubectl flags take them: `30s`, `10m`, `1h30m`, `500ms`, `0`.

import { CliError } from '../../api/errors';

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const MAX_DURATION_MS = 9_223_372_036_854;

export function parseDuration(s: string): number {
  if (s === '0' || s === '') return 0;
  if (/^\d+$/.test(s)) {
    // bare seconds, as several kubectl flags accept
    if (!(Number(s) * 1000 <= MAX_DURATION_MS)) throw new CliError(`invalid duration "${s}"`);
    return Number(s) * 1000;
  }
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * UNITS[m[2]];
    matched = re.lastIndex;
  }
  if (matched !== s.length) throw new CliError(`invalid duration "${s}"`);
  // Go's time.Duration ends at 2^63-1 ns (about 292 years): beyond is not a duration.
  if (!(total <= MAX_DURATION_MS)) throw new CliError(`invalid duration "${s}"`);
  return Math.round(total);
}

const GO_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Go's time.ParseDuration, for flags pflag declares as durations (`--timeout=0s`): a unit on
 * every number, except a bare 0. Returns milliseconds; throws Go's message (`time: missing
 * unit in duration "5"`), which the caller wraps as pflag's invalid-argument error.
 */
export function parseGoDuration(s: string): number {
  const invalid = () => new Error(`time: invalid duration ${JSON.stringify(s)}`);
  let rest = s;
  let sign = 1;
  if (rest[0] === '-' || rest[0] === '+') {
    sign = rest[0] === '-' ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid();
  let total = 0;
  while (rest !== '') {
    const num = /^(\d*)(\.\d*)?/.exec(rest)!;
    if (num[0] === '' || num[0] === '.') throw invalid();
    rest = rest.slice(num[0].length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    if (unit === '') throw new Error(`time: missing unit in duration ${JSON.stringify(s)}`);
    if (!(unit in GO_UNITS)) throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(s)}`);
    rest = rest.slice(unit.length);
    total += Number(num[0]) * GO_UNITS[unit];
  }
  if (!(total <= MAX_DURATION_MS)) throw invalid();
  return sign * Math.round(total);
}
