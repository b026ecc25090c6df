// Shared objects and a context builder for the describe tests.
import type { KObject } from '../../src/api/types';
import type { DescribeContext } from '../../src/printers/describe';

process.env.TZ = 'UTC';

export const NOW = Date.parse('2026-11-22T06:35:00Z');

export function ctxWith(objects: KObject[] = [], events: KObject[] = []): DescribeContext {
  return {
    now: NOW,
    events,
    list: (kind, ns) => objects.filter((o) => o.kind === kind && (ns === undefined || o.metadata.namespace === ns)),
    get: (kind, ns, name) => objects.find((o) => o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name),
  };
}

export function event(p: {
  reason: string;
  message: string;
  type?: string;
  component?: string;
  first?: string;
  last?: string;
  count?: number;
  eventTime?: string;
  name?: string;
}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: p.name ?? `x.${p.reason}`, namespace: 'default' },
    type: p.type ?? 'Normal',
    reason: p.reason,
    message: p.message,
    source: p.component && !p.eventTime ? { component: p.component } : {},
    reportingComponent: p.component ?? '',
    firstTimestamp: p.eventTime ? null : p.first,
    lastTimestamp: p.eventTime ? null : p.last ?? p.first,
    count: p.count ?? (p.eventTime ? undefined : 1),
    eventTime: p.eventTime ?? null,
  };
}

export const PROBE_DEFAULTS = { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };
