// Which pod and container `logs` and `exec` talk to, as kubectl resolves them: `POD`,
// `TYPE/NAME` of a workload or service (first pod by kubectl's logging order), and the
// container (`-c`, the `kubectl.kubernetes.io/default-container` annotation, or the first).

import { ApiError, CliError } from '../api/errors';
import { objectPath, pluralGroup, resourcePath, type ResourceType } from '../api/resources';
import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import { fromLabelSelectorSpec, matchesLabels } from '../api/selectors';

export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

export interface PodPick {
  pod: KObject;
  /** How many pods matched the workload's selector (1 for a plain pod). */
  matched: number;
}

/** The workload's pod selector, as kubectl's SelectorsForObject reads it. */
function selectorOf(obj: KObject): ((labels: Record<string, string>) => boolean) | undefined {
  const kind = obj.kind;
  if (kind === 'Service' || kind === 'ReplicationController') {
    const sel = obj.spec?.selector as Record<string, string> | undefined;
    if (!sel || !Object.keys(sel).length) return undefined;
    return (l) => Object.entries(sel).every(([k, v]) => l[k] === v);
  }
  if (['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job'].includes(String(kind))) {
    const sel = fromLabelSelectorSpec(obj.spec?.selector);
    return (l) => matchesLabels(sel, l);
  }
  return undefined;
}

function podReady(p: KObject): boolean {
  return (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

function readySince(p: KObject): string {
  return (p.status?.conditions ?? []).find((c: any) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime ?? '';
}

function restarts(p: KObject): number {
  return (p.status?.containerStatuses ?? []).reduce((a: number, c: any) => a + (c.restartCount ?? 0), 0);
}

/** podutils.ByLogging: scheduled, running, ready, most restarts, oldest first. */
export function byLogging(a: KObject, b: KObject): number {
  const key = (p: KObject): Array<number | string> => [
    p.spec?.nodeName ? 0 : 1,
    p.status?.phase === 'Running' ? 0 : p.status?.phase === 'Unknown' ? 1 : p.status?.phase === 'Pending' ? 2 : 3,
    podReady(p) ? 0 : 1,
    // ready for longer first (podReadyTime; a missing time sorts last)
    podReady(p) ? readySince(p) || '~' : '',
    -restarts(p),
    p.metadata.creationTimestamp ?? '',
    p.metadata.name ?? '',
  ];
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  return 0;
}

/** A check of the GET kubectl sends on `path` (--as: the impersonated user's), before it is read. */
export type Authorize = (path: string) => Promise<void>;

/** A check of one request kubectl sends (`method` on `path`), refused as the API server refuses it (cli/impersonation's requestCheck). */
export type RequestCheck = (method: string, path: string, query?: Record<string, string | undefined>) => Promise<void>;

/**
 * Resolves `POD`, `TYPE/NAME` or an object read from a file (-f: kubectl's builder hands it
 * over as read, no GET of it) to one pod; `authorize` sees each request kubectl makes for it.
 */
export async function resolvePod(api: ApiServer, namespace: string, ref: string | { type: ResourceType; object: KObject }, authorize: Authorize = async () => {}): Promise<PodPick> {
  const podType = api.resolve('pods');
  let rt: ResourceType;
  let obj: KObject | undefined;
  if (typeof ref === 'string') {
    const slash = ref.indexOf('/');
    if (slash < 0) {
      await authorize(objectPath(podType, namespace, ref));
      return { pod: await api.get(podType, namespace, ref), matched: 1 };
    }
    rt = api.resolve(ref.slice(0, slash));
    const name = ref.slice(slash + 1);
    await authorize(objectPath(rt, namespace, name));
    obj = await api.tryGet(rt, namespace, name);
    if (!obj) throw ApiError.notFound(pluralGroup(rt), name);
  } else {
    ({ type: rt, object: obj } = ref);
  }
  if (rt.kind === 'Pod') return { pod: obj, matched: 1 };
  const match = selectorOf(obj);
  // Go's type name: the version package (`*v1.CronJob`)
  if (!match) throw new CliError(`cannot attach to *${rt.version}.${rt.kind}: selector for *${rt.version}.${rt.kind} not implemented`);
  await authorize(resourcePath(podType, namespace));
  const pods = (await api.list(podType, { namespace, labelMatch: match })).items.filter((p) => !p.metadata.deletionTimestamp);
  if (!pods.length) throw new CliError('timed out waiting for the condition');
  pods.sort(byLogging);
  return { pod: pods[0], matched: pods.length };
}

/** Every container name as kubectl lists them: `a, b, sidecar (ephem), setup (init)`. */
export function allContainerNames(pod: KObject): string {
  return [
    ...(pod.spec?.containers ?? []).map((c: any) => c.name),
    ...(pod.spec?.ephemeralContainers ?? []).map((c: any) => `${c.name} (ephem)`),
    ...(pod.spec?.initContainers ?? []).map((c: any) => `${c.name} (init)`),
  ].join(', ');
}

export function findContainer(pod: KObject, name: string): { spec: any; init: boolean } | undefined {
  const c = (pod.spec?.containers ?? []).find((x: any) => x.name === name);
  if (c) return { spec: c, init: false };
  const i = (pod.spec?.initContainers ?? []).find((x: any) => x.name === name);
  if (i) return { spec: i, init: true };
  const e = (pod.spec?.ephemeralContainers ?? []).find((x: any) => x.name === name);
  return e ? { spec: e, init: false } : undefined;
}

/**
 * The container kubectl picks when `-c` is not given; `notice` is the
 * `Defaulted container ...` line kubectl prints on stderr, when it prints one.
 */
export function defaultContainer(pod: KObject): { name: string; notice?: string } {
  const ann = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (ann && findContainer(pod, ann)) return { name: ann };
  const first = pod.spec?.containers?.[0]?.name;
  if (!first) throw new CliError(`pod ${pod.metadata.namespace}/${pod.metadata.name} does not have any containers`);
  const several = (pod.spec?.containers?.length ?? 0) > 1 || (pod.spec?.initContainers?.length ?? 0) > 0 || (pod.spec?.ephemeralContainers?.length ?? 0) > 0;
  return { name: first, notice: several ? `Defaulted container "${first}" out of: ${allContainerNames(pod)}\n` : undefined };
}

export function containerStatus(pod: KObject, name: string): any | undefined {
  for (const key of ['containerStatuses', 'initContainerStatuses', 'ephemeralContainerStatuses']) {
    const s = (pod.status?.[key] ?? []).find((x: any) => x.name === name);
    if (s) return s;
  }
  return undefined;
}
