// CRD rules that call functions Kubernetes 1.32 does not declare for new rules, refused at
// CRD create as kube-apiserver refuses them: a new rule compiles at compatibility version
// 1.31 (k8s.io/apiserver pkg/cel/environment/base.go: ext.TwoVarComprehensions only from
// 1.32, so only in stored rules; no ext.Lists sortBy; ext strings v2, no reverse), and
// cel-go's checker reports each undeclared reference, sorted by position.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crdRuleErrors } from '../../src/api/validation/crd-cel';
import type { KObject } from '../../src/api/types';

const crd = (rules: string[]): KObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: { versions: [{ name: 'v1', schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', additionalProperties: { type: 'integer' }, 'x-kubernetes-validations': rules.map((rule) => ({ rule })) } } } } }] },
});

const details = (rules: string[]) => crdRuleErrors(crd(rules)).map((e) => `${e.field}: ${e.detail}`);
const at = (i: number) => `spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[${i}].rule`;

test('a two-variable comprehension is a call of an undeclared function whose variables are undeclared', () => {
  assert.deepEqual(details(['self.all(k, v, v > 0 && k != "")']), [
    `${at(0)}: compilation failed: ERROR: <input>:1:9: undeclared reference to 'all' (in container '')
 | self.all(k, v, v > 0 && k != "")
 | ........^
ERROR: <input>:1:10: undeclared reference to 'k' (in container '')
 | self.all(k, v, v > 0 && k != "")
 | .........^
ERROR: <input>:1:13: undeclared reference to 'v' (in container '')
 | self.all(k, v, v > 0 && k != "")
 | ............^
ERROR: <input>:1:16: undeclared reference to 'v' (in container '')
 | self.all(k, v, v > 0 && k != "")
 | ...............^
ERROR: <input>:1:25: undeclared reference to 'k' (in container '')
 | self.all(k, v, v > 0 && k != "")
 | ........................^`,
  ]);
});

test('variables bound by 1.31 macros and cel.bind are declared; sortBy and reverse are undeclared', () => {
  assert.deepEqual(details(['self.exists(x, cel.bind(y, x, self.transformList(i, v, v + y).size() > 0))', "'ab'.reverse() == 'ba'", 'self.all(x, x.size() > 0)']), [
    `${at(0)}: compilation failed: ERROR: <input>:1:49: undeclared reference to 'transformList' (in container '')
 | self.exists(x, cel.bind(y, x, self.transformList(i, v, v + y).size() > 0))
 | ................................................^
ERROR: <input>:1:50: undeclared reference to 'i' (in container '')
 | self.exists(x, cel.bind(y, x, self.transformList(i, v, v + y).size() > 0))
 | .................................................^
ERROR: <input>:1:53: undeclared reference to 'v' (in container '')
 | self.exists(x, cel.bind(y, x, self.transformList(i, v, v + y).size() > 0))
 | ....................................................^
ERROR: <input>:1:56: undeclared reference to 'v' (in container '')
 | self.exists(x, cel.bind(y, x, self.transformList(i, v, v + y).size() > 0))
 | .......................................................^`,
    `${at(1)}: compilation failed: ERROR: <input>:1:13: undeclared reference to 'reverse' (in container '')
 | 'ab'.reverse() == 'ba'
 | ............^`,
  ]);
});

test('a constant format string whose list literal of arguments does not fit is refused at compile time (stringFormatValidator)', () => {
  const issue = (col: number, src: string, message: string) => `ERROR: <input>:1:${col}: ${message}\n | ${src}\n | ${'.'.repeat(col - 1)}^`;
  const rules = [
    `"%d-%s".format(["a", 1]) != ""`,
    `"%s %s".format(["abc"]) != ""`,
    `"%s".format(["abc", "def"]) != ""`,
    `"%s".format([[1, {"k": optional.none()}]]) != ""`,
    `"%q".format([1]) != ""`,
    `"%d %x %.2f %s".format([self.size(), "ab", 1.5, [1, 2]]) != ""`,
  ];
  assert.deepEqual(details(rules), [
    `${at(0)}: compilation failed: ${issue(17, rules[0]!, 'error during formatting: decimal clause can only be used on integers, was given string')}`,
    `${at(1)}: compilation failed: ${issue(15, rules[1]!, 'index 1 out of range')}`,
    `${at(2)}: compilation failed: ${issue(12, rules[2]!, 'too many arguments supplied to string.format (expected 1, got 2)')}`,
    `${at(3)}: compilation failed: ${issue(37, rules[3]!, 'error during formatting: string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps, was given optional_type')}`,
    `${at(4)}: compilation failed: ${issue(12, rules[4]!, 'could not parse formatting clause: unrecognized formatting clause "q"')}`,
  ]);
});

test('format arguments are typed from the schema: a field, an item bound by a macro, an object (named selfType<ns>), a duration', () => {
  const typed = (rules: string[]): KObject => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: { versions: [{ name: 'v1', schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-validations': rules.map((rule) => ({ rule })), properties: {
      name: { type: 'string' }, n: { type: 'integer' }, every: { type: 'string', format: 'duration' }, tags: { type: 'array', items: { type: 'string' } }, sub: { type: 'object', properties: { a: { type: 'string' } } },
    } } } } } }] },
  });
  const issue = (col: number, src: string, message: string) => `ERROR: <input>:1:${col}: ${message}\n | ${src}\n | ${'.'.repeat(col - 1)}^`;
  const decimal = 'error during formatting: decimal clause can only be used on integers, was given';
  const rules = [
    `"%s-%d".format([self.name, self.name]) != ""`,
    `self.tags.all(t, "%d".format([t]) != "")`,
    `"%d".format([self.every]) != ""`,
    // Fitting arguments compile; the untyped result check (a string is no bool) comes after the format check.
    `"%s-%d %s %x".format([self.name, self.n, self.every, self.name]) != ""`,
    `"%d".format([self.name])`,
    `"%x".format([self.name])`,
  ];
  // (Rule 3 compiles: no error of it.) A select is placed at its dot.
  assert.deepEqual(crdRuleErrors(typed(rules)).map((e) => `${e.field}: ${e.detail}`), [
    `${at(0)}: compilation failed: ${issue(32, rules[0]!, `${decimal} string`)}`,
    `${at(1)}: compilation failed: ${issue(31, rules[1]!, `${decimal} string`)}`,
    `${at(2)}: compilation failed: ${issue(18, rules[2]!, `${decimal} google.protobuf.Duration`)}`,
    `${at(4)}: compilation failed: ${issue(18, rules[4]!, `${decimal} string`)}`,
    `${at(5)}: cel expression must evaluate to a bool`,
  ]);
  // An object's type is named as generateUniqueSelfTypeName names it: a clock's nanosecond, new for every compile.
  const [sub] = crdRuleErrors(typed([`"%s".format([self.sub]) != ""`])).map((e) => e.detail!);
  assert.match(sub!, /^compilation failed: ERROR: <input>:1:18: error during formatting: string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps, was given selfType\d{1,9}\.sub\n/);
});
