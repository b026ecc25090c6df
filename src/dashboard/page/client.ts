/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The page's one way to the cluster: the Kubernetes REST API (and the kubesim endpoint),
// same origin, with the bearer token the page was opened with. List then watch (a
// streamed fetch of ?watch=1, one JSON event per line), relisting after 410 Gone.

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
   * Keeps `onList`/`onEvent` in step with a collection until `signal` aborts: list, then
   * watch from the list's resourceVersion; a 410 (too old) or a broken stream relists.
   */
  async listWatch(path: string, onList: (items: K8sObject[]) => void, onEvent: (e: WatchEvent) => void, onError: (e: unknown) => void, signal: AbortSignal): Promise<void> {
    const sep = path.includes('?') ? '&' : '?';
    while (!signal.aborted) {
      try {
        const list = await this.json<{ items: K8sObject[]; metadata: { resourceVersion: string } }>('GET', path);
        let rv = list.metadata.resourceVersion;
        onList(list.items ?? []);
        let gone = false;
        while (!signal.aborted && !gone) {
          await this.lines(`${path}${sep}watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(rv)}`, (line) => {
            if (!line.trim()) return;
            const e = JSON.parse(line) as { type: string; object: K8sObject };
            if (e.type === 'ERROR') {
              gone = true; // 410 Gone: the history asked for is no longer kept
              return;
            }
            if (e.object?.metadata?.resourceVersion) rv = e.object.metadata.resourceVersion;
            if (e.type === 'BOOKMARK') return;
            onEvent(e as WatchEvent);
          }, signal);
        }
      } catch (e) {
        if (signal.aborted) return;
        onError(e);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}
