// One forwarded connection to a port of a simulated pod, for the API server's pods/portforward
// and `kubesim port-forward`: the bytes the client sends are answered as the container's
// server would answer them (src/shell/net.ts, the same answers `wget` and `nc` get inside
// the cluster); a port nothing listens on is refused with containerd's message.

import type { ApiServer } from '../api/server';
import type { KObject } from '../api/types';
import { createHash } from 'node:crypto';

/** Enough of a request to answer: an HTTP head, or whatever came if it is not HTTP. */
const MAX_REQUEST = 64 * 1024;

function sandboxId(pod: KObject): string {
  return createHash('sha256').update(`sandbox/${pod.metadata.uid ?? pod.metadata.name}`).digest('hex');
}

/** containerd's error when nothing listens on the port inside the pod's network namespace. */
export function refusedMessage(pod: KObject, port: number): string {
  const id = sandboxId(pod);
  const ns = `cni-${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`;
  return `error forwarding port ${port} to pod ${id}, uid : failed to execute portforward in network namespace "/var/run/netns/${ns}": failed to connect to localhost:${port} inside namespace "${id}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `;
}

export class ForwardedConnection {
  private data = Buffer.alloc(0);

  constructor(
    private readonly api: ApiServer,
    private readonly pod: KObject,
    readonly port: number,
  ) {}

  private async ask(data: string) {
    const { clusterNet } = await import('../shell/net');
    return clusterNet(this.api, this.pod)({ kind: 'tcp', host: '127.0.0.1', port: this.port, data });
  }

  /** Whether something in the pod accepts connections on the port. */
  async listening(): Promise<boolean> {
    return (await this.ask('')).ok;
  }

  /**
   * Takes bytes from the client; once a whole request is in, the server's answer (the
   * connection then ends, as after `Connection: close`); undefined while more is needed
   * (`final`: the client sent all it will).
   */
  async receive(chunk: Buffer, final = false): Promise<Buffer | undefined> {
    this.data = Buffer.concat([this.data, chunk]);
    const text = this.data.toString('latin1');
    const http = /^[A-Z]+ \S+ HTTP\/1\.[01]\r?\n/.test(text);
    const maybeHttp = /^[A-Z]{0,7}( \S*)?$/.test(text.split('\n')[0]) && !text.includes('\n');
    const more = this.data.length < MAX_REQUEST && !final;
    if (more && http && !/\r?\n\r?\n/.test(text)) return undefined;
    if (more && !http && maybeHttp) return undefined;
    const r = await this.ask(text);
    return Buffer.from(r.ok ? r.body : '', 'utf8');
  }
}
