// The one place `-o` is resolved (kubectl get's PrintFlags) and objects are printed.
import { CliError } from '../api/errors';
import { deepCopy, type KObject } from '../api/types';
import { parseCustomColumnsSpec, parseCustomColumnsTemplate, printCustomColumns, type CustomColumn } from './custom-columns';
import { GoTemplateExecError, executeGoTemplate, goTemplateErrorText, parseGoTemplate } from './go-template';
import { goJson, goSprint } from '../util/go-format';
import { toJson } from './json';
import { goOrdered } from './go-order';
import { jsonPathPrinter } from './jsonpath';
import { printNames } from './name';
import { printTable, type TableOptions } from './table';
import { toYaml } from './yaml';
import { noPrinterError } from './no-printer';

export type OutputSpec =
  | { kind: 'table'; wide: boolean }
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'name' }
  | { kind: 'jsonpath'; template: string; asJson: boolean }
  | { kind: 'go-template'; template: string }
  | { kind: 'custom-columns'; columns: CustomColumn[] }
  /** -file variants: the CLI reads `path` and calls resolveOutputFile(). */
  | { kind: 'jsonpath-file' | 'go-template-file' | 'custom-columns-file'; path: string };

/** Resolves a `-o` value like kubectl get's PrintFlags.ToPrinter (throws kubectl's errors). */
export function parseOutputFlag(o: string | undefined): OutputSpec {
  const output = o ?? '';
  if (output === '') return { kind: 'table', wide: false };
  if (output === 'wide') return { kind: 'table', wide: true };
  if (output === 'json') return { kind: 'json' };
  if (output === 'yaml') return { kind: 'yaml' };
  if (output === 'name') return { kind: 'name' };
  const eq = output.indexOf('=');
  const format = eq >= 0 ? output.slice(0, eq) : output;
  const value = eq >= 0 ? output.slice(eq + 1) : '';
  switch (format) {
    case 'jsonpath':
    case 'jsonpath-as-json':
    case 'jsonpath-file':
    case 'go-template':
    case 'template':
    case 'go-template-file':
    case 'templatefile':
      if (value === '') throw new CliError('template format specified but no template given');
      if (format === 'jsonpath' || format === 'jsonpath-as-json') {
        jsonPathPrinter(value); // parse errors surface now, as in kubectl
        return { kind: 'jsonpath', template: value, asJson: format === 'jsonpath-as-json' };
      }
      if (format === 'jsonpath-file') return { kind: 'jsonpath-file', path: value };
      if (format === 'go-template' || format === 'template') {
        try {
          parseGoTemplate(value); // parse errors surface now, as in kubectl
        } catch (e) {
          const text = goTemplateErrorText(value, e);
          if (text) throw new CliError(text);
          throw e;
        }
        return { kind: 'go-template', template: value };
      }
      return { kind: 'go-template-file', path: value };
    case 'custom-columns':
      return { kind: 'custom-columns', columns: parseCustomColumnsSpec(value) };
    case 'custom-columns-file':
      if (value === '') throw new CliError('custom-columns format specified but no custom columns given');
      return { kind: 'custom-columns-file', path: value };
  }
  throw noPrinterError(output);
}

/** Turns a -file spec into the inline one, given the file's text (read by the CLI). */
export function resolveOutputFile(spec: OutputSpec, content: string): OutputSpec {
  switch (spec.kind) {
    case 'jsonpath-file':
      jsonPathPrinter(content);
      return { kind: 'jsonpath', template: content, asJson: false };
    case 'go-template-file':
      return { kind: 'go-template', template: content };
    case 'custom-columns-file':
      return { kind: 'custom-columns', columns: parseCustomColumnsTemplate(content) };
    default:
      return spec;
  }
}

export interface PrintOptions {
  /** true: wrap in a `kind: List` (anything but a single object requested by name). */
  asList: boolean;
  /** Required for table output. */
  table?: TableOptions;
  noHeaders?: boolean;
  /** -o json key order: false keeps the objects' own order (client-side generated objects). */
  sortJsonKeys?: boolean;
  /** --allow-missing-template-keys (default true): jsonpath, and go-template's missingkey=error. */
  allowMissingKeys?: boolean;
}

/**
 * A template that failed while printing. kubectl's GoTemplatePrinter writes a debugging block
 * to the output stream first (`stdout`), then returns the error.
 */
export class TemplateExecutionError extends CliError {
  constructor(
    message: string,
    readonly stdout: string,
  ) {
    super(message);
  }
}

/** GoTemplatePrinter.PrintObj's debugging block: the template, the JSON, and the map it saw (%+v). */
function goTemplateDebug(template: string, data: unknown, message: string, typed: boolean): string {
  // A typed object (generators, set) is marshalled from its Go struct: fields in struct order.
  const ordered = typed && data && typeof data === 'object' ? goOrdered(deepCopy(data) as Record<string, unknown>) : undefined;
  return (
    `Error executing template: ${message}. Printing more information for debugging the template:\n` +
    `\ttemplate was:\n\t\t${template}\n` +
    `\traw data was:\n\t\t${goJson(ordered ?? data, '', !typed)}\n` +
    `\tobject given to template engine was:\n\t\t${goSprint(data)}\n\n`
  );
}

/** The List wrapper `get -o json|yaml|jsonpath` prints. */
export function listOf(objs: KObject[]): Record<string, unknown> {
  return { apiVersion: 'v1', items: objs, kind: 'List', metadata: { resourceVersion: '' } };
}

/** Prints objects in the resolved format. Table output for no objects is ''. */
export function printObjects(objs: KObject[], spec: OutputSpec, opts: PrintOptions): string {
  const data: unknown = opts.asList || objs.length !== 1 ? listOf(objs) : objs[0];
  switch (spec.kind) {
    case 'table':
      if (!opts.table) throw new Error('printObjects: table output needs table options');
      return printTable(objs, { ...opts.table, wide: spec.wide || opts.table.wide, noHeaders: opts.noHeaders ?? opts.table.noHeaders });
    case 'json':
      return toJson(data, { sortKeys: opts.sortJsonKeys ?? true });
    case 'yaml':
      return toYaml(data);
    case 'name':
      return printNames(objs);
    case 'jsonpath':
      return jsonPathPrinter(spec.template, { asJson: spec.asJson, allowMissingKeys: opts.allowMissingKeys ?? true })(data);
    case 'go-template':
      try {
        return executeGoTemplate(spec.template, data, { missingKeyError: opts.allowMissingKeys === false });
      } catch (e) {
        const text = goTemplateErrorText(spec.template, e);
        if (text && e instanceof GoTemplateExecError) throw new TemplateExecutionError(text, goTemplateDebug(spec.template, data, e.message, opts.sortJsonKeys === false));
        if (text) throw new CliError(text);
        throw e;
      }
    case 'custom-columns':
      return printCustomColumns(objs, spec.columns, opts.noHeaders ?? opts.table?.noHeaders ?? false);
    default:
      throw new Error(`printObjects: unresolved file output "${spec.kind}" (call resolveOutputFile first)`);
  }
}
