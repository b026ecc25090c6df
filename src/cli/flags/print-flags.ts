// kubectl's PrintFlags, declared once: -o/--output with --template,
// --allow-missing-template-keys and --show-managed-fields (and --no-headers for the verbs
// that print tables), and how they combine into the one output format the printers take
// (PrintFlags.ToPrinter). Every verb that prints objects adds them with addPrintFlags.

import { Option, type Command } from 'commander';
import type { FlagDef } from '../../generators/types';
import { noPrinterError, OBJECT_OUTPUT_FORMATS } from '../../printers/no-printer';

export interface PrintFlagValues {
  output?: string;
  template?: string;
  allowMissingTemplateKeys?: boolean | string;
  showManagedFields?: boolean;
}

/** genericclioptions.PrintFlags' -o help (JSONYamlPrintFlags, NamePrintFlags, KubeTemplatePrintFlags). */
export const OUTPUT_HELP = 'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).';

/** get's PrintFlags adds custom columns and the human-readable (table) formats. */
export const GET_OUTPUT_HELP =
  'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file, custom-columns, custom-columns-file, wide). See custom columns [https://kubernetes.io/docs/reference/kubectl/#custom-columns], golang template [http://golang.org/pkg/text/template/#pkg-overview] and jsonpath template [https://kubernetes.io/docs/reference/kubectl/jsonpath/].';

const TEMPLATE_HELP = 'Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview].';
const ALLOW_MISSING_HELP = 'If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats.';
const MANAGED_FIELDS_HELP = 'If true, keep the managedFields when printing objects in JSON or YAML format.';
const NO_HEADERS_HELP = "When using the default or custom-column output format, don't print headers (default print headers).";

export interface PrintFlagsSpec {
  /** The -o help, when a verb's PrintFlags offer other formats than the default. */
  outputHelp?: string;
  /** A default -o (kubectl's `cluster-info dump` prints json unless told). */
  outputDefault?: string;
  /** Adds --no-headers (the verbs printing tables). */
  noHeaders?: boolean | string;
  /** Only -o (the verbs whose PrintFlags are a bare NamePrintFlags or a fixed format list). */
  outputOnly?: boolean;
}

/** The options of PrintFlags, for a verb's command (`.addOption(...)` each). */
export function printFlagOptions(outputHelp = OUTPUT_HELP): Option[] {
  return [
    new Option('-o, --output <format>', outputHelp),
    new Option('--template <template>', TEMPLATE_HELP),
    new Option('--allow-missing-template-keys [bool]', ALLOW_MISSING_HELP).default(true),
    new Option('--show-managed-fields', MANAGED_FIELDS_HELP),
  ];
}

/** The same group as flag definitions, for the generators, which parse their own arguments. */
export function printFlagDefs(): FlagDef[] {
  return [
    { name: 'output', shorthand: 'o', type: 'string', help: OUTPUT_HELP },
    { name: 'template', type: 'string', help: TEMPLATE_HELP },
    { name: 'show-managed-fields', type: 'bool', help: MANAGED_FIELDS_HELP },
    { name: 'allow-missing-template-keys', type: 'bool', default: true, help: ALLOW_MISSING_HELP },
  ];
}

/** AddFlags of PrintFlags: adds the group to `cmd` and returns it, for chaining. */
export function addPrintFlags(cmd: Command, spec: PrintFlagsSpec = {}): Command {
  const [output, ...rest] = printFlagOptions(spec.outputHelp);
  if (spec.outputDefault !== undefined) output.default(spec.outputDefault);
  cmd.addOption(output);
  if (!spec.outputOnly) for (const o of rest) cmd.addOption(o);
  if (spec.noHeaders) cmd.option('--no-headers', typeof spec.noHeaders === 'string' ? spec.noHeaders : NO_HEADERS_HELP);
  return cmd;
}

const TEMPLATE_FORMATS = ['go-template', 'go-template-file', 'template', 'templatefile', 'jsonpath', 'jsonpath-file', 'jsonpath-as-json'];

/**
 * The -o value with --template folded in: `--template` alone means go-template, and a
 * template format given without `=TEMPLATE` takes --template's text. With --template given,
 * kubectl's printers no longer split `-o FORMAT=VALUE`: no printer matches it (`allowed`
 * lists what the verb's would have).
 */
export function outputArgument(f: PrintFlagValues, allowed: string[] = OBJECT_OUTPUT_FORMATS): string | undefined {
  const template = f.template ?? '';
  let output = f.output;
  if (template !== '' && (output === undefined || output === '')) output = 'go-template';
  const eq = output?.indexOf('=') ?? -1;
  if (template !== '' && eq > 0 && [...TEMPLATE_FORMATS, 'custom-columns', 'custom-columns-file'].includes(output!.slice(0, eq))) throw noPrinterError(output!, allowed);
  if (output && template !== '' && TEMPLATE_FORMATS.includes(output)) return `${output}=${template}`;
  return output;
}

/** --allow-missing-template-keys as a boolean (default true). */
export function allowMissingKeys(f: PrintFlagValues): boolean {
  return f.allowMissingTemplateKeys !== false && f.allowMissingTemplateKeys !== 'false';
}
