// The events.k8s.io/v1 Event the tests of that group write by hand: the example.com/hand
// controller poking Deployment web in namespace busy. Each test gives what it is about.

import type { ServedCluster } from '../server/harness';

/** A served cluster of one node with Deployment web in namespace busy, settled: its pods' and controllers' core Events recorded. */
export async function setUpBusyWeb(c: ServedCluster): Promise<void> {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], manifest: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: busy}\n' });
  c.ok(['create', 'deployment', 'web', '--image=nginx', '-n', 'busy']);
  c.ok(['reconcile', '--until-stable']);
}

/** The Event `name` in namespace busy as YAML (ends in a newline). */
export function eventsV1Yaml(name: string, note: string, type: 'Normal' | 'Warning' = 'Warning'): string {
  return `apiVersion: events.k8s.io/v1
kind: Event
metadata: {name: ${name}, namespace: busy}
eventTime: "2026-01-02T03:04:05.000000Z"
reportingController: example.com/hand
reportingInstance: hand-1
action: Poking
reason: Poked
type: ${type}
note: ${note}
regarding: {apiVersion: apps/v1, kind: Deployment, name: web, namespace: busy}
`;
}
