// DescribeEvents: the Events table every describer ends with.
import type { KObject } from '../../api/types';
import { LEVEL_0, LEVEL_1, type PrefixWriter } from './prefix-writer';
import { compareStrings, str } from './format';
import { since } from './time';
import { goSort } from '../../util/go-sort';
import { microsOf } from '../duration';

/** The Age cell: `79s (x6 over 6m43s)` for repeated events, else the first-seen age. */
export function eventInterval(e: KObject, now: number): string {
  const first = e.eventTime ? since(e.eventTime, now) : since(e.firstTimestamp, now);
  if (e.series) return `${since(e.series.lastObservedTime, now)} (x${e.series.count ?? 0} over ${first})`;
  if (typeof e.count === 'number' && e.count > 1) return `${since(e.lastTimestamp, now)} (x${e.count} over ${first})`;
  return first;
}

export function describeEvents(events: KObject[], w: PrefixWriter, now: number): void {
  if (events.length === 0) {
    w.write(LEVEL_0, 'Events:\t<none>\n');
    return;
  }
  w.flush();
  // The server lists by name; kubectl then sorts by lastTimestamp with Go's sort.Sort, which
  // is not stable past 12 events: equal timestamps come out as its pdqsort leaves them.
  const sorted = goSort(
    [...events].sort((a, b) => compareStrings(str(a.metadata?.name), str(b.metadata?.name))),
    (a, b) => microsOf(a.lastTimestamp) < microsOf(b.lastTimestamp),
  );
  w.write(LEVEL_0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(LEVEL_1, '----\t------\t----\t----\t-------\n');
  for (const e of sorted) {
    const source = str(e.source?.component) || str(e.reportingComponent);
    w.write(LEVEL_1, `${str(e.type)}\t${str(e.reason)}\t${eventInterval(e, now)}\t${source}\t${str(e.message).trim()}\n`);
  }
}
