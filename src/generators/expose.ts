// `kubectl expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] [--target-port=...]
// [--name=name] [--external-ip=...] [--type=type]` (kubectl pkg/cmd/expose/expose.go and
// pkg/generate/versioned/service.go ServiceGeneratorV2). The object to expose comes in ctx.source.

import { CliError } from '../api/errors';
import type { KObject } from '../api/types';
import { Flags } from './flags';
import { applyOverrides, parseLabels } from './run';
import { fileFlags } from './common-flags';
import type { Generator } from './types';
import { newObject, objectMeta, sortedMap } from './util';
import { goAtoi } from './validation';

const EXPOSABLE = new Set(['Pod', 'Service', 'ReplicationController', 'Deployment', 'ReplicaSet']);

export const exposeGenerator: Generator = {
  command: 'expose',
  usage: 'expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] [--target-port=number-or-name] [--name=name] [--external-ip=external-ip-of-service] [--type=type]',
  short: 'Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service',
  long: 'Expose a resource as a new Kubernetes service.\n\n Looks up a deployment, service, replica set, replication controller or pod by name and uses the selector for that resource as the selector for a new service on the specified port. A deployment or replica set will be exposed as a service only if its selector is convertible to a selector that service supports, i.e. when the selector contains only the matchLabels component. Note that if no port is specified via --port and the exposed resource has multiple ports, all will be re-used by the new service. Also if no labels are specified, the new service will re-use the labels from the resource it exposes.\n\n Possible resources include (case insensitive):\n\n pod (po), service (svc), replicationcontroller (rc), deployment (deploy), replicaset (rs)',
  example: '  # Create a service for a replicated nginx, which serves on port 80 and connects to the containers on port 8000\n  kubectl expose rc nginx --port=80 --target-port=8000\n  \n  # Create a service for a replication controller identified by type and name specified in "nginx-controller.yaml", which serves on port 80 and connects to the containers on port 8000\n  kubectl expose -f nginx-controller.yaml --port=80 --target-port=8000\n  \n  # Create a service for a pod valid-pod, which serves on port 444 with the name "frontend"\n  kubectl expose pod valid-pod --port=444 --name=frontend\n  \n  # Create a second service based on the above service, exposing the container port 8443 as port 443 with the name "nginx-https"\n  kubectl expose service nginx --port=443 --target-port=8443 --name=nginx-https\n  \n  # Create a service for a replicated streaming application on port 4100 balancing UDP traffic and named \'video-stream\'.\n  kubectl expose rc streamer --port=4100 --protocol=UDP --name=video-stream\n  \n  # Create a service for a replicated nginx using replica set, which serves on port 80 and connects to the containers on port 8000\n  kubectl expose rs nginx --port=80 --target-port=8000\n  \n  # Create a service for an nginx deployment, which serves on port 80 and connects to the containers on port 8000\n  kubectl expose deployment nginx --port=80 --target-port=8000',
  flags: [
    { name: 'protocol', type: 'string', help: "The network protocol for the service to be created. Default is 'TCP'." },
    { name: 'port', type: 'string', help: 'The port that the service should serve on. Copied from the resource being exposed, if unspecified' },
    { name: 'type', type: 'string', help: "Type for this service: ClusterIP, NodePort, LoadBalancer, or ExternalName. Default is 'ClusterIP'." },
    { name: 'load-balancer-ip', type: 'string', help: 'IP to assign to the LoadBalancer. If empty, an ephemeral IP will be created and used (cloud-provider specific).' },
    { name: 'selector', type: 'string', help: 'A label selector to use for this service. Only equality-based selector requirements are supported. If empty (the default) infer the selector from the replication controller or replica set.)' },
    { name: 'labels', shorthand: 'l', type: 'string', help: 'Labels to apply to the service created by this call.' },
    { name: 'target-port', type: 'string', help: 'Name or number for the port on the container that the service should direct traffic to. Optional.' },
    { name: 'external-ip', type: 'string', help: 'Additional external IP address (not managed by Kubernetes) to accept for the service. If this IP is routed to a node, the service can be accessed by this IP in addition to its generated service IP.' },
    { name: 'name', type: 'string', help: 'The name for the newly created object.' },
    { name: 'session-affinity', type: 'string', help: "If non-empty, set the session affinity for the service to this; legal values: 'None', 'ClientIP'" },
    { name: 'cluster-ip', type: 'string', help: "ClusterIP to be assigned to the service. Leave empty to auto-allocate, or set to 'None' to create a headless service." },
    { name: 'overrides', type: 'string', help: 'An inline JSON override for the generated object. If this is non-empty, it is used to override the generated object. Requires that the object supply a valid apiVersion field.' },
    { name: 'override-type', type: 'string', default: 'merge', help: 'The method used to override the generated object: json, merge, or strategic.' },
    ...fileFlags('Filename, directory, or URL to files identifying the resource to expose a service'),
  ],
  build(_args, raw, ctx) {
    const f = new Flags(this.flags, raw);
    const src = ctx.source;
    if (!src) throw new CliError('You must provide one or more resources by argument or filename.');
    if (!EXPOSABLE.has(src.kind)) throw new CliError(`cannot expose a ${src.kind}`);
    const selector = f.str('selector') ? parseLabels(f.str('selector')) : selectorFor(src);
    const name = f.str('name') || src.metadata.name || '';
    const clusterIP = f.str('cluster-ip');
    let portList = f.str('port') ? [f.str('port')] : portsFor(src);
    if (portList.length === 0 && clusterIP !== 'None') throw new CliError("couldn't find port via --port flag or introspection");
    if (f.str('port')) portList = f.str('port').split(',');
    const protocols = protocolsFor(src);
    const flagProtocol = f.str('protocol');
    const ports = portList.map((p, i) => {
      let protocol = flagProtocol;
      if (!protocol) protocol = protocols[p] ?? 'TCP';
      const port: Record<string, unknown> = {};
      if (portList.length > 1) port.name = `port-${i + 1}`;
      port.protocol = protocol;
      port.port = goAtoi(p) ?? 0;
      return port;
    });
    const target = f.str('target-port');
    for (const p of ports) {
      if (target) p.targetPort = goAtoi(target) ?? target;
      else p.targetPort = p.port;
    }
    const labels = f.str('labels') ? parseLabels(f.str('labels')) : (src.metadata.labels ?? {});
    const spec: Record<string, unknown> = {};
    if (ports.length) spec.ports = ports;
    spec.selector = sortedMap(selector);
    if (clusterIP) spec.clusterIP = clusterIP;
    const type = f.str('type');
    if (type) spec.type = type;
    if (f.str('external-ip')) spec.externalIPs = [f.str('external-ip')];
    const affinity = f.str('session-affinity');
    if (affinity) {
      if (affinity !== 'None' && affinity !== 'ClientIP') throw new CliError(`unknown session affinity: ${affinity}`);
      spec.sessionAffinity = affinity;
    }
    if (type === 'LoadBalancer' && f.str('load-balancer-ip')) spec.loadBalancerIP = f.str('load-balancer-ip');
    let object = newObject('Service', 'v1', objectMeta(name, ctx.namespace, labels), { spec, status: { loadBalancer: {} } });
    const overrides = f.str('overrides');
    if (overrides) object = applyOverrides(object, overrides, f.str('override-type'), 'Service');
    return { object, warnings: [] };
  },
};

/** MapBasedSelectorForObject */
export function selectorFor(o: KObject): Record<string, string> {
  switch (o.kind) {
    case 'Pod':
      if (!o.metadata.labels || Object.keys(o.metadata.labels).length === 0) throw new CliError('the pod has no labels and cannot be exposed');
      return o.metadata.labels;
    case 'Service':
      if (!o.spec?.selector || Object.keys(o.spec.selector).length === 0) throw new CliError('the service has no pod selector set');
      return o.spec.selector;
    case 'ReplicationController':
      return o.spec?.selector ?? {};
    default: {
      const sel = o.spec?.selector ?? {};
      if (sel.matchExpressions?.length) throw new CliError(`couldn't convert expressions - "${JSON.stringify(sel.matchExpressions)}" to map-based selector format`);
      return sel.matchLabels ?? {};
    }
  }
}

function podSpecOf(o: KObject): { containers?: { ports?: { containerPort: number; protocol?: string }[] }[] } | undefined {
  return o.kind === 'Pod' ? o.spec : o.spec?.template?.spec;
}

/** PortsForObject: container ports (all containers), or a service's ports. */
export function portsFor(o: KObject): string[] {
  if (o.kind === 'Service') return (o.spec?.ports ?? []).map((p: { port: number }) => String(p.port));
  const out: string[] = [];
  for (const c of podSpecOf(o)?.containers ?? []) for (const p of c.ports ?? []) out.push(String(p.containerPort));
  return out;
}

/** ProtocolsForObject: port -> protocol. */
function protocolsFor(o: KObject): Record<string, string> {
  const out: Record<string, string> = {};
  if (o.kind === 'Service') {
    for (const p of o.spec?.ports ?? []) out[String(p.port)] = p.protocol ?? 'TCP';
    return out;
  }
  for (const c of podSpecOf(o)?.containers ?? []) for (const p of c.ports ?? []) out[String(p.containerPort)] = p.protocol ?? 'TCP';
  return out;
}
