// A snapshot restore into a running etcd-backed cluster must not race the elected leader:
// its controllers would react to the half-restored state (recreate the pods a restore just
// deleted, renew node leases the restore is rewriting) and the cluster would not end up as
// saved. So the restore takes the controller-manager Lease for itself first, as a candidate
// of kube-controller-manager's election would, but at once: the holder sees another holder
// at its next renewal and stops leading (its fence closes), and waiting one lease duration
// from the takeover makes sure it did even if it could not renew (the bound every
// candidate relies on). The lease is renewed while the restore runs and released after,
// so a candidate takes over at once and reconciles the restored state.

import { randomUUID } from 'node:crypto';
import type { KObject } from '../api/types';
import { microTime } from '../controllers/leader-election';
import type { EtcdStore } from './etcd-store';
import { RevisionConflictError, StoreError } from './store';

/** The kube-controller-manager Lease the `serve` processes elect their leader with. */
export const LEADER_LEASE = 'leases/kube-system/kube-controller-manager';

export interface Leadership {
  /** Throws when another candidate took the lease during the hold. */
  check(): void;
  /** Gives the lease up: holder cleared, duration 1s, so a candidate takes it at once. */
  release(): Promise<void>;
}

const HOLD_SECONDS = 15;

/**
 * Takes the leader Lease (when there is one: no Lease, no elected leader) and waits until
 * the previous holder has surely stopped reconciling. `note` tells the user about a wait.
 */
export async function holdLeadership(store: EtcdStore, note: (m: string) => void, now: () => number = Date.now): Promise<Leadership> {
  const identity = `kubesim-snapshot-restore_${randomUUID()}`;
  let lease: KObject | undefined;
  let previous = '';
  let previousMs = 0;
  for (let attempt = 0; ; attempt++) {
    const cur = await store.get(LEADER_LEASE);
    if (!cur) return { check() {}, async release() {} };
    const spec = cur.spec ?? {};
    const durationMs = (Number(spec.leaseDurationSeconds) || 0) * 1000;
    // a holder whose lease ran out (on our clock, a second of slack) already stopped leading
    const live = !!spec.holderIdentity && Date.parse(spec.renewTime ?? '') + durationMs + 1000 > now();
    const t = microTime(now());
    const next: KObject = {
      ...cur,
      spec: { holderIdentity: identity, leaseDurationSeconds: HOLD_SECONDS, acquireTime: t, renewTime: t, leaseTransitions: Number(spec.leaseTransitions ?? 0) + 1 },
    };
    try {
      lease = await store.update(LEADER_LEASE, next, Number(cur.metadata.resourceVersion));
      if (live) [previous, previousMs] = [spec.holderIdentity, durationMs];
      break;
    } catch (e) {
      // the holder renewed in between: read it again
      if (!(e instanceof RevisionConflictError) || attempt >= 10) throw e;
    }
  }
  let lost = '';
  let renewing: Promise<void> = Promise.resolve();
  const renew = async () => {
    try {
      const t = microTime(now());
      lease = await store.update(LEADER_LEASE, { ...lease!, spec: { ...lease!.spec, renewTime: t } }, Number(lease!.metadata.resourceVersion));
    } catch (e) {
      if (e instanceof RevisionConflictError) lost = e.current?.spec?.holderIdentity || 'another candidate';
      // a transient failure: the next renewal (a third of the duration later) tries again
    }
  };
  const timer = setInterval(() => void (renewing = renewing.then(renew)), (HOLD_SECONDS * 1000) / 3);
  timer.unref();
  const takenAt = now();
  if (previous) {
    note(`waiting ${previousMs / 1000}s (the lease duration) for the elected leader ${previous} to stop reconciling\n`);
    while (now() < takenAt + previousMs) await new Promise((r) => setTimeout(r, Math.min(250, takenAt + previousMs - now())));
  }
  return {
    check() {
      if (lost) throw new StoreError(`the controller-manager lease was taken by ${lost} during the restore: the cluster may not be exactly as saved; restore again`);
    },
    async release() {
      clearInterval(timer);
      await renewing;
      if (lost) return;
      const t = microTime(now());
      try {
        await store.update(LEADER_LEASE, { ...lease!, spec: { ...lease!.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: t, renewTime: t } }, Number(lease!.metadata.resourceVersion));
      } catch {
        // taken meanwhile, or etcd unreachable: the lease then runs out by itself
      }
    },
  };
}
