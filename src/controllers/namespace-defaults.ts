// kube-controller-manager's serviceaccount and root-ca-cert-publisher controllers: every
// active namespace has a `default` ServiceAccount and a `kube-root-ca.crt` ConfigMap holding
// the cluster's CA bundle. The namespace's create makes both at once (see the namespace
// strategy); these reconcilers put them back when someone deletes them (`delete cm --all`)
// or edits the bundle, as the real controllers do within moments.

import { ApiError } from '../api/errors';
import type { KObject } from '../api/types';
import { defaultServiceAccount, ROOT_CA_CONFIGMAP, ROOT_CA_DATA, ROOT_CA_DESCRIPTION, rootCaConfigMap } from '../api/strategies/core';
import type { ControllerContext, ReconcileKey, Reconciler } from './types';

const byNamespace = (obj: KObject): ReconcileKey[] => (obj.metadata.namespace ? [{ kind: 'Namespace', name: obj.metadata.namespace }] : []);

/** The namespace, when it is there and not being deleted (the controllers leave those alone). */
async function activeNamespace(key: ReconcileKey, ctx: ControllerContext): Promise<KObject | undefined> {
  const ns = await ctx.api.tryGet(ctx.api.registry.forKind('v1', 'Namespace'), undefined, key.name);
  return ns && !ns.metadata.deletionTimestamp && ns.status?.phase !== 'Terminating' ? ns : undefined;
}

/** Creates, ignoring AlreadyExists (another writer was first) and a namespace that began terminating. */
async function createQuietly(ctx: ControllerContext, obj: KObject): Promise<void> {
  try {
    await ctx.api.create(obj);
  } catch (e) {
    if (!(e instanceof ApiError && (e.reason === 'AlreadyExists' || e.reason === 'Forbidden'))) throw e;
  }
}

export const serviceAccountReconciler: Reconciler = {
  name: 'serviceaccount',
  primary: ['v1', 'Namespace'],
  watches: [{ kind: 'ServiceAccount', map: (o) => (o.metadata.name === 'default' ? byNamespace(o) : []) }],
  async reconcile(key, ctx) {
    if (!(await activeNamespace(key, ctx))) return;
    if (!(await ctx.api.tryGet(ctx.api.registry.forKind('v1', 'ServiceAccount'), key.name, 'default'))) await createQuietly(ctx, defaultServiceAccount(key.name));
  },
};

export const rootCaPublisherReconciler: Reconciler = {
  name: 'root-ca-cert-publisher',
  primary: ['v1', 'Namespace'],
  watches: [{ kind: 'ConfigMap', map: (o) => (o.metadata.name === ROOT_CA_CONFIGMAP ? byNamespace(o) : []) }],
  async reconcile(key, ctx) {
    if (!(await activeNamespace(key, ctx))) return;
    const rt = ctx.api.registry.forKind('v1', 'ConfigMap');
    const cm = await ctx.api.tryGet(rt, key.name, ROOT_CA_CONFIGMAP);
    if (!cm) return createQuietly(ctx, rootCaConfigMap(key.name));
    const data = (cm.data ?? {}) as Record<string, string>;
    const same = Object.keys(data).length === 1 && data['ca.crt'] === ROOT_CA_DATA['ca.crt'];
    if (same && cm.metadata.annotations?.['kubernetes.io/description'] === ROOT_CA_DESCRIPTION) return;
    // As the publisher's sync: the bundle back, the description annotation back, the rest kept.
    await ctx.api.update({ ...cm, metadata: { ...cm.metadata, annotations: { ...cm.metadata.annotations, 'kubernetes.io/description': ROOT_CA_DESCRIPTION } }, data: { ...ROOT_CA_DATA } });
  },
};
