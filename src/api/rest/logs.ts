// pods/NAME/log: what the kubelet serves for a container (the simulated kubelet's log
// files), with container, previous, tailLines, sinceSeconds, sinceTime, timestamps,
// limitBytes and follow (streamed until the container stops or the client goes away).

import { ApiError } from '../errors';
import { containerLogLines, loadLazy as loadLogModules, logRun } from '../../cli/logs';
import { defaultContainer, findContainer } from '../../exec/pod-target';
import type { KObject } from '../types';
import type { RestHandler, Target } from './handler';
import { badRequest } from './status';
import type { ApiRequest, ApiResponse } from './types';

function intParam(req: ApiRequest, name: string): number | undefined {
  const v = req.query.get(name);
  if (v === null) return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`${name}: Invalid value: "${v}": must be an integer`);
  return Number(v);
}

const boolParam = (req: ApiRequest, name: string) => req.query.get(name) === 'true' || req.query.get(name) === '1';

export async function podLogs(h: RestHandler, req: ApiRequest, t: Target): Promise<ApiResponse> {
  await loadLogModules();
  const pod = await h.api.get(t.rt, t.namespace, t.name!);
  let container = req.query.get('container') ?? '';
  if (!container) {
    const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    if ((pod.spec?.containers ?? []).length === 1 && !(pod.spec?.initContainers ?? []).length) container = pod.spec.containers[0].name;
    else if (pod.metadata.annotations?.['kubectl.kubernetes.io/default-container']) container = defaultContainer(pod).name;
    else {
      throw badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${(pod.spec?.containers ?? []).map((c: any) => c.name).join(' ')}]${all.length > (pod.spec?.containers ?? []).length ? ` or one of the init containers: [${(pod.spec?.initContainers ?? []).map((c: any) => c.name).join(' ')}]` : ''}`);
    }
  }
  if (!findContainer(pod, container)) throw badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
  const previous = boolParam(req, 'previous');
  const tail = intParam(req, 'tailLines');
  const sinceSeconds = intParam(req, 'sinceSeconds');
  const sinceTime = req.query.get('sinceTime');
  const limitBytes = intParam(req, 'limitBytes');
  if (sinceSeconds !== undefined && sinceSeconds < 1) throw ApiError.invalid('PodLogOptions', '', '', [{ field: 'sinceSeconds', type: 'Invalid value', value: String(sinceSeconds), detail: 'must be greater than 0' }]);
  const now = h.api.clock.now();
  const sinceMs = sinceSeconds !== undefined ? now - sinceSeconds * 1000 : sinceTime ? Date.parse(sinceTime) : undefined;
  const opts = { timestamps: boolParam(req, 'timestamps'), tail, sinceMs };
  const r = containerLogLines(h.api, pod, container, previous, opts);
  if ('error' in r) throw badRequest(r.error);
  const cut = (s: string) => (limitBytes !== undefined && limitBytes > 0 ? Buffer.from(s).subarray(0, limitBytes).toString('utf8') : s);
  const text = r.lines.map((l) => l + '\n').join('');
  const headers = { 'content-type': 'text/plain' };
  if (!boolParam(req, 'follow')) return { status: 200, headers, body: cut(text) };
  return { status: 200, headers, stream: followLogs(h, req, t, pod, container, r.lines.length, text, opts) };
}

async function* followLogs(h: RestHandler, req: ApiRequest, t: Target, pod: KObject, container: string, printed: number, first: string, opts: { timestamps: boolean; tail?: number; sinceMs?: number }): AsyncGenerator<string> {
  if (first) yield first;
  const run = logRun(pod, container, false);
  const runNo = 'run' in run ? run.run : -1;
  let seen = printed;
  const baseline = containerLogLines(h.api, pod, container, false, { timestamps: opts.timestamps, sinceMs: opts.sinceMs });
  seen = 'lines' in baseline ? baseline.lines.length : seen;
  for (;;) {
    if (req.signal?.aborted) return;
    await new Promise((r) => setTimeout(r, 200));
    const cur = await h.api.tryGet(t.rt, t.namespace, t.name!);
    if (!cur) return;
    const r = containerLogLines(h.api, cur, container, false, { timestamps: opts.timestamps, sinceMs: opts.sinceMs });
    const cr = logRun(cur, container, false);
    if ('lines' in r && 'run' in cr && cr.run === runNo) {
      if (r.lines.length > seen) yield r.lines.slice(seen).map((l) => l + '\n').join('');
      seen = Math.max(seen, r.lines.length);
    }
    const st = [...(cur.status?.containerStatuses ?? []), ...(cur.status?.initContainerStatuses ?? [])].find((c: any) => c.name === container);
    if (!st?.state?.running || ('run' in cr && cr.run !== runNo)) return;
  }
}
