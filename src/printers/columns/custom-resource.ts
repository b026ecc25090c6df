// Tables of custom resources: the apiextensions-apiserver table convertor. NAME plus the
// CRD's additionalPrinterColumns for the preferred served version; a CRD without columns
// gets the default Age column. Types: date -> age, integer/number/boolean -> %v, string ->
// JSONPath text; a missing value is a nil cell (null in the Table, nothing printed).
import { isObject, type KObject } from '../../api/types';
import { age } from '../duration';
import { goFloat, goNumber } from '../../util/go-format';
import { JsonPath, printResults } from '../jsonpath';
import { AGE_DOC, nameCol, type Column, type KindTable } from './types';
import { arr, str } from './util';

interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  priority?: number;
  format?: string;
  description?: string;
}

/** Kube-aware version priority (v1 > v1beta2 > v1beta1 > v1alpha1 > non-kube names). */
function versionRank(v: string): [number, number, number, string] {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return [3, 0, 0, v];
  const major = Number(m[1]);
  const stage = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
  return [stage, -major, -(Number(m[3] ?? 0)), ''];
}

export function preferredVersion(crd: KObject): any {
  const served = arr(crd.spec?.versions).filter((v) => v?.served !== false);
  served.sort((a, b) => {
    const x = versionRank(str(a.name));
    const y = versionRank(str(b.name));
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
    return x[3] < y[3] ? -1 : x[3] > y[3] ? 1 : 0;
  });
  return served[0];
}

/** The column types whose cells cellForJSONValue types (a string column's cell is its JSONPath text). */
const CELL_TYPES = new Set(['integer', 'number', 'boolean', 'date']);

function cellFor(type: string, value: unknown): string | null {
  // A string column prints the value it found through an invalid reflect.Value when that is
  // JSON null: text/template's "<no value>". A typed column's null is nil.
  if (value === null || value === undefined) return type === 'string' ? '<no value>' : null;
  switch (type) {
    case 'integer':
      // An exact int64 past 2^53 is a bigint (util/exact-json): its digits, as %v prints an int64.
      return typeof value === 'number' ? goNumber(Math.trunc(value)) : typeof value === 'bigint' ? value.toString() : '';
    case 'number':
      return typeof value === 'number' ? goFloat(value) : typeof value === 'bigint' ? value.toString() : '';
    case 'boolean':
      return typeof value === 'boolean' ? String(value) : '';
    case 'date':
      return typeof value === 'string' ? (Number.isNaN(Date.parse(value)) ? '<invalid>' : '') : '';
    case 'string':
      return printResults([value]);
    default:
      return null;
  }
}

export function customResourceTable(crd: KObject, version?: string): KindTable {
  const v = version ? arr(crd.spec?.versions).find((x) => x?.name === version) : preferredVersion(crd);
  let cols: PrinterColumn[] = arr(v?.additionalPrinterColumns).filter(isObject) as PrinterColumn[];
  // apiextensions' serveDefaultColumnsIfEmpty
  if (cols.length === 0) cols = [{ name: 'Age', type: 'date', description: AGE_DOC, jsonPath: '.metadata.creationTimestamp' }];
  const paths = cols.map((c) => {
    const jp = new JsonPath(`{${c.jsonPath}}`);
    jp.allowMissingKeys = true;
    return jp;
  });
  // The convertor's definitions: the CRD's type and format, its description or the JSONPath.
  const columns: Column[] = [
    nameCol,
    ...cols.map((c): Column => ({
      name: c.name,
      priority: (c.priority ?? 0) > 0 ? 1 : 0,
      type: str(c.type),
      ...(c.format ? { format: str(c.format) } : {}),
      ...(CELL_TYPES.has(str(c.type)) ? { cell: str(c.type) as Column['cell'] } : {}),
      description: c.description ? str(c.description) : `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
    })),
  ];
  return {
    columns,
    cells: (o, now) => [
      str(o.metadata.name),
      ...cols.map((c, i) => {
        let value: unknown;
        try {
          const r = paths[i].findResults(o);
          if (r.length === 0 || r[0].length === 0) return null;
          value = r[0][0];
        } catch {
          return null;
        }
        if (c.type === 'date' && typeof value === 'string' && !Number.isNaN(Date.parse(value))) return age(value, now);
        return cellFor(c.type, value);
      }),
    ],
  };
}
