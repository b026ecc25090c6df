// The objects every cluster has from its start, created through the API server's own
// write path (validation, defaulting, managed fields) as kube-apiserver's post-start hooks do.
import type { ApiServer } from './server';
import { BOOTSTRAP_NAMESPACES } from './strategies';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from '../rbac/bootstrap';
import { syncApiServices } from './apiservices';

/** Creates what every cluster has from the start (idempotent: existing objects are kept). */
export async function bootstrapCluster(api: ApiServer): Promise<void> {
  await api.batch(async () => {
    const ns = api.registry.forKind('v1', 'Namespace');
    for (const name of BOOTSTRAP_NAMESPACES) {
      if (!await api.tryGet(ns, undefined, name)) await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
    const sc = api.registry.forKind('storage.k8s.io/v1', 'StorageClass');
    if (!await api.tryGet(sc, undefined, 'standard')) {
      // kind's default class: local-path provisioning, bound when a pod first uses the claim
      await api.create({
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
        provisioner: 'rancher.io/local-path',
        reclaimPolicy: 'Delete',
        volumeBindingMode: 'WaitForFirstConsumer',
      });
    }
    // kube-apiserver's bootstrap RBAC policy (and kubeadm's admin binding), as it stores it at start.
    for (const obj of [...bootstrapClusterRoles(), ...bootstrapClusterRoleBindings()]) {
      if (!await api.tryGet(api.registry.forKind(obj.apiVersion, obj.kind), undefined, obj.metadata.name!)) await api.create(obj);
    }
    const svc = api.registry.forKind('v1', 'Service');
    if (!await api.tryGet(svc, 'default', 'kubernetes')) {
      await api.create({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
        spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
      });
    }
    await syncApiServices(api);
  });
}
