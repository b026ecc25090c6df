import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseLabelSelector,
  matchesLabels,
  labelSelectorString,
  fromLabelSelectorSpec,
  selectorToString,
  labelsToSelectorString,
  parseFieldSelector,
  matchesFields,
} from '../../src/api/selectors';

const m = (sel: string, labels?: Record<string, string>) => matchesLabels(parseLabelSelector(sel), labels);

test('equality, inequality and set operators', () => {
  assert.ok(m('app=web', { app: 'web' }));
  assert.ok(m('app==web', { app: 'web' }));
  assert.ok(!m('app=web', { app: 'db' }));
  assert.ok(!m('app=web', {}));
  assert.ok(m('app!=web', {}), '!= matches an absent key');
  assert.ok(!m('app!=web', { app: 'web' }));
  assert.ok(m('env in (prod, dev)', { env: 'dev' }));
  assert.ok(!m('env in (prod,dev)', {}));
  assert.ok(m('env notin (prod)', {}), 'notin matches an absent key');
  assert.ok(!m('env notin (prod,dev)', { env: 'prod' }));
  assert.ok(m('app', { app: '' }));
  assert.ok(!m('app', {}));
  assert.ok(m('!app', { other: 'x' }));
  assert.ok(!m('!app', { app: 'x' }));
  assert.ok(m('', { any: 'thing' }), 'empty selector matches everything');
  assert.ok(m('  app = web ,  tier  ', { app: 'web', tier: 'x' }), 'spaces are allowed');
  assert.ok(m('a=b,c!=d', { a: 'b' }));
  assert.ok(!m('a=b,c!=d', { a: 'b', c: 'd' }), 'comma is AND');
});

test('gt / lt compare integers, and need the label to exist and parse', () => {
  assert.ok(m('n>5', { n: '6' }));
  assert.ok(!m('n>5', { n: '5' }));
  assert.ok(m('n<5', { n: '-1' }));
  assert.ok(!m('n<5', { n: 'abc' }));
  assert.ok(!m('n<5', {}));
});

test('empty values: k= and k in ()', () => {
  assert.ok(m('k=', { k: '' }));
  assert.ok(!m('k=', {}));
  assert.ok(m('k in ()', { k: '' }));
  assert.ok(m('k in (,a)', { k: '' }));
});

test('keywords are identifiers in value position', () => {
  assert.ok(m('in=notin', { in: 'notin' }));
  assert.ok(m('x in (in,notin)', { x: 'in' }));
});

const err = (sel: string) => {
  try {
    parseLabelSelector(sel);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

test('parse errors carry the API server texts', () => {
  assert.equal(err('type=app,versionv1.0.1)'), "unable to parse requirement: found ')', expected: in, notin, =, ==, !=, gt, lt");
  assert.equal(err('a in'), "unable to parse requirement: found '' expected: '('");
  assert.equal(err('a in (b'), "unable to parse requirement: found '', expected: ',' or ')'");
  assert.equal(err('a=b,'), "found '', expected: identifier after ','");
  assert.equal(err('a=b c'), "found 'c', expected: ',' or 'end of string'");
  assert.equal(err(',a'), "found ',', expected: !, identifier, or 'end of string'");
  assert.equal(err('a=(b)'), "unable to parse requirement: found '(', expected: identifier");
  assert.equal(err('!a=b'), "found '=', expected: ',' or 'end of string'");
  assert.equal(
    err('n>abc'),
    "unable to parse requirement: values[0]: Invalid value: \"abc\": for 'Gt', 'Lt' operators, the value must be an integer",
  );
  assert.equal(err('Bad_Key!x=1'), "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt");
  assert.equal(
    err('a=b$'),
    "unable to parse requirement: values[0][a]: Invalid value: \"b$\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  );
  assert.equal(
    err('-a=b'),
    "unable to parse requirement: key: Invalid value: \"-a\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  );
});

test('selector strings: sorted by key, kubectl spelling', () => {
  assert.equal(labelSelectorString(parseLabelSelector('z=1, a in (y,x), !b, c, n>3')), 'a in (x,y),!b,c,n>3,z=1');
  assert.equal(
    selectorToString({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }, { key: 'x', operator: 'DoesNotExist' }] }),
    'app=web,tier in (a,b),!x',
  );
  assert.equal(selectorToString({}), '');
  assert.equal(labelsToSelectorString({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(labelsToSelectorString({}), '');
});

test('label selector specs: nil selects nothing, empty everything, bad operator errors', () => {
  assert.ok(!matchesLabels(fromLabelSelectorSpec(undefined), { a: 'b' }));
  assert.ok(matchesLabels(fromLabelSelectorSpec({}), { a: 'b' }));
  const sel = fromLabelSelectorSpec({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }, { key: 'k', operator: 'Exists' }] });
  assert.ok(matchesLabels(sel, { app: 'web', k: '' }));
  assert.ok(!matchesLabels(sel, { app: 'web', k: '', env: 'prod' }));
  assert.throws(() => fromLabelSelectorSpec({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }), /"Gt" is not a valid label selector operator/);
});

test('field selectors: supported fields and matching', () => {
  const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1', restartPolicy: 'Always' }, status: { phase: 'Running', podIPs: [{ ip: '10.0.0.1' }] } };
  const f = (s: string, obj: unknown = pod) => matchesFields(parseFieldSelector('Pod', '', s), obj);
  assert.ok(f('status.phase=Running'));
  assert.ok(f('status.phase==Running,metadata.namespace=ns'));
  assert.ok(!f('status.phase!=Running'));
  assert.ok(f('spec.nodeName!=n2'));
  assert.ok(f('spec.hostNetwork=false'));
  assert.ok(f('status.podIPs=10.0.0.1'));
  assert.ok(f('status.podIP='), 'a missing field is the empty string');
  assert.ok(f('metadata.name=p'));
  const node = { metadata: { name: 'n' }, spec: { unschedulable: true } };
  assert.ok(matchesFields(parseFieldSelector('Node', '', 'spec.unschedulable=true'), node));
  const ev = { metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' }, source: { component: 'kubelet' }, type: 'Warning', reason: 'BackOff' };
  assert.ok(matchesFields(parseFieldSelector('Event', '', 'involvedObject.kind=Pod,involvedObject.name=p,type=Warning,source=kubelet'), ev));
});

test('field selector errors carry the API server texts', () => {
  assert.throws(
    () => parseFieldSelector('ReplicaSet', 'apps', 'status.replicas=0'),
    (e: Error) => e.message === '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
  );
  assert.throws(() => parseFieldSelector('Pod', '', 'spec.foo=bar'), (e: Error) => e.message === 'field label not supported: spec.foo');
  assert.throws(() => parseFieldSelector('Pod', '', 'status.phase'), (e: Error) => e.message === "invalid selector: 'status.phase'; can't understand 'status.phase'");
  assert.throws(() => parseFieldSelector('Pod', '', 'status.phase>1'), /can't understand 'status.phase>1'/);
  assert.doesNotThrow(() => parseFieldSelector('ReplicationController', '', 'status.replicas=0'));
  assert.doesNotThrow(() => parseFieldSelector('Job', 'batch', 'status.successful=1'));
  assert.doesNotThrow(() => parseFieldSelector('Pod', '', ''));
});
