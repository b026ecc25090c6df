// A safe interpreter for the Go text/template language as kubectl's `-o go-template` uses it:
// hand-written lexer and parser (no eval), Go's evaluation rules and error texts, fmt-style
// printing of JSON data (ints as int64, maps as `map[k:v]`), and kubectl's extra functions
// `exists` and `base64decode`. The template is named "output" as in kubectl.
// The pieces live in go-template/: values, fmt, lexer, parser, exec, functions.
import { goQuote } from '../util/go-format';
import { Exec } from './go-template/exec';
import { lex } from './go-template/lexer';
import { BUILTINS, Parser } from './go-template/parser';
import { GoTemplateExecError, GoTemplateParseError, fromJson } from './go-template/values';

export { GoTemplateExecError, GoTemplateParseError } from './go-template/values';
export { goSprintf } from './go-template/fmt';

// ---------------------------------------------------------------------------------------
// Public API

/** A parsed template, reusable for many objects (kubectl parses once per command). */
export interface GoTemplate {
  /** `missingKeyError`: a missing map key fails (missingkey=error) instead of printing <no value>. */
  execute(data: unknown, opts?: { missingKeyError?: boolean }): string;
}

/** Parses a template; throws GoTemplateParseError with Go's message. */
export function parseGoTemplate(template: string): GoTemplate {
  let tree;
  try {
    tree = new Parser(lex(template), BUILTINS).parse();
  } catch (e) {
    if (e instanceof RangeError) throw new GoTemplateParseError(`template: output: max expression depth exceeded`);
    throw e;
  }
  return {
    execute(data: unknown, opts: { missingKeyError?: boolean } = {}): string {
      return new Exec(template, fromJson(data), opts.missingKeyError).run(tree, { v: fromJson(data), iface: false });
    },
  };
}

/**
 * Runs a Go text/template over JSON data the way `kubectl -o go-template=...` does.
 * Throws GoTemplateParseError / GoTemplateExecError carrying Go's message; the CLI wraps
 * them (`error: error parsing template <t>, <msg>` / `error: error executing template "<t>": <msg>`).
 */
export function executeGoTemplate(template: string, data: unknown, opts: { missingKeyError?: boolean } = {}): string {
  return parseGoTemplate(template).execute(data, opts);
}

/**
 * The text kubectl prints after `error: ` for a template failure:
 * `error parsing template <t>, <msg>` or `error executing template "<t>": <msg>`.
 * (On execution errors kubectl also writes a debugging block to stdout first.)
 */
export function goTemplateErrorText(template: string, e: unknown): string | undefined {
  if (e instanceof GoTemplateParseError) return `error parsing template ${template}, ${e.message}`;
  if (e instanceof GoTemplateExecError) return `error executing template ${goQuote(template)}: ${e.message}`;
  return undefined;
}

