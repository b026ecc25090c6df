// The throwaway cluster's profile for `kubesim check`: from --cluster-config (a YAML
// profile), or from --nodes/--node-cpu/--node-memory; images from registries outside
// --allowed-registries are made unreachable so their pulls fail as they would in CI.

import { parse as parseYaml } from 'yaml';
import { CliError } from '../api/errors';
import { isQuantity } from '../api/quantity';
import { defaultProfile, nodeProfile, DEFAULT_TIMINGS, type ClusterProfile, type NodeProfile } from '../sim/profile';

export interface ShapeOptions {
  /** Text of a --cluster-config file. */
  config?: string;
  configName?: string;
  nodes?: number;
  cpu?: string;
  memory?: string;
  allowedRegistries?: string[];
  /** Every image the inputs use (for --allowed-registries). */
  images?: string[];
}

class ConfigError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** The registry host of an image reference, as docker normalizes it (`nginx` → `docker.io`). */
export function registryOf(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = image.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') return first === 'index.docker.io' ? 'docker.io' : first;
  return 'docker.io';
}

/** `docker.io` allows `nginx`; `ghcr.io/org` allows `ghcr.io/org/x`; `*.example.com` allows subdomains. */
export function registryAllowed(image: string, allowed: string[]): boolean {
  const reg = registryOf(image);
  const first = image.split('/')[0];
  const explicit = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const full = explicit ? image : `docker.io/${image.includes('/') ? image : 'library/' + image}`;
  return allowed.some((a) => {
    const pat = a.replace(/\/+$/, '');
    if (pat.startsWith('*.')) return reg.endsWith(pat.slice(1));
    if (pat.includes('/')) return full === pat || full.startsWith(pat + '/');
    return reg === pat;
  });
}

function node(raw: any, fallbackName: string): NodeProfile {
  const n = nodeProfile(typeof raw.name === 'string' ? raw.name : fallbackName, raw.cpu !== undefined ? String(raw.cpu) : undefined, raw.memory !== undefined ? String(raw.memory) : undefined, raw.pods !== undefined ? Number(raw.pods) : undefined);
  if (raw.ephemeralStorage !== undefined) n.ephemeralStorage = String(raw.ephemeralStorage);
  if (raw.labels && typeof raw.labels === 'object') Object.assign(n.labels, raw.labels);
  if (Array.isArray(raw.taints)) n.taints = raw.taints.map((t: any) => ({ key: String(t.key), ...(t.value !== undefined ? { value: String(t.value) } : {}), effect: t.effect }));
  return n;
}

/** Reads a cluster profile YAML: `nodes: [{name?, count?, cpu, memory, pods, labels, taints}]`, `timings`, `images`. */
export function parseClusterConfig(text: string, file = 'cluster config'): ClusterProfile {
  let raw: any;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new ConfigError(`cannot read ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!raw || typeof raw !== 'object') throw new ConfigError(`${file}: expected a mapping with "nodes"`);
  const base = defaultProfile(typeof raw.name === 'string' ? raw.name : 'check');
  if (raw.nodes !== undefined) {
    if (!Array.isArray(raw.nodes)) throw new ConfigError(`${file}: "nodes" must be a list`);
    const nodes: NodeProfile[] = [];
    for (const entry of raw.nodes) {
      if (!entry || typeof entry !== 'object') throw new ConfigError(`${file}: each entry of "nodes" must be a mapping`);
      for (const q of ['cpu', 'memory'] as const) {
        if (entry[q] !== undefined && !isQuantity(String(entry[q]))) throw new ConfigError(`${file}: invalid ${q} quantity "${entry[q]}"`);
      }
      const count = entry.count === undefined ? 1 : Number(entry.count);
      if (!Number.isInteger(count) || count < 1) throw new ConfigError(`${file}: "count" must be a positive integer`);
      for (let i = 0; i < count; i++) {
        const name = typeof entry.name === 'string' ? (count > 1 ? `${entry.name}-${i + 1}` : entry.name) : `node-${nodes.length + 1}`;
        nodes.push(node({ ...entry, name }, name));
      }
    }
    base.nodes = nodes;
  }
  if (raw.timings && typeof raw.timings === 'object') base.timings = { ...DEFAULT_TIMINGS, ...raw.timings };
  if (raw.images && typeof raw.images === 'object') {
    if (Array.isArray(raw.images.unreachable)) base.images.unreachable = raw.images.unreachable.map(String);
    if (Array.isArray(raw.images.missing)) base.images.missing = [...base.images.missing, ...raw.images.missing.map(String)];
  }
  return base;
}

export function clusterProfile(opts: ShapeOptions): ClusterProfile {
  let profile: ClusterProfile;
  if (opts.config !== undefined) profile = parseClusterConfig(opts.config, opts.configName);
  else {
    for (const [flag, q] of [['--node-cpu', opts.cpu], ['--node-memory', opts.memory]] as const) {
      if (q !== undefined && !isQuantity(q)) throw new ConfigError(`invalid ${flag} "${q}": must be a quantity such as 4, 500m, 8Gi`);
    }
    if (opts.nodes !== undefined && (!Number.isInteger(opts.nodes) || opts.nodes < 0)) throw new ConfigError(`invalid --nodes "${opts.nodes}": must be a non-negative integer`);
    profile = defaultProfile('check', { nodes: opts.nodes, cpu: opts.cpu, memory: opts.memory });
  }
  if (opts.allowedRegistries?.length) {
    const blocked = [...new Set((opts.images ?? []).filter((i) => !registryAllowed(i, opts.allowedRegistries!)))];
    profile.images.unreachable = [...profile.images.unreachable, ...blocked];
  }
  return profile;
}
