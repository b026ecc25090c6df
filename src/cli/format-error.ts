// How errors reach the user, as kubectl's cmdutil.CheckErr prints them.

import { ApiError, CliError, formatFieldError } from '../api/errors';
import { NoKindMatchError, UnknownResourceError } from '../api/resources';
import { StoreError } from '../store/store';

/** An error that already carries its full, formatted text (e.g. several per-document errors). */
export class PrintedError extends Error {
  constructor(
    readonly text: string,
    readonly exitCode = 1,
  ) {
    super(text);
  }
}

/** A group's unknown sub-command, as cmdutil.DefaultSubCommandRun's usage error words it. */
export function unknownSubCommand(program: string, group: string, typed: string): string {
  return `error: unknown command ${JSON.stringify(typed)}\nSee '${program} ${group} -h' for help and examples\n`;
}

/**
 * cmdutil.CheckErr's text for the errors a verb collected (`errs`: each as kubectl's
 * messageForError gives it, no trailing newline unless the message has one): one alone gets
 * `error: ` unless it has it or is a server's error; several are printed one per line as they
 * are (an aggregate gets no prefix, and a message ending in a newline leaves a blank line).
 */
export function checkErrText(errs: string[]): string {
  if (errs.length === 1) {
    const m = errs[0];
    const text = m.startsWith('error: ') || m.startsWith('Error from server') ? m : `error: ${m}`;
    return text.endsWith('\n') ? text : `${text}\n`;
  }
  return errs.map((e) => `${e}\n`).join('');
}

/**
 * CheckErr's text for a verb's formatted error blocks (each `error: ...\n`, or an API error's,
 * maybe with kubesim's excerpt after its first line): one as it is; several are the Builder's
 * aggregate, printed one a line without `error: `.
 */
export function printedBlocks(blocks: string[]): string {
  return blocks.length === 1 ? blocks[0] : checkErrText(blocks.map(rawError));
}

/** A formatted `error: ...\n` block back to the message it was made from (for checkErrText). */
export function rawError(formatted: string): string {
  return formatted.replace(/\n$/, '').replace(/^error: /, '');
}

/**
 * `--local` under ContinueOnError: the objects' own errors, then the files' decode errors (formatted
 * blocks), nested as one aggregate when there are both.
 */
export function withDecodeErrors(errors: string[], decodeErrors: string[]): string[] {
  if (!decodeErrors.length) return errors;
  const decode = decodeErrors.map(rawError);
  return errors.length ? [...errors, aggregateMessage(decode)] : decode;
}

/** utilerrors.Aggregate's Error(): one message as it is, several as `[a, b]`. */
export function aggregateMessage(errs: string[]): string {
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

export function formatApiError(e: ApiError, sourceFile?: string, verb?: string): string {
  // checkErr's Invalid case: the kind and name when the Status has them, else the message
  // when there are no causes to list (a JSON patch's bare 422, a proxy's empty one).
  if (e.reason === 'Invalid' && !sourceFile) {
    const d = e.details;
    const causes = [...new Set((d.causes ?? []).map(formatFieldError))];
    let title = 'The request is invalid';
    if (d.kind || d.name) title = `The ${d.kind ?? ''} "${d.name ?? ''}" is invalid`;
    else if (e.message && !causes.length) title += `: ${e.message}`;
    if (!causes.length) return `${title}\n`;
    if (causes.length === 1) return `${title}: ${causes[0]}\n`;
    return `${title}: \n${causes.map((c) => `* ${c}`).join('\n')}\n`;
  }
  const where = sourceFile && verb ? `error when ${verb} "${sourceFile}": ` : '';
  // StandardErrorMessage: a 401's Status message in parentheses
  if (e.reason === 'Unauthorized') return `error: You must be logged in to the server (${where}${e.message})\n`;
  return `Error from server${e.reason ? ` (${e.reason})` : ''}: ${where}${e.message}\n`;
}

export function formatError(e: unknown, verbose = false): string {
  if (e instanceof PrintedError) return e.text.endsWith('\n') || e.text === '' ? e.text : e.text + '\n';
  if (e instanceof ApiError) return formatApiError(e);
  if (e instanceof UnknownResourceError) return `error: ${e.message}\n`;
  if (e instanceof NoKindMatchError) return `error: ${e.message}\nensure CRDs are installed first\n`;
  if (e instanceof CliError || e instanceof StoreError) {
    const m = e.message;
    return m.startsWith('error: ') || m.startsWith('Error') ? `${m}\n` : `error: ${m}\n`;
  }
  const err = e as Error;
  return `error: ${err?.message ?? String(e)}\n${verbose && err?.stack ? err.stack + '\n' : ''}`;
}

/** client-go refuses a request for an object without a name before sending it. */
export const EMPTY_NAME = 'resource name may not be empty';

/** cmdutil.AddSourceToErr of an error that is no API error: `error when <verb> "<file>": <message>`. */
export function sourceError(verb: string, source: string, message: string): string {
  return `error when ${verb} "${source}": ${message}`;
}

/**
 * A Go error as kubectl's Builder hands it over: an API error, a plain error, or an
 * utilerrors aggregate (an array, nested as the Builder's visitors nest them).
 */
export type GoError = Error | GoError[];

/** utilerrors.NewAggregate: nil (undefined) for no errors. */
export function newAggregate(errs: GoError[]): GoError[] | undefined {
  return errs.length ? errs : undefined;
}

/** err.Error(): an aggregate of one is its error's text, else its distinct texts (nested ones visited) as `[a, b]`. */
export function goErrorMessage(e: GoError): string {
  if (!Array.isArray(e)) return e.message;
  if (e.length === 1) return goErrorMessage(e[0]);
  const seen: string[] = [];
  const visit = (agg: GoError[]): void => {
    for (const x of agg) {
      if (Array.isArray(x)) visit(x);
      else if (!seen.includes(x.message)) seen.push(x.message);
    }
  };
  visit(e);
  return seen.length === 1 ? seen[0] : `[${seen.join(', ')}]`;
}

/** utilerrors.FilterOut: the errors `drop` matches removed, aggregates rebuilt (nil when emptied). */
export function filterOut(e: GoError | undefined, drop: (x: Error) => boolean): GoError | undefined {
  if (e === undefined) return undefined;
  if (!Array.isArray(e)) return drop(e) ? undefined : e;
  return newAggregate(e.map((x) => filterOut(x, drop)).filter((x): x is GoError => x !== undefined));
}

/** utilerrors.Reduce(utilerrors.Flatten(NewAggregate(errs))): nested aggregates flattened, one error alone unwrapped. */
export function flattenReduce(errs: GoError[]): GoError | undefined {
  const flat: Error[] = [];
  const visit = (agg: GoError[]): void => {
    for (const x of agg) Array.isArray(x) ? visit(x) : flat.push(x);
  };
  visit(errs);
  return flat.length === 0 ? undefined : flat.length === 1 ? flat[0] : flat;
}

/**
 * cmdutil.CheckErr's text: an aggregate of one unwrapped once; an aggregate printed one error
 * a line (an API error in its standard form, anything else, nested aggregates too, as
 * err.Error()); a single error as formatError prints it.
 */
export function checkErrOf(e: GoError): string {
  if (Array.isArray(e) && e.length === 1) e = e[0];
  if (!Array.isArray(e)) return formatError(e);
  return e.map((x) => (x instanceof ApiError ? formatApiError(x) : x instanceof PrintedError ? `${rawError(formatError(x))}\n` : `${goErrorMessage(x)}\n`)).join('');
}
