// kubectl's NoCompatiblePrinterError, without the printers (the flag parsing raises it too).
import { CliError } from '../api/errors';

/** What `kubectl get` accepts (sorted, as the error message lists them). */
export const GET_OUTPUT_FORMATS = [
  'custom-columns',
  'custom-columns-file',
  'go-template',
  'go-template-file',
  'json',
  'jsonpath',
  'jsonpath-as-json',
  'jsonpath-file',
  'name',
  'template',
  'templatefile',
  'wide',
  'yaml',
];

/** What the verbs that print the objects they changed accept (kubectl's JSONYamlPrintFlags and template printers). */
export const OBJECT_OUTPUT_FORMATS = GET_OUTPUT_FORMATS.filter((f) => !f.startsWith('custom-columns') && f !== 'wide');

export function noPrinterError(output: string, allowed: string[] = GET_OUTPUT_FORMATS): CliError {
  return new CliError(
    `unable to match a printer suitable for the output format "${output}", allowed formats are: ${[...allowed].sort().join(',')}`,
  );
}
