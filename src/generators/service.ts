// `kubectl create service clusterip|nodeport|loadbalancer|externalname NAME [--tcp=port:targetPort]`
// (kubectl pkg/cmd/create/create_service.go).

import { CliError } from '../api/errors';
import { Flags, checkRequired } from './flags';
import type { FlagDef, Generator } from './types';
import { nameFromArgs, newObject, objectMeta } from './util';
import { goAtoi, goParseUint } from './validation';
import { isDns1123Subdomain, isValidPortName, isValidPortNum } from '../api/validation/string-rules';

type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

/** parsePorts: `port[:targetPort]`; targetPort may be a number or a port name. */
export function parseServicePort(spec: string): { port: number; targetPort: number | string } {
  const parts = spec.split(':');
  const port = goParseUint(parts[0], 16);
  if (typeof port === 'string') throw new CliError(port);
  if (parts.length === 1) return { port, targetPort: port };
  const n = goAtoi(parts[1]);
  if (n === undefined) {
    const errs = isValidPortName(parts[1]);
    if (errs.length) throw new CliError(errs.join(','));
    return { port, targetPort: parts[1] };
  }
  const errs = isValidPortNum(n);
  if (errs.length) throw new CliError(errs.join(','));
  return { port, targetPort: n };
}

const TCP_FLAG: FlagDef = { name: 'tcp', type: 'stringSlice', help: 'Port pairs can be specified as \'<port>:<targetPort>\'.' };

function serviceGenerator(sub: string, type: ServiceType, extra: FlagDef[], usage: string, short: string, help: { long: string; example: string }): Generator {
  const command = `create service ${sub}`;
  return {
    command,
    usage,
    short,
    ...help,
    flags: [TCP_FLAG, ...extra],
    build(args, raw, ctx, argsLenAtDash) {
      checkRequired(this.flags, raw);
      const f = new Flags(this.flags, raw);
      const name = nameFromArgs(args, argsLenAtDash, command);
      const tcp = f.list('tcp');
      const clusterIP = type === 'ClusterIP' ? f.str('clusterip') : '';
      const externalName = type === 'ExternalName' ? f.str('external-name') : '';
      const nodePort = type === 'NodePort' ? f.int('node-port') : 0;
      if (clusterIP === 'None' && type !== 'ClusterIP') throw new CliError('ClusterIP=None can only be used with ClusterIP service type');
      if (clusterIP !== 'None' && tcp.length === 0 && type !== 'ExternalName') throw new CliError('at least one tcp port specifier must be provided');
      if (type === 'ExternalName' && isDns1123Subdomain(externalName).length) throw new CliError(`invalid service external name ${externalName}`);
      const ports = tcp.map((t) => {
        const { port, targetPort } = parseServicePort(t);
        const p: Record<string, unknown> = { name: t.replace(/:/g, '-'), protocol: 'TCP', port, targetPort };
        if (nodePort) p.nodePort = nodePort;
        return p;
      });
      const spec: Record<string, unknown> = {};
      if (ports.length) spec.ports = ports;
      spec.selector = { app: name };
      if (clusterIP) spec.clusterIP = clusterIP;
      spec.type = type;
      if (externalName) spec.externalName = externalName;
      const object = newObject('Service', 'v1', objectMeta(name, ctx.namespace, { app: name }), { spec, status: { loadBalancer: {} } });
      return { object, warnings: [] };
    },
  };
}

export const serviceClusterIPGenerator = serviceGenerator(
  'clusterip',
  'ClusterIP',
  [{ name: 'clusterip', type: 'string', help: "Assign your own ClusterIP or set to 'None' for a 'headless' service (no loadbalancing)." }],
  'clusterip NAME [--tcp=<port>:<targetPort>] [--dry-run=server|client|none]',
  'Create a ClusterIP service',
  {
    long: 'Create a ClusterIP service with the specified name.',
    example: '  # Create a new ClusterIP service named my-cs\n  kubectl create service clusterip my-cs --tcp=5678:8080\n  \n  # Create a new ClusterIP service named my-cs (in headless mode)\n  kubectl create service clusterip my-cs --clusterip="None"',
  },
);

export const serviceNodePortGenerator = serviceGenerator(
  'nodeport',
  'NodePort',
  [{ name: 'node-port', type: 'int', default: 0, help: 'Port used to expose the service on each node in a cluster.' }],
  'nodeport NAME [--tcp=port:targetPort] [--dry-run=server|client|none]',
  'Create a NodePort service',
  {
    long: 'Create a NodePort service with the specified name.',
    example: '  # Create a new NodePort service named my-ns\n  kubectl create service nodeport my-ns --tcp=5678:8080',
  },
);

export const serviceLoadBalancerGenerator = serviceGenerator(
  'loadbalancer',
  'LoadBalancer',
  [],
  'loadbalancer NAME [--tcp=port:targetPort] [--dry-run=server|client|none]',
  'Create a LoadBalancer service',
  {
    long: 'Create a LoadBalancer service with the specified name.',
    example: '  # Create a new LoadBalancer service named my-lbs\n  kubectl create service loadbalancer my-lbs --tcp=5678:8080',
  },
);

export const serviceExternalNameGenerator = serviceGenerator(
  'externalname',
  'ExternalName',
  [{ name: 'external-name', type: 'string', help: 'External name of service', required: true }],
  'externalname NAME --external-name external.name [--dry-run=server|client|none]',
  'Create an ExternalName service',
  {
    long: 'Create an ExternalName service with the specified name.\n\n ExternalName service references to an external DNS address instead of only pods, which will allow application authors to reference services that exist off platform, on other clusters, or locally.',
    example: '  # Create a new ExternalName service named my-ns\n  kubectl create service externalname my-ns --external-name bar.com',
  },
);
