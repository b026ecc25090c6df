import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executeJsonPath, jsonPathPrinter, relaxedJsonPath } from '../../src/printers/jsonpath';
import { kubectlPrint, withLabel } from './kubectl-oracle';
import { requireKubectl } from '../oracles';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', labels: { app: 'web' }, annotations: { 'example.com/note': 'a b', 'k.io/x': '<none>' } },
  spec: {
    nullField: null,
    containers: [
      { name: 'c1', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }] },
      { name: 'c2', image: 'busybox', args: ['sh', '-c', 'echo "hi" && sleep 1'] },
      { name: 'c3', image: 'redis' },
    ],
    priority: 5,
    ratio: 1.5,
    big: 1234567.5,
    tiny: 0.00001,
    on: true,
    empty: {},
    none: [],
  },
  status: {
    phase: 'Running',
    podIP: '10.0.0.5',
    conditions: [
      { type: 'Ready', status: 'True' },
      { type: 'PodScheduled', status: 'False', reason: 'x' },
    ],
    containerStatuses: [
      { name: 'c1', restartCount: 3, ready: true },
      { name: 'c2', restartCount: 0, ready: false },
    ],
  },
};

// Each expression is printed by real kubectl and compared byte for byte.
const EXPRESSIONS = [
  '{.metadata.name}',
  '{.metadata.labels}',
  '{.metadata.labels.app}',
  "{.metadata.annotations['example\\.com/note']}",
  '{.metadata.annotations.k\\.io/x}',
  "{.metadata.annotations['k.io/x']}",
  '{.spec.containers[0].image}',
  '{.spec.containers[-1].name}',
  '{.spec.containers[0:2].name}',
  '{.spec.containers[1:].name}',
  '{.spec.containers[::2].name}',
  '{.spec.containers[*].name}',
  '{.spec.containers[*].ports[*].containerPort}',
  '{.spec.containers[0].ports}',
  '{.spec.containers[1].args}',
  '{.spec.containers[1].args[2]}',
  '{..image}',
  '{.spec.containers[?(@.name=="c2")].image}',
  "{.spec.containers[?(@.name!='c2')].name}",
  '{.spec.containers[?(@.ports)].name}',
  '{.status.containerStatuses[?(@.restartCount>0)].name}',
  '{.status.containerStatuses[?(@.restartCount<=0)].name}',
  '{.status.containerStatuses[?(@.ready==true)].name}',
  '{.status.conditions[?(@.type=="Ready")].status}',
  '{range .spec.containers[*]}{.name}{"\\t"}{.image}{"\\n"}{end}',
  "{range .status.conditions[*]}[{.type}={.status}]{end}",
  '{.metadata.name}{"\\n"}',
  'name={.metadata.name} ip={.status.podIP}',
  'literal text only',
  '{.spec.priority}',
  '{.spec.ratio}',
  '{.spec.big}',
  '{.spec.tiny}',
  '{.spec.on}',
  '{.spec.nullField}',
  '{.spec.empty}',
  '{.spec.none}',
  '{.spec.missing}',
  '{.spec.missing.deeper}',
  '{.spec.containers[*].missing}',
  '{.spec.containers[0].name,.spec.containers[1].name}',
  '{.spec.containers[0,2].name}',
  "{.metadata['name','namespace']}",
  '{$.kind}',
  '{@.apiVersion}',
  '{.spec.containers[0]["name"]}',
  '{.spec}',
  '{.status.containerStatuses[?(@.name=="zzz")].name}',
  '{range .spec.containers[*]}{range .ports[*]}{.containerPort}{","}{end}{end}',
  '{.spec.containers[5].name}',
  '{.status.conditions[?(@.status==1)]}',
  '{.metadata.name',
  '{.spec.containers[x]}',
  // past Go's int: strconv.Atoi refuses them at parse time
  '{.spec.containers[999999999999999999999]}',
  '{.spec.containers[0:9223372036854775808]}',
  '{end}',
  '{.spec.containers[0]}{bogus}',
  '{.spec.containers[?(@.name=="c1"]}',
];

for (const expr of EXPRESSIONS) {
  test(`jsonpath matches kubectl: ${expr}`, (t) => {
    requireKubectl();
    const want = kubectlPrint(pod, `jsonpath=${expr}`);
    let got: string;
    let err = '';
    try {
      got = jsonPathPrinter(expr)(withLabel(pod));
    } catch (e) {
      got = '';
      err = `error: ${(e as Error).message}\n`;
    }
    assert.equal(got, want.stdout, 'stdout');
    assert.equal(err, want.stderr, 'stderr');
  });
}

test('jsonpath-as-json matches kubectl', (t) => {
  requireKubectl();
  for (const expr of ['{.spec.containers[*].name}', '{.metadata.labels}{.spec.priority}', '{.spec.missing}', '{.metadata.annotations}']) {
    const want = kubectlPrint(pod, `jsonpath-as-json=${expr}`);
    assert.equal(jsonPathPrinter(expr, { asJson: true })(withLabel(pod)), want.stdout, expr);
  }
});

test('without allowMissingKeys a missing field is an error', () => {
  assert.throws(() => executeJsonPath('{.spec.nope}', pod), /nope is not found/);
  assert.equal(executeJsonPath('{.spec.nope}', pod, { allowMissingKeys: true }), '');
});

test('relaxedJsonPath normalises the forms kubectl accepts', () => {
  assert.equal(relaxedJsonPath('.metadata.name'), '{.metadata.name}');
  assert.equal(relaxedJsonPath('metadata.name'), '{.metadata.name}');
  assert.equal(relaxedJsonPath('{.metadata.name}'), '{.metadata.name}');
  assert.equal(relaxedJsonPath('{metadata.name}'), '{.metadata.name}');
  assert.throws(() => relaxedJsonPath('{.a}{.b}'), /unexpected path string/);
});
