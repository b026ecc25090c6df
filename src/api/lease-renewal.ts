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

/**
 * Writes `lease` (a stored Lease as read, shared: not changed here) with spec.renewTime =
 * `renewTime`, if it is still at the resourceVersion it was read at; returns the stored
 * Lease, frozen. A Lease being deleted (its finalizers decide what the write does), one
 * without a renewTime yet, or whose renewTime another manager owns, takes the whole update.
 */
export async function renewLease(api: ApiServer, lease: KObject, renewTime: string, opts: WriteOptions = {}): Promise<KObject> {
  if (!MICRO_TIME.test(renewTime)) throw ApiError.badRequest(`invalid renewTime ${JSON.stringify(renewTime)}: want RFC 3339 with microseconds`);
  const rt = api.registry.forKind('coordination.k8s.io/v1', 'Lease');
  const next: KObject = { ...lease, spec: { ...lease.spec, renewTime } };
  if (lease.metadata.deletionTimestamp || lease.spec?.renewTime === undefined || !lease.metadata.resourceVersion) return api.update(next, opts);
  const manager = opts.fieldManager ?? ambientFieldManager();
  if (manager) {
    // A write without a manager keeps the entries as they are (keepManaged).
    const managed = changedOwnFields(lease, RENEW_TIME, manager, api.trackContext(rt, lease));
    if (!managed) return api.update(next, opts);
    next.metadata = { ...lease.metadata, managedFields: managed };
  }
  const { namespace, name } = lease.metadata;
  return api.store.batch(async () => {
    await policyAdmission(api, rt, 'UPDATE', next, lease, opts);
    if (opts.dryRun) return next;
    return api.writeAt(rt, namespace, name!, next, lease, { shared: true });
  });
}
