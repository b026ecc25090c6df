// `--assume-exists kind/name` (or kind/namespace/name): objects that already live in the
// target cluster. Lint treats them as defined; the throwaway cluster gets a stand-in for
// the kinds pods depend on at run time, so the simulated deploy does not fail on them.

import { CliError } from '../api/errors';
import { ResourceRegistry, UnknownResourceError } from '../api/resources';
import type { KObject } from '../api/types';

export interface AssumedObject {
  kind: string;
  apiVersion: string;
  namespaced: boolean;
  /** Undefined: every namespace. */
  namespace?: string;
  name: string;
}

export function parseAssumeExists(specs: string[], registry = new ResourceRegistry()): AssumedObject[] {
  return specs.flatMap((s) => s.split(',')).filter(Boolean).map((spec) => {
    const parts = spec.split('/');
    if (parts.length < 2 || parts.length > 3 || parts.some((p) => !p)) {
      throw new CliError(`invalid --assume-exists "${spec}": expected KIND/NAME or KIND/NAMESPACE/NAME (e.g. secret/db-creds)`, 2);
    }
    let rt;
    try {
      rt = registry.resolve(parts[0]);
    } catch (e) {
      if (e instanceof UnknownResourceError) throw new CliError(`invalid --assume-exists "${spec}": the server doesn't have a resource type "${parts[0]}"`, 2);
      throw e;
    }
    if (parts.length === 3 && !rt.namespaced) throw new CliError(`invalid --assume-exists "${spec}": ${rt.kind} is not namespaced`, 2);
    return {
      kind: rt.kind,
      apiVersion: rt.group ? `${rt.group}/${rt.versions[0]}` : rt.versions[0],
      namespaced: rt.namespaced,
      namespace: parts.length === 3 ? parts[1] : undefined,
      name: parts[parts.length - 1],
    };
  });
}

export function isAssumed(assumed: AssumedObject[], kind: string, namespace: string, name: string): boolean {
  return assumed.some((a) => a.kind === kind && a.name === name && (!a.namespaced || a.namespace === undefined || a.namespace === namespace));
}

/**
 * Stand-ins for the throwaway cluster: Namespaces, ServiceAccounts, PriorityClasses,
 * StorageClasses, PVCs, and ConfigMaps/Secrets holding the keys the inputs read from them.
 */
export function standIns(assumed: AssumedObject[], namespaces: string[], keysOf: (kind: string, name: string) => string[]): KObject[] {
  const out: KObject[] = [];
  for (const a of assumed) {
    const nss = !a.namespaced ? [undefined] : a.namespace ? [a.namespace] : namespaces;
    for (const ns of nss) {
      const metadata = { name: a.name, ...(ns ? { namespace: ns } : {}), annotations: { 'kubesim.io/assumed': 'true' } };
      const base = { apiVersion: a.apiVersion, kind: a.kind, metadata };
      switch (a.kind) {
        case 'Namespace':
        case 'ServiceAccount':
          out.push(base);
          break;
        case 'PriorityClass':
          out.push({ ...base, value: 0 });
          break;
        case 'StorageClass':
          out.push({ ...base, provisioner: 'rancher.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' });
          break;
        case 'PersistentVolumeClaim':
          out.push({ ...base, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
          break;
        case 'ConfigMap':
          out.push({ ...base, data: Object.fromEntries(keysOf(a.kind, a.name).map((k) => [k, ''])) });
          break;
        case 'Secret':
          out.push({ ...base, type: 'Opaque', data: Object.fromEntries(keysOf(a.kind, a.name).map((k) => [k, ''])) });
          break;
      }
    }
  }
  // Namespaces first, so the rest can land in them.
  return out.sort((x, y) => Number(y.kind === 'Namespace') - Number(x.kind === 'Namespace'));
}
