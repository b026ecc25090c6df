import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceRegistry } from '../../src/api/resources';
import { validateSemantics, validateUpdate, cronScheduleError } from '../../src/api/validation';
import { formatFieldError } from '../../src/api/errors';
import type { KObject } from '../../src/api/types';

const reg = new ResourceRegistry();
const check = (o: any) => validateSemantics(o as KObject, reg.forKind(o.apiVersion, o.kind)).map(formatFieldError);
const deploy = (over: any = {}) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
  spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } }, ...over },
});

test('a plain deployment is valid', () => assert.deepEqual(check(deploy()), []));

test('names: subdomain, DNS-1035 for services, DNS-1123 label for namespaces', () => {
  assert.deepEqual(check({ ...deploy(), metadata: { name: 'Web' } }), [
    `metadata.name: Invalid value: "Web": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
  ]);
  assert.match(check({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } })[0], /a lowercase RFC 1123 label must consist/);
  assert.match(check({ apiVersion: 'v1', kind: 'Service', metadata: { name: '1svc' }, spec: { ports: [{ port: 80 }] } })[0], /a DNS-1035 label must consist/);
  assert.deepEqual(check({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }), ['metadata.name: Required value: name or generateName is required']);
  assert.deepEqual(check({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'cfg-' } }), []);
});

test('labels and annotations', () => {
  const errs = check({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { 'bad key': 'x', ok: 'bad value!' }, annotations: { 'a/b/c': '' } } });
  assert.equal(errs.length, 3);
  assert.match(errs[0], /^metadata\.labels: Invalid value: "bad key": name part must consist of alphanumeric characters/);
  assert.match(errs[1], /^metadata\.labels: Invalid value: "bad value!": a valid label must be an empty string/);
  assert.match(errs[2], /^metadata\.annotations: Invalid value: "a\/b\/c": a qualified name must consist/);
  // Values quoted as Go's %q: a control character escaped \xNN (not JSON's \u00NN), printable Unicode kept.
  assert.match(check({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { k: 'a\u0001é' } } })[0], /^metadata\.labels: Invalid value: "a\\x01é": a valid label/);
  const big = check({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', annotations: { a: 'x'.repeat(300 * 1024) } } });
  assert.deepEqual(big, ['metadata.annotations: Too long: must have at most 262144 bytes']);
});

test('port names as IsValidPortName words them, in its order: a container port\'s name, a Service\'s named targetPort', () => {
  const pod = (name: string) => check({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, name }] }] } });
  const at = 'spec.containers[0].ports[0].name: Invalid value:';
  assert.deepEqual(pod('-web'), [`${at} "-web": must not begin or end with a hyphen`]);
  assert.deepEqual(pod('1--2'), [`${at} "1--2": must contain at least one letter (a-z)`, `${at} "1--2": must not contain consecutive hyphens`]);
  assert.deepEqual(pod('Web'), [`${at} "Web": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)`]);
  const svc = check({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 'http-' }] } });
  assert.deepEqual(svc, ['spec.ports[0].targetPort: Invalid value: "http-": must not begin or end with a hyphen']);
});

test('selector must match the template labels, and must not be empty', () => {
  const d = deploy();
  d.spec.template.metadata.labels = { app: 'x' };
  assert.deepEqual(check(d), ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`']);
  assert.match(check(deploy({ selector: {} }))[0], /^spec\.selector: Invalid value: v1\.LabelSelector\{.*\}: empty selector is invalid for deployment$/);
  assert.deepEqual(check(deploy({ selector: undefined })), ['spec.selector: Required value']);
});

test('replicas, containers, ports, volumes, env, resources', () => {
  assert.deepEqual(check(deploy({ replicas: -1 })), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: {
      volumes: [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }],
      initContainers: [{ name: 'a', image: 'busybox' }],
      containers: [
        { name: 'a', image: '', ports: [{ containerPort: 70000, name: 'http' }, { containerPort: 80, name: 'http' }], env: [{ name: 'A=B' }], volumeMounts: [{ name: 'logs', mountPath: '/l' }], resources: { limits: { cpu: '1' }, requests: { cpu: '2', memory: 'lots' } } },
      ],
      restartPolicy: 'Sometimes',
    },
  };
  assert.deepEqual(check(pod), [
    'spec.volumes[1].name: Duplicate value: "data"',
    'spec.containers[0].name: Duplicate value: "a"',
    'spec.containers[0].image: Required value',
    'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.containers[0].ports[1].name: Duplicate value: "http"',
    `spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
    'spec.containers[0].volumeMounts[0].name: Not found: "logs"',
    `spec.containers[0].resources.requests[memory]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
  ]);
});

test('services: port ranges, nodePort range, names', () => {
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ name: 'a', port: 0 }, { name: 'a', port: 80, nodePort: 80 }, { port: 99999 }] } };
  assert.deepEqual(check(svc), [
    'spec.ports[0].port: Required value',
    'spec.ports[1].name: Duplicate value: "a"',
    'spec.ports[1].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
    'spec.ports[2].name: Required value',
    'spec.ports[2].port: Invalid value: 99999: must be between 1 and 65535, inclusive',
  ]);
});

test('jobs, cronjobs, configmaps and secrets', () => {
  const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { restartPolicy: 'Always', containers: [{ name: 'c', image: 'i' }] } } } };
  assert.deepEqual(check(job), ['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
  const cj = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '* * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } } } };
  assert.deepEqual(check(cj), ['spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: * * *']);
  assert.equal(cronScheduleError('@hourly'), undefined);
  assert.equal(cronScheduleError('*/5 0-23 1,15 jan-dec mon-fri'), undefined);
  assert.match(cronScheduleError('61 * * * *')!, /above maximum/);
  assert.deepEqual(check({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'a b': 'x' } }), [
    `data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
  ]);
  assert.deepEqual(check({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'abc$' } }), ['data[k]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 3']);
  assert.deepEqual(check({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'YWJj' } }), []);
});

test('updates: immutable fields', () => {
  const rt = (k: string, v = 'apps/v1') => reg.forKind(v, k);
  const old = deploy();
  const changed = deploy({ selector: { matchLabels: { app: 'other' } } });
  assert.deepEqual(validateUpdate(old as KObject, changed as KObject, rt('Deployment')).map(formatFieldError), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"other"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
  assert.deepEqual(validateUpdate(old as KObject, deploy({ replicas: 5 }) as KObject, rt('Deployment')), []);
  const sts = (spec: any) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { serviceName: 's', replicas: 1, ...spec } });
  assert.match(validateUpdate(sts({}) as KObject, sts({ serviceName: 't' }) as KObject, rt('StatefulSet')).map(formatFieldError)[0], /^spec: Forbidden: updates to statefulset spec for fields other than 'replicas'/);
  assert.deepEqual(validateUpdate(sts({}) as KObject, sts({ replicas: 3 }) as KObject, rt('StatefulSet')), []);
  const svc = (ip: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { clusterIP: ip } });
  assert.deepEqual(validateUpdate(svc('10.96.0.10') as KObject, svc('10.96.0.11') as KObject, rt('Service', 'v1')).map(formatFieldError), ['spec.clusterIP: Invalid value: "10.96.0.11": field is immutable']);
  const pod = (img: string, sa = 'default') => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { serviceAccountName: sa, containers: [{ name: 'c', image: img }] } });
  assert.deepEqual(validateUpdate(pod('a') as KObject, pod('b') as KObject, rt('Pod', 'v1')), []);
  assert.match(validateUpdate(pod('a') as KObject, pod('a', 'x') as KObject, rt('Pod', 'v1')).map(formatFieldError)[0], /^spec: Forbidden: pod updates may not change fields other than/);
  const cm = (v: string, imm = true) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, immutable: imm, data: { a: v } });
  assert.deepEqual(validateUpdate(cm('1') as KObject, cm('2') as KObject, rt('ConfigMap', 'v1')).map(formatFieldError), ['data: Forbidden: field is immutable when `immutable` is set']);
});

test('LimitRange: ValidateLimitRange\'s checks (defaulting is the server\'s); a Quantity value printed as Go\'s %#v of what ParseQuantity built (int64Amount, the text kept only when canonical)', () => {
  const lr = (limits: any[]) => check({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l', namespace: 'd' }, spec: { limits } });
  const syntax = (value: string, scale: number, s: string, format = 'DecimalSI') =>
    `resource.Quantity{i:resource.int64Amount{value:${value}, scale:${scale}}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"${s}", Format:"${format}"}`;
  assert.deepEqual(lr([{ type: 'Container', min: { cpu: '0.5' }, max: { cpu: '250m' } }]), [`spec.limits[0].min[cpu]: Invalid value: ${syntax('5', -1, '')}: min value 500m is greater than max value 250m`]);
  assert.deepEqual(lr([{ type: 'Container', min: { cpu: '1000' }, max: { cpu: '2k' } }]), []);
  assert.deepEqual(lr([{ type: 'Container', min: { cpu: '3000' }, max: { cpu: '2k' } }]), [`spec.limits[0].min[cpu]: Invalid value: ${syntax('3000', 0, '')}: min value 3k is greater than max value 2k`]);
  assert.deepEqual(lr([{ type: 'Container', maxLimitRequestRatio: { memory: 0 } }]), [`spec.limits[0].maxLimitRequestRatio[memory]: Invalid value: ${syntax('0', 0, '0')}: ratio 0 is less than 1`]);
  // Extended and hugepages resources may not be overcommitted; a name must follow the extended resource standard.
  assert.deepEqual(lr([{ type: 'Container', default: { 'hugepages-2Mi': '4Mi' }, defaultRequest: { 'hugepages-2Mi': '2Mi' } }]), [
    `spec.limits[0].defaultRequest[hugepages-2Mi]: Invalid value: ${syntax('2097152', 0, '2Mi', 'BinarySI')}: default value 4Mi must equal to defaultRequest value 2Mi in hugepages-2Mi`,
  ]);
  assert.deepEqual(lr([{ type: 'Container', max: { 'requests.example.com/gpu': '1' } }, { type: 'example.com/Gpu', max: { 'example.com/gpu': '1' } }]), [
    `spec.limits[0].max[requests.example.com/gpu]: Invalid value: "requests.example.com/gpu": doesn't follow extended resource name standard`,
  ]);
  // A missing type is "" (IsQualifiedName: empty, and not matching its pattern).
  assert.deepEqual(lr([{ max: { cpu: '1' } }]), [
    'spec.limits[0].type: Invalid value: "": name part must be non-empty',
    `spec.limits[0].type: Invalid value: "": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
  ]);
  assert.deepEqual(lr([{ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi', foo: '1' } }]), [
    'spec.limits[0].max[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
  ]);
});
