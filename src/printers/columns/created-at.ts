// The API server's default table (rest.DefaultTableConvertor) for kinds without a printer
// (Roles, ClusterRoles, LimitRanges, CRDs, ...): NAME and CREATED AT in RFC3339 UTC.
import { parseTimestamp } from '../duration';
import { AGE_DOC, col, nameCol, type KindTable } from './types';
import { str } from './util';

export function rfc3339(ts: unknown): string {
  const t = parseTimestamp(typeof ts === 'string' ? ts : undefined);
  if (t === undefined) return '0001-01-01T00:00:00Z';
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export const createdAt: KindTable = {
  columns: [nameCol, col('Created At', AGE_DOC, { type: 'date' })],
  cells: (o) => [str(o.metadata.name), rfc3339(o.metadata.creationTimestamp)],
};
