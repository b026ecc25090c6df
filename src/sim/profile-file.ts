// Cluster profiles from YAML (`kubesim cluster create --config cluster.yaml`), checked
// against a JSON Schema so a typo says where it is instead of being ignored.
//
//   apiVersion: kubesim.io/v1alpha1
//   kind: ClusterProfile
//   nodes:                       # a count with shared sizes, or a list
//     count: 3
//     cpu: "4"
//     memory: 8Gi
//     pods: 110
//     labels: {topology.kubernetes.io/zone: a}
//   # nodes:
//   # - {name: cp, cpu: "2", memory: 4Gi, taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]}
//   timings: {imagePullMs: 2000, containerStartMs: 500, jobDurationMs: 5000, eventTtlMs: 3600000}
//   images: {unreachable: ["private.example.com/*"], missing: ["*:doesnotexist"], unknown: pull}
//   store: etcd://10.0.0.1:2379,10.0.0.2:2379  # where the cluster is kept (as --store; the flag wins)

import { CliError } from '../api/errors';
import { defaultProfile, nodeProfile, DEFAULT_TIMINGS, type ClusterProfile, type NodeProfile } from './profile';

const taint = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'effect'],
  properties: { key: { type: 'string' }, value: { type: 'string' }, effect: { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] } },
};
const sizes = {
  cpu: { type: ['string', 'number'] },
  memory: { type: 'string' },
  pods: { type: 'integer', minimum: 1 },
  ephemeralStorage: { type: 'string' },
  labels: { type: 'object', additionalProperties: { type: 'string' } },
  taints: { type: 'array', items: taint },
};

export const PROFILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['nodes'],
  properties: {
    apiVersion: { const: 'kubesim.io/v1alpha1' },
    kind: { const: 'ClusterProfile' },
    nodes: {
      oneOf: [
        { type: 'object', additionalProperties: false, required: ['count'], properties: { count: { type: 'integer', minimum: 0, maximum: 100000 }, ...sizes } },
        { type: 'array', items: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' }, ...sizes } } },
      ],
    },
    timings: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(Object.keys(DEFAULT_TIMINGS).map((k) => [k, { type: 'integer', minimum: 0 }])),
    },
    store: { type: 'string', pattern: '^etcd://' },
    images: {
      type: 'object',
      additionalProperties: false,
      properties: { unreachable: { type: 'array', items: { type: 'string' } }, missing: { type: 'array', items: { type: 'string' } }, unknown: { enum: ['pull', 'fail'] } },
    },
  },
};

/** The profile in `file`, and the store it names (`store:`), if any. */
export async function loadProfileFile(file: string, text: string, name: string): Promise<{ profile: ClusterProfile; store?: string }> {
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(text);
  if (doc.errors.length) throw new CliError(`error parsing ${file}: ${doc.errors[0].message}`);
  const data = doc.toJS() as any;
  const { default: Ajv } = await import('ajv');
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true }); // cpu: "4" or 4, without strict-mode warnings on stderr
  const validate = ajv.compile(PROFILE_SCHEMA as object);
  if (!validate(data as unknown)) {
    const msgs = (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}${e.params && 'additionalProperty' in e.params ? ` "${(e.params as any).additionalProperty}"` : ''}`);
    throw new CliError(`invalid cluster profile ${file}:\n  ${[...new Set(msgs)].join('\n  ')}`);
  }
  const profile = defaultProfile(name, { nodes: 0 });
  const withSizes = (n: NodeProfile, src: any): NodeProfile => ({
    ...n,
    cpu: src.cpu !== undefined ? String(src.cpu) : n.cpu,
    memory: src.memory ?? n.memory,
    pods: src.pods ?? n.pods,
    ephemeralStorage: src.ephemeralStorage ?? n.ephemeralStorage,
    labels: { ...n.labels, ...(src.labels ?? {}) },
    taints: src.taints ?? [],
  });
  if (Array.isArray(data.nodes)) profile.nodes = data.nodes.map((n: any) => withSizes(nodeProfile(n.name), n));
  else profile.nodes = Array.from({ length: data.nodes.count }, (_, i) => withSizes(nodeProfile(`node-${i + 1}`), data.nodes));
  profile.timings = { ...DEFAULT_TIMINGS, ...(data.timings ?? {}) };
  if (data.images) profile.images = { unreachable: data.images.unreachable ?? [], missing: data.images.missing ?? profile.images.missing, ...(data.images.unknown ? { unknown: data.images.unknown } : {}) };
  return { profile, ...(data.store ? { store: data.store as string } : {}) };
}
