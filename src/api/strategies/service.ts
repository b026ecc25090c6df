// Services: ClusterIP from 10.96.0.0/12 and node ports from 30000-32767 allocated on create
// and kept on update (registry/core/service/storage: the allocators), status.loadBalancer.

import { ApiError } from '../errors';
import type { KObject } from '../types';
import type { KindStrategy, StrategyHost } from './types';

const SERVICE_CIDR_BASE = [10, 96, 0, 0]; // 10.96.0.0/12, as kind and kubeadm use

// --service-node-port-range's default, split as kube-apiserver splits it since 1.29
// (ServiceNodePortStaticSubrange): the lowest min(max(16, size/32), 128) ports are left to
// Services that name their port, and a port is allocated dynamically from the band above
// them unless that band is full.
const NODE_PORT_MIN = 30000;
const NODE_PORT_SIZE = 2768;
const NODE_PORT_STATIC = Math.min(Math.max(16, Math.floor(NODE_PORT_SIZE / 32)), 128);

/** A free node port, drawn at random from the dynamic band first, then the static one. */
function allocateNodePort(rng: () => number, used: Set<number>): number | undefined {
  for (const [lo, size] of [[NODE_PORT_MIN + NODE_PORT_STATIC, NODE_PORT_SIZE - NODE_PORT_STATIC], [NODE_PORT_MIN, NODE_PORT_STATIC]]) {
    const start = Math.floor(rng() * size);
    for (let i = 0; i < size; i++) {
      const port = lo + ((start + i) % size);
      if (!used.has(port)) return port;
    }
  }
  return undefined;
}

export const serviceStrategy: KindStrategy = {
  prepareStatusOnCreate(obj) {
    obj.status = { loadBalancer: {} };
  },
  async prepareForCreate(host: StrategyHost, svc: KObject): Promise<void> {
    const spec = svc.spec ?? {};
    const all = (await host.list(host.registry.forKind('v1', 'Service'))).items;
    if (spec.type !== 'ExternalName') {
      if (spec.clusterIP === undefined || spec.clusterIP === '') {
        const used = new Set(all.map((s) => s.spec?.clusterIP));
        let n = 10;
        let ip: string;
        do {
          n++;
          ip = `${SERVICE_CIDR_BASE[0]}.${SERVICE_CIDR_BASE[1] + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
        } while (used.has(ip) || (n & 255) === 0 || (n & 255) === 255);
        // spread like a random allocator would, but deterministically per name
        spec.clusterIP = ip;
      } else if (spec.clusterIP !== 'None' && all.some((s) => s.spec?.clusterIP === spec.clusterIP)) {
        throw ApiError.invalid('Service', '', svc.metadata.name!, [
          { field: 'spec.clusterIPs', type: 'Invalid value', value: `[]string{"${spec.clusterIP}"}`, detail: `failed to allocate IP ${spec.clusterIP}: provided IP is already allocated` },
        ]);
      }
      spec.clusterIPs = [spec.clusterIP];
    }
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
      const used = new Set<number>();
      for (const s of all) for (const p of s.spec?.ports ?? []) if (p.nodePort) used.add(p.nodePort);
      for (const [i, p] of (spec.ports ?? []).entries()) {
        if (p.nodePort) {
          if (used.has(p.nodePort)) {
            throw ApiError.invalid('Service', '', svc.metadata.name!, [
              { field: `spec.ports[${i}].nodePort`, type: 'Invalid value', value: String(p.nodePort), detail: 'provided port is already allocated' },
            ]);
          }
        } else {
          p.nodePort = allocateNodePort(host.rng, used);
          if (p.nodePort === undefined) {
            throw ApiError.invalid('Service', '', svc.metadata.name!, [{ field: `spec.ports[${i}].nodePort`, type: 'Invalid value', value: '0', detail: 'range is full' }]);
          }
        }
        used.add(p.nodePort);
      }
    }
    svc.spec = spec;
  },
  async prepareForUpdate(host, current, next) {
    if (!next.spec) return;
    if (next.spec.clusterIP === undefined && current.spec?.clusterIP !== undefined) {
      next.spec.clusterIP = current.spec.clusterIP;
      next.spec.clusterIPs = current.spec.clusterIPs;
    }
    if (next.spec.type !== 'NodePort' && next.spec.type !== 'LoadBalancer') return;
    const ports: any[] = next.spec.ports ?? [];
    const held = new Set<number>((current.spec?.ports ?? []).map((p: any) => p.nodePort).filter(Boolean));
    // patchAllocatedValues: an unset node port gets the old one of the port with its name,
    // unless another port of the update already uses it.
    const kept = new Set(ports.map((p) => p.nodePort).filter((n) => held.has(n)));
    const byName = new Map<string, number>((current.spec?.ports ?? []).map((p: any) => [p.name ?? '', p.nodePort]));
    for (const p of ports) {
      const old = byName.get(p.name ?? '');
      if (!p.nodePort && old && !kept.has(old)) p.nodePort = old;
    }
    // alloc.go updateNodePorts: a port new to this Service must be free in every other one.
    const used = new Set<number>();
    for (const s of (await host.list(host.registry.forKind('v1', 'Service'))).items) {
      if (s.metadata.namespace === next.metadata.namespace && s.metadata.name === next.metadata.name) continue;
      for (const p of s.spec?.ports ?? []) if (p.nodePort) used.add(p.nodePort);
    }
    for (const [i, p] of ports.entries()) {
      if (!p.nodePort) continue;
      if (!held.has(p.nodePort) && used.has(p.nodePort)) {
        throw ApiError.invalid('Service', '', next.metadata.name!, [
          { field: `spec.ports[${i}].nodePort`, type: 'Invalid value', value: String(p.nodePort), detail: 'provided port is already allocated' },
        ]);
      }
      used.add(p.nodePort);
    }
    for (const p of ports) {
      if (p.nodePort) continue;
      p.nodePort = allocateNodePort(host.rng, used);
      if (p.nodePort === undefined) throw new ApiError('InternalError', 'Internal error occurred: failed to allocate a nodePort: range is full');
      used.add(p.nodePort);
    }
  },
};
