// The model of `kubesim check`: the validate report (same formats, same exit codes) plus,
// per workload, whether it became Ready in the simulated deploy.

import type { Finding, Report, RuleId } from '../validate/report';

/** Rule ids of the simulated deploy (`deploy/...`) and of the cross-object lint (`lint/...`). */
export type CheckRuleId =
  | 'deploy/apply-failed'
  | 'deploy/create-failed'
  | 'deploy/failed-scheduling'
  | 'deploy/image-pull'
  | 'deploy/config-error'
  | 'deploy/container-error'
  | 'deploy/mount-failed'
  | 'deploy/crashloop'
  | 'deploy/not-ready'
  | 'deploy/progress-deadline'
  | 'deploy/job-failed'
  | 'deploy/pod-failed'
  | 'lint/service-selector'
  | 'lint/service-target-port'
  | 'lint/ingress-backend'
  | 'lint/hpa-target'
  | 'lint/pdb-selector'
  | 'lint/pdb-blocks-eviction'
  | 'lint/missing-reference';

/** A check rule as a report rule id (the report's union includes the deploy/ and lint/ families). */
export function ruleId(id: CheckRuleId): RuleId {
  return id;
}

export const CHECK_RULE_TEXT: Record<CheckRuleId, string> = {
  'deploy/apply-failed': 'The API server refused the object when it was applied',
  'deploy/create-failed': 'A controller could not create the pods of a workload',
  'deploy/failed-scheduling': 'Pods of a workload cannot be scheduled on the cluster',
  'deploy/image-pull': 'A container image cannot be pulled',
  'deploy/config-error': 'A container references a missing Secret, ConfigMap or key',
  'deploy/container-error': 'A container cannot be created or started',
  'deploy/mount-failed': 'A volume of a pod cannot be mounted',
  'deploy/crashloop': 'A container keeps crashing',
  'deploy/not-ready': 'A workload did not become ready in time',
  'deploy/progress-deadline': 'A Deployment rollout stopped progressing',
  'deploy/job-failed': 'A Job failed',
  'deploy/pod-failed': 'A Pod failed',
  'lint/service-selector': 'A Service selector matches no pod template',
  'lint/service-target-port': 'A Service targetPort is exposed by no selected container',
  'lint/ingress-backend': 'An Ingress backend names a missing Service or port',
  'lint/hpa-target': 'A HorizontalPodAutoscaler targets nothing',
  'lint/pdb-selector': 'A PodDisruptionBudget selects no pod template',
  'lint/pdb-blocks-eviction': 'A PodDisruptionBudget allows no voluntary eviction',
  'lint/missing-reference': 'An object references something that is not defined',
};

export type WorkloadState = 'Ready' | 'Complete' | 'NotReady' | 'Failed' | 'NotApplied';

export interface WorkloadStatus {
  kind: string;
  namespace?: string;
  name: string;
  file: string;
  line?: number;
  state: WorkloadState;
  /** `2/3 ready`, `1/1 succeeded`, ... */
  detail: string;
}

export interface CheckReport extends Report {
  workloads: WorkloadStatus[];
  /** Simulated milliseconds the cluster ran. */
  simulatedMs: number;
  /** True when the controllers settled before the deadline. */
  settled: boolean;
  /** True when the simulation stopped at its reconcile limit (a controller writing on every pass). */
  capped?: boolean;
}

/** A finding before it is placed in the report. */
export interface RawFinding {
  ruleId: CheckRuleId;
  severity: Finding['severity'];
  message: string;
  hint?: string;
  /** Field path in the object the finding points at; metadata when absent. */
  path?: (string | number)[];
}
