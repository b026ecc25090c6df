// core/v1 Events (printEvent). Wide output reorders nothing: extra columns are priority 1.
import { age } from '../duration';
import { doc } from './docs';
import { col, NAME_DOC, type KindTable } from './types';
import { int, obj, str } from './util';
import { EVENTS_V1, eventsV1ToCoreEvent } from '../../api/conversion/events';

export const events: KindTable = {
  columns: [
    col('Last Seen', doc('core/v1', 'Event', 'lastTimestamp')),
    col('Type', doc('core/v1', 'Event', 'type')),
    col('Reason', doc('core/v1', 'Event', 'reason')),
    col('Object', doc('core/v1', 'Event', 'involvedObject')),
    col('Subobject', doc('core/v1', 'ObjectReference', 'fieldPath'), { priority: 1 }),
    col('Source', doc('core/v1', 'Event', 'source'), { priority: 1 }),
    col('Message', doc('core/v1', 'Event', 'message')),
    col('First Seen', doc('core/v1', 'Event', 'firstTimestamp'), { priority: 1 }),
    col('Count', doc('core/v1', 'Event', 'count'), { priority: 1, cell: 'integer' }),
    { name: 'Name', priority: 1, isName: true, description: NAME_DOC },
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

/**
 * events.k8s.io Events: kube-apiserver serves that group from the core event storage, whose
 * TableConvertor prints the internal (core-shaped) Event, so the same columns and cells from
 * the core fields of an object read in events.k8s.io/v1 fields.
 */
export const eventsV1: KindTable = {
  columns: events.columns,
  cells: (o, now, wide) => events.cells(o.apiVersion === EVENTS_V1 ? eventsV1ToCoreEvent(o) : o, now, wide),
};
