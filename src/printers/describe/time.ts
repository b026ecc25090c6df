// Time text used by describe: ages (HumanDuration of now − t) and absolute RFC1123Z times.
import { age, humanDuration, describeTime } from '../duration';

/** translateTimestampSince: "<unknown>" for a missing timestamp. */
export function since(ts: unknown, now: number): string {
  return age(typeof ts === 'string' ? ts : undefined, now);
}

/** Go's time.Format(time.RFC1123Z); a null time prints Go's zero time. */
export function rfc1123z(ts: unknown): string {
  if (typeof ts !== 'string' || ts === '') return 'Mon, 01 Jan 0001 00:00:00 +0000';
  return describeTime(ts);
}

/** HumanDuration of an interval between two timestamps (Job Duration). */
export function between(from: unknown, to: unknown): string {
  return humanDuration(Date.parse(String(to)) - Date.parse(String(from)));
}
