// ResourceQuota's strategy (pkg/registry/core/resourcequota): a new quota's status is reset,
// and a status write is checked as ValidateResourceQuotaStatusUpdate (its hard and used names
// and values), which the generic status path does not run for a built-in kind.
import { ApiError } from '../errors';
import { resourceQuotaStatusErrors } from '../validation/resource-quota';
import type { KindStrategy } from './types';

export const resourceQuotaStrategy: KindStrategy = {
  prepareStatusOnCreate: (obj) => void (obj.status = {}),
  prepareForStatusUpdate: (_input, next) => {
    const errs = resourceQuotaStatusErrors(next.status);
    if (errs.length) throw ApiError.invalid('ResourceQuota', '', next.metadata.name ?? '', errs);
  },
};
