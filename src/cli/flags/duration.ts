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
