// `kubesim port-forward TYPE/NAME [LOCAL_PORT:]REMOTE_PORT...`: real local ports whose
// connections the simulated pod answers as its server would (src/exec/forward.ts, the same
// answers kubectl gets through the API server's pods/portforward), with kubectl's port
// parsing, service-port translation, messages and exit on a failed forward.

import type { Command } from 'commander';
import * as net from 'node:net';
import { ApiError, CliError } from '../api/errors';
import { objectPath } from '../api/resources';
import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import { ForwardedConnection, refusedMessage } from '../exec/forward';
import { resolvePod } from '../exec/pod-target';
import { podSubresourcePath } from '../exec/run-command';
import type { CliContext } from './context';
import type { Program } from './root';
import { kubectlHelp } from './kubectl-help';

export interface PortForwardFlags {
  address?: string;
  podRunningTimeout?: string;
}

export interface PortSpec {
  local: number;
  remote: number;
}


function splitPort(spec: string): [string, string] {
  const parts = spec.split(':');
  return parts.length === 2 ? [parts[0], parts[1]] : [parts[0], parts[0]];
}

/** client-go's parsePorts: `8888:5000`, `:5000` (a random local port), `5000`. */
export function parsePorts(specs: string[]): PortSpec[] {
  return specs.map((spec) => {
    const parts = spec.split(':');
    if (parts.length > 2) throw new CliError(`invalid port format '${spec}'`);
    const [localText, remoteText] = splitPort(spec);
    const uint16 = (what: string, s: string) => {
      if (!/^\d+$/.test(s)) throw new CliError(`error parsing ${what} port '${s}': strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`);
      if (Number(s) > 65535) throw new CliError(`error parsing ${what} port '${s}': strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`);
      return Number(s);
    };
    const local = localText === '' ? 0 : uint16('local', localText);
    const remote = uint16('remote', remoteText);
    if (remote === 0) throw new CliError('remote port must be > 0');
    return { local, remote };
  });
}

/** convertPodNamedPortToNumber: named remote ports become the container's port numbers. */
function namedPorts(specs: string[], pod: KObject): string[] {
  return specs.map((spec) => {
    const [local, remote] = splitPort(spec);
    let port = remote;
    if (!/^[+-]?\d+$/.test(remote)) port = String(containerPort(pod, remote));
    return local !== remote ? `${local}:${port}` : port;
  });
}

/** The container port a named port stands for. */
function containerPort(pod: KObject, name: string): number {
  for (const c of pod.spec?.containers ?? []) for (const p of c.ports ?? []) if (p.name === name) return p.containerPort;
  throw new CliError(`Pod '${pod.metadata.name}' does not have a named port '${name}'`);
}

/** translateServicePortToTargetPort: a service's port becomes the pod's target port. */
function servicePorts(specs: string[], svc: KObject, pod: KObject): string[] {
  return specs.map((spec) => {
    const [local, remote] = splitPort(spec);
    const sp = (svc.spec?.ports ?? []).find((p: any) => String(p.port) === remote || p.name === remote);
    if (!sp) throw new CliError(`Service ${svc.metadata.name} does not have a service port ${remote}`);
    const target = sp.targetPort ?? sp.port;
    const port = typeof target === 'number' ? target : /^\d+$/.test(target) ? Number(target) : containerPort(pod, target);
    return local !== remote || String(port) !== remote ? `${local === remote ? String(sp.port) : local}:${port}` : String(port);
  });
}

export class PortForwardOptions {
  podRef = '';
  portArgs: string[] = [];
  addresses: string[] = [];

  /** Raw arguments and flags to options (no I/O). */
  complete(args: string[], flags: PortForwardFlags, program: string): void {
    if (args.length < 2) throw new CliError(`TYPE/NAME and list of ports are required for port-forward\nSee '${program} port-forward -h' for help and examples`);
    this.podRef = args[0];
    this.portArgs = args.slice(1);
    const addrs = (flags.address ?? 'localhost').split(',').map((a) => a.trim());
    this.addresses = addrs.flatMap((a) => (a === 'localhost' ? ['127.0.0.1', '::1'] : [a]));
  }

  /** Pure checks. */
  validate(): void {
    for (const a of this.addresses) if (net.isIP(a) === 0) throw new CliError(`${a} is not a valid IP`);
  }

  async run(ctx: CliContext): Promise<number> {
    const api = await ctx.api();
    // --as: kubectl's GET of the pod (or workload or service, then its pods), later its POST of pods/portforward
    const check = await (await import('./impersonation')).requestCheck(ctx.flags, api);
    const { pod } = await resolvePod(api, ctx.namespace, this.podRef, (path) => check('GET', path));
    const slash = this.podRef.indexOf('/');
    const rt = slash > 0 ? api.resolve(this.podRef.slice(0, slash)) : undefined;
    const specs = rt?.kind === 'Service' ? servicePorts(this.portArgs, await api.get(rt, ctx.namespace, this.podRef.slice(slash + 1)), pod) : namedPorts(this.portArgs, pod);
    // RunPortForwardContext reads the pod again (a workload's pods were listed)
    if (rt && rt.kind !== 'Pod') await check('GET', objectPath(api.resolve('pods'), pod.metadata.namespace, pod.metadata.name!));
    const phase = pod.status?.phase;
    if (phase !== 'Running') throw new CliError(`unable to forward port because pod is not running. Current status=${phase}`);
    // the dialer's upgrade, before any listener: its refusal is an upgrade error
    await check('POST', podSubresourcePath(api, pod, 'portforward')).catch((e: unknown) => {
      throw e instanceof ApiError ? new CliError(`error upgrading connection: ${e.message}`) : e;
    });
    return forward(ctx, api, pod, parsePorts(specs), this.addresses);
  }
}
async function listen(host: string, port: number): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** Listens on every address for every port until interrupted or a forward fails. */
async function forward(ctx: CliContext, api: ApiServer, pod: KObject, ports: Array<{ local: number; remote: number }>, addresses: string[]): Promise<number> {
  const servers: net.Server[] = [];
  let finish!: (code: number) => void;
  const done = new Promise<number>((resolve) => (finish = resolve));
  for (const p of ports) {
    let local = p.local;
    for (const addr of addresses) {
      let server: net.Server;
      try {
        server = await listen(addr, local);
      } catch (e) {
        // kubectl goes on with the other address when one cannot be bound (no IPv6 here)
        if (addresses.length > 1 && addr === '::1') continue;
        servers.forEach((s) => s.close());
        throw new CliError(`Unable to listen on port ${local}: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 ${addr}:${local}: bind: ${(e as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'address already in use' : (e as Error).message}]`);
      }
      local = (server.address() as net.AddressInfo).port;
      servers.push(server);
      ctx.out(`Forwarding from ${addr.includes(':') ? `[${addr}]` : addr}:${local} -> ${p.remote}\n`);
      const shown = local;
      server.on('connection', (sock) => {
        ctx.out(`Handling connection for ${shown}\n`);
        serveConnection(api, pod, p.remote, sock).catch((e) => {
          sock.destroy();
          ctx.err(`an error occurred forwarding ${shown} -> ${p.remote}: ${(e as Error).message}\n`);
          ctx.err('error: lost connection to pod\n');
          finish(1);
        });
      });
    }
  }
  const stop = () => finish(0);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const code = await done;
  process.removeListener('SIGINT', stop);
  process.removeListener('SIGTERM', stop);
  for (const s of servers) {
    s.close();
  }
  return code;
}

async function serveConnection(api: ApiServer, pod: KObject, port: number, sock: net.Socket): Promise<void> {
  const conn = new ForwardedConnection(api, pod, port);
  if (!(await conn.listening())) throw new Error(refusedMessage(pod, port));
  let chain = Promise.resolve();
  let answered = false;
  const reply = (answer: Buffer | undefined) => {
    if (!answer || answered) return;
    answered = true;
    sock.end(answer);
  };
  const take = (d: Buffer, final: boolean) => {
    chain = chain.then(async () => {
      if (!answered) reply(await conn.receive(d, final));
    });
  };
  sock.on('data', (d: Buffer) => take(d, false));
  sock.on('end', () => take(Buffer.alloc(0), true));
  sock.on('error', () => sock.destroy());
}

/** kubectl port-forward's Long, as cobra prints it. */
const PORT_FORWARD_LONG = `Forward one or more local ports to a pod.

 Use resource type/name such as deployment/mydeployment to select a pod. Resource type defaults to 'pod' if omitted.

 If there are multiple pods matching the criteria, a pod will be selected automatically. The forwarding session ends when the selected pod terminates, and a rerun of the command is needed to resume forwarding.`;

const PORT_FORWARD_EXAMPLE = `  # Listen on ports 5000 and 6000 locally, forwarding data to/from ports 5000 and 6000 in the pod
  kubectl port-forward pod/mypod 5000 6000
  
  # Listen on ports 5000 and 6000 locally, forwarding data to/from ports 5000 and 6000 in a pod selected by the deployment
  kubectl port-forward deployment/mydeployment 5000 6000
  
  # Listen on port 8443 locally, forwarding to the targetPort of the service's port named "https" in a pod selected by the service
  kubectl port-forward service/myservice 8443:https
  
  # Listen on port 8888 locally, forwarding to 5000 in the pod
  kubectl port-forward pod/mypod 8888:5000
  
  # Listen on port 8888 on all addresses, forwarding to 5000 in the pod
  kubectl port-forward --address 0.0.0.0 pod/mypod 8888:5000
  
  # Listen on port 8888 on localhost and selected IP, forwarding to 5000 in the pod
  kubectl port-forward --address localhost,10.19.21.23 pod/mypod 8888:5000
  
  # Listen on a random port locally, forwarding to 5000 in the pod
  kubectl port-forward pod/mypod :5000`;

export function register(program: Command, p: Program): void {
  const cmd = program
    .command('port-forward')
    .description('Forward one or more local ports to a pod')
    .usage('TYPE/NAME [options] [LOCAL_PORT:]REMOTE_PORT [...[LOCAL_PORT_N:]REMOTE_PORT_N]')
    .argument('[args...]')
    .option('--address <addresses>', 'Addresses to listen on (comma separated). Only accepts IP addresses or localhost as a value. When localhost is supplied, kubectl will try to bind on both 127.0.0.1 and ::1 and will fail if neither of these addresses are available to bind.', 'localhost')
    .option('--pod-running-timeout <duration>', 'The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running');
  kubectlHelp(cmd, p.name, { long: PORT_FORWARD_LONG, example: PORT_FORWARD_EXAMPLE, use: `port-forward ${cmd.usage()}` }, { address: '[localhost]', 'pod-running-timeout': '1m0s' })
    .action(
      p.action((ctx, args: string[], flags: PortForwardFlags) => {
        const o = new PortForwardOptions();
        o.complete(args, flags, p.name);
        o.validate();
        return o.run(ctx);
      }),
    );
}
