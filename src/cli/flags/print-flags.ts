// kubectl's PrintFlags, declared once: -o/--output with --template,
// --allow-missing-template-keys and --show-managed-fields, and how they combine into the one
// output format the printers take (PrintFlags.ToPrinter).

import { Option } from 'commander';

export interface PrintFlagValues {
  output?: string;
  template?: string;
  allowMissingTemplateKeys?: boolean | string;
  showManagedFields?: boolean;
}

const OUTPUT_HELP = 'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).';

/** The four options of PrintFlags, for a verb's command (`.addOption(...)` each). */
export function printFlagOptions(outputHelp = OUTPUT_HELP): Option[] {
  return [
    new Option('-o, --output <format>', outputHelp),
    new Option('--template <template>', 'Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview].'),
    new Option('--allow-missing-template-keys [bool]', 'If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats.').default(true),
    new Option('--show-managed-fields', 'If true, keep the managedFields when printing objects in JSON or YAML format.'),
  ];
}

const TEMPLATE_FORMATS = ['go-template', 'go-template-file', 'template', 'templatefile', 'jsonpath', 'jsonpath-file', 'jsonpath-as-json'];

/**
 * The -o value with --template folded in: `--template` alone means go-template, and a
 * template format given without `=TEMPLATE` takes --template's text.
 */
export function outputArgument(f: PrintFlagValues): string | undefined {
  const template = f.template ?? '';
  let output = f.output;
  if (template !== '' && (output === undefined || output === '')) output = 'go-template';
  if (output && template !== '' && TEMPLATE_FORMATS.includes(output)) return `${output}=${template}`;
  return output;
}

/** --allow-missing-template-keys as a boolean (default true). */
export function allowMissingKeys(f: PrintFlagValues): boolean {
  return f.allowMissingTemplateKeys !== false && f.allowMissingTemplateKeys !== 'false';
}
