// ValidatePodSpec, the parts users hit: containers (names, images, ports, env, mounts,
// resources), volumes, restartPolicy.
import type { FieldError } from '../errors';
import { cmp, goQuantitySyntax, milliValue, parseQuantity, QUANTITY_FORMAT_ERROR, quantityString, value, ZERO, type Quantity } from '../quantity';
import { invalid, q, required } from './name-rules';
import { isDns1123Label, isQualifiedName, isValidPortName } from './string-rules';
import { isJsonNumber } from '../../util/exact-json';
import { downwardAPIItemsErrors, envVarValueFromErrors } from './downward-api';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];

const supported = (vals: string[]) => 'supported values: ' + vals.map((v) => q(v)).join(', ');

export function portRangeError(field: string, port: unknown): FieldError | undefined {
  if (typeof port === 'number' && (port < 1 || port > 65535 || !Number.isInteger(port))) return invalid(field, String(port), 'must be between 1 and 65535, inclusive');
  return undefined;
}

export interface PodSpecOptions {
  /** Allowed restartPolicy values (Deployment templates: Always only; Jobs: OnFailure/Never). */
  restartPolicies?: string[];
  /** Volume names provided from elsewhere (StatefulSet volumeClaimTemplates). */
  extraVolumes?: string[];
}

export function validatePodSpec(spec: any, f: string, opts: PodSpecOptions = {}): FieldError[] {
  const out: FieldError[] = [];
  if (!spec || typeof spec !== 'object') return [required(f)];
  const volumes: any[] = Array.isArray(spec.volumes) ? spec.volumes : [];
  const volNames = new Set<string>();
  const mountable = new Set<string>(opts.extraVolumes ?? []);
  volumes.forEach((v, i) => {
    // the volume's source comes before its name, as in ValidateVolumes
    if (v?.downwardAPI) out.push(...downwardAPIItemsErrors(v.downwardAPI.items, `${f}.volumes[${i}].downwardAPI`));
    (Array.isArray(v?.projected?.sources) ? v.projected.sources : []).forEach((s: any, k: number) => {
      if (s?.downwardAPI) out.push(...downwardAPIItemsErrors(s.downwardAPI.items, `${f}.volumes[${i}].projected.sources[${k}].downwardAPI`));
    });
    const vf = `${f}.volumes[${i}].name`;
    if (!v?.name) out.push(required(vf));
    else {
      for (const m of isDns1123Label(v.name)) out.push(invalid(vf, q(v.name), m));
      if (volNames.has(v.name)) out.push({ field: vf, type: 'Duplicate value', value: q(v.name) });
      volNames.add(v.name);
      mountable.add(v.name);
    }
  });

  const containers: any[] = Array.isArray(spec.containers) ? spec.containers : [];
  if (containers.length === 0) out.push(required(`${f}.containers`));
  const names = new Set<string>();
  const groups: [string, any[]][] = [
    ['initContainers', Array.isArray(spec.initContainers) ? spec.initContainers : []],
    ['containers', containers],
  ];
  for (const [kind, list] of groups) {
    list.forEach((c, i) => {
      const cf = `${f}.${kind}[${i}]`;
      out.push(...validateContainer(c, cf, names, mountable));
    });
  }
  // validateEphemeralContainers: names unique across every kind of container (the
  // pods/ephemeralcontainers subresource must refuse a second "debugger"), and a target
  // that is a container or init container.
  const targets = new Set(names);
  (Array.isArray(spec.ephemeralContainers) ? spec.ephemeralContainers : []).forEach((c: any, i: number) => {
    const cf = `${f}.ephemeralContainers[${i}]`;
    out.push(...validateContainer(c, cf, names, mountable));
    const target = c?.targetContainerName;
    if (typeof target === 'string' && target !== '' && !targets.has(target)) out.push({ field: `${cf}.targetContainerName`, type: 'Not found', value: q(target) });
  });

  const rp = spec.restartPolicy;
  const allowed = opts.restartPolicies ?? RESTART_POLICIES;
  if (rp === undefined || rp === '') {
    if (opts.restartPolicies && !opts.restartPolicies.includes('Always')) out.push(required(`${f}.restartPolicy`, `valid values: ${allowed.map((v) => q(v)).join(', ')}`));
  } else if (!allowed.includes(rp)) out.push({ field: `${f}.restartPolicy`, type: 'Unsupported value', value: q(rp), detail: supported(allowed) });

  if (spec.dnsPolicy !== undefined && !['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'].includes(spec.dnsPolicy)) {
    out.push({ field: `${f}.dnsPolicy`, type: 'Unsupported value', value: q(spec.dnsPolicy), detail: supported(['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None']) });
  }
  out.push(...podSecurityContextErrors(spec.securityContext, `${f}.securityContext`));
  if (isJsonNumber(spec.terminationGracePeriodSeconds) && spec.terminationGracePeriodSeconds < 0) {
    out.push(invalid(`${f}.terminationGracePeriodSeconds`, String(spec.terminationGracePeriodSeconds), 'must be greater than or equal to 0'));
  }
  if (isJsonNumber(spec.activeDeadlineSeconds) && spec.activeDeadlineSeconds <= 0) {
    out.push(invalid(`${f}.activeDeadlineSeconds`, String(spec.activeDeadlineSeconds), 'must be between 1 and 2147483647, inclusive'));
  }
  return out;
}

function validateContainer(c: any, cf: string, names: Set<string>, volNames: Set<string>): FieldError[] {
  const out: FieldError[] = [];
  if (!c || typeof c !== 'object') return out;
  if (!c.name) out.push(required(`${cf}.name`));
  else {
    for (const m of isDns1123Label(c.name)) out.push(invalid(`${cf}.name`, q(c.name), m));
    if (names.has(c.name)) out.push({ field: `${cf}.name`, type: 'Duplicate value', value: q(c.name) });
    names.add(c.name);
  }
  if (!c.image || (typeof c.image === 'string' && c.image.trim() === '')) out.push(required(`${cf}.image`));
  else if (typeof c.image === 'string' && c.image !== c.image.trim()) out.push(invalid(`${cf}.image`, q(c.image), 'must not have leading or trailing whitespace'));
  if (c.imagePullPolicy !== undefined && !['Always', 'IfNotPresent', 'Never'].includes(c.imagePullPolicy)) {
    out.push({ field: `${cf}.imagePullPolicy`, type: 'Unsupported value', value: q(c.imagePullPolicy), detail: supported(['Always', 'IfNotPresent', 'Never']) });
  }

  const portNames = new Set<string>();
  (Array.isArray(c.ports) ? c.ports : []).forEach((p: any, j: number) => {
    const pf = `${cf}.ports[${j}]`;
    if (!p) return;
    if (p.name !== undefined && p.name !== '') {
      for (const m of isValidPortName(String(p.name))) out.push(invalid(`${pf}.name`, q(p.name), m));
      if (portNames.has(p.name)) out.push({ field: `${pf}.name`, type: 'Duplicate value', value: q(p.name) });
      portNames.add(p.name);
    }
    if (p.containerPort === undefined || p.containerPort === 0) out.push(required(`${pf}.containerPort`));
    else {
      const e = portRangeError(`${pf}.containerPort`, p.containerPort);
      if (e) out.push(e);
    }
    if (p.hostPort !== undefined && p.hostPort !== 0) {
      const e = portRangeError(`${pf}.hostPort`, p.hostPort);
      if (e) out.push(e);
    }
    if (p.protocol !== undefined && !PROTOCOLS.includes(p.protocol)) out.push({ field: `${pf}.protocol`, type: 'Unsupported value', value: q(p.protocol), detail: supported(PROTOCOLS) });
  });

  (Array.isArray(c.env) ? c.env : []).forEach((e: any, j: number) => {
    const ef = `${cf}.env[${j}].name`;
    if (!e?.name) out.push(required(ef));
    else if (!/^[ -<>-~]+$/.test(e.name)) out.push(invalid(ef, q(e.name), "a valid environment variable name must consist only of printable ASCII characters other than '='"));
    if (e) out.push(...envVarValueFromErrors(e, `${cf}.env[${j}]`));
  });

  const mountPaths = new Set<string>();
  (Array.isArray(c.volumeMounts) ? c.volumeMounts : []).forEach((m: any, j: number) => {
    const mf = `${cf}.volumeMounts[${j}]`;
    if (!m) return;
    if (!m.name) out.push(required(`${mf}.name`));
    else if (!volNames.has(m.name)) out.push({ field: `${mf}.name`, type: 'Not found', value: q(m.name) });
    if (!m.mountPath) out.push(required(`${mf}.mountPath`));
    else {
      if (mountPaths.has(m.mountPath)) out.push(invalid(`${mf}.mountPath`, q(m.mountPath), 'must be unique'));
      mountPaths.add(m.mountPath);
    }
  });

  out.push(...resourceErrors(c.resources, `${cf}.resources`));
  // ValidateSecurityContext's ids (the last of validateContainerCommon's checks).
  const sc = c.securityContext;
  if (sc && typeof sc === 'object') out.push(...idErrors(sc, `${cf}.securityContext`, ['runAsUser', 'runAsGroup']));
  return out;
}

/** IsValidUserID / IsValidGroupID: an int64 id within 0..2^31-1 (a bigint past 2^53 included). */
function idError(field: string, v: unknown): FieldError[] {
  if (isJsonNumber(v) && !(v >= 0 && v <= 2147483647)) return [invalid(field, String(v), 'must be between 0 and 2147483647, inclusive')];
  return [];
}

function idErrors(sc: any, f: string, fields: string[]): FieldError[] {
  return fields.flatMap((k) => idError(`${f}.${k}`, sc[k]));
}

/** validatePodSpecSecurityContext's ids: fsGroup, runAsUser, runAsGroup, then each supplemental group. */
function podSecurityContextErrors(sc: any, f: string): FieldError[] {
  if (!sc || typeof sc !== 'object') return [];
  const groups: unknown[] = Array.isArray(sc.supplementalGroups) ? sc.supplementalGroups : [];
  return [...idErrors(sc, f, ['fsGroup', 'runAsUser', 'runAsGroup']), ...groups.flatMap((g, i) => idError(`${f}.supplementalGroups[${i}]`, g))];
}

// A resource name's kind (k8s.io/kubernetes pkg/apis/core/helper): native ones have no
// prefix or a kubernetes.io/ one; an extended one is any other that is a qualified name with
// `requests.` before it. Hugepages and extended resources cannot be overcommitted.
const isNativeResource = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
const isHugePageResource = (name: string) => name.startsWith('hugepages-');
const isExtendedResource = (name: string) => !isNativeResource(name) && !name.startsWith('requests.') && isQualifiedName(`requests.${name}`).length === 0;
const overcommitAllowed = (name: string) => isNativeResource(name) && !isHugePageResource(name);

/** validateResourceQuantityHugePageValue (a create: indivisible values refused). */
function hugePageError(name: string, n: Quantity, raw: unknown, vf: string): FieldError[] {
  if (!isHugePageResource(name)) return [];
  const page = parseQuantity(name.slice('hugepages-'.length));
  const divisible = page !== undefined && cmp(page, ZERO) > 0 && milliValue(page) % 1000 === 0 && value(n) % value(page) === 0;
  return divisible ? [] : [invalid(vf, q(raw), `${quantityString(raw)} is not positive integer multiple of ${name}`)];
}

/**
 * ValidateResourceRequirements' quantities: each parses and is not negative, an extended
 * resource's is whole; a request is at most its limit, equal to it where it cannot be
 * overcommitted (hugepages, extended resources: their limit must be set); hugepages are a
 * multiple of their page size and come with cpu or memory.
 */
export function resourceErrors(res: any, rf: string): FieldError[] {
  const out: FieldError[] = [];
  if (!res || typeof res !== 'object') return out;
  const parsed: Record<'limits' | 'requests', Record<string, Quantity>> = { limits: {}, requests: {} };
  let cpuOrMemory = false;
  let hugePages = false;
  for (const part of ['limits', 'requests'] as const) {
    const m = res[part];
    if (!m || typeof m !== 'object') continue;
    for (const [name, v] of Object.entries(m)) {
      const vf = `${rf}.${part}[${name}]`;
      const n = parseQuantity(v);
      if (!n) {
        out.push(invalid(vf, q(v), QUANTITY_FORMAT_ERROR));
        continue;
      }
      if (n.mantissa < 0n) out.push(invalid(vf, q(v), 'must be greater than or equal to 0'));
      else parsed[part][name] = n;
      // isNotIntegerErrorMsg, given the Quantity itself (printed as Go's %#v of the struct).
      if (isExtendedResource(name) && milliValue(n) % 1000 !== 0) out.push(invalid(vf, goQuantitySyntax(v), 'must be an integer'));
      if (isHugePageResource(name)) {
        hugePages = true;
        out.push(...hugePageError(name, n, v, vf));
      }
      if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
    }
  }
  // (Go ranges over the maps in no set order: the comparisons after every quantity's own errors.)
  for (const [name, n] of Object.entries(parsed.requests)) {
    const lim = parsed.limits[name];
    if (lim !== undefined) {
      const c = cmp(n, lim);
      if (c !== 0 && !overcommitAllowed(name)) out.push(invalid(`${rf}.requests`, q(res.requests[name]), `must be equal to ${name} limit of ${quantityString(res.limits[name])}`));
      else if (c > 0) out.push(invalid(`${rf}.requests`, q(res.requests[name]), `must be less than or equal to ${name} limit of ${res.limits[name]}`));
    } else if (!(name in (res.limits ?? {})) && !overcommitAllowed(name)) out.push(required(`${rf}.limits`, 'Limit must be set for non overcommitable resources'));
  }
  if (hugePages && !cpuOrMemory) out.push({ field: rf, type: 'Forbidden', detail: 'HugePages require cpu or memory' });
  return out;
}
