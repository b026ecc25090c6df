// /metrics as kube-apiserver 1.32 serves it (Prometheus text format 0.0.4), a truthful subset:
// apiserver_request_total and apiserver_request_duration_seconds with the labels its
// endpoint instrumentation gives them (k8s.io/apiserver endpoints/metrics: MonitorRequest,
// CleanScope, CleanVerb, cleanDryRun), apiserver_storage_objects counted when scraped, and
// the process collector's start time and resident memory. Recorded per server process,
// as each kube-apiserver keeps its own. Requests refused before the handler (401, 403) and
// the discovery, OpenAPI and /version answers are not counted.

import type { ApiServer } from '../server';
import { listPrefix } from '../keys';
import { formatFloatG } from '../../util/go-format';
import type { Route } from './route';
import type { ApiRequest } from './types';

/** apiserver_request_duration_seconds' buckets (kube's requestLatencies). */
const BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

/** The label names of both request metrics, sorted as the text format writes them (`code` only on the counter). */
const NAMES = ['component', 'dry_run', 'group', 'resource', 'scope', 'subresource', 'verb', 'version'] as const;
export type RequestLabels = Record<(typeof NAMES)[number], string>;

/** Subresources kube reports as CONNECT (validConnectRequests). */
const CONNECT = new Set(['log', 'exec', 'portforward', 'attach', 'proxy']);
const VERBS = new Set(['APPLY', 'CONNECT', 'CREATE', 'DELETE', 'DELETECOLLECTION', 'GET', 'LIST', 'PATCH', 'POST', 'PROXY', 'PUT', 'UPDATE', 'WATCH', 'WATCHLIST']);

/** The health endpoints kube instruments (each check's own path is not). */
const HEALTH_PATHS = new Set(['/healthz', '/livez', '/readyz']);

/** The labels kube-apiserver's instrumentation gives a request, or undefined for one it does not count. */
export function requestLabels(req: ApiRequest, r: Route): RequestLabels | undefined {
  const method = req.method.toUpperCase();
  const dryRun = cleanDryRun(req.query);
  if (r.kind === 'health') {
    const path = req.path.replace(/\/$/, '');
    if (!HEALTH_PATHS.has(path)) return undefined;
    return { component: '', dry_run: dryRun, group: '', resource: '', scope: '', subresource: path, verb: reportedVerb(method, '', req), version: '' };
  }
  if (r.kind !== 'resource') return undefined;
  // CleanScope: a name (or a create) is one resource; else the namespace, else the cluster.
  const scope = r.name !== undefined || (method === 'POST' && !r.subresource) ? 'resource' : r.namespace !== undefined ? 'namespace' : 'cluster';
  let verb = reportedVerb(method, scope, req);
  if (r.subresource && CONNECT.has(r.subresource)) verb = 'CONNECT';
  return { component: 'apiserver', dry_run: dryRun, group: r.group, resource: r.resource, scope, subresource: r.subresource ?? '', verb, version: r.version };
}

/** CanonicalVerb then CleanVerb: GET of a collection is LIST, ?watch makes WATCH, an apply patch APPLY. */
function reportedVerb(method: string, scope: string, req: ApiRequest): string {
  let verb = (method === 'GET' || method === 'HEAD') && scope !== 'resource' && scope !== '' ? 'LIST' : method === 'HEAD' ? 'GET' : method;
  const watch = req.query.size ? req.query.get('watch') : null;
  if ((method === 'GET' || method === 'LIST') && watch !== null && watch.toLowerCase() !== '0' && watch.toLowerCase() !== 'false') verb = 'WATCH';
  if (verb === 'PATCH' && req.headers['content-type'] === 'application/apply-patch+yaml') verb = 'APPLY';
  return VERBS.has(verb) ? verb : 'other';
}

/** The dryRun values, deduplicated and sorted; "invalid" when one is not All. */
function cleanDryRun(q: URLSearchParams): string {
  if (q.size === 0) return '';
  const vals = q.getAll('dryRun');
  if (!vals.length) return '';
  if (vals.some((v) => v !== 'All')) return 'invalid';
  return 'All';
}

interface Histogram {
  values: string[];
  buckets: number[];
  sum: number;
  count: number;
}

export class RequestMetrics {
  /** apiserver_request_total by its label values (NAMES then code). */
  private readonly counts = new Map<string, { values: string[]; n: number }>();
  private readonly durations = new Map<string, Histogram>();

  record(labels: RequestLabels, code: number, seconds: number): void {
    const l = labels;
    const key = `${l.component}\0${l.dry_run}\0${l.group}\0${l.resource}\0${l.scope}\0${l.subresource}\0${l.verb}\0${l.version}`;
    let h = this.durations.get(key);
    if (!h) this.durations.set(key, (h = { values: NAMES.map((n) => l[n]), buckets: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    // Each observation in its own bucket; the exposition adds them up (le is cumulative).
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]) i++;
    if (i < BUCKETS.length) h.buckets[i]++;
    h.sum += seconds;
    h.count++;
    const counted = `${code}\0${key}`;
    const c = this.counts.get(counted);
    if (c) c.n++;
    else this.counts.set(counted, { values: [String(code), ...h.values], n: 1 });
  }

  /** The exposition: families sorted by name, series by their label values, as client_golang gathers them. */
  async text(api: ApiServer): Promise<string> {
    let out = '';
    const durations = sortByValues([...this.durations.values()]);
    if (durations.length) {
      out += '# HELP apiserver_request_duration_seconds [STABLE] Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.\n# TYPE apiserver_request_duration_seconds histogram\n';
      for (const h of durations) {
        const labels = pairs(NAMES, h.values);
        let below = 0;
        BUCKETS.forEach((b, i) => (out += `apiserver_request_duration_seconds_bucket{${labels},le="${formatFloatG(b)}"} ${(below += h.buckets[i])}\n`));
        out += `apiserver_request_duration_seconds_bucket{${labels},le="+Inf"} ${h.count}\n`;
        out += `apiserver_request_duration_seconds_sum{${labels}} ${formatFloatG(h.sum)}\n`;
        out += `apiserver_request_duration_seconds_count{${labels}} ${h.count}\n`;
      }
    }
    const counts = sortByValues([...this.counts.values()]);
    if (counts.length) {
      out += '# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.\n# TYPE apiserver_request_total counter\n';
      for (const c of counts) out += `apiserver_request_total{${pairs(['code', ...NAMES], c.values)}} ${formatFloatG(c.n)}\n`;
    }
    out += '# HELP apiserver_storage_objects [STABLE] Number of stored objects at the time of last check split by kind. In case of a fetching error, the value will be -1.\n# TYPE apiserver_storage_objects gauge\n';
    const stored: { values: string[]; n: number }[] = [];
    for (const rt of api.registry.all()) {
      if (!rt.verbs.includes('watch')) continue; // not stored (bindings, componentstatuses)
      let n = 0;
      try {
        // Counted as the store's filter sees them: nothing copied.
        await api.store.list(listPrefix(rt), () => (n++, false));
      } catch {
        n = -1;
      }
      stored.push({ values: [rt.group ? `${rt.plural}.${rt.group}` : rt.plural], n });
    }
    for (const s of sortByValues(stored)) out += `apiserver_storage_objects{resource="${escape(s.values[0])}"} ${formatFloatG(s.n)}\n`;
    out += `# HELP process_resident_memory_bytes Resident memory size in bytes.\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes ${formatFloatG(process.memoryUsage.rss())}\n`;
    out += `# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds ${formatFloatG(Math.round(performance.timeOrigin / 10) / 100)}\n`;
    return out;
  }
}

/** The text format's content type (expfmt FmtText). */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function pairs(names: readonly string[], values: string[]): string {
  return names.map((n, i) => `${n}="${escape(values[i])}"`).join(',');
}

/** Label values escape backslash, double quote and newline. */
function escape(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** Go's bytewise order of the label values, one by one (client_golang's MetricSorter). */
function sortByValues<T extends { values: string[] }>(xs: T[]): T[] {
  return xs.sort((a, b) => {
    for (let i = 0; i < a.values.length; i++) if (a.values[i] !== b.values[i]) return a.values[i] < b.values[i] ? -1 : 1;
    return 0;
  });
}
