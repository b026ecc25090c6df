// The `key=value` / `key-` arguments of label, annotate and set env, split from the
// resource arguments and parsed with kubectl's rules and messages.

import { CliError } from '../../api/errors';
import { isValidLabelValue } from '../../api/validation/string-rules';

/** kubectl's cmdutil.GetResourcesAndPairs: resources first, then the changes. */
export function splitResourcesAndPairs(args: string[], pairType: string): { resources: string[]; pairs: string[] } {
  const resources: string[] = [];
  const pairs: string[] = [];
  let foundPair = false;
  for (const s of args) {
    const nonResource = (s.includes('=') && s[0] !== '=') || (s.endsWith('-') && s !== '-');
    if (nonResource) {
      foundPair = true;
      pairs.push(s);
    } else if (!foundPair) resources.push(s);
    else throw new CliError(`all resources must be specified before ${pairType} changes: ${s}`);
  }
  return { resources, pairs };
}

export interface KeyChanges {
  /** In argument order (later duplicates win, as with a Go map). */
  set: Map<string, string>;
  remove: string[];
}

/** `kubectl label` argument parsing (label.go parseLabels). */
export function parseLabelChanges(specs: string[]): KeyChanges {
  const set = new Map<string, string>();
  const remove: string[] = [];
  for (const spec of specs) {
    if (spec.includes('=')) {
      const parts = spec.split('=');
      if (parts.length !== 2) throw new CliError(`invalid label spec: ${spec}`);
      const errs = isValidLabelValue(parts[1]);
      if (errs.length) throw new CliError(`invalid label value: ${JSON.stringify(spec)}: ${errs.join(';')}`);
      set.set(parts[0], parts[1]);
    } else if (spec.endsWith('-')) {
      remove.push(spec.slice(0, -1));
    } else {
      throw new CliError(`unknown label spec: ${spec}`);
    }
  }
  if (remove.some((k) => set.has(k))) throw new CliError('can not both modify and remove a label in the same command');
  return { set, remove };
}

/** `kubectl annotate` argument parsing (annotate.go parseAnnotations). */
export function parseAnnotationChanges(specs: string[]): KeyChanges {
  const set = new Map<string, string>();
  const remove: string[] = [];
  const invalid: string[] = [];
  for (const spec of specs) {
    if (spec.includes('=')) {
      const i = spec.indexOf('=');
      if (i === 0) {
        invalid.push(spec);
        continue;
      }
      set.set(spec.slice(0, i), spec.slice(i + 1));
    } else if (spec.endsWith('-')) {
      remove.push(spec.slice(0, -1));
    } else {
      invalid.push(spec);
    }
  }
  if (invalid.length) throw new CliError(`invalid annotation format: ${invalid.join(', ')}`);
  const both = remove.filter((k) => set.has(k));
  if (both.length) throw new CliError(`can not both modify and remove the following annotation(s) in the same command: ${both.join(', ')}`);
  return { set, remove };
}
