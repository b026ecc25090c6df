// -o for verbs that print objects: resolved once into a function from objects to text.
// Tables (no -o, or -o wide) are the get verb's own business.

import type { KObject } from '../../api/types';
import type { CliContext } from '../context';
import { parseOutputFlag, printObjects } from '../../printers/output';

export type ObjectPrinter = (objs: KObject[], asList: boolean) => string;

export function isTableOutput(o: string | undefined): boolean {
  return o === undefined || o === '' || o === 'wide';
}

export function outputPrinter(o: string, ctx: CliContext, opts: { showManagedFields?: boolean } = {}): ObjectPrinter {
  const spec = parseOutputFlag(o);
  void ctx;
  return (objs, asList) => {
    const shown = opts.showManagedFields ? objs : objs.map(withoutManagedFields);
    return printObjects(shown, spec, { asList });
  };
}

function withoutManagedFields(o: KObject): KObject {
  if (!o.metadata?.managedFields) return o;
  const { managedFields, ...metadata } = o.metadata;
  void managedFields;
  return { ...o, metadata };
}
