// Pod: printPod of pkg/printers/internalversion/printers.go (READY/STATUS/RESTARTS).
import type { KObject } from '../../api/types';
import { humanDuration, parseTimestamp } from '../duration';
import { doc } from './docs';
import { ageCol, col, nameCol, type KindTable } from './types';
import { arr, ageOf, hasCondition, int, obj, str } from './util';

export const pods: KindTable = {
  columns: [
    nameCol,
    col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageCol,
    col('IP', doc('core/v1', 'PodStatus', 'podIP'), { priority: 1 }),
    col('Node', doc('core/v1', 'PodSpec', 'nodeName'), { priority: 1 }),
    col('Nominated Node', doc('core/v1', 'PodStatus', 'nominatedNodeName'), { priority: 1 }),
    col('Readiness Gates', doc('core/v1', 'PodSpec', 'readinessGates'), { priority: 1 }),
  ],
  cells: (pod, now) => {
    const s = podStatus(pod, now);
    const cells = [str(pod.metadata.name), s.ready, s.status, s.restarts, ageOf(pod, now)];
    podWide(pod, cells);
    return cells;
  },
};

const finishedAt = (cs: any): number => parseTimestamp(cs?.lastState?.terminated?.finishedAt) ?? 0;

/** READY, STATUS and RESTARTS cells exactly as the server computes them. */
export function podStatus(pod: KObject, now: number): { ready: string; status: string; restarts: string } {
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  let restarts = 0;
  let sidecarRestarts = 0;
  let total = arr(spec.containers).length;
  let ready = 0;
  let lastRestart = 0;
  let lastSidecarRestart = 0;

  const phase = str(status.phase);
  let reason = str(status.reason) !== '' ? str(status.reason) : phase;
  for (const c of arr(status.conditions)) {
    if (c?.type === 'PodScheduled' && c?.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  // Made only for a pod with init containers (most have none: no Map per row of a big table).
  let restartable: Map<string, boolean> | undefined;
  for (const ic of arr(spec.initContainers)) {
    const always = ic?.restartPolicy === 'Always';
    (restartable ??= new Map()).set(str(ic?.name), always);
    if (always) total++;
  }

  let initializing = false;
  const initStatuses = arr(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    restarts += int(cs?.restartCount);
    const fin = finishedAt(cs);
    if (fin > lastRestart) lastRestart = fin;
    const isSidecar = restartable?.get(str(cs?.name)) === true;
    if (isSidecar) {
      sidecarRestarts += int(cs?.restartCount);
      if (fin > lastSidecarRestart) lastSidecarRestart = fin;
    }
    const term = cs?.state?.terminated;
    const waiting = cs?.state?.waiting;
    if (term && int(term.exitCode) === 0) continue;
    if (isSidecar && cs?.started === true) {
      if (cs?.ready === true) ready++;
      continue;
    }
    if (term) {
      if (str(term.reason) === '') {
        reason = int(term.signal) !== 0 ? `Init:Signal:${int(term.signal)}` : `Init:ExitCode:${int(term.exitCode)}`;
      } else reason = `Init:${term.reason}`;
    } else if (waiting && str(waiting.reason) !== '' && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${arr(spec.initContainers).length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(status.conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = arr(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += int(cs?.restartCount);
      const fin = finishedAt(cs);
      if (fin > lastRestart) lastRestart = fin;
      const waiting = cs?.state?.waiting;
      const term = cs?.state?.terminated;
      if (waiting && str(waiting.reason) !== '') reason = waiting.reason;
      else if (term && str(term.reason) !== '') reason = term.reason;
      else if (term) reason = int(term.signal) !== 0 ? `Signal:${int(term.signal)}` : `ExitCode:${int(term.exitCode)}`;
      else if (cs?.ready === true && cs?.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = hasCondition(status.conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestart !== 0) restartsStr = `${restarts} (${humanDuration(now - lastRestart)} ago)`;
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsStr };
}

/** The -o wide cells (IP, NODE, NOMINATED NODE, READINESS GATES), pushed onto `cells`. */
function podWide(pod: KObject, cells: string[]): void {
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const ip = str(arr(status.podIPs)[0]?.ip) || '<none>';
  const node = str(spec.nodeName) || '<none>';
  const nominated = str(status.nominatedNodeName) || '<none>';
  let gates = '<none>';
  const rg = arr(spec.readinessGates);
  if (rg.length > 0) {
    let trueCount = 0;
    for (const g of rg) {
      const c = arr(status.conditions).find((x) => x?.type === g?.conditionType);
      if (c?.status === 'True') trueCount++;
    }
    gates = `${trueCount}/${rg.length}`;
  }
  cells.push(ip, node, nominated, gates);
}
