// CRD CEL validation rules (x-kubernetes-validations) enforced as kube-apiserver 1.32 does,
// through the real kubectl against `kubesim serve` and the in-process CLI on one cluster.
// The wording oracle is apiextensions-apiserver v0.32.4: pkg/apiserver/schema/cel/
// validation.go (validateExpressions, fieldErrorForReason, ruleMessageOrDefault; the value
// shown is the schema node's type), pkg/registry/customresource/strategy.go (hasBlockingErr)
// and pkg/apis/apiextensions/validation/validation.go (a rule that does not compile refuses
// the CRD, its value the ValidationRule printed with %#v).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';
import { crdYaml as crdSkeleton } from '../helpers/crd';

const c = new ServedCluster('cel');
before(() => c.setUp({ kubectl: true, create: ['--nodes', '1'] }));
after(() => c.stop());

/** A namespaced CRD of example.com with one version, v1, of schema `schema` (indented as openAPIV3Schema's body). */
const crdYaml = (plural: string, kind: string, schema: string) => crdSkeleton({ plural, kind }) + schema;

const widgets = (maxRule = '') => crdYaml('widgets', 'Widget', `        x-kubernetes-validations:
        - rule: self.metadata.name != 'bad'
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: self.min <= self.max
            - rule: "!has(self.name) || self.name.startsWith('w-')"
              messageExpression: "'name ' + self.name + ' must start with w-'"
            - rule: self.size == oldSelf.size
              message: size is immutable
              reason: FieldValueForbidden
              fieldPath: .size
            - rule: oldSelf.hasValue() || self.min >= 0
              optionalOldSelf: true
              message: min must not be negative on create
            - rule: has(self.size)
              reason: FieldValueRequired
              message: size is required
            properties:
              min: {type: integer}
              max: {type: integer${maxRule}}
              name: {type: string}
              size: {type: string}
              tier: {type: string, enum: [a, b]}
              hosts:
                type: array
                maxItems: 16
                items:
                  type: string
                  maxLength: 64
                  x-kubernetes-validations:
                  - rule: self.matches('^(?i)[a-z.]+$')
                x-kubernetes-validations:
                - rule: self.all(h, self.exists_one(x, x == h))
                  reason: FieldValueDuplicate
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
                    port: {type: integer}
                  x-kubernetes-validations:
                  - rule: self.port == oldSelf.port
                    message: the port of a named entry is immutable
`);

const widget = (spec: string, name = 'w') => `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: ${name}, namespace: default}\nspec: ${spec}\n`;
const invalid = (...causes: string[]) => (causes.length === 1 ? `The Widget "w" is invalid: ${causes[0]}\n` : `The Widget "w" is invalid: \n${causes.map((x) => `* ${x}\n`).join('')}`);

const refusedAlike = (args: string[], stdin: string, stderr: string) => c.refusedAlike(args, stdin, stderr);

/** kubectl accepts with `stdout`; a server dry run (it writes nothing) in-process too, at the same time. */
async function acceptedAlike(args: string[], stdin: string, stdout: string): Promise<void> {
  const dry = args.includes('--dry-run=server');
  const [k, s] = await Promise.all([c.kubectlAsync(args, { stdin }), dry ? c.hosted(args, { stdin }) : undefined]);
  assert.deepEqual([k.code, k.stdout, k.stderr], [0, stdout, ''], `kubectl ${args.join(' ')} <<< ${stdin}`);
  if (dry) assert.deepEqual(s, k, `in-process ${args.join(' ')}`);
}

test('rules of a custom resource: failures worded as kube-apiserver, on create', async () => {
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: widgets() }).code, 0);
  assert.equal(c.kubectl(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=20s']).code, 0);
  const create = ['create', '-f', '-'];
  const cases: [spec: string, stderr: string][] = [
    // No message: "failed rule: <rule>"; messageExpression evaluated; the value is the node's schema type.
    ['{min: 5, max: 3, name: x, size: s}', invalid('spec: Invalid value: "object": failed rule: self.min <= self.max', 'spec: Invalid value: "object": name x must start with w-')],
    // A runtime error: "<error> evaluating rule: <rule>".
    ['{min: 1, size: s}', invalid('spec: Invalid value: "object": no such key: max evaluating rule: self.min <= self.max')],
    // optionalOldSelf: evaluated on create with oldSelf none.
    ['{min: -1, max: 3, size: s}', invalid('spec: Invalid value: "object": min must not be negative on create')],
    // reason FieldValueRequired / FieldValueDuplicate (Duplicate shows the type, no message).
    ['{min: 1, max: 3}', invalid('spec: Required value: size is required')],
    ['{min: 1, max: 3, size: s, hosts: [a.b, c, a.b]}', invalid('spec.hosts: Duplicate value: "array"')],
    // matches() is RE2: `(?i)` inside a pattern; a rule on array items names the index.
    ['{min: 1, max: 3, size: s, hosts: [A.B, c-d]}', invalid('spec.hosts[1]: Invalid value: "string": failed rule: self.matches(\'^(?i)[a-z.]+$\')')],
    // A blocking schema error (here NotSupported): the rules are not run, and one error says so.
    ['{min: 5, max: 3, size: s, tier: c}', invalid('spec.tier: Unsupported value: "c": supported values: "a", "b"', '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation')],
  ];
  for (const [spec, stderr] of cases) await refusedAlike(create, widget(spec), stderr);
  // A rule at the resource root: a nil field path; self.metadata shows the name.
  await refusedAlike(create, widget('{min: 1, max: 3, size: s}', 'bad'), 'The Widget "bad" is invalid: <nil>: Invalid value: "object": failed rule: self.metadata.name != \'bad\'\n');
  await acceptedAlike(['create', '-f', '-', '--dry-run=server'], widget('{min: 1, max: 3, size: s, hosts: [A.B, c]}'), 'widget.example.com/w created (server dry run)\n');
});

test('transition rules (oldSelf) run on update only, list-map items correlate by key, unchanged values ratchet', async () => {
  const apply = ['apply', '-f', '-'];
  const base = '{min: 1, max: 200, name: w-1, size: s, ports: [{name: http, port: 80}]}';
  assert.deepEqual(c.kubectl(apply, { stdin: widget(base) }), { code: 0, stdout: 'widget.example.com/w created\n', stderr: '' });
  // Immutable size: reason Forbidden at fieldPath .size.
  await refusedAlike(apply, widget(base.replace('size: s', 'size: m')), invalid('spec.size: Forbidden: size is immutable'));
  // The item keyed "http" correlates with its old self wherever it moves; a new key has no oldSelf.
  await refusedAlike(apply, widget(base.replace('port: 80', 'port: 81')), invalid('spec.ports[0]: Invalid value: "object": the port of a named entry is immutable'));
  const moved = base.replace('[{name: http, port: 80}]', '[{name: https, port: 443}, {name: http, port: 80}]');
  assert.deepEqual(await c.hosted(apply, { stdin: widget(moved) }), { code: 0, stdout: 'widget.example.com/w configured\n', stderr: '' });
  // The optionalOldSelf rule has an old value now: a negative min is allowed on update.
  assert.equal(c.kubectl(apply, { stdin: widget(moved.replace('min: 1', 'min: -1')) }).code, 0);

  // A rule added later: the stored max (200) breaks it; left as it was, it ratchets (CRDValidationRatcheting).
  assert.equal(c.kubectl(apply, { stdin: widgets(', x-kubernetes-validations: [{rule: self < 100}]') }).code, 0);
  const later = moved.replace('min: 1', 'min: -1');
  assert.deepEqual(c.kubectl(apply, { stdin: widget(later.replace('name: w-1', 'name: w-2')) }), { code: 0, stdout: 'widget.example.com/w configured\n', stderr: '' });
  await refusedAlike(apply, widget(later.replace('name: w-1', 'name: w-2').replace('max: 200', 'max: 150')), invalid('spec.max: Invalid value: "integer": failed rule: self < 100'));
  assert.equal(c.kubectl(['get', 'widget', 'w', '-o', 'jsonpath={.spec.max} {.spec.name} {.spec.ports[*].name}']).stdout, '200 w-2 https http');
});

test('a CRD whose rule does not compile is refused; a rule using a library kubesim lacks is accepted', async () => {
  const crd = (plural: string, kind: string, rules: string) => crdYaml(plural, kind, `        properties:
          spec:
            type: object
            properties: {min: {type: integer}}
            x-kubernetes-validations:
${rules}`);
  const rule = (fields: string) => `apiextensions.ValidationRule{Rule:${fields}, Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}`;
  const at = 'spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations';
  // cel-go's "undeclared reference" and "must evaluate to a bool" (its syntax errors' own text differs: cel-js's parser).
  await refusedAlike(['apply', '-f', '-'], crd('bads', 'Bad', '            - rule: selff.min > 0\n            - rule: self.min + 1\n'),
    'The CustomResourceDefinition "bads.example.com" is invalid: \n' +
    `* ${at}[0].rule: Invalid value: ${rule('"selff.min > 0"')}: compilation failed: ERROR: <input>:1:1: undeclared reference to 'selff' (in container '')\n | selff.min > 0\n | ^\n` +
    `* ${at}[1].rule: Invalid value: ${rule('"self.min + 1"')}: cel expression must evaluate to a bool\n`);
  await refusedAlike(['create', '-f', '-'], crd('bads', 'Bad', '            - rule: self.min <=\n'),
    `The CustomResourceDefinition "bads.example.com" is invalid: ${at}[0].rule: Invalid value: ${rule('"self.min <="')}: compilation failed: ERROR: <input>:1:12: Syntax error: Unexpected token: EOF\n | self.min <=\n | ...........^\n`);
  assert.equal(c.kubectl(['get', 'crd', 'bads.example.com']).code, 1);
  // URL's getQuery() is not in kubesim's CEL: the rule is skipped, the CRD accepted.
  const skipped = crd('oks', 'Ok', "            - rule: url('https://example.com/?a=b').getQuery().size() > 0\n            - rule: self.min > 0\n");
  assert.deepEqual(c.kubectl(['apply', '-f', '-'], { stdin: skipped }), { code: 0, stdout: 'customresourcedefinition.apiextensions.k8s.io/oks.example.com created\n', stderr: '' });
  assert.equal(c.kubectl(['wait', '--for=condition=Established', 'crd/oks.example.com', '--timeout=20s']).code, 0);
  const ok = (min: number) => `apiVersion: example.com/v1\nkind: Ok\nmetadata: {name: o, namespace: default}\nspec: {min: ${min}}\n`;
  await refusedAlike(['create', '-f', '-'], ok(0), 'The Ok "o" is invalid: spec: Invalid value: "object": failed rule: self.min > 0\n');
  // An update is refused as a create is.
  await refusedAlike(['apply', '-f', '-'], skipped + '            - rule: self.min >\n',
    `The CustomResourceDefinition "oks.example.com" is invalid: ${at}[2].rule: Invalid value: ${rule('"self.min >"')}: compilation failed: ERROR: <input>:1:11: Syntax error: Unexpected token: EOF\n | self.min >\n | ..........^\n`);
});

test('rules are type-checked against the schema at CRD create: an undeclared field or mismatched types refuse the CRD', async () => {
  const crd = (rules: string) => crdYaml('typeds', 'Typed', `        properties:
          spec:
            type: object
            x-kubernetes-preserve-unknown-fields: true
            properties: {min: {type: integer}, name: {type: string}, tags: {type: array, items: {type: string}}, a-b: {type: integer}}
            x-kubernetes-validations:
${rules}`);
  const rule = (text: string) => `apiextensions.ValidationRule{Rule:${JSON.stringify(text)}, Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}`;
  const at = 'spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations';
  // cel-go's checker errors, at the select's dot and at the operator; unknown fields of a
  // preserve-unknown-fields object are not declared; the result must be a bool.
  await refusedAlike(['apply', '-f', '-'], crd("            - rule: self.foo == 1\n            - rule: self.min == 'a'\n            - rule: self.tags.exists(t, t + 1 == 2)\n            - rule: self.min\n"),
    'The CustomResourceDefinition "typeds.example.com" is invalid: \n' +
    `* ${at}[0].rule: Invalid value: ${rule('self.foo == 1')}: compilation failed: ERROR: <input>:1:5: undefined field 'foo'\n | self.foo == 1\n | ....^\n` +
    `* ${at}[1].rule: Invalid value: ${rule("self.min == 'a'")}: compilation failed: ERROR: <input>:1:10: found no matching overload for '_==_' applied to '(int, string)'\n | self.min == 'a'\n | .........^\n` +
    `* ${at}[2].rule: Invalid value: ${rule('self.tags.exists(t, t + 1 == 2)')}: compilation failed: ERROR: <input>:1:23: found no matching overload for '_+_' applied to '(string, int)'\n | self.tags.exists(t, t + 1 == 2)\n | ......................^\n` +
    `* ${at}[3].rule: Invalid value: ${rule('self.min')}: cel expression must evaluate to a bool\n`);
  // A property named a-b is the field a__dash__b (escaping.go), typed and evaluated so.
  const ok = crd("            - rule: self.a__dash__b < self.min\n");
  assert.deepEqual(c.kubectl(['apply', '-f', '-'], { stdin: ok }), { code: 0, stdout: 'customresourcedefinition.apiextensions.k8s.io/typeds.example.com created\n', stderr: '' });
  assert.equal(c.kubectl(['wait', '--for=condition=Established', 'crd/typeds.example.com', '--timeout=20s']).code, 0);
  const typed = (spec: string) => `apiVersion: example.com/v1\nkind: Typed\nmetadata: {name: t, namespace: default}\nspec: ${spec}\n`;
  await refusedAlike(['create', '-f', '-'], typed('{min: 1, a-b: 2}'), 'The Typed "t" is invalid: spec: Invalid value: "object": failed rule: self.a__dash__b < self.min\n');
  await acceptedAlike(['create', '-f', '-', '--dry-run=server'], typed('{min: 3, a-b: 2, extra: x}'), 'typed.example.com/t created (server dry run)\n');
});

test('a status subresource write runs every rule of the object: a root rule on the status refuses it', async () => {
  const crd = crdSkeleton({ plural: 'gadgets', kind: 'Gadget', versionExtra: 'subresources: {status: {}}', schema: `x-kubernetes-validations:
- rule: "!has(self.status) || self.status.count <= self.spec.max"
properties:
  spec: {type: object, properties: {max: {type: integer}}}
  status: {type: object, properties: {count: {type: integer}}}` });
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: crd }).code, 0);
  assert.equal(c.kubectl(['wait', '--for=condition=Established', 'crd/gadgets.example.com', '--timeout=20s']).code, 0);
  assert.equal(c.kubectl(['apply', '-f', '-'], { stdin: 'apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g, namespace: default}\nspec: {max: 10}\n' }).code, 0);
  const patch = (count: number) => ['patch', 'gadget', 'g', '--subresource=status', '--type=merge', '-p', `{"status":{"count":${count}}}`];
  await refusedAlike(patch(11), '', 'The Gadget "g" is invalid: <nil>: Invalid value: "object": failed rule: !has(self.status) || self.status.count <= self.spec.max\n');
  assert.deepEqual(await c.hosted(patch(10)), { code: 0, stdout: 'gadget.example.com/g patched\n', stderr: '' });
  assert.equal(c.kubectl(['get', 'gadget', 'g', '-o', 'jsonpath={.status.count}']).stdout, '10');
});

test('Kubernetes CEL libraries of 1.32: format, sets, ip and cidr', async () => {
  const crd = crdYaml('nets', 'Net', `        properties:
          spec:
            type: object
            properties: {name: {type: string, maxLength: 63}, tags: {type: array, items: {type: string}}, addr: {type: string}, net: {type: string}}
            x-kubernetes-validations:
            - rule: "!format.dns1123Label().validate(self.name).hasValue()"
              messageExpression: "'name ' + self.name + ' is not a DNS-1123 label'"
            - rule: "!has(self.tags) || sets.contains(['a', 'b'], self.tags)"
              message: tags are a or b
            - rule: "!has(self.addr) || cidr('10.0.0.0/8').containsIP(ip(self.addr)) && ip.isCanonical(self.addr)"
              message: addr is a canonical address of 10.0.0.0/8
            - rule: "!has(self.net) || cidr(self.net).masked() == cidr(self.net) && cidr(self.net).prefixLength() >= 16"
              message: net is a masked prefix of 16 bits or more
`);
  assert.deepEqual(c.kubectl(['apply', '-f', '-'], { stdin: crd }), { code: 0, stdout: 'customresourcedefinition.apiextensions.k8s.io/nets.example.com created\n', stderr: '' });
  assert.equal(c.kubectl(['wait', '--for=condition=Established', 'crd/nets.example.com', '--timeout=20s']).code, 0);
  const net = (spec: string) => `apiVersion: example.com/v1\nkind: Net\nmetadata: {name: nt, namespace: default}\nspec: ${spec}\n`;
  const refused = (...causes: string[]) => (causes.length === 1 ? `The Net "nt" is invalid: ${causes[0]}\n` : `The Net "nt" is invalid: \n${causes.map((x) => `* ${x}\n`).join('')}`);
  const create = ['create', '-f', '-'];
  await refusedAlike(create, net('{name: My_Name, tags: [a, c]}'), refused(
    'spec: Invalid value: "object": name My_Name is not a DNS-1123 label',
    'spec: Invalid value: "object": tags are a or b'));
  await refusedAlike(create, net('{name: nt, addr: 10.0.0.01}'), refused(`spec: Invalid value: "object": IP Address "10.0.0.01" parse error during conversion from string: ParseAddr("10.0.0.01"): IPv4 field has octet with leading zero evaluating rule: addr is a canonical address of 10.0.0.0/8`));
  await refusedAlike(create, net('{name: nt, addr: 11.0.0.1, net: 10.1.2.0/16}'), refused('spec: Invalid value: "object": addr is a canonical address of 10.0.0.0/8', 'spec: Invalid value: "object": net is a masked prefix of 16 bits or more'));
  await acceptedAlike(['create', '-f', '-', '--dry-run=server'], net('{name: nt, tags: [b, a, b], addr: 10.1.2.3, net: 10.1.0.0/16}'), 'net.example.com/nt created (server dry run)\n');
});

test('a rule whose estimated cost is over kube-apiserver\'s limits refuses the CRD; maxItems and maxLength bring it within them', async () => {
  const crd = (bounds: string) => crdYaml('lowers', 'Lower', `        properties:
          spec:
            type: object
            properties:
              names:
                type: array${bounds ? `\n                maxItems: ${bounds.split(',')[0]}` : ''}
                items: {type: string${bounds ? `, maxLength: ${bounds.split(',')[1]}` : ''}}
                x-kubernetes-validations:
                - rule: self.all(x, x.matches('^[a-z]+$'))
`);
  const hint = '(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)';
  const at = 'spec.validation.openAPIV3Schema.properties[spec].properties[names].x-kubernetes-validations[0].rule';
  await refusedAlike(['apply', '-f', '-'], crd(''),
    'The CustomResourceDefinition "lowers.example.com" is invalid: \n' +
    `* ${at}: Forbidden: estimated rule cost exceeds budget by factor of more than 100x ${hint}\n` +
    `* ${at}: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema\n` +
    `* spec.validation.openAPIV3Schema: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x ${hint}\n`);
  await refusedAlike(['create', '-f', '-'], crd('10000,2000'), `The CustomResourceDefinition "lowers.example.com" is invalid: ${at}: Forbidden: estimated rule cost exceeds budget by factor of 1.6x ${hint}\n`);
  assert.deepEqual(c.kubectl(['apply', '-f', '-'], { stdin: crd('100,63') }), { code: 0, stdout: 'customresourcedefinition.apiextensions.k8s.io/lowers.example.com created\n', stderr: '' });
});

test('format arguments typed from the schema refuse the CRD; duration and date strings are durations and timestamps in rules; owner references are checked', async () => {
  const crd = (rules: string) => crdYaml('timers', 'Timer', `        properties:
          spec:
            type: object
            properties: {name: {type: string}, every: {type: string, format: duration}, until: {type: string, format: date}}
            x-kubernetes-validations:
${rules}`);
  const rule = '"%s every %d".format([self.name, self.every]) != ""';
  const sharpV = `apiextensions.ValidationRule{Rule:${JSON.stringify(rule)}, Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}`;
  await refusedAlike(['apply', '-f', '-'], crd(`            - rule: '${rule}'\n`),
    `The CustomResourceDefinition "timers.example.com" is invalid: spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: ${sharpV}: ` +
    `compilation failed: ERROR: <input>:1:38: error during formatting: decimal clause can only be used on integers, was given google.protobuf.Duration\n | ${rule}\n | ${'.'.repeat(37)}^\n`);
  const ok = crd(`            - rule: self.every <= duration('1h')
              messageExpression: '"every %s is over an hour".format([self.every])'
            - rule: self.until < timestamp('2027-01-01T00:00:00Z')
              messageExpression: '"%s is in 2027 or later".format([self.until])'
`);
  assert.deepEqual(c.kubectl(['apply', '-f', '-'], { stdin: ok }), { code: 0, stdout: 'customresourcedefinition.apiextensions.k8s.io/timers.example.com created\n', stderr: '' });
  assert.equal(c.kubectl(['wait', '--for=condition=Established', 'crd/timers.example.com', '--timeout=20s']).code, 0);
  const timer = (spec: string, metadata = '') => `apiVersion: example.com/v1\nkind: Timer\nmetadata: {name: t, namespace: default${metadata}}\nspec: ${spec}\n`;
  const create = ['create', '-f', '-'];
  await refusedAlike(create, timer('{every: 2 hours, until: 2027-03-01}'), 'The Timer "t" is invalid: \n' +
    '* spec: Invalid value: "object": every 7200s is over an hour\n* spec: Invalid value: "object": 2027-03-01T00:00:00Z is in 2027 or later\n');
  await refusedAlike(create, timer('{every: 90m, until: 2026-01-01}', ', ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: c}]'),
    'The Timer "t" is invalid: \n* metadata.ownerReferences.uid: Invalid value: "": uid must not be empty\n* spec: Invalid value: "object": every 5400s is over an hour\n');
  await acceptedAlike(['create', '-f', '-', '--dry-run=server'], timer('{every: 1h, until: 2026-12-31}'), 'timer.example.com/t created (server dry run)\n');
});
