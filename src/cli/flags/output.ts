// -o for verbs that print objects: resolved once into a function from objects to text.
// Tables (no -o, or -o wide) are the get verb's own business.

import { readInputSync } from '../../manifest/read-limited';
import { fsErrorText } from '../../util/fs-error-text';
import { CliError } from '../../api/errors';
import type { KObject } from '../../api/types';
import type { CliContext } from '../context';
import { TemplateExecutionError, parseOutputFlag, printObjects, resolveOutputFile, type OutputSpec } from '../../printers/output';

export type ObjectPrinter = (objs: KObject[], asList: boolean) => string;

export function isTableOutput(o: string | undefined): boolean {
  return o === undefined || o === '' || o === 'wide';
}

/** Parses -o, reading the template of the `*-file` formats. */
export function resolveOutput(o: string): OutputSpec {
  let spec = parseOutputFlag(o);
  if (spec.kind === 'jsonpath-file' || spec.kind === 'go-template-file' || spec.kind === 'custom-columns-file') {
    const file = spec.path;
    let content: string;
    try {
      content = readInputSync(file, 1024 * 1024).toString('utf8');
    } catch (e) {
      if (e instanceof CliError) throw e;
      // custom-columns' own wording (CustomColumnsPrintFlags), the template printers' another
      const what = spec.kind === 'custom-columns-file' ? 'template' : '--template';
      throw new CliError(`error reading ${what} ${file}, open ${file}: ${fsErrorText(e)}`);
    }
    spec = resolveOutputFile(spec, content);
  }
  return spec;
}

export function outputPrinter(o: string, ctx: CliContext, opts: { showManagedFields?: boolean; noHeaders?: boolean; allowMissingKeys?: boolean; sortJsonKeys?: boolean } = {}): ObjectPrinter {
  const spec = resolveOutput(o);
  // kubectl's YAMLPrinter counts what it printed: every document after the first starts with `---`.
  let printed = 0;
  // As kubectl's JSONYamlPrintFlags: only the JSON and YAML printers omit managedFields;
  // jsonpath, go-template and custom-columns see the whole object.
  const omit = !opts.showManagedFields && (spec.kind === 'json' || spec.kind === 'yaml');
  return (objs, asList) => {
    const shown = omit ? objs.map(withoutManagedFields) : objs;
    const text = withTemplateDebug(ctx, () => printObjects(shown, spec, { asList, noHeaders: opts.noHeaders, allowMissingKeys: opts.allowMissingKeys, sortJsonKeys: opts.sortJsonKeys }));
    return spec.kind === 'yaml' && printed++ > 0 ? `---\n${text}` : text;
  };
}

/** Runs a printer; a template that fails writes kubectl's debugging block to stdout before the error. */
export function withTemplateDebug<T>(ctx: CliContext, print: () => T): T {
  try {
    return print();
  } catch (e) {
    if (e instanceof TemplateExecutionError) ctx.out(e.stdout);
    throw e;
  }
}

/** As kubectl's OmitManagedFieldsPrinter: from the object, or from each item of a list. */
export function withoutManagedFields(o: KObject): KObject {
  if (Array.isArray(o.items)) return { ...o, items: (o.items as KObject[]).map(withoutManagedFields) };
  if (!o.metadata?.managedFields) return o;
  const { managedFields, ...metadata } = o.metadata;
  void managedFields;
  return { ...o, metadata };
}
