// `-o custom-columns=HEADER:path,...` and `-o custom-columns-file=F` (kubectl get/customcolumn.go).
import { CliError } from '../api/errors';
import type { KObject } from '../api/types';
import { goSprint } from '../util/go-format';
import { JsonPath, JsonPathError, relaxedJsonPath } from './jsonpath';
import { GET_TABLE, tabwrite } from './tabwriter';

export interface CustomColumn {
  header: string;
  /** Braced JSONPath, e.g. `{.metadata.name}`. */
  fieldSpec: string;
}

function relaxed(path: string): string {
  try {
    return relaxedJsonPath(path);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** Parses the inline spec (`NAME:.metadata.name,IMAGE:.spec.containers[*].image`). */
export function parseCustomColumnsSpec(spec: string): CustomColumn[] {
  if (spec.length === 0) throw new CliError('custom-columns format specified but no custom columns given');
  return spec.split(',').map((part) => {
    const i = part.indexOf(':');
    if (i < 0) throw new CliError(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    return { header: part.slice(0, i), fieldSpec: relaxed(part.slice(i + 1)) };
  });
}

const words = (line: string): string[] => line.split(/[ \t\n\v\f\r\u0085\u00a0]+/u).filter((w) => w !== '');

/** Parses a custom-columns file: a line of headers, then a line of paths. */
export function parseCustomColumnsTemplate(text: string): CustomColumn[] {
  // bufio.Scanner lines: a final newline does not start another line.
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (text.endsWith('\n') || text === '') lines.pop();
  const hint = 'Expected format is one line of space separated headers, one line of space separated column specs.';
  if (lines.length < 1) throw new CliError(`invalid template, missing header line. ${hint}`);
  if (lines.length < 2) throw new CliError(`invalid template, missing spec line. ${hint}`);
  const headers = words(lines[0]);
  const specs = words(lines[1]);
  if (headers.length !== specs.length) {
    throw new CliError(`number of headers (${headers.length}) and field specifications (${specs.length}) don't match`);
  }
  return headers.map((h, i) => ({ header: h, fieldSpec: relaxed(specs[i]) }));
}

/** The rows of a custom-columns table (cells only; header first unless noHeaders). */
export function customColumnRows(objs: KObject[], columns: CustomColumn[], noHeaders = false): string[][] {
  const parsers = columns.map((c) => {
    try {
      const jp = new JsonPath(c.fieldSpec);
      jp.allowMissingKeys = true;
      return jp;
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  });
  const rows: string[][] = noHeaders ? [] : [columns.map((c) => c.header)];
  for (const o of objs) {
    rows.push(
      parsers.map((p) => {
        let values: unknown[][];
        try {
          values = p.findResults(o);
        } catch (e) {
          if (e instanceof JsonPathError) throw new CliError(e.message);
          throw e;
        }
        const out: string[] = [];
        if (values.length === 0 || values[0].length === 0) out.push('<none>');
        for (const vs of values) for (const v of vs) out.push(goSprint(v));
        return out.join(',');
      }),
    );
  }
  return rows;
}

/** The custom-columns output for objects (aligned like get tables; header as given). */
export function printCustomColumns(objs: KObject[], columns: CustomColumn[], noHeaders = false): string {
  const rows = customColumnRows(objs, columns, noHeaders);
  if (rows.length === 0) return '';
  return tabwrite(rows.map((r) => r.join('\t')).join('\n') + '\n', GET_TABLE);
}
