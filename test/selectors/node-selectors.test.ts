// Node selector matching as k8s.io/component-helpers/scheduling/corev1/nodeaffinity does it:
// one implementation (src/api/selectors.ts) for the scheduler and the DaemonSet controller.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelSelectorMatches, matchesNodeSelectorTerm, matchesNodeSelectorTerms, podMatchesNodeSelection, type NodeSelectorRequirement } from '../../src/api/selectors';
import { nodeShouldRunDaemonPod } from '../../src/controllers/daemonset';

const node = (labels: Record<string, string>, name = 'n1') => ({ metadata: { name, labels } });
const expr = (key: string, operator: string, values?: string[]): NodeSelectorRequirement => ({ key, operator, ...(values ? { values } : {}) });

// [requirement, node labels, matches]
const CASES: [NodeSelectorRequirement, Record<string, string>, boolean][] = [
  [expr('zone', 'In', ['a', 'b']), { zone: 'a' }, true],
  [expr('zone', 'In', ['a', 'b']), { zone: 'c' }, false],
  [expr('zone', 'In', ['a']), {}, false],
  [expr('zone', 'NotIn', ['a']), { zone: 'b' }, true],
  [expr('zone', 'NotIn', ['a']), { zone: 'a' }, false],
  [expr('zone', 'NotIn', ['a']), {}, true],
  [expr('zone', 'Exists'), { zone: '' }, true],
  [expr('zone', 'Exists'), {}, false],
  [expr('zone', 'DoesNotExist'), {}, true],
  [expr('zone', 'DoesNotExist'), { zone: 'a' }, false],
  [expr('cpu', 'Gt', ['4']), { cpu: '8' }, true],
  [expr('cpu', 'Gt', ['4']), { cpu: '4' }, false],
  [expr('cpu', 'Gt', ['-1']), { cpu: '' }, false], // "" is not an int64 (Number('') would be 0)
  [expr('cpu', 'Gt', ['4']), { cpu: '4.5' }, false], // ParseInt, not a float
  [expr('cpu', 'Gt', ['4']), { cpu: '0x10' }, false],
  [expr('cpu', 'Gt', ['4']), { cpu: '+5' }, true],
  [expr('cpu', 'Gt', ['9007199254740992']), { cpu: '9007199254740993' }, true], // int64, beyond a double's precision
  [expr('cpu', 'Gt', ['4']), {}, false],
  [expr('cpu', 'Lt', ['4']), { cpu: '-3' }, true],
  [expr('cpu', 'Lt', ['4']), { cpu: '4' }, false],
  [expr('cpu', 'Lt', ['4']), { cpu: 'x' }, false],
  // Requirements that labels.NewRequirement rejects: the whole term matches nothing.
  [expr('cpu', 'Gt', ['4.0']), { cpu: '8' }, false],
  [expr('cpu', 'Gt', ['1', '2']), { cpu: '8' }, false],
  [expr('zone', 'In', []), { zone: 'a' }, false],
  [expr('zone', 'Exists', ['a']), { zone: 'a' }, false],
  [expr('zone', 'Like', ['a']), { zone: 'a' }, false],
  [expr('bad key!', 'Exists'), { 'bad key!': 'a' }, false],
];

for (const [r, labels, want] of CASES) {
  test(`${r.key} ${r.operator} ${JSON.stringify(r.values ?? [])} on ${JSON.stringify(labels)}: ${want}`, () => {
    assert.equal(matchesNodeSelectorTerm({ matchExpressions: [r] }, node(labels)), want);
  });
}

test('a term ANDs its requirements; terms are ORed; an empty term or list matches nothing', () => {
  const n = node({ zone: 'a', cpu: '8' });
  assert.equal(matchesNodeSelectorTerm({ matchExpressions: [expr('zone', 'In', ['a']), expr('cpu', 'Lt', ['4'])] }, n), false);
  assert.equal(matchesNodeSelectorTerms([{ matchExpressions: [expr('cpu', 'Lt', ['4'])] }, { matchExpressions: [expr('zone', 'In', ['a'])] }], n), true);
  assert.equal(matchesNodeSelectorTerm({}, n), false);
  assert.equal(matchesNodeSelectorTerms([], n), false);
  // One bad term does not spoil the others.
  assert.equal(matchesNodeSelectorTerms([{ matchExpressions: [expr('zone', 'Gt', ['a'])] }, { matchExpressions: [expr('zone', 'Exists')] }], n), true);
});

test('matchFields: metadata.name with In/NotIn and one value', () => {
  const n = node({}, 'worker-1');
  assert.equal(matchesNodeSelectorTerm({ matchFields: [expr('metadata.name', 'In', ['worker-1'])] }, n), true);
  assert.equal(matchesNodeSelectorTerm({ matchFields: [expr('metadata.name', 'In', ['worker-2'])] }, n), false);
  assert.equal(matchesNodeSelectorTerm({ matchFields: [expr('metadata.name', 'NotIn', ['worker-2'])] }, n), true);
  assert.equal(matchesNodeSelectorTerm({ matchFields: [expr('metadata.name', 'In', ['worker-1', 'worker-2'])] }, n), false);
  assert.equal(matchesNodeSelectorTerm({ matchFields: [expr('metadata.name', 'Exists')] }, n), false);
  assert.equal(matchesNodeSelectorTerm({ matchExpressions: [expr('a', 'DoesNotExist')], matchFields: [expr('metadata.name', 'In', ['worker-1'])] }, n), true);
});

test('nodeSelector and required affinity both hold', () => {
  const n = node({ disk: 'ssd', cpu: '8' });
  const affinity = (r: NodeSelectorRequirement) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [r] }] } } });
  assert.equal(podMatchesNodeSelection({}, n), true);
  assert.equal(podMatchesNodeSelection({ nodeSelector: { disk: 'ssd' } }, n), true);
  assert.equal(podMatchesNodeSelection({ nodeSelector: { disk: 'hdd' } }, n), false);
  assert.equal(podMatchesNodeSelection({ nodeSelector: { disk: 'ssd' }, affinity: affinity(expr('cpu', 'Gt', ['16'])) }, n), false);
  assert.equal(podMatchesNodeSelection({ affinity: affinity(expr('cpu', 'Gt', ['4'])) }, n), true);
});

test('the DaemonSet controller decides with the same rules (Gt on a non-integer label)', () => {
  const spec = (r: NodeSelectorRequirement) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [r] }] } } } });
  const mk = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', labels }, spec: {} }) as any;
  assert.equal(nodeShouldRunDaemonPod(mk({ cpu: '8' }), spec(expr('cpu', 'Gt', ['4']))), true);
  assert.equal(nodeShouldRunDaemonPod(mk({ cpu: '' }), spec(expr('cpu', 'Gt', ['-1']))), false);
  assert.equal(nodeShouldRunDaemonPod(mk({ cpu: '4.5' }), spec(expr('cpu', 'Gt', ['4']))), false);
});

test('LabelSelector specs: nil selects nothing, {} everything, an invalid one nothing', () => {
  assert.equal(labelSelectorMatches(undefined, { a: '1' }), false);
  assert.equal(labelSelectorMatches({}, { a: '1' }), true);
  assert.equal(labelSelectorMatches({ matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'DoesNotExist' }] }, { a: '1' }), true);
  assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'b', operator: 'In', values: ['x', 'y'] }] }, { b: 'y' }), true);
  assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'b', operator: 'NotIn', values: ['y'] }] }, { b: 'y' }), false);
  assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'b', operator: 'Gt', values: ['1'] }] }, { b: '2' }), false); // not a LabelSelector operator
  assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'b', operator: 'In', values: [] }] }, { b: '' }), false);
});
