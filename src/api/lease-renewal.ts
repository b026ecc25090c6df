// A node Lease renewal: the kubelet's lease controller's PUT that moves spec.renewTime and
// nothing else, 500 a second at 5,000 nodes. kube-apiserver runs it through the whole update
// path; here the steps that cannot change or refuse such a write are left out: the body
// needs no strict decoding, defaulting or validation (it is the stored object, which passed
// all of them, with one MicroTime replaced by a well-formed one), and the stored object is
// not copied to be read. What clients see is the same: a new resourceVersion, the MODIFIED
// event, the precondition on the version read (409 once it moved), the admission policies
// bound to Leases, the manager's managedFields entry at this write's time.

import { ApiError } from './errors';
import type { KObject } from './types';
import type { ApiServer, WriteOptions } from './server';
import { policyAdmission } from './admission/validating-policy';
import { ambientFieldManager, changedOwnFields, FieldSet } from './managed-fields/index';

const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const RENEW_TIME = FieldSet.fromPaths([['f:spec', 'f:renewTime']]);

/** One Lease to renew: as read (shared: not changed here), and its new spec.renewTime. */
export interface LeaseRenewal {
  lease: KObject;
  renewTime: string;
}

/**
 * Writes `lease` (a stored Lease as read, shared: not changed here) with spec.renewTime =
 * `renewTime`, if it is still at the resourceVersion it was read at; returns the stored
 * Lease, frozen. A Lease being deleted (its finalizers decide what the write does), one
 * without a renewTime yet, or whose renewTime another manager owns, takes the whole update.
 */
export async function renewLease(api: ApiServer, lease: KObject, renewTime: string, opts: WriteOptions = {}): Promise<KObject> {
  const [stored] = await renewLeases(api, [{ lease, renewTime }], opts);
  if (stored instanceof Error) throw stored;
  return stored;
}

/**
 * renewLease for several Leases (the kubelets whose beat falls on one tick): those that take
 * the fast path go to the store as one batch and one updateMany (one journal append), each
 * still its own resourceVersion, MODIFIED event and precondition. Each result is the stored
 * Lease or that renewal's own error (a 409 leaves the others written).
 */
export async function renewLeases(api: ApiServer, renewals: readonly LeaseRenewal[], opts: WriteOptions = {}): Promise<Array<KObject | Error>> {
  const rt = api.registry.forKind('coordination.k8s.io/v1', 'Lease');
  const manager = opts.fieldManager ?? ambientFieldManager();
  const out = new Array<KObject | Error>(renewals.length);
  const fast: Array<{ i: number; next: KObject; current: KObject }> = [];
  for (let i = 0; i < renewals.length; i++) {
    const { lease, renewTime } = renewals[i];
    try {
      if (!MICRO_TIME.test(renewTime)) throw ApiError.badRequest(`invalid renewTime ${JSON.stringify(renewTime)}: want RFC 3339 with microseconds`);
      const next: KObject = { ...lease, spec: { ...lease.spec, renewTime } };
      let whole = Boolean(lease.metadata.deletionTimestamp || lease.spec?.renewTime === undefined || !lease.metadata.resourceVersion);
      if (!whole && manager) {
        // A write without a manager keeps the entries as they are (keepManaged).
        const managed = changedOwnFields(lease, RENEW_TIME, manager, api.trackContext(rt, lease));
        if (managed) next.metadata = { ...lease.metadata, managedFields: managed };
        else whole = true;
      }
      if (whole) out[i] = await api.update(next, opts);
      else fast.push({ i, next, current: lease });
    } catch (e) {
      out[i] = e as Error;
    }
  }
  if (!fast.length) return out;
  await api.store.batch(async () => {
    const admitted: typeof fast = [];
    for (const f of fast) {
      try {
        await policyAdmission(api, rt, 'UPDATE', f.next, f.current, opts);
        admitted.push(f);
      } catch (e) {
        out[f.i] = e as Error;
      }
    }
    if (opts.dryRun) return admitted.forEach((f) => (out[f.i] = f.next));
    const written = await api.writeAllAt(rt, admitted, { shared: true });
    admitted.forEach((f, k) => (out[f.i] = written[k]));
  });
  return out;
}
