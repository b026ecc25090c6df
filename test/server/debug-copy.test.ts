// `debug POD --copy-to`, with the real kubectl 1.32 as the oracle against the same served
// cluster: each side copies its own namespace's pod `web` with the same flags, and both must
// print the same, exit the same and leave the same copy (metadata, spec, field manager):
// --set-image, -c on an existing container, --image adding one, each profile with the
// --keep-* flags, --custom, --share-processes, --same-node, --replace, and the refusals.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KUBECTL, ServedCluster, sleep } from './harness';
import { PROFILES } from '../../src/cli/debug-profiles';
import { BIN, type RunResult } from '../e2e/helpers';
import { runOnPty, type PtyStep } from '../helpers/pty';

const c = new ServedCluster('dcp');
const NS = { kubectl: 'dcp-k', kubesim: 'dcp-s' } as const;
type Side = keyof typeof NS;
const SIDES = Object.keys(NS) as Side[];

// Every field a copy keeps or drops: labels, annotations, an init container, all three
// probes, a container securityContext, a second container.
const web = (ns: string) => `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: ${ns}
  labels: {app: web, tier: fe}
  annotations: {note: hello}
spec:
  initContainers: [{name: init, image: "busybox:1.36", command: [sh, -c, "true"]}]
  containers:
  - name: app
    image: nginx
    env: [{name: X, value: "1"}]
    livenessProbe: {httpGet: {path: /, port: 80}}
    readinessProbe: {httpGet: {path: /, port: 80}}
    startupProbe: {httpGet: {path: /, port: 80}}
    securityContext: {runAsUser: 1000}
  - {name: side, image: "busybox:1.36", command: [sleep, "3600"], stdin: true}
`;

before(async () => {
  const namespaces = SIDES.map((s) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS[s]}}\n`).join('---\n');
  await c.setUp({ kubectl: true, create: ['--nodes', '1'], manifest: `${namespaces}---\n${SIDES.map((s) => web(NS[s])).join('---\n')}`, settle: ['--timeout', '1m'] });
});
after(() => c.stop());

/** kubesim's side runs in its CLI host (test/helpers/cli-host.ts): one process for the file's hundred commands. */
function run(side: Side, args: string[]): Promise<RunResult> {
  // before any `--`: what follows it is the container's command
  const dash = args.indexOf('--');
  const full = dash < 0 ? [...args, '-n', NS[side]] : [...args.slice(0, dash), '-n', NS[side], ...args.slice(dash)];
  return side === 'kubectl' ? c.kubectlAsync(full) : c.hosted(full);
}

/** `args` on both sides at once (each in its own namespace); kubectl's result, then kubesim's. */
const bothSides = (args: string[]) => Promise.all(SIDES.map((s) => run(s, args)));

/** Pods as the API returns them, by name: one `get` for all (each process start costs more than the read). */
async function podsOf(side: Side, names: string[]): Promise<Map<string, any>> {
  const r = await run(side, ['get', 'pod', ...names, '-o', 'json', '--show-managed-fields']);
  assert.equal(r.code, 0, r.stderr);
  const got = JSON.parse(r.stdout);
  const pods: any[] = got.kind === 'List' ? got.items : [got];
  assert.deepEqual(pods.map((p) => p.metadata.name), names);
  return new Map(pods.map((p) => [p.metadata.name, p]));
}

/** A copy as the API returns it, less what differs between two namespaces' objects (status: the cluster may move in between). */
function normalized(side: Side, pod: any): string {
  pod = structuredClone(pod);
  delete pod.status;
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp']) delete pod.metadata[k];
  return JSON.stringify(pod, null, 1)
    .replaceAll(NS[side], 'NS')
    .replace(/kube-api-access-[a-z0-9]{5}/g, 'kube-api-access-X')
    .replace(/\b10\.244\.\d+\.\d+\b/g, 'POD-IP')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, 'TIME');
}

const copyOf = async (side: Side, name: string): Promise<string> => normalized(side, (await podsOf(side, [name])).get(name));
/** Both sides' copy `name`, read at once: kubectl's, then kubesim's. */
const copiesOf = (name: string) => Promise.all(SIDES.map((s) => copyOf(s, name)));

/** Each side's copies `names`, compared one by one (`what` names each in a failure); kubesim's pods. */
async function sameCopies(names: string[], what: (name: string) => string = (n) => n): Promise<Map<string, any>> {
  const [k, s] = await Promise.all(SIDES.map((side) => podsOf(side, names)));
  for (const name of names) assert.equal(normalized('kubesim', s.get(name)), normalized('kubectl', k.get(name)), what(name));
  return s;
}

/** Runs `debug web <args>` on both sides: the same exit code, stdout and stderr. */
async function both(args: string[]): Promise<RunResult> {
  const out = await bothSides(['debug', 'web', ...args]);
  const shown = (r: RunResult) => [r.code, r.stdout.replace(/debugger-[a-z0-9]{5}/g, 'debugger-X'), r.stderr.replaceAll(NS.kubesim, NS.kubectl)];
  assert.deepEqual(shown(out[1]), shown(out[0]), `kubesim debug web ${args.join(' ')}`);
  return out[0];
}

const CASES: Array<[string, string[]]> = [
  ['legacy, a new container: labels go, annotations, probes and init containers stay', ['--image=busybox:1.36', '-c', 'dbg']],
  ['legacy, --keep-labels cannot keep them', ['--image=busybox:1.36', '-c', 'dbg', '--keep-labels']],
  ['--set-image alone: the copy is made before the profile, so it keeps everything', ['--set-image=*=alpine,side=busybox:1.37', '--profile=general']],
  ['general: probes, labels, annotations go; SYS_PTRACE; shared processes', ['--image=busybox:1.36', '-c', 'dbg', '--profile=general']],
  ['general with every --keep-*', ['--image=busybox:1.36', '-c', 'dbg', '--profile=general', '--keep-labels', '--keep-annotations', '--keep-liveness', '--keep-readiness', '--keep-startup', '--keep-init-containers=true']],
  ['general, --keep-init-containers=false --keep-liveness', ['--image=busybox:1.36', '-c', 'dbg', '--profile=general', '--keep-init-containers=false', '--keep-liveness']],
  ['restricted on an existing container: command, env, its securityContext replaced', ['-c', 'app', '--profile=restricted', '--env=A=1', '--', 'sh', '-c', 'sleep 1']],
  ['-c on an init container, --arguments-only', ['-c', 'init', '--profile=legacy', '--arguments-only', '--', 'a', 'b']],
  ['netadmin, --share-processes=false, --same-node', ['--image=busybox:1.36', '-c', 'dbg', '--profile=netadmin', '--share-processes=false', '--same-node']],
  ['sysadmin, --image-pull-policy, --keep-readiness --keep-startup', ['--image=busybox:1.36', '-c', 'dbg', '--profile=sysadmin', '--keep-readiness', '--keep-startup', '--image-pull-policy=Never']],
  ['baseline on an existing container given a new image; its stdin is cleared', ['-c', 'side', '--image=busybox:1.37', '--profile=baseline', '--share-processes']],
  ['legacy, --share-processes set explicitly, -i without attaching', ['--image=busybox:1.36', '-c', 'dbg', '--share-processes', '-i', '--attach=false', '-q']],
];

test('debug --copy-to leaves the copy kubectl leaves, for each profile and --keep-* flag', async () => {
  for (const [i, [what, args]] of CASES.entries()) {
    const r = await both([`--copy-to=cp${i}`, ...args]);
    assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  }
  // Each copy is made once and left alone: compared after all were made.
  const made = await sameCopies(CASES.map((_, i) => `cp${i}`), (name) => CASES[Number(name.slice(2))][0]);
  // spot checks that the cases did what they say (the comparison alone would pass on two no-ops)
  const pod = made.get('cp3');
  assert.deepEqual([pod.metadata.labels, pod.metadata.annotations, pod.spec.initContainers.length, pod.spec.shareProcessNamespace], [undefined, undefined, 1, true]);
  assert.deepEqual(pod.spec.containers.at(-1).securityContext, { capabilities: { add: ['SYS_PTRACE'] } });
  assert.equal(pod.spec.containers[0].livenessProbe, undefined);
  const noInit = made.get('cp5');
  assert.deepEqual([noInit.spec.initContainers, Boolean(noInit.spec.containers[0].livenessProbe), noInit.spec.containers[0].readinessProbe], [undefined, true, undefined]);
  const legacy = made.get('cp1');
  assert.deepEqual([legacy.metadata.labels, legacy.metadata.annotations.note, legacy.spec.initContainers.length], [undefined, 'hello', 1]);
  assert.deepEqual(legacy.spec.containers.map((x: { name: string; image: string }) => `${x.name}=${x.image}`), ['app=nginx', 'side=busybox:1.36', 'dbg=busybox:1.36']);
});

test('debug --copy-to without -c names the debug container as kubectl does', async () => {
  const r = await both(['--copy-to=named', '--image=busybox:1.36', '--profile=general']);
  assert.match(r.stdout, /^Defaulting debug container name to debugger-[a-z0-9]{5}\.\n$/);
  const norm = (s: string) => s.replace(/debugger-[a-z0-9]{5}/g, 'debugger-X');
  const [k, s] = await copiesOf('named');
  assert.equal(norm(s), norm(k));
});

test('debug --copy-to refuses what kubectl refuses: an existing copy, a missing container without --image, a missing pod', async () => {
  const exists = await both(['--copy-to=cp0', '--image=busybox:1.36', '-c', 'dbg', '--profile=general']);
  assert.deepEqual([exists.code, exists.stderr], [1, 'Error from server (AlreadyExists): pods "cp0" already exists\n']);
  const noImage = await both(['--copy-to=x1', '-c', 'nosuch', '--profile=general', '--', 'sh']);
  assert.deepEqual([noImage.code, noImage.stderr], [1, 'error: you must specify image when creating new container\n']);
  const out = await bothSides(['debug', 'nosuch', '--copy-to=x2', '--image=busybox:1.36', '--profile=general']);
  assert.deepEqual(out[1], out[0]);
  assert.equal(out[0].stderr, 'Error from server (NotFound): pods "nosuch" not found\n');
  for (const r of await bothSides(['get', 'pods', 'x1', 'x2', '--ignore-not-found'])) assert.equal(r.stdout, '');
});

test('the profiles shape an ephemeral container and a node debugging pod as kubectl\'s do', async () => {
  for (const profile of PROFILES) {
    const r = await both([`--image=busybox:1.36`, '-c', `e-${profile}`, `--profile=${profile}`, '-q']);
    assert.equal(r.code, 0, r.stderr);
  }
  const [k, s] = await copiesOf('web');
  assert.equal(s, k);
  const ecs = JSON.parse((await run('kubesim', ['get', 'pod', 'web', '-o', 'json'])).stdout).spec.ephemeralContainers;
  assert.deepEqual(ecs.find((e: { name: string }) => e.name === 'e-general').securityContext, { capabilities: { add: ['SYS_PTRACE'] } });
  const node = (await run('kubectl', ['get', 'pod', 'web', '-o', 'jsonpath={.spec.nodeName}'])).stdout;
  // Each side's node debugging pod for each profile (the sides side by side), then its pods read at once.
  const made = await Promise.all(SIDES.map(async (s) => {
    const names: string[] = [];
    for (const profile of PROFILES) {
      const d = await run(s, ['debug', `node/${node}`, '--image=busybox:1.36', '-c', 'dbg', `--profile=${profile}`]);
      assert.equal(d.code, 0, d.stderr);
      const pod = new RegExp(`^Creating debugging pod (node-debugger-${node}-[a-z0-9]{5}) with container dbg on node ${node}\\.\n$`).exec(d.stdout)?.[1];
      assert.ok(pod, d.stdout);
      names.push(pod);
    }
    const pods = await podsOf(s, names);
    return names.map((pod) => normalized(s, pods.get(pod)).replaceAll(pod, 'POD'));
  }));
  PROFILES.forEach((profile, i) => assert.equal(made[1][i], made[0][i], profile));
});

test('--custom merges a partial container into the debug container after the profile, as kubectl does', async () => {
  const custom = c.file('custom.json', JSON.stringify({ env: [{ name: 'X', value: '2' }, { name: 'Y', value: 'y' }], securityContext: { runAsUser: 0, capabilities: { add: ['NET_ADMIN'] } }, resources: { limits: { cpu: '100m' } } }));
  for (const [i, args] of [
    ['-c', 'app', '--profile=general', '--', 'sh'],
    ['--image=busybox:1.36', '-c', 'dbg', '--profile=sysadmin', '--env=X=1'],
  ].entries()) {
    const r = await both([`--copy-to=cu${i}`, `--custom=${custom}`, ...args]);
    assert.equal(r.code, 0, r.stderr);
  }
  const app = (await sameCopies(['cu0', 'cu1'])).get('cu0').spec.containers[0];
  assert.deepEqual([app.env, app.securityContext], [[{ name: 'X', value: '2' }, { name: 'Y', value: 'y' }], { capabilities: { add: ['NET_ADMIN'] }, runAsUser: 0 }]); // a list without a merge strategy is replaced
  const r = await both(['-c', 'ec-custom', '--image=busybox:1.36', '--profile=netadmin', `--custom=${custom}`, '-q']);
  assert.equal(r.code, 0, r.stderr);
  const [k, s] = await copiesOf('web');
  assert.equal(s, k);
  const refused = await both(['--copy-to=cu9', '--image=busybox:1.36', `--custom=${c.file('bad.json', '{"image": "x"}')}`]);
  assert.deepEqual([refused.code, refused.stderr], [1, 'error: name, command, image, lifecycle and volume devices are not modifiable via custom profile\n']);
});

// kubectl reads --custom with sigs.k8s.io/yaml into a v1.Container: go-yaml v2's scalars
// (`yes`, `On`, `y` are true; `0777` is 511), a bool or number in a string field becomes its
// text (floats as float32), the last duplicate key wins, unknown fields, nulls and false
// are dropped by the round trip through the typed struct, and wrong types are encoding/json's errors.
const CUSTOM_YAML: string[] = [
  'stdin: yes\ntty: On\nworkingDir: yes\nargs: [y, 0777, 1_000, 1.5, 3.14159265358979, 1e21, .inf, 0x1F, 12345678.5]\nenv: [{name: A, value: on}, {name: yes, value: n}]\nsecurityContext: {privileged: Y, capabilities: {add: [on]}}\n',
  'stdin: yes\nstdin: no\ntty: false\nfoo: bar\nenv: null\nWorkingDir: /w\nresources: {limits: {cpu: 1, memory: 0.5}}\nports: [{containerPort: 80, name: yes}]\n',
  '{"workingDir": true, "stdin": true, "args": [7, false]}',
  'stdin: abc\n',
  'stdin: 1\n',
  'securityContext: {runAsUser: yes}\n',
  'ports: [{containerPort: 1.5}]\n',
  'readinessProbe: {httpGet: {port: yes, path: /}}\n',
  'resources: {limits: {cpu: yes}}\n',
  '{"stdin": "yes"}',
  'workingDir: [a]\n',
  // go-yaml's numbers: ints exact past 2^53 (uint64 too), 12345678.0 a float, 1e400 (out of range) a string.
  'args: [12345678.0, 9007199254740993, 1e400, 18446744073709551615, 99999999999999999999, 0.1, -0x10]\nports: [{containerPort: 8080.0}]\n',
  // An int64 past 2^53 reaches the server exact, which refuses it as a user id (both say so with its digits).
  'securityContext: {runAsUser: 9007199254740993}\n',
  '{"args": [12345678.0, 9007199254740993, 1e400], "stdin": true}',
  'ports: [{containerPort: 1e400}]\n',
  'ports: [{containerPort: 9007199254740993}]\n',
  'ports: [{containerPort: 3000000000}]\n',
  'readinessProbe: {httpGet: {port: 2.5e9, path: /}}\n',
  'stdin: 1e400\n',
  // Quantities as Quantity.String() writes them.
  "resources: {limits: {cpu: '1.5', memory: 1024Mi}, requests: {memory: 0.5Ki, ephemeral-storage: '1000'}}\n",
];

test('--custom in YAML is read as kubectl reads it (go-yaml v2 into a v1.Container)', async () => {
  const made: string[] = [];
  for (const [i, text] of CUSTOM_YAML.entries()) {
    const r = await both([`--copy-to=yc${i}`, '--image=busybox:1.36', '-c', 'dbg', '--profile=general', `--custom=${c.file(`custom${i}.yaml`, text)}`]);
    if (r.code === 0) made.push(`yc${i}`);
    else assert.match(r.stderr, /does not contain a valid container spec: error unmarshaling JSON: while decoding JSON: |runAsUser: Invalid value: 9007199254740993: must be between 0 and 2147483647, inclusive/, text);
  }
  const pods = await sameCopies(made, (name) => CUSTOM_YAML[Number(name.slice(2))]);
  // what the comparisons covered
  const dbg = pods.get('yc0').spec.containers.at(-1);
  assert.deepEqual([dbg.stdin, dbg.tty, dbg.workingDir, dbg.args, dbg.env], [true, true, 'true', ['true', '511', '1000', '1.5', '3.1415927', '1e+21', '+Inf', '31', '1.2345678e+07'], [{ name: 'A', value: 'true' }, { name: 'true', value: 'false' }]]);
  const second = pods.get('yc1').spec.containers.at(-1);
  assert.deepEqual([second.stdin, second.workingDir, second.resources.limits], [undefined, '/w', { cpu: '1', memory: '500m' }]);
});

test('debug -f copies the pod as the file gives it (the Builder reads no live object), in -n\'s namespace', async () => {
  const file = c.file('file-pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {from: file}}\nspec:\n  containers: [{name: app, image: "nginx:1.27"}]\n');
  const out = await bothSides(['debug', '-f', file, '--copy-to=from-file', '--image=busybox:1.36', '-c', 'dbg', '--profile=general']);
  assert.deepEqual(out[1], out[0]);
  assert.equal(out[0].code, 0, out[0].stderr);
  const [k, s] = await copiesOf('from-file');
  assert.equal(s, k);
  assert.equal((await run('kubesim', ['get', 'pod', 'from-file', '-o', 'jsonpath={.spec.containers[*].image}'])).stdout, 'nginx:1.27 busybox:1.36');
  const both = await bothSides(['debug', 'web', '-f', file, '--copy-to=x3', '--image=busybox:1.36', '--profile=general']);
  assert.deepEqual(both[1], both[0]);
  assert.equal(both[0].stderr, 'error: resource/name arguments cannot be provided when a path is specified\n');
});

test('debug --copy-to --replace deletes the original at once; --same-node keeps its node', async () => {
  const node = (await run('kubectl', ['get', 'pod', 'web', '-o', 'jsonpath={.spec.nodeName}'])).stdout;
  assert.ok(node, 'web is scheduled');
  const r = await both(['--copy-to=moved', '--image=busybox:1.36', '-c', 'dbg', '--profile=general', '--replace', '--same-node']);
  assert.equal(r.code, 0, r.stderr);
  const gone = await bothSides(['get', 'pod', 'web', '--ignore-not-found', '-o', 'name']);
  SIDES.forEach((s, i) => assert.equal(gone[i].stdout, '', `${s}: web is gone`));
  const [k, s] = await copiesOf('moved');
  assert.equal(s, k);
  assert.equal((await run('kubesim', ['get', 'pod', 'moved', '-o', 'jsonpath={.spec.nodeName}'])).stdout, node);
});

test('debug --copy-to -it: a shell in the copy\'s debug container, through kubectl and kubesim alike', async () => {
  const steps: PtyStep[] = [{ expect: '/ # ', send: 'echo in $HOSTNAME; exit\r' }, { expect: 'when the pod is running' }];
  const session = async (argv: string[], name: string) => {
    const pty = runOnPty([...argv, 'debug', '-it', 'cp0', `--copy-to=${name}`, '-c', 'sh', '--image=busybox:1.36', '--profile=general', '-n', NS.kubectl, '--', 'sh'], steps, c.env());
    // First the copy (the client may start slowly): a wait begun before it would run the simulated clock past its timeout.
    const deadline = Date.now() + 30_000;
    while ((await c.hosted(['get', 'pod', name, '-n', NS.kubectl, '-o', 'name'])).code !== 0) {
      assert.ok(Date.now() < deadline, `${argv[0]} debug never created ${name}`);
      await sleep(100);
    }
    return c.attachedTranscript(pty, [`pod/${name}`, '-n', NS.kubectl, `--for=jsonpath={.status.containerStatuses[?(@.name=="sh")].state.*.startedAt}`]);
  };
  const want = (name: string) =>
    `If you don't see a command prompt, try pressing enter.\r\n/ # echo in $HOSTNAME; exit\r\nin ${name}\r\n` +
    `Session ended, resume using 'kubectl attach ${name} -c sh -i -t' command when the pod is running\r\n`;
  assert.equal(await session([KUBECTL], 'tty-k'), want('tty-k'));
  assert.equal(await session([process.execPath, BIN], 'tty-s'), want('tty-s'));
});
