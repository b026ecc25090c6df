// The real kubectl 1.32 against `kubesim serve`, for issue #11 (fid11t): a patch putting an int
// where a named string type is (apimachinery runtime/converter.go fromUnstructured: `cannot
// convert %s to %s` with the destination's Type.String(); encoding/json's UnmarshalTypeError
// the same) names the Go type, `v1.DeploymentStrategyType`, not `string`; `unrecognized type`
// keeps the Kind. kubesim's CLI prints the same, in-process and through the daemon.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServedCluster, asKubectl } from './harness';

const c = new ServedCluster('fid11t');

before(async () => {
  await c.setUp({ kubectl: true, create: ['--nodes', '1'] });
  c.ok(['create', 'deployment', 'web', '--image=nginx']);
});

after(() => c.stop());

/** kubectl's stderr for a refused command (exit 1, no stdout); kubesim's CLI the same, in-process (alike) and through the daemon. */
async function refused(args: string[]): Promise<string> {
  const k = await c.alike(args);
  assert.deepEqual(k.slice(0, 2), [1, ''], k[2]);
  assert.deepEqual(asKubectl(await c.hosted(args, { env: { KUBESIM_NO_DAEMON: '' } })), k, `kubesim ${args.join(' ')} through the daemon`);
  return k[2];
}

const UNCHANGED = (): void =>
  assert.equal(c.kubectl(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.strategy.type} {.spec.template.spec.restartPolicy} {.metadata.generation}']).stdout, 'RollingUpdate Always 1');

test('a strategic merge patch putting an int into a named string type: the converter names the Go type', async () => {
  const cases: [string, string][] = [
    ['{"spec":{"strategy":{"type":3}}}', 'map[spec:map[strategy:map[type:3]]]": cannot convert int64 to v1.DeploymentStrategyType'],
    ['{"spec":{"template":{"spec":{"restartPolicy":1}}}}', 'map[spec:map[template:map[spec:map[restartPolicy:1]]]]": cannot convert int64 to v1.RestartPolicy'],
    // a list's element: its element type
    [
      '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","securityContext":{"capabilities":{"add":[7]}}}]}}}}',
      'map[spec:map[template:map[spec:map[containers:[map[name:nginx securityContext:map[capabilities:map[add:[7]]]]]]]]]": cannot convert int64 to v1.Capability',
    ],
    // a plain string stays `string`; a bool is reflect's Kind, named or not
    ['{"metadata":{"labels":{"a":1}}}', 'map[metadata:map[labels:map[a:1]]]": cannot convert int64 to string'],
    ['{"spec":{"strategy":{"type":true}}}', 'map[spec:map[strategy:map[type:true]]]": unrecognized type: string'],
  ];
  for (const [patch, tail] of cases) assert.equal(await refused(['patch', 'deploy', 'web', '-p', patch]), `The request is invalid: patch: Invalid value: "${tail}\n`, patch);
  UNCHANGED();
});

test('a merge patch putting a number into a named string type: encoding/json names the Go type', async () => {
  for (const [patch, decode] of [
    ['{"spec":{"strategy":{"type":3}}}', 'json: cannot unmarshal number into Go struct field DeploymentStrategy.spec.strategy.type of type v1.DeploymentStrategyType'],
    ['{"spec":{"template":{"spec":{"dnsPolicy":2}}}}', 'json: cannot unmarshal number into Go struct field PodSpec.spec.template.spec.dnsPolicy of type v1.DNSPolicy'],
  ]) {
    const err = await refused(['patch', 'deploy', 'web', '--type=merge', '-p', patch]);
    assert.ok(err.startsWith('The request is invalid: patch: Invalid value: "{') && err.endsWith(`}": ${decode}\n`), err);
  }
  UNCHANGED();
});

test('a strategic merge patch putting an int64 into an int32 field: the map decoding wraps it (Go reflect Convert), validation sees the wrapped value', async () => {
  // 2^31 wraps to -2^31: the Deployment's validation refuses it (no patch error).
  assert.equal(await refused(['patch', 'deploy', 'web', '-p', '{"spec":{"replicas":2147483648}}']), 'The Deployment "web" is invalid: spec.replicas: Invalid value: -2147483648: must be greater than or equal to 0\n');
  UNCHANGED();
  // 2^32 + 3 wraps to 3, which is stored; a merge patch's result is JSON-decoded instead: refused.
  assert.equal(c.kubectl(['patch', 'deploy', 'web', '-p', '{"spec":{"replicas":4294967299}}']).stdout, 'deployment.apps/web patched\n');
  assert.equal(c.kubectl(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']).stdout, '3');
  const merge = await refused(['patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"replicas":4294967299}}']);
  assert.ok(merge.endsWith('": json: cannot unmarshal number 4294967299 into Go struct field DeploymentSpec.spec.replicas of type int32\n'), merge);
  assert.equal(c.kubectl(['patch', 'deploy', 'web', '-p', '{"spec":{"replicas":1}}']).stdout, 'deployment.apps/web patched\n');
});
