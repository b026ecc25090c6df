// Creating and opening clusters: a cluster is a directory under $KUBESIM_HOME/clusters/
// holding its store (registry/, journal.log, rev), its profile and its clock.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiServer } from '../api/server';
import { FileStore } from '../store/file-store';
import { ClusterClock } from '../sim/clock';
import { defaultRng } from '../sim/rng';
import type { ClusterProfile, NodeProfile } from '../sim/profile';
import type { KObject } from '../api/types';
import { apiValidator } from '../api/validator-adapter';

export function clusterPath(home: string, name: string): string {
  return path.join(home, 'clusters', name);
}

export interface OpenCluster {
  store: FileStore;
  api: ApiServer;
  clock: ClusterClock;
  profile: ClusterProfile;
}

export function openCluster(home: string, name: string): OpenCluster {
  const store = new FileStore(clusterPath(home, name));
  const clock = new ClusterClock(store);
  const api = new ApiServer(store, clock, defaultRng(), apiValidator());
  const profile = store.readMeta<ClusterProfile>('profile')!;
  return { store, api, clock, profile };
}

export async function createCluster(home: string, name: string, profile: ClusterProfile): Promise<OpenCluster> {
  const dir = clusterPath(home, name);
  if (fs.existsSync(path.join(dir, 'registry'))) throw new Error(`cluster "${name}" already exists`);
  const store = new FileStore(dir);
  store.writeMeta('profile', profile);
  const clock = new ClusterClock(store);
  const api = new ApiServer(store, clock, defaultRng(), apiValidator());
  store.batch(() => {
    api.bootstrap();
    profile.nodes.forEach((n, i) => registerNode(api, n, i));
  });
  return { store, api, clock, profile };
}

/** A Node object as a kubelet registers it: capacity, conditions, addresses, node info. */
export function nodeObject(n: NodeProfile, index: number, now: string): KObject {
  const capacity = { cpu: n.cpu, 'ephemeral-storage': n.ephemeralStorage, 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: n.memory, pods: String(n.pods) };
  const condition = (type: string, status: string, reason: string, message: string) => ({ lastHeartbeatTime: now, lastTransitionTime: now, message, reason, status, type });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: n.name, labels: { ...n.labels }, annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } },
    spec: { podCIDR: `10.244.${index}.0/24`, podCIDRs: [`10.244.${index}.0/24`], ...(n.taints.length ? { taints: n.taints.map((t) => ({ ...t })) } : {}) },
    status: {
      addresses: [
        { address: `172.18.0.${index + 2}`, type: 'InternalIP' },
        { address: n.name, type: 'Hostname' },
      ],
      allocatable: { ...capacity },
      capacity,
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: '',
        containerRuntimeVersion: 'containerd://1.7.24',
        kernelVersion: '6.8.0-kubesim',
        kubeProxyVersion: 'v1.32.4',
        kubeletVersion: 'v1.32.4',
        machineID: '',
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        systemUUID: '',
      },
    },
  };
}

export function registerNode(api: ApiServer, n: NodeProfile, index: number): KObject {
  return api.create(nodeObject(n, index, api.timestamp()));
}
