// Differential cases for kubectl's decoding of -f files (beside cases.ts, which allCases
// draws on): the typed decoder of the set verbs and what each verb prints of several errors.

/** The set verbs' typed decode: one case per class of value. */
const TYPED_DECODE = [
  // Ints between 2^63 and 2^64 keep their digits in the error; -2^63-1 is refused too.
  'set image --local -f int-range.yaml c=x',
  'set env --local -f int-range-neg.yaml A=1 -o name',
  // Past int64 the unstructured decoders read float64: JSONToYAML writes those uint64 holds as ints.
  'label --local -f int-range.yaml a=b -o yaml',
  // A JSON file is decoded in its own order, numbers as written (80.0 is no int32).
  'set image --local -f typed-order.json c=y',
  // Named string types (v1.Protocol), IntOrString's own decoding (its error wins over a saved one), metav1.Time's parse.
  'set env --local -f typed-named.yaml A=1 -o name',
  'set env --local -f typed-intstr.yaml A=1 -o name',
  'set image --local -f typed-time.yaml c=y',
  // The typed round trip drops the fields the Go structs do not have.
  'set image --local -f typed-unknown.yaml web=x -o yaml',
];

/** Several -f errors: one aggregate, an error a line, in the order the files were given. */
const AGGREGATES = [
  // Every missing path is stat'ed before any file is read; get's visitors nest their errors (bare even alone).
  'label --local -f nosuch.yaml -f nosuch2.yaml a=b',
  'get -f no-kind.yaml -f no-kind.json',
  'get -f bad-meta.yaml',
  'wait --local -f no-kind.yaml -f no-kind.json --for=delete',
  // A document's own error in its file's place, before a later file's parse error.
  'create --dry-run=client --validate=false -f bad-meta.yaml -f no-kind.yaml',
  // diff has no schema and stops at its first error; no objects is no error.
  'diff -f bad-meta.yaml -f no-kind.yaml',
  'diff -f empty.yaml',
  'create --dry-run=client --validate=false -f no-kind.yaml -f no-kind.json',
  'delete --dry-run=client -f no-kind.yaml -f no-kind.json',
  'set image --local -f typed-bad.yaml -f typed-quantity.yaml -f data.txt web=x',
  'set image --local -f no-kind.yaml -f no-kind.json a=b',
];

/** Values set checks as the Go types do: a kind without a pod template, quantities, base64. */
const VALUES = [
  // set's getObjectName: kind.group/name and its stray newline for a grouped kind.
  'set env --local -f controller-revision.yaml -f svc.yaml A=1',
  // ParseQuantity: the suffix error, texts read as zero or kept as written, Quantity fields re-encoded.
  'set resources --local -f deploy.yaml --limits=cpu=1e',
  "set resources --local -f deploy.yaml --limits=cpu=1.,memory=.e3 --requests=cpu=1E3 -o jsonpath='{.spec.template.spec.containers[0].resources}'",
  'set image --local -f quantity-numbers.yaml c=y -o json',
  // A []byte must be base64.
  'set env --local -f secret-base64.yaml A=1',
];

/** -f is a StringSlice, and a path that does not exist a filepath.Glob pattern (expandIfFilePattern). */
const PATHS = [
  // Go's glob: each directory level sorted by bytes, a class, `?`, several patterns in one -f.
  'set env --local -f deploy*.yaml A=1 -o name',
  'label --local -f c[a-m]*.yaml,s?s.yaml a=b -o name',
  // A malformed pattern and one matching nothing, in one aggregate.
  'label --local -f [.yaml -f nomatch*.yaml a=b',
  // set env builds from the files alone under --local: its resource arguments are ignored.
  'set env --local -f deploy.yaml deployment/other A=1 -o name',
];

export const DECODE_CASES = [...TYPED_DECODE, ...AGGREGATES, ...VALUES, ...PATHS];
