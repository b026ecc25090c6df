// cmdutil.GetValidationDirective: --validate's value as the request's field validation.

import { CliError } from '../../api/errors';
import { goQuote } from '../../util/go-format';

export type ValidationDirective = 'strict' | 'warn' | 'ignore';

/** strconv.ParseBool's spellings first (true → strict, false → ignore), then the names, lower case only as kubectl's switch. */
export function validationDirective(value: unknown): ValidationDirective {
  const v = String(value ?? 'strict');
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return 'strict';
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return 'ignore';
  if (v === 'strict' || v === 'warn' || v === 'ignore') return v;
  throw new CliError(`invalid - validate option ${goQuote(v)}; must be one of: strict (or true), warn, ignore (or false)`);
}

/** The directive as the request's fieldValidation parameter. */
export function fieldValidationParam(d: ValidationDirective): 'Strict' | 'Warn' | 'Ignore' {
  return d === 'strict' ? 'Strict' : d === 'warn' ? 'Warn' : 'Ignore';
}

/** A write's field validation options: `--validate`'s directive, the server's warnings on stderr. */
export function fieldValidation(ctx: { err(text: string): void }, value: unknown): { fieldValidation: 'Strict' | 'Warn' | 'Ignore'; warn: (text: string) => void } {
  return { fieldValidation: fieldValidationParam(validationDirective(value)), warn: (text) => ctx.err(`Warning: ${text}\n`) };
}
