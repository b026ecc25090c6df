// core/v1 Events (printEvent). Wide output reorders nothing: extra columns are priority 1.
import { age } from '../duration';
import { col, type KindTable } from './types';
import { int, obj, str } from './util';

export const events: KindTable = {
  columns: [
    col('Last Seen'),
    col('Type'),
    col('Reason'),
    col('Object'),
    col('Subobject', 1),
    col('Source', 1),
    col('Message'),
    col('First Seen', 1),
    col('Count', 1),
    { name: 'Name', priority: 1, isName: true },
  ],
  cells: (o, now) => {
    const first = o.firstTimestamp ? age(o.firstTimestamp, now) : age(o.eventTime, now);
    let last = o.lastTimestamp ? age(o.lastTimestamp, now) : first;
    let count = int(o.count);
    if (o.series) {
      last = age(o.series.lastObservedTime, now);
      count = int(o.series.count);
    } else if (count === 0) count = 1;
    const io = obj(o.involvedObject);
    const kind = str(io.kind).toLowerCase();
    const target = str(io.name) !== '' ? `${kind}/${io.name}` : kind;
    const src = obj(o.source);
    const component = str(src.component) || str(o.reportingComponent);
    const host = str(src.host) || str(o.reportingInstance);
    return [
      last,
      str(o.type),
      str(o.reason),
      target,
      str(io.fieldPath),
      host === '' ? component : `${component}, ${host}`,
      str(o.message).trim(),
      first,
      String(count),
      str(o.metadata.name),
    ];
  },
};
