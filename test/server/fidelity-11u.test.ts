// The real kubectl 1.32 against `kubesim serve`, for issue #11 (val11u): the Time and
// MicroTime fields of built-in kinds decoded as kube-apiserver decodes them (metav1.Time's
// UnmarshalJSON: time.Parse(time.RFC3339), MicroTime's: RFC3339Micro, whose six fractional
// digits are required), a 400 before anything is stored;
// kubesim's in-process CLI prints and exits as kubectl.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster } from './harness';

const c = new ServedCluster('val11u');

before(() => c.setUp({ kubectl: true, create: ['--nodes', '1'] }));
after(() => c.stop());

const event = (name: string, extra: string) => `apiVersion: v1
kind: Event
metadata: {name: ${name}, namespace: default}
involvedObject: {kind: Pod, name: p, namespace: default}
reason: Test
${extra}
`;

const handled = (kind: string, message: string) => `Error from server (BadRequest): error when creating "STDIN": ${kind} in version "v1" cannot be handled as a ${kind}: ${message}\n`;

test('an Event\'s Time and MicroTime that do not parse: kube\'s 400 with time.Parse\'s text, kubectl and kubesim alike, nothing stored', async () => {
  const cases: [string, string][] = [
    ['firstTimestamp: yesterday', 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"'],
    ['lastTimestamp: "2026-02-30T00:00:00Z"', 'parsing time "2026-02-30T00:00:00Z": day out of range'],
    ['eventTime: "2026-13-01T00:00:00.000000Z"\nreportingComponent: x\nreportingInstance: y\naction: a', 'parsing time "2026-13-01T00:00:00.000000Z": month out of range'],
    ['eventTime: "10000-01-01T00:00:00.000000Z"\nreportingComponent: x\nreportingInstance: y\naction: a', 'parsing time "10000-01-01T00:00:00.000000Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "0-01-01T00:00:00.000000Z" as "-"'],
    ['eventTime: "2026-01-01T00:00:00Z"\nreportingComponent: x\nreportingInstance: y\naction: a', 'parsing time "2026-01-01T00:00:00Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"'],
  ];
  for (const [i, [extra, message]] of cases.entries()) await c.refusedAlike(['create', '-f', '-'], event(`e${i}`, extra), handled('Event', message));
  const [k] = await c.bothClients(['get', 'events', '-o', 'name']);
  assert.doesNotMatch(k.stdout, /event\/e\d/);
});

test('what time.Parse(RFC3339) accepts is stored: fractions of any length, offsets, a leap day', async () => {
  const r = c.kubectl(['create', '-f', '-'], { stdin: event('fine', 'firstTimestamp: "2024-02-29T10:00:00.123456789+02:00"\nlastTimestamp: "2026-01-01T00:00:00.5Z"') });
  assert.equal(r.code, 0, r.stderr);
  // an update is decoded as a create
  const bad = event('fine', 'firstTimestamp: "2024-02-29T10:00:00Z"\nlastTimestamp: "2026-01-01T24:00:00Z"');
  const [k, s] = await c.bothClients(['replace', '-f', '-'], bad);
  assert.deepEqual([k.code, k.stdout, k.stderr], [1, '', 'Error from server (BadRequest): error when replacing "STDIN": Event in version "v1" cannot be handled as a Event: parsing time "2026-01-01T24:00:00Z": hour out of range\n']);
  assert.deepEqual(s, k);
});

test('metadata.creationTimestamp junk: kubectl\'s own decoder refuses it; the API server, sent it, answers kube\'s 400', async () => {
  const junk = 'parsing time "junk" as "2006-01-02T15:04:05Z07:00": cannot parse "junk" as "2006"';
  // kubectl's own decoder refuses it first; the API server, sent it, as kube-apiserver
  await c.refusedAlike(['create', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, creationTimestamp: junk}\n', `error: unable to decode "STDIN": ${junk}\n`);
  const r = await c.request('POST', '/api/v1/namespaces/default/configmaps', { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', creationTimestamp: 'junk' } }), headers: { 'content-type': 'application/json' } });
  assert.equal(r.status, 400, r.body);
  assert.equal(JSON.parse(r.body).message, `ConfigMap in version "v1" cannot be handled as a ConfigMap: ${junk}`);
});

const quota = (name: string, spec: string) => `apiVersion: v1
kind: ResourceQuota
metadata: {name: ${name}, namespace: default}
spec:
${spec}
`;
const invalidQuota = (name: string, causes: string[]) =>
  `The ResourceQuota "${name}" is invalid: ${causes.length === 1 ? causes[0] : `\n${causes.map((x) => `* ${x}\n`).join('')}`.replace(/\n$/, '')}\n`;

test('ResourceQuota validation (ValidateResourceQuota): names, values, scopes and scope selectors, kubectl and kubesim alike, nothing stored', async () => {
  const cases: [string, string[]][] = [
    ['  hard: {pods: "-1"}', ['spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0']],
    ['  hard: {pods: 1500m}', ['spec.hard[pods]: Invalid value: resource.Quantity{i:resource.int64Amount{value:1500, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1500m", Format:"DecimalSI"}: must be an integer']],
    ['  hard: {foo: "1"}', ['spec.hard[foo]: Invalid value: "foo": must be a standard resource type or fully qualified', 'spec.hard[foo]: Invalid value: "foo": must be a standard resource for quota']],
    ['  hard: {storage: "1"}', ['spec.hard[storage]: Invalid value: "storage": must be a standard resource for quota']],
    ['  hard: {pods: "1"}\n  scopes: [Forever]', ['spec.scopes: Invalid value: []core.ResourceQuotaScope{"Forever"}: unsupported scope']],
    ['  hard: {pods: "1"}\n  scopes: [Terminating, NotTerminating]', ['spec.scopes: Invalid value: []core.ResourceQuotaScope{"Terminating", "NotTerminating"}: conflicting scopes']],
    ['  hard: {limits.cpu: "1"}\n  scopes: [BestEffort]', ['spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: unsupported scope applied to resource']],
    ['  hard: {pods: "1"}\n  scopeSelector: {matchExpressions: [{scopeName: PriorityClass, operator: In}]}', ['spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` is \'In\' or \'NotIn\' for scope selector']],
    ['  hard: {pods: "1"}\n  scopeSelector: {matchExpressions: [{scopeName: BestEffort, operator: Exists, values: [a]}]}', ['spec.scopeSelector.matchExpressions.values: Invalid value: []string{"a"}: must be no value when `operator` is \'Exist\' or \'DoesNotExist\' for scope selector']],
    ['  hard: {pods: "1"}\n  scopeSelector: {matchExpressions: [{scopeName: Terminating, operator: In, values: [a]}]}', ['spec.scopeSelector.matchExpressions.operator: Invalid value: "In": must be \'Exist\' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity']],
    ['  hard: {pods: "1"}\n  scopeSelector: {matchExpressions: [{scopeName: Nope, operator: Exists}]}', ['spec.scopeSelector.matchExpressions.scopeName: Invalid value: "Nope": unsupported scope']],
    ['  hard: {limits.memory: "1"}\n  scopeSelector: {matchExpressions: [{scopeName: BestEffort, operator: Exists}, {scopeName: NotBestEffort, operator: Exists}]}', [
      'spec.scopeSelector.matchExpressions: Invalid value: core.ScopeSelector{MatchExpressions:[]core.ScopedResourceSelectorRequirement{core.ScopedResourceSelectorRequirement{ScopeName:"BestEffort", Operator:"Exists", Values:[]string(nil)}, core.ScopedResourceSelectorRequirement{ScopeName:"NotBestEffort", Operator:"Exists", Values:[]string(nil)}}}: unsupported scope applied to resource',
      'spec.scopeSelector.matchExpressions: Invalid value: []core.ResourceQuotaScope(nil): conflicting scopes',
    ]],
  ];
  for (const [i, [spec, causes]] of cases.entries()) await c.refusedAlike(['create', '-f', '-'], quota(`q${i}`, spec), `${invalidQuota(`q${i}`, causes)}`);
  // what kube accepts: counts of objects (count/…, whole), extended resources, hugepages, scoped pods
  const fine = quota('fine', '  hard: {pods: "4", limits.cpu: 1500m}\n  scopes: [NotBestEffort]');
  for (const q of [fine, quota('counts', '  hard: {count/deployments.apps: "2", requests.nvidia.com/gpu: "1", hugepages-2Mi: 1Gi, requests.storage: 1500m}')]) {
    const ok = c.kubectl(['create', '-f', '-'], { stdin: q });
    assert.equal(ok.code, 0, ok.stderr);
  }
  // the scopes cannot change (ValidateResourceQuotaUpdate)
  const changed = fine.replace('[NotBestEffort]', '[NotTerminating]');
  const [k, s] = await c.bothClients(['replace', '-f', '-'], changed);
  assert.deepEqual([k.code, k.stderr], [1, invalidQuota('fine', ['spec.scopes: Invalid value: []core.ResourceQuotaScope{"NotTerminating"}: field is immutable'])]);
  assert.deepEqual(s, k);
  // a status write is checked as ValidateResourceQuotaStatusUpdate
  const status = c.kubectl(['patch', 'resourcequota', 'fine', '--subresource=status', '--type=merge', '-p', '{"status":{"used":{"pods":"-1"}}}']);
  assert.deepEqual([status.code, status.stderr], [1, 'The ResourceQuota "fine" is invalid: status.used[pods]: Invalid value: "-1": must be greater than or equal to 0\n']);
});
