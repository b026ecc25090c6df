// Estimated costs of CRD validation rules against kube's own expectations: the numbers are
// apiextensions-apiserver 1.32's (pkg/apiserver/schema/cel/compilation_test.go
// TestCostEstimation: each rule once with no maxItems/maxLength/maxProperties, its
// "calc" cost, and once with them set, its "set" cost).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateMaxCost, schemaDecl } from '../../src/api/validation/crd-cel-cost';
import { typedAst } from '../../src/api/validation/crd-cel-types';
import { withKubeFunctions } from '../../src/api/validation/crd-cel-lib';

type S = Record<string, any>;
type Gen = (max?: number) => S;

/** The rule's estimated max cost on a schema that is not a resource root (as compilation_test.go compiles it). */
function cost(schema: S, rule: string): bigint | undefined {
  const ast = typedAst(withKubeFunctions(rule), schema, false, false);
  assert.ok(ast, `${rule} type-checks`);
  return estimateMaxCost(ast, schemaDecl(schema, false)!);
}

const ruleType = (t: string): S => (['duration', 'date', 'date-time'].includes(t) ? { type: 'string', format: t } : t === 'int-or-string' ? { 'x-kubernetes-int-or-string': true } : { type: t });
const arrayOf = (t: string): Gen => (max) => ({ type: 'array', items: ruleType(t), ...(max !== undefined ? { maxItems: max } : {}) });
const arrayOfArrays = (t: string): Gen => (max) => ({ type: 'array', items: { type: 'array', items: { type: t } }, ...(max !== undefined ? { maxItems: max } : {}) });
const reqObj = { type: 'object', properties: { required: { type: 'string' }, optional: { type: 'string' } }, required: ['required'] };
const objectArray: Gen = (max) => ({ type: 'array', items: reqObj, ...(max !== undefined ? { maxItems: max } : {}) });
const mapArray = (t: string): Gen => (max) => ({ type: 'array', items: { type: 'object', additionalProperties: { type: t } }, ...(max !== undefined ? { maxItems: max } : {}) });
const mapOf = (item: S): Gen => (max) => ({ type: 'object', additionalProperties: item, ...(max !== undefined ? { maxProperties: max } : {}) });
const str: Gen = (max) => ({ type: 'string', ...(max !== undefined ? { maxLength: max } : {}) });
const bytes: Gen = (max) => ({ type: 'string', format: 'byte', ...(max !== undefined ? { maxLength: max } : {}) });
const nestedSpec: Gen = (max) => ({ type: 'object', additionalProperties: { type: 'string', ...(max !== undefined ? { maxLength: max } : {}) }, ...(max !== undefined ? { maxProperties: max } : {}) });
const allMaxNested: Gen = (max) => ({
  type: 'array',
  ...(max !== undefined ? { maxItems: max } : {}),
  items: { type: 'object', ...(max !== undefined ? { maxProperties: max } : {}), additionalProperties: { ...reqObj, ...(max !== undefined ? { maxProperties: max } : {}) } },
});
const oneMaxNested: Gen = (max) => ({ type: 'array', items: { type: 'object', ...(max !== undefined ? { maxProperties: max } : {}), additionalProperties: reqObj } });
const enumStr = (...values: string[]): Gen => (max) => ({ type: 'string', enum: values, ...(max !== undefined ? { maxLength: max } : {}) });
const strList: Gen = (max) => ({ type: 'array', items: str(max), ...(max !== undefined ? { maxItems: max } : {}) });
const replaceObj: Gen = (max) => ({ type: 'object', properties: { str: str(max), before: str(2), after: str(4) } });
const splitObj: Gen = (max) => ({ type: 'object', properties: { str: str(max), separator: str(max) } });

// [name, schema, rule, calc cost, set maxima, set cost]
const CASES: [string, Gen, string, number, number, number][] = [
  ['number array with all', arrayOf('number'), 'self.all(x, true)', 4718591, 10, 32],
  ['string array with all', arrayOf('string'), 'self.all(x, true)', 3145727, 20, 62],
  ['boolean array with all', arrayOf('boolean'), 'self.all(x, true)', 1887437, 5, 17],
  ['array of number arrays with all', arrayOfArrays('number'), 'self.all(x, true)', 3145727, 100, 302],
  ['array of objects with all', objectArray, 'self.all(x, true)', 555128, 50, 152],
  ['map of numbers with all', mapOf({ type: 'number' }), 'self.all(x, true)', 1348169, 10, 32],
  ['map of numbers with has', mapOf({ type: 'number' }), 'has(self.x)', 1, 100, 1],
  ['map of strings with all', mapOf({ type: 'string' }), 'self.all(x, true)', 1179647, 3, 11],
  ['map of booleans with all', mapOf({ type: 'boolean' }), 'self.all(x, true)', 943718, 100, 302],
  ['string with contains', str, "self.contains('test')", 314574, 10, 5],
  ['string with startsWith', str, "self.startsWith('test')", 2, 15, 2],
  ['concat string', str, 'size(self + "hello") > size("hello")', 314578, 4, 7],
  ['index of array with numbers', arrayOf('number'), 'self[1] == 0.0', 2, 5000, 2],
  ['index of array with strings', arrayOf('string'), 'self[1] == self[1]', 314577, 8, 314577],
  ['O(n^2) loop with numbers (set)', arrayOf('number'), 'self.all(x, self.all(y, true))', -1, 10, 352],
  ['O(n^3) loop with numbers (set)', arrayOf('number'), 'self.all(x, self.all(y, self.all(z, true)))', -1, 10, 3552],
  ['regex matches simple', str, 'self.matches("x")', 314574, 50, 22],
  ['regex matches empty string', str, '"".matches("(((((((((())))))))))[0-9]")', 7, 10, 7],
  ['regex matches empty regex', str, 'self.matches("")', 1, 100, 1],
  ['map of strings with value length', nestedSpec, 'self.all(x, x.contains(self[x]))', 2752507, 10, 72],
  ['set string maxLength to zero', str, 'self == "x"', 2, 0, 1],
  ['set bytes maxLength to zero', bytes, 'self == b"x"', 2, 0, 1],
  ['set maxLength greater than estimated', arrayOf('number'), 'self.all(x, x == 0.0)', 6291454, 3 * 1024 * 2048, 25165826],
  ['nested types, all with maxima', allMaxNested, 'self.all(x, x["y"].required == "z")', 7340027, 10, 72],
  ['nested types, one with maxima', oneMaxNested, 'self.all(x, x["y"].required == "z")', 7340027, 10, 7340027],
  ['int-or-string array with all', arrayOf('int-or-string'), 'self.all(x, true)', 4718591, 10, 32],
  ['index of array with int-or-strings', arrayOf('int-or-string'), 'self[0] == 5', 3, 10, 3],
  ['array of number maps with all', mapArray('number'), 'self.all(x, x.y == 25.2)', 6291452, 12, 74],
  ['index of array of number maps', mapArray('number'), 'self[0].x > 2.0', 4, 3000, 4],
  ['duration array with all', arrayOf('duration'), 'self.all(x, true)', 2359295, 5, 17],
  ['index of duration array', arrayOf('duration'), 'self[0].getHours() == 2', 4, 525, 4],
  ['date array with all', arrayOf('date'), 'self.all(x, true)', 725936, 15, 47],
  ['date-time array with all', arrayOf('date-time'), 'self.all(x, true)', 428963, 25, 77],
  ['map of objects with all', mapOf(reqObj), 'self.all(x, true)', 428963, 20, 62],
  ['map of number arrays with all', mapOf({ type: 'array', items: { type: 'number' } }), 'self.all(x, true)', 1179647, 25, 77],
  ['map of durations with all', mapOf({ type: 'string', format: 'duration' }), 'self.all(x, true)', 1048577, 5, 17],
  ['map of date-times with all', mapOf({ type: 'string', format: 'date-time' }), 'self.all(x, true)', 349526, 25, 77],
  ['extended library regex find', str, "self.find('[0-9]+') == ''", 629147, 10, 11],
  ['extended library join', strList, "self.join(' ') == 'aa bb'", 329853068905, 10, 43],
  ['extended library isSorted', strList, 'self.isSorted() == true', 329854432052, 10, 52],
  ['extended library replace', replaceObj, "self.str.replace(self.before, self.after) == 'does not matter'", 629154, 4, 12],
  ['extended library split', splitObj, 'self.str.split(self.separator) == []', 629160, 10, 22],
  ['extended library lowerAscii', str, "self.lowerAscii() == 'lower!'", 314575, 10, 6],
  ['check cost of size call', mapOf({ type: 'integer' }), 'oldSelf.size() == self.size()', 5, 10, 5],
  ['timestamp comparison', mapOf({ type: 'string', format: 'date-time' }), 'self["a"] == self["b"]', 8, 7, 8],
  ['enum maxLength from the longest value', enumStr('A', 'B', 'C', 'LongValue'), "self.contains('A')", 2, 1000, 401],
];

for (const [name, gen, rule, calc, max, set] of CASES) {
  test(`estimated cost: ${name}`, () => {
    if (calc >= 0) assert.equal(cost(gen(), rule), BigInt(calc), 'with no maxima');
    else assert.ok(cost(gen(), rule)! > 10_000_000n, 'with no maxima: beyond the per-rule limit');
    assert.equal(cost(gen(max), rule), BigInt(set), `with maxima ${max}`);
  });
}

// library/cost_test.go's estimated costs of Kubernetes' libraries (literal arguments; the max of each range;
// its authorizer and two-variable comprehension cases are not in kubesim's CEL, nor == of formats).
const LIBRARY: [string, number][] = [
  ['quantity("12Mi")', 1],
  ['isQuantity("20")', 1],
  ['isQuantity("20M")', 1],
  ['quantity("200M") == quantity("200M")', 3],
  ['quantity("200M") == quantity("0.2G") && quantity("0.2G") == quantity("200M")', 6],
  ['quantity("2M") == quantity("0.002G") && quantity("2000k") == quantity("2M") && quantity("0.002G") == quantity("2000k")', 9],
  ['quantity("50M").isLessThan(quantity("50Mi"))', 3],
  ['quantity("50Mi").isGreaterThan(quantity("50M"))', 3],
  ['quantity("200M").compareTo(quantity("0.2G")) > 0', 4],
  ['quantity("50k").add(quantity("20")) == quantity("50.02k")', 5],
  ['quantity("50k").sub(quantity("20")) == quantity("49.98k")', 5],
  ['quantity("50k").sub(20) == quantity("49980")', 4],
  ['quantity("50k").add(20).sub(quantity("100k")).asInteger() > 0', 6],
  ['quantity("50k").add(20).sub(quantity("100k")).sub(-50000).asInteger() > 0', 7],
  ['quantity("50k").asInteger() > 0', 3],
  ['quantity("50").isInteger()', 2],
  ['quantity("50.703k").asApproximateFloat() > 0.0', 3],
  ['format.named("dns1123subdomain")', 1],
  ['format.named("dns1123Label").value().validate("my-name")', 34],
  ['sets.contains([], [])', 21],
  ['sets.contains([1], [])', 21],
  ['sets.contains([1], [1])', 22],
  ['sets.contains([1], [1, 1])', 23],
  ['sets.contains([1, 1], [1])', 23],
  ['sets.contains([2, 1], [1])', 23],
  ['sets.contains([1, 2, 3, 4], [2, 3])', 29],
  ['sets.contains([1], [1.0, 1])', 23],
  ['sets.contains([1, 2], [2u, 2.0])', 25],
  ['sets.contains([1, 2u], [2, 2.0])', 25],
  ['sets.contains([1, 2.0, 3u], [1.0, 2u, 3])', 30],
  ['!sets.contains([1], [2])', 23],
  ['!sets.contains([1], [1, 2])', 24],
  ['!sets.contains([1], ["1", 1])', 24],
  ['!sets.contains([1], [1.1, 1u])', 24],
  ['sets.equivalent([], [])', 21],
  ['sets.equivalent([1], [1])', 23],
  ['sets.equivalent([1], [1, 1])', 25],
  ['sets.equivalent([1, 1], [1])', 25],
  ['sets.equivalent([1], [1u, 1.0])', 25],
  ['sets.equivalent([1, 2, 3], [3u, 2.0, 1])', 39],
  ['sets.equivalent([[1.0], [2, 3]], [[1], [2, 3.0]])', 69],
  ['!sets.equivalent([2, 1], [1])', 26],
  ['!sets.equivalent([1], [1, 2])', 26],
  ['!sets.equivalent([1, 2], [2u, 2, 2.0])', 34],
  ['!sets.equivalent([1, 2], [1u, 2, 2.3])', 34],
  ['sets.intersects([1], [1])', 22],
  ['sets.intersects([1], [1, 1])', 23],
  ['sets.intersects([1, 1], [1])', 23],
  ['sets.intersects([2, 1], [1])', 23],
  ['sets.intersects([1], [1, 2])', 23],
  ['sets.intersects([1], [1.0, 2])', 23],
  ['sets.intersects([1, 2], [2u, 2, 2.0])', 27],
  ['sets.intersects([1, 2], [1u, 2, 2.3])', 27],
  ['sets.intersects([[1], [2, 3]], [[1, 2], [2, 3.0]])', 65],
  ['!sets.intersects([], [])', 22],
  ['!sets.intersects([1], [])', 22],
  ['!sets.intersects([1], [2])', 23],
  ['!sets.intersects([1], ["1", 2])', 24],
  ['!sets.intersects([1], [1.1, 2u])', 24],
];

test('estimated cost of Kubernetes library calls: quantity, format, sets', () => {
  const schema = { type: 'object' };
  for (const [rule, max] of LIBRARY) assert.equal(cost(schema, rule), BigInt(max), rule);
});

// ---------- at CRD create and update (crdRuleErrors) ----------

import { crdRuleErrors } from '../../src/api/validation/crd-cel';
import type { KObject } from '../../src/api/types';

const crd = (spec: S): KObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: { versions: [{ name: 'v1', schema: { openAPIV3Schema: { type: 'object', properties: { spec } } } }] },
});
const lowercase = "self.all(x, x.matches('^[a-z]+$'))";
const names = (maxItems?: number, maxLength?: number, rules = [lowercase]): S => ({
  type: 'array',
  ...(maxItems !== undefined ? { maxItems } : {}),
  items: { type: 'string', ...(maxLength !== undefined ? { maxLength } : {}) },
  'x-kubernetes-validations': rules.map((rule) => ({ rule })),
});
const HINT = '(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)';
const RULE = (i: number) => `spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[${i}].rule`;
const lines = (errs: { field: string; type: string; detail?: string }[]) => errs.map((e) => `${e.field}: ${e.type}: ${e.detail}`);

test('a regex over every item of an unbounded list of unbounded strings is refused, per rule and for the schema', () => {
  assert.deepEqual(lines(crdRuleErrors(crd(names()))), [
    `${RULE(0)}: Forbidden: estimated rule cost exceeds budget by factor of more than 100x ${HINT}`,
    `${RULE(0)}: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema`,
    `spec.validation.openAPIV3Schema: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x ${HINT}`,
  ]);
});

test('the factor is %.1f from 1.5x, %f below it; maxItems and maxLength bound the cost', () => {
  // 10,000 items × (2 × ceil((4 × 2000 + 1) × 0.1) + 4) + 2 = 16,060,002
  assert.deepEqual(lines(crdRuleErrors(crd(names(10000, 2000)))), [`${RULE(0)}: Forbidden: estimated rule cost exceeds budget by factor of 1.6x ${HINT}`]);
  // 10,000 × (2 × 741 + 4) + 2 = 14,860,002
  assert.deepEqual(lines(crdRuleErrors(crd(names(10000, 1850)))), [`${RULE(0)}: Forbidden: estimated rule cost exceeds budget by factor of 1.486000x ${HINT}`]);
  assert.deepEqual(crdRuleErrors(crd(names(100, 63))), []);
});

test('rules each within the per-rule limit are refused together past the per-CRD limit, the four most expensive named', () => {
  // 11 × 9,636,002 = 105,996,022
  const errs = lines(crdRuleErrors(crd(names(6000, 2000, Array(11).fill(lowercase)))));
  assert.deepEqual(errs, [
    ...[0, 1, 2, 3].map((i) => `${RULE(i)}: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema`),
    `spec.validation.openAPIV3Schema: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of 1.059960x ${HINT}`,
  ]);
});

test('a rule under a bounded list is costed once per possible occurrence; an update leaving a schema as it was lifts only the per-rule limit', () => {
  const nested = (maxItems: number): S => ({ type: 'array', maxItems, items: { type: 'object', properties: { names: names(1000, 2000) } } });
  // 1000 × (2 × 801 + 4) + 2 = 1,606,002 per list of names, 7 of them: 11,242,014
  const field = 'spec.validation.openAPIV3Schema.properties[spec].items.properties[names].x-kubernetes-validations[0].rule';
  assert.deepEqual(lines(crdRuleErrors(crd(nested(6)))), []);
  assert.deepEqual(lines(crdRuleErrors(crd(nested(7)))), [`${field}: Forbidden: estimated rule cost exceeds budget by factor of 1.124201x ${HINT}`]);
  assert.deepEqual(crdRuleErrors(crd(nested(7)), crd(nested(7))), []);
  assert.equal(crdRuleErrors(crd(nested(100)), crd(nested(100))).length, 2, 'the per-CRD total still applies');
});
