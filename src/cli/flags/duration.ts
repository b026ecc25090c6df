// Go-style durations as kubectl flags take them: `30s`, `10m`, `1h30m`, `500ms`, `0`.

import { CliError } from '../../api/errors';

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(s: string): number {
  if (s === '0' || s === '') return 0;
  if (/^\d+$/.test(s)) return Number(s) * 1000; // bare seconds, as several kubectl flags accept
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * UNITS[m[2]];
    matched = re.lastIndex;
  }
  if (matched !== s.length) throw new CliError(`invalid duration "${s}"`);
  return Math.round(total);
}
