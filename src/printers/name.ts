// `-o name`: one `kind[.group]/name` line per object.
import type { KObject } from '../api/types';

/** `deployment.apps` for apps/v1 Deployment, `pod` for v1 Pod. */
export function kindGroupOf(obj: Pick<KObject, 'apiVersion' | 'kind'>): string {
  const av = obj.apiVersion ?? '';
  const group = av.includes('/') ? av.slice(0, av.indexOf('/')) : '';
  const kind = (obj.kind ?? '').toLowerCase();
  return group ? `${kind}.${group}` : kind;
}

export function nameLine(obj: KObject): string {
  // NamePrinter: a nameless object (a review answered) is "<unknown>".
  return `${kindGroupOf(obj)}/${obj.metadata?.name || '<unknown>'}`;
}

export function printNames(objs: KObject[]): string {
  // NamePrinter names a WatchEvent's object (get -w --output-watch-events -o name).
  return objs.map((o) => nameLine(isWatchEvent(o) ? (o as unknown as { object: KObject }).object : o) + '\n').join('');
}

/** A watch event as get -w --output-watch-events prints it: `{type, object}`, no kind of its own. */
function isWatchEvent(o: KObject): boolean {
  return o.kind === undefined && typeof (o as { type?: unknown }).type === 'string' && typeof (o as { object?: unknown }).object === 'object';
}
