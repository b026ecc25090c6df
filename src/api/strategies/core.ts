// Namespaces, Nodes and Secrets (registry/core/{namespace,node,secret}/strategy.go).

import { cloneJson } from '../../store/clone';
import { foldStringData } from '../defaulting';
import type { KObject } from '../types';
import type { KindStrategy, StrategyHost } from './types';

export const BOOTSTRAP_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

/** What the root-CA publisher puts in every namespace (kube-root-ca.crt). */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const ROOT_CA_DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';
export const ROOT_CA_DATA = { 'ca.crt': '-----BEGIN CERTIFICATE-----\n(simulated by kubesim)\n-----END CERTIFICATE-----\n' };

export function rootCaConfigMap(namespace: string): KObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { 'kubernetes.io/description': ROOT_CA_DESCRIPTION } }, data: { ...ROOT_CA_DATA } };
}

export function defaultServiceAccount(namespace: string): KObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } };
}

export const namespaceStrategy: KindStrategy = {
  prepareStatusOnCreate(obj) {
    obj.status = { phase: 'Active' };
  },
  // The ServiceAccount and root-CA publisher controllers do this within milliseconds of a
  // namespace appearing; doing it here keeps the CLI usable with no loop running.
  async afterCreate(host: StrategyHost, obj: KObject): Promise<void> {
    const ns = obj.metadata.name!;
    const sa = host.registry.forKind('v1', 'ServiceAccount');
    if (!await host.tryGet(sa, ns, 'default')) await host.create(defaultServiceAccount(ns));
    const cm = host.registry.forKind('v1', 'ConfigMap');
    if (!await host.tryGet(cm, ns, ROOT_CA_CONFIGMAP)) await host.create(rootCaConfigMap(ns));
  },
  // A namespace goes Terminating; the namespace controller deletes its contents.
  finalizedByController: true,
  deletionForbidden(name) {
    return BOOTSTRAP_NAMESPACES.includes(name) && name !== 'kube-node-lease' ? `namespaces "${name}" is forbidden: this namespace may not be deleted` : undefined;
  },
};

export const nodeStrategy: KindStrategy = {
  prepareStatusOnCreate(obj) {
    obj.status ??= {};
  },
  // A node's status write also carries the kubelet's taint updates.
  prepareForStatusUpdate(input, next) {
    if (input.spec) next.spec = cloneJson(input.spec);
  },
};

export const secretStrategy: KindStrategy = {
  prepareStatusOnCreate() {},
  canonicalize: foldStringData,
};
