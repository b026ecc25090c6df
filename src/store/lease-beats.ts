// Node Lease renewals kept out of the object files (docs/perf-issue-18.md round 82). At 5,000
// nodes the kubelets renew 500 Leases a second; written into its file each, a renewal was two
// thirds of a settled daemon's CPU (round 75), and left in the tail it kept the journal long.
// A deferred write that only renews a node Lease (a "beat": spec.renewTime, resourceVersion
// and managedFields' times changed since its file) is skipped by the compaction's rounds while
// it is newer than beatsSpan() revisions; `rev` then stops just before the oldest such beat, so
// the journal's tail after `rev` (what every reader lays over the files, what the trim keeps)
// holds each Lease's newest renewal: about one renewal period of lines. A Lease's create, its
// deletion, any other change, and a beat older than the span (a stopped node's Lease) are
// written as before.

import type { KObject } from '../api/types';
import { deepEqual } from '../util/json-equal';

export const NODE_LEASES = 'leases/kube-node-lease/';

/**
 * A beat older than this many revisions is written into its file: bounds the tail a stopped
 * node's Lease holds back (~880 B a line: ~9 MB). The kubelets' 10.4-s period at 5,000 nodes
 * is ~5,200 revisions at rest; a cluster writing faster gets its Lease files as before.
 */
export const BEATS_SPAN = 10_000;

/**
 * The span for a holder with `beats` deferred beats (about one per live node): twice that, so
 * a renewal period (a revision per node, and what else was written meanwhile) stays inside it
 * at 10,000 nodes and more, where BEATS_SPAN alone had every Lease's file written again.
 */
export function beatsSpan(beats: number): number {
  return Math.max(BEATS_SPAN, 2 * beats);
}

/** Whether the write of `key` from `prev` to `next` is a node Lease renewal (see above). */
export function isBeat(key: string, prev: KObject, next: KObject): boolean {
  if (!key.startsWith(NODE_LEASES)) return false;
  return (
    sameExcept(prev, next, 'metadata', 'spec') &&
    sameExcept(prev.spec, next.spec, 'renewTime') &&
    sameExcept(prev.metadata, next.metadata, 'resourceVersion', 'managedFields') &&
    sameEntries(prev.metadata.managedFields, next.metadata.managedFields)
  );
}

/** A journal line read back (not this process's write): a node Lease's MODIFIED line counts as a beat (its create, deletion and a stale one are written). */
export function mayBeBeat(key: string, type: string): boolean {
  return type === 'MODIFIED' && key.startsWith(NODE_LEASES);
}

function sameExcept(a: unknown, b: unknown, ...skip: string[]): boolean {
  if (a === b) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) if (!skip.includes(k) && !deepEqual(x[k], y[k])) return false;
  return true;
}

/** managedFields entries equal but for their times (a renewal restamps its manager's entry). */
function sameEntries(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameExcept(a[i], b[i], 'time')) return false;
  return true;
}
