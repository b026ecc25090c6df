// What a describer may look at besides the object itself. The CLI builds this from the
// store; tests build it from plain arrays.
import type { KObject } from '../../api/types';

export interface DescribeContext {
  /** "now" in ms since the epoch, for ages (events, Terminating, node pods). */
  now: number;
  /** core/v1 Events already filtered to those about the described object. */
  events: KObject[];
  /** Objects of a kind (e.g. 'ReplicaSet', 'Pod'); namespace undefined = all namespaces. */
  list(kind: string, namespace: string | undefined): KObject[];
  get(kind: string, namespace: string | undefined, name: string): KObject | undefined;
  /** Set to false to omit the Events section (`--show-events=false`). Default true. */
  showEvents?: boolean;
}
