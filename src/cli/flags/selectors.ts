// -l and --field-selector, compiled into the list filters the API server applies; a bad one
// refused in kubectl's words (the server's message after what was listed).

import type { ResourceType } from '../../api/resources';
import type { ListOptions } from '../../api/server';
import { listError, selectorListOptions } from '../../api/list-options';

export function buildListOptions(type: ResourceType, labelSelector: string | undefined, fieldSelector: string | undefined, namespace: string | undefined): ListOptions {
  try {
    return selectorListOptions(type, labelSelector, fieldSelector, namespace);
  } catch (e) {
    throw listError(e, type, labelSelector, fieldSelector);
  }
}
