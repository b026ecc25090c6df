// The pod status the kubelet reports from its runtime records: container statuses (state,
// lastState, ready, started), the pod phase and conditions. Written only when it changed.

import type { KObject } from '../api/types';
import type { ApiServer } from '../api/server';
import { ApiError } from '../api/errors';
import type { CState, PodRuntime } from './runtime-state';

import { rfc3339 as rfc } from '../controllers/controller-utils';
import { deepEqual } from '../util/json-equal';

function terminatedState(l: { containerID: string; exitCode: number; finishedAt: number; reason: string; startedAt: number }) {
  return { terminated: { containerID: l.containerID, exitCode: l.exitCode, finishedAt: rfc(l.finishedAt), reason: l.reason, startedAt: rfc(l.startedAt) } };
}

function containerStatus(c: CState, spec: any): any {
  const st: any = {
    containerID: c.containerID,
    image: spec.image,
    imageID: c.imageID ?? '',
    lastState: {},
    name: c.name,
    ready: false,
    restartCount: c.restartCount,
    started: false,
    state: {},
  };
  if (!c.containerID) delete st.containerID;
  if (c.last && c.phase !== 'terminated') st.lastState = terminatedState(c.last);
  const waiting = (reason: string, message?: string) => (st.state = { waiting: message ? { message, reason } : { reason } });
  switch (c.phase) {
    case 'new':
    case 'pulling':
    case 'creating':
    case 'starting':
      // The kubelet keeps the last start failure (its reason cache) until the container
      // starts again: a restart after a crash still reads CrashLoopBackOff, not ContainerCreating.
      // Without a failure reason (the immediate first restart) it keeps the last run's state.
      // The new container does not exist until it is created: the restart is not counted yet.
      if (c.last && c.restartCount > 0) st.restartCount = c.restartCount - 1;
      // The kubelet creates and starts a container in one sync: a created container shows once it runs.
      if (c.phase === 'starting') {
        if (c.last) st.containerID = c.last.containerID;
        else delete st.containerID;
      }
      if (c.configError !== undefined) waiting('CreateContainerConfigError', c.configError);
      // a pull retried after its back-off: the status keeps the back-off until it ends
      else if (c.phase === 'pulling' && c.pullBackoffMs > 0) waiting('ImagePullBackOff', c.message);
      else if (c.restartReason) waiting('CrashLoopBackOff', c.restartReason);
      else if (c.last && c.restartCount > 0) {
        // still the run that ended (its ID, and the run before it as lastState), as after the exit
        st.state = terminatedState(c.last);
        st.containerID = c.last.containerID;
        st.lastState = c.previous ? terminatedState(c.previous) : {};
      }
      else waiting(c.init ? 'PodInitializing' : 'ContainerCreating');
      break;
    case 'config':
      waiting('CreateContainerConfigError', c.message);
      break;
    case 'invalid':
      waiting('InvalidImageName', c.message);
      break;
    case 'neverPull':
      waiting('ErrImageNeverPull', c.message);
      break;
    case 'pullFailed':
      waiting('ErrImagePull', c.message);
      break;
    case 'pullBackoff':
      waiting('ImagePullBackOff', c.message);
      break;
    case 'exited':
      // the run that just ended, until the kubelet restarts it or backs off
      st.state = terminatedState(c.last!);
      st.lastState = c.previous ? terminatedState(c.previous) : {};
      break;
    case 'crashBackoff':
      waiting('CrashLoopBackOff', c.message);
      break;
    case 'running':
      st.state = { running: { startedAt: rfc(c.startedAt!) } };
      st.ready = !!c.ready;
      st.started = c.started !== false;
      break;
    case 'terminated': {
      st.state = terminatedState(c.ended!);
      // a completed init container is ready
      st.ready = c.init && c.ended!.exitCode === 0;
      break;
    }
  }
  // The image ID comes with a container: until the first is created (pulling, a config
  // error, ContainerCreating) the kubelet reports none, as describe's empty "Image ID:" shows.
  if (!c.last && !c.ended && c.phase !== 'running') st.imageID = '';
  // a restarting container still shows its previous run in lastState while being re-created
  if (c.phase !== 'crashBackoff' && c.phase !== 'exited' && c.phase !== 'running' && c.phase !== 'terminated' && !c.last) st.lastState = {};
  return st;
}

/**
 * Writes the pod's status if it changed; returns the pod's new resourceVersion if it wrote.
 * `node` is the pod's node as the sync read it (in the same hold: nothing wrote it since).
 */
export async function writeStatus(api: ApiServer, pod: KObject, rt: PodRuntime, node: KObject | undefined): Promise<string | undefined> {
  const specs = new Map<string, any>([
    ...(pod.spec?.initContainers ?? []).map((c: any) => [`i/${c.name}`, c] as [string, any]),
    ...(pod.spec?.containers ?? []).map((c: any) => [`c/${c.name}`, c] as [string, any]),
    ...(pod.spec?.ephemeralContainers ?? []).map((c: any) => [`e/${c.name}`, c] as [string, any]),
  ]);
  const inits = rt.containers.filter((c) => c.init);
  const mains = rt.containers.filter((c) => !c.init && !c.ephemeral);
  // Ephemeral containers are never ready and count for no condition or phase.
  const ephemeralStatuses = rt.containers.filter((c) => c.ephemeral).map((c) => ({ ...containerStatus(c, specs.get(`e/${c.name}`) ?? {}), ready: false }));
  const initDone = inits.every((c) => c.phase === 'terminated' && c.ended?.exitCode === 0);
  const failedInit = inits.find((c) => c.phase === 'terminated' && c.ended && c.ended.exitCode !== 0);
  const initStatuses = inits.map((c) => containerStatus(c, specs.get(`i/${c.name}`) ?? {}));
  const mainStatuses = mains.map((c) => {
    const st = containerStatus(c, specs.get(`c/${c.name}`) ?? {});
    if (!initDone && c.phase === 'new') st.state = { waiting: { reason: 'PodInitializing' } };
    return st;
  });

  let phase = 'Pending';
  const allStarted = mains.every((c) => c.startedAt !== undefined);
  if (failedInit) phase = 'Failed';
  else if (initDone && allStarted && mains.length) {
    const finished = mains.every((c) => c.phase === 'terminated');
    if (finished) phase = mains.every((c) => c.ended?.exitCode === 0) ? 'Succeeded' : 'Failed';
    else phase = 'Running';
  }
  const done = phase === 'Succeeded' || phase === 'Failed';

  const prev: any[] = pod.status?.conditions ?? [];
  const ts = api.timestamp();
  const cond = (type: string, status: string, reason?: string, message?: string): any => {
    const old = prev.find((c) => c.type === type);
    const c: any = { lastProbeTime: null, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : ts, status, type };
    if (reason) c.reason = reason;
    if (message) c.message = message;
    return c;
  };
  const unready = mains.filter((c, i) => !mainStatuses[i].ready).map((c) => c.name);
  const incomplete = inits.filter((c) => !(c.phase === 'terminated' && c.ended?.exitCode === 0)).map((c) => c.name);
  // The kubelet writes a status at the start of a sync, then creates the sandbox, pulls and
  // starts in the same sync: until that first sync has run (a container started, failed or
  // waits on an error), the status it wrote knows no sandbox, so neither its IP.
  const synced = rt.containers.some((c) => !['new', 'pulling', 'creating', 'starting'].includes(c.phase) || c.last || c.configError !== undefined || c.pullBackoffMs > 0);
  const sandbox = !rt.mountError && !done && synced;
  const notReady = (type: string) => cond(type, 'False', 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`);
  const conditions = [
    cond('PodReadyToStartContainers', sandbox ? 'True' : 'False'),
    done ? cond('Initialized', 'True', 'PodCompleted') : initDone ? cond('Initialized', 'True') : cond('Initialized', 'False', 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
    done ? cond('Ready', 'False', 'PodCompleted') : unready.length ? notReady('Ready') : cond('Ready', 'True'),
    done ? cond('ContainersReady', 'False', 'PodCompleted') : unready.length ? notReady('ContainersReady') : cond('ContainersReady', 'True'),
    prev.find((c) => c.type === 'PodScheduled') ?? cond('PodScheduled', 'True'),
  ];
  // Keep conditions owned by others (readiness gates, DisruptionTarget).
  for (const c of prev) if (!conditions.some((x) => x.type === c.type)) conditions.push(c);

  const hostIP = (node?.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address ?? '';
  const status: any = {
    ...pod.status,
    conditions,
    containerStatuses: mainStatuses,
    hostIP,
    hostIPs: [{ ip: hostIP }],
    phase,
    podIP: rt.ip,
    podIPs: [{ ip: rt.ip }],
    qosClass: pod.status?.qosClass,
    startTime: rfc(rt.startTime),
  };
  if (rt.mountError || !synced) {
    delete status.podIP;
    delete status.podIPs;
  }
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  if (ephemeralStatuses.length) status.ephemeralContainerStatuses = ephemeralStatuses;
  // Semantic equality, as the kubelet's status manager compares (isPodStatusByKubeletEqual): no text made twice per sync.
  if (deepEqual(status, pod.status)) return undefined;
  try {
    // The status as computed, whatever was written meanwhile (no resourceVersion: what a
    // read-modify-write that sets it whole did, without reading and copying the pod first).
    const written = await api.updateStatus({ apiVersion: 'v1', kind: 'Pod', metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace }, status });
    return written.metadata.resourceVersion;
  } catch (e) {
    if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
    return undefined;
  }
}
