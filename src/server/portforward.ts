// pods/portforward: not yet served.
import type * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { UpgradeRefusal, type UpgradeDeps } from './upgrade';

export async function servePortForward(_req: http.IncomingMessage, _socket: Duplex, _head: Buffer, _r: UpgradeDeps & { namespace: string; name: string; query: URLSearchParams; websocket: boolean }): Promise<void> {
  throw new UpgradeRefusal(400, 'port forwarding is not served yet');
}
