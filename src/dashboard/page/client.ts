/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The page's one way to the cluster: the Kubernetes REST API (and the kubesim endpoint),
// same origin, with the bearer token the page was opened with. List then watch (over a
// WebSocket, as kube-apiserver serves watches to browsers), relisting after 410 Gone.

export type K8sObject = {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: any[]; deletionTimestamp?: string; creationTimestamp?: string; [k: string]: any };
  spec?: any;
  status?: any;
  [k: string]: any;
};

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: K8sObject;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason = '',
  ) {
    super(message);
  }
}

export class Client {
  constructor(private readonly token: string) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, ...extra };
  }

  async request(method: string, path: string, opts: { body?: string; contentType?: string; accept?: string; signal?: AbortSignal } = {}): Promise<Response> {
    const h = this.headers({ accept: opts.accept ?? 'application/json' });
    if (opts.contentType) h['content-type'] = opts.contentType;
    const res = await fetch(path, { method, headers: h, body: opts.body, signal: opts.signal, cache: 'no-store' });
    if (!res.ok) {
      const text = await res.text();
      let message = text.trim() || res.statusText;
      let reason = '';
      try {
        const st = JSON.parse(text);
        if (st && typeof st.message === 'string') message = st.message;
        if (st && typeof st.reason === 'string') reason = st.reason;
      } catch {
        /* not a Status */
      }
      throw new ApiError(res.status, message, reason);
    }
    return res;
  }

  async json<T = any>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const res = await this.request(method, path, { body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), contentType: body === undefined ? undefined : contentType });
    return res.json() as Promise<T>;
  }

  async text(path: string, accept: string): Promise<string> {
    return (await this.request('GET', path, { accept })).text();
  }

  /** Reads a streamed body line by line until it ends or `signal` aborts. */
  async lines(path: string, onLine: (line: string) => void, signal: AbortSignal, accept = 'application/json'): Promise<void> {
    const res = await this.request('GET', path, { signal, accept });
    if (!res.body) return;
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    }
    if (buf) onLine(buf);
  }

  /**
   * Keeps a collection in step until `signal` aborts: list, then watch from the list's
   * resourceVersion over a WebSocket (a browser's WebSockets do not count against its six
   * HTTP/1.1 connections per origin, so every kind is watched). A dropped connection is
   * watched again from the last resourceVersion seen (backing off while the server is
   * unreachable); a 410 Gone (that history is no longer kept) relists.
   */
  async listWatch(path: string, on: ListWatchHandlers, signal: AbortSignal): Promise<void> {
    const sep = path.includes('?') ? '&' : '?';
    let rv: string | undefined;
    await this.keep(signal, on.error, async (connected) => {
      if (rv === undefined) {
        const list = await this.json<{ items: K8sObject[]; metadata: { resourceVersion: string } }>('GET', path);
        rv = list.metadata.resourceVersion;
        on.list(list.items ?? []);
      }
      const end = await this.watchSocket(`${path}${sep}watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(rv)}`, (e) => {
        if (e.object?.metadata?.resourceVersion) rv = e.object.metadata.resourceVersion;
        if (e.type !== 'BOOKMARK') on.event(e as WatchEvent);
      }, () => {
        connected();
        on.live();
      }, signal);
      if (end === 'gone') rv = undefined;
    });
  }

  /** Runs `once` again and again until `signal` aborts, backing off (up to 8 s) while it fails and until it calls `connected`. */
  async keep(signal: AbortSignal, onError: (e: unknown) => void, once: (connected: () => void) => Promise<void>): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        await once(() => (failures = 0));
      } catch (e) {
        if (signal.aborted) return;
        onError(e);
        failures++;
        await new Promise((r) => setTimeout(r, Math.min(8000, 250 * 2 ** Math.min(failures, 5))));
      }
    }
  }

  /**
   * One watch as kube-apiserver serves it over WebSocket: a JSON event per text message,
   * the bearer token as a `base64url.bearer.authorization.k8s.io.` subprotocol (a browser
   * cannot set Authorization on a WebSocket). Resolves 'gone' on an ERROR event (410:
   * relist), 'closed' when the server ends it; rejects when it could not connect or broke.
   */
  watchSocket(path: string, onEvent: (e: { type: string; object: K8sObject; [k: string]: any }) => void, onOpen: () => void, signal: AbortSignal): Promise<'gone' | 'closed'> {
    const token = btoa(String.fromCharCode(...new TextEncoder().encode(this.token))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, ['base64.binary.k8s.io', `base64url.bearer.authorization.k8s.io.${token}`]);
      let opened = false;
      let result: 'gone' | 'closed' = 'closed';
      const stop = () => ws.close();
      signal.addEventListener('abort', stop);
      ws.onopen = () => {
        opened = true;
        onOpen();
      };
      ws.onmessage = (m) => {
        const e = JSON.parse(String(m.data)) as { type: string; object: K8sObject };
        if (e.type === 'ERROR') {
          result = 'gone';
          ws.close();
          return;
        }
        onEvent(e);
      };
      ws.onclose = (ev) => {
        signal.removeEventListener('abort', stop);
        if (signal.aborted || result === 'gone' || ev.code === 1000) resolve(result);
        else reject(new Error(opened ? `the watch of ${path.split('?')[0]} was cut (${ev.code}); resuming` : `cannot reach the API server to watch ${path.split('?')[0]}`));
      };
    });
  }
}

export interface ListWatchHandlers {
  /** The whole collection (the first list, or a relist after 410 Gone). */
  list(items: K8sObject[]): void;
  event(e: WatchEvent): void;
  /** The watch is connected (again). */
  live(): void;
  error(e: unknown): void;
}
