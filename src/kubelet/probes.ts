// Probes evaluated against the simulated container: what its server would answer on that
// port and path, with the kubelet prober's messages (pkg/probe/http, tcp, grpc, exec).
// A container the catalog knows listens only where its image listens; a container from
// an image it does not know answers every probe, as before.

import { httpStatus, type PortSpec } from '../sim/catalog';
import type { ShellRun } from '../shell/run';

/** Where a running container accepts connections. */
export type Listeners =
  /** Unknown image or command: every probe succeeds. */
  | { known: false }
  /** `ports` accept connections from `from` (cluster ms); `startedAt` is the container start. */
  | { known: true; ports: PortSpec[]; from: number; startedAt: number };

export interface ProbeTarget {
  ip: string;
  /** The container's declared ports, to resolve named probe ports. */
  containerPorts: Array<{ name?: string; containerPort: number }>;
  listeners: Listeners;
  run?: ShellRun;
  files: Record<string, string>;
}

function resolvePort(port: unknown, t: ProbeTarget): number | undefined {
  if (typeof port === 'number') return port;
  if (typeof port === 'string' && /^\d+$/.test(port)) return Number(port);
  return t.containerPorts.find((p) => p.name === port)?.containerPort;
}

function listening(t: ProbeTarget, port: number, at: number): PortSpec | undefined {
  if (!t.listeners.known) return { port };
  if (at < t.listeners.from) return undefined;
  return t.listeners.ports.find((p) => p.port === port && (p.protocol ?? 'TCP') === 'TCP');
}

/** The file an exec probe checks (`cat F`, `test -e F`, `ls F`), if it is that simple. */
function probedFile(p: any): string | undefined {
  const cmd: string[] = p.exec?.command ?? [];
  const argv = cmd[0] && /(^|\/)(ba)?sh$/.test(cmd[0]) && cmd[1] === '-c' ? (cmd[2] ?? '').trim().split(/\s+/) : cmd;
  if ((argv[0] === 'cat' || argv[0] === 'ls') && argv.length === 2) return argv[1];
  if (argv[0] === 'test' && argv[1] === '-e' && argv.length === 3) return argv[2];
  return undefined;
}

function fileExistsAt(run: ShellRun | undefined, files: Record<string, string>, f: string, at: number): boolean {
  let exists = f in files;
  for (const e of run?.fileEvents ?? []) {
    if (e.atMs > at) break;
    if (e.path === f) exists = e.exists;
  }
  return exists;
}

/** The text a probe forced to fail by `kubesim.io/probe-fail` reports. */
export function injectedFailure(p: any, ip: string): string {
  if (p.httpGet) return 'HTTP probe failed with statuscode: 500';
  if (p.tcpSocket) return `dial tcp ${ip}:${p.tcpSocket.port}: connect: connection refused`;
  if (p.grpc) return `timeout: failed to connect service "${ip}:${p.grpc.port}" within 1s`;
  return 'command terminated with non-zero exit code';
}

/** Runs one probe at cluster time `at`: undefined when it succeeds, else the prober's output. */
export function runProbe(p: any, t: ProbeTarget, at: number): string | undefined {
  if (p.httpGet) {
    const h = p.httpGet;
    const host = h.host || t.ip;
    const port = resolvePort(h.port, t);
    const path = h.path ? (h.path.startsWith('/') ? h.path : `/${h.path}`) : '/';
    const url = `${String(h.scheme ?? 'HTTP').toLowerCase()}://${host}:${port ?? h.port}${path}`;
    const server = port === undefined ? undefined : listening(t, port, at);
    if (!server) return `Get "${url}": dial tcp ${host}:${port ?? h.port}: connect: connection refused`;
    if (!t.listeners.known) return undefined;
    const status = httpStatus(server, path, at - t.listeners.startedAt);
    return status >= 200 && status < 400 ? undefined : `HTTP probe failed with statuscode: ${status}`;
  }
  if (p.tcpSocket) {
    const host = p.tcpSocket.host || t.ip;
    const port = resolvePort(p.tcpSocket.port, t);
    return port !== undefined && listening(t, port, at) ? undefined : `dial tcp ${host}:${port ?? p.tcpSocket.port}: connect: connection refused`;
  }
  if (p.grpc) {
    return listening(t, p.grpc.port, at) ? undefined : `timeout: failed to connect service "${t.ip}:${p.grpc.port}" within 1s`;
  }
  const f = p.exec ? probedFile(p) : undefined;
  if (f && !fileExistsAt(t.run, t.files, f, at)) return `cat: can't open '${f}': No such file or directory`;
  return undefined;
}
