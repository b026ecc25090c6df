// -l and --field-selector, compiled into the list filters the API server applies.

import type { ResourceType } from '../../api/resources';
import type { ListOptions } from '../../api/server';
import { selectorListOptions } from '../../api/list-options';

export function buildListOptions(type: ResourceType, labelSelector: string | undefined, fieldSelector: string | undefined, namespace: string | undefined): ListOptions {
  return selectorListOptions(type, labelSelector, fieldSelector, namespace);
}
