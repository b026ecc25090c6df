// kube-controller-manager's validatingadmissionpolicy-status controller
// (pkg/controller/validatingadmissionpolicystatus): a ValidatingAdmissionPolicy whose
// generation is past its status.observedGeneration gets, by a server-side apply of its status
// (field manager validatingadmissionpolicy-status, forced), that generation and the
// warnings of type checking its expressions (src/api/admission/policy-typecheck.ts).

import { ApiError } from '../api/errors';
import { applyObject } from '../api/server-apply';
import { policyTypeWarnings } from '../api/admission/policy-typecheck';
import type { ControllerContext, ReconcileKey, Reconciler } from './types';

const POLICY: [string, string] = ['admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy'];
/** controller.go ControllerName: "Status" tells it from the admission plugin's own controller. */
const FIELD_MANAGER = 'validatingadmissionpolicy-status';

export const vapStatusReconciler: Reconciler = {
  name: 'validatingadmissionpolicy-status-controller',
  primary: POLICY,
  async reconcile(key: ReconcileKey, ctx: ControllerContext): Promise<void> {
    const rt = ctx.api.registry.forKind(...POLICY);
    const policy = await ctx.api.tryGet(rt, undefined, key.name);
    if (!policy || (policy.metadata.generation ?? 0) <= (policy.status?.observedGeneration ?? 0)) return;
    const crdType = ctx.api.registry.forKind('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
    const warnings = await policyTypeWarnings(policy, ctx.api.registry, (name) => ctx.api.tryGet(crdType, undefined, name));
    // An empty list is left out (omitempty): a clean policy shows `typeChecking: {}`.
    const typeChecking = warnings.length ? { expressionWarnings: warnings } : {};
    const config = { apiVersion: POLICY[0], kind: POLICY[1], metadata: { name: key.name }, status: { observedGeneration: policy.metadata.generation, typeChecking } };
    try {
      await applyObject(ctx.api, rt, config, { fieldManager: FIELD_MANAGER, force: true, status: true });
    } catch (e) {
      // Deleted meanwhile: nothing to report on.
      if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
    }
  },
};
