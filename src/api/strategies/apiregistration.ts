// APIServices (kube-aggregator's registry/apiservice/strategy.go): a local one (no
// spec.service: served by kube-apiserver itself) is Available from the start, as the
// aggregator's availability controller marks it at once; one backed by a Service starts
// with an empty status, for the availability controller (controllers/apiservice-availability.ts).

import type { KObject } from '../types';
import type { KindStrategy } from './types';

export const LOCAL_AVAILABLE_MESSAGE = 'Local APIServices are always available';

export const apiServiceStrategy: KindStrategy = {
  prepareStatusOnCreate(obj: KObject) {
    obj.status = obj.spec?.service
      ? {}
      : { conditions: [{ lastTransitionTime: obj.metadata.creationTimestamp, message: LOCAL_AVAILABLE_MESSAGE, reason: 'Local', status: 'True', type: 'Available' }] };
  },
};
