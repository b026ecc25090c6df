// cmdutil.GetValidationDirective: --validate's value as the request's field validation.

import { CliError } from '../../api/errors';
import { goQuote } from '../../util/go-format';

export type ValidationDirective = 'strict' | 'warn' | 'ignore';

/** strconv.ParseBool's spellings first (true → strict, false → ignore), then the names in any case. */
export function validationDirective(value: unknown): ValidationDirective {
  const v = String(value ?? 'strict');
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return 'strict';
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return 'ignore';
  const lower = v.toLowerCase();
  if (lower === 'strict' || lower === 'warn' || lower === 'ignore') return lower;
  throw new CliError(`invalid - validate option ${goQuote(v)}; must be one of: strict (or true), warn, ignore (or false)`);
}
