// CronJob schedules as robfig/cron's standard parser accepts them: 5 fields or a descriptor.

const DESCRIPTORS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const RANGES: [number, number, Record<string, number>?][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12, { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 }],
  [0, 6, { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 }],
];

/** An error text for an invalid schedule, or undefined when it parses. */
export function cronScheduleError(schedule: string): string | undefined {
  const s = schedule.trim();
  if (/^(CRON_)?TZ=/.test(s)) return 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead';
  if (s.startsWith('@')) {
    if (DESCRIPTORS.has(s)) return undefined;
    if (s.startsWith('@every ')) return /^@every\s+(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s) ? undefined : `failed to parse duration ${s.slice(7)}`;
    return `unrecognized descriptor: ${s}`;
  }
  const fields = s.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: ${s}`;
  for (let i = 0; i < 5; i++) {
    const e = fieldError(fields[i], RANGES[i]);
    if (e) return e;
  }
  return undefined;
}

function fieldError(field: string, [min, max, names]: [number, number, Record<string, number>?]): string | undefined {
  for (const part of field.split(',')) {
    const [rangePart, step, extra] = part.split('/');
    if (extra !== undefined) return `too many slashes: ${part}`;
    if (step !== undefined && !/^\d+$/.test(step)) return `failed to parse int from ${step}`;
    if (rangePart === '*' || rangePart === '?') continue;
    const bounds = rangePart.split('-');
    if (bounds.length > 2) return `too many hyphens: ${rangePart}`;
    for (const b of bounds) {
      const n = names?.[b.toLowerCase()] ?? (/^\d+$/.test(b) ? Number(b) : NaN);
      if (Number.isNaN(n)) return `failed to parse int from ${b}`;
      if (n < min) return `beginning of range (${n}) below minimum (${min}): ${part}`;
      if (n > max) return `end of range (${n}) above maximum (${max}): ${part}`;
    }
  }
  return undefined;
}
