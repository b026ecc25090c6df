// Jobs (registry/batch/job/strategy.go): unless spec.manualSelector, the selector is the
// Job's uid and the pod template carries the labels that select it (old and new spellings).

import { isObject, type KObject } from '../types';
import type { KindStrategy } from './types';

export function generateJobSelector(job: KObject): void {
  const spec = job.spec;
  if (!isObject(spec) || spec.manualSelector === true) return;
  const uid = job.metadata.uid!;
  const name = job.metadata.name!;
  spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  spec.template ??= {};
  spec.template.metadata ??= {};
  spec.template.metadata.labels = {
    ...(spec.template.metadata.labels ?? {}),
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
  };
}

export const jobStrategy: KindStrategy = {
  prepareStatusOnCreate(obj) {
    obj.status = {};
  },
  async prepareForCreate(_host, obj) {
    generateJobSelector(obj);
  },
};
