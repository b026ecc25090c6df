// `-o json`: encoding/json MarshalIndent with 4 spaces (keys sorted, <>& escaped) + "\n".
import { goJson } from '../util/go-format';

export interface JsonOptions {
  /** false keeps the object's own key order (client-side objects print in Go struct order). */
  sortKeys?: boolean;
}

export function toJson(obj: unknown, opts: JsonOptions = {}): string {
  return goJson(obj, '    ', opts.sortKeys ?? true) + '\n';
}
