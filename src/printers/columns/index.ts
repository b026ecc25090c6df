// The registry of server-side table definitions: kind -> columns + cell function.
import type { KObject } from '../../api/types';
import { apiservices, configmaps, leases, mutatingwebhookconfigurations, namespaces, nodes, priorityclasses, runtimeclasses, secrets, serviceaccounts, validatingadmissionpolicies, validatingadmissionpolicybindings, validatingwebhookconfigurations } from './cluster';
import { certificatesigningrequests } from './certificates';
import { createdAt } from './created-at';
import { customResourceTable } from './custom-resource';
import { events, eventsV1 } from './events';
import { endpoints, endpointslices, ingressclasses, ingresses, networkpolicies, services } from './network';
import { pods } from './pods';
import { horizontalpodautoscalers, poddisruptionbudgets, resourcequotas } from './policy';
import { clusterrolebindings, rolebindings } from './rbac';
import { persistentvolumeclaims, persistentvolumes, storageclasses } from './storage';
import { cronjobs, jobs } from './batch';
import { controllerrevisions, daemonsets, deployments, podtemplates, replicasets, replicationcontrollers, scales, statefulsets } from './workloads';
import { ageCol, nameCol, type KindTable } from './types';
import { ageOf, str } from './util';

export type { Column, KindTable } from './types';
export { podStatus } from './pods';
export { customResourceTable } from './custom-resource';

const TABLES: Record<string, KindTable> = {
  '/Pod': pods,
  '/Service': services,
  '/Endpoints': endpoints,
  '/Node': nodes,
  '/Namespace': namespaces,
  '/ConfigMap': configmaps,
  '/Secret': secrets,
  '/ServiceAccount': serviceaccounts,
  '/Event': events,
  'events.k8s.io/Event': eventsV1,
  '/PersistentVolumeClaim': persistentvolumeclaims,
  '/PersistentVolume': persistentvolumes,
  '/ReplicationController': replicationcontrollers,
  '/PodTemplate': podtemplates,
  '/ResourceQuota': resourcequotas,
  'apps/Deployment': deployments,
  'apps/ReplicaSet': replicasets,
  'apps/StatefulSet': statefulsets,
  'apps/DaemonSet': daemonsets,
  'apps/ControllerRevision': controllerrevisions,
  'batch/Job': jobs,
  'batch/CronJob': cronjobs,
  'autoscaling/HorizontalPodAutoscaler': horizontalpodautoscalers,
  'autoscaling/Scale': scales,
  'networking.k8s.io/Ingress': ingresses,
  'networking.k8s.io/IngressClass': ingressclasses,
  'networking.k8s.io/NetworkPolicy': networkpolicies,
  'discovery.k8s.io/EndpointSlice': endpointslices,
  'policy/PodDisruptionBudget': poddisruptionbudgets,
  'storage.k8s.io/StorageClass': storageclasses,
  'rbac.authorization.k8s.io/RoleBinding': rolebindings,
  'rbac.authorization.k8s.io/ClusterRoleBinding': clusterrolebindings,
  'scheduling.k8s.io/PriorityClass': priorityclasses,
  'coordination.k8s.io/Lease': leases,
  'certificates.k8s.io/CertificateSigningRequest': certificatesigningrequests,
  'node.k8s.io/RuntimeClass': runtimeclasses,
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': mutatingwebhookconfigurations,
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': validatingwebhookconfigurations,
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': validatingadmissionpolicies,
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding': validatingadmissionpolicybindings,
  'apiregistration.k8s.io/APIService': apiservices,
};

// Built-in kinds the API server has no printer for: its default NAME / CREATED AT table.
const DEFAULT_TABLE_KINDS = new Set([
  'rbac.authorization.k8s.io/Role',
  'rbac.authorization.k8s.io/ClusterRole',
  '/LimitRange',
  'apiextensions.k8s.io/CustomResourceDefinition',
]);

/** NAME, AGE: the table of objects nobody describes (kubectl's own default handler). */
export const nameAge: KindTable = {
  columns: [nameCol, ageCol],
  cells: (o: KObject, now: number) => [str(o.metadata.name), ageOf(o, now)],
};

/**
 * The table for a kind. `crd` (the CustomResourceDefinition object) selects the custom
 * resource table; unknown kinds fall back to NAME, AGE.
 */
export function tableFor(kind: string, group: string, crd?: KObject): KindTable {
  if (crd) return customResourceTable(crd);
  const key = `${group}/${kind}`;
  // autoscaling/v2 and v1 HPAs share a table.
  const t = TABLES[key];
  if (t) return t;
  if (DEFAULT_TABLE_KINDS.has(key)) return createdAt;
  return nameAge;
}
