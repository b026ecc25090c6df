// The kubelet's timings as data (as KWOK keeps its stages): how long each step of a
// container's life takes and how the back-offs grow. The state machine
// (container-machine.ts) reads them; nothing else hard-codes a delay.

import type { Timings } from '../sim/profile';

export interface KubeletStages {
  /** From a pull's start to its end, before the image's size scales it (profile). */
  imagePullMs: number;
  /** From "Pulled" to the container created and started (profile). */
  containerStartMs: number;
  /** A container's Created and Started events are this far apart. */
  createToStartMs: number;
  /** CreateContainerConfigError is retried (and its event repeated) this often. */
  configRetryMs: number;
  /** FailedMount is retried this often. */
  failedMountRetryMs: number;
  /** ErrImagePull shows this long (at most) before ImagePullBackOff. */
  errImagePullShownMs: number;
  /** Image pull and crash back-offs: first delay, doubling to the cap. */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** A container that ran this long resets its crash back-off (kubelet: 2 × the cap). */
  backoffResetAfterMs: number;
  /** ErrImageNeverPull and InvalidImageName are looked at again this rarely. */
  permanentErrorRecheckMs: number;
  /** How far ahead a running container's course (logs, probes, exit) is planned. */
  lookaheadMs: number;
}

export function kubeletStages(t: Timings): KubeletStages {
  return {
    imagePullMs: t.imagePullMs,
    containerStartMs: t.containerStartMs,
    createToStartMs: Math.min(100, t.containerStartMs),
    configRetryMs: 10_000,
    failedMountRetryMs: 120_000,
    errImagePullShownMs: 5_000,
    backoffInitialMs: 10_000,
    backoffMaxMs: 300_000,
    backoffResetAfterMs: 600_000,
    permanentErrorRecheckMs: 300_000,
    lookaheadMs: 3_600_000,
  };
}
