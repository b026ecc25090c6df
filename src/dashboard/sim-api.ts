// The kubesim endpoint of the API server (/kubesim/v1/...): simulation-only actions that
// are not Kubernetes API (the cluster clock, powering nodes off and on, a pod's trace, the
// offline validation of a manifest). Requests reach it authenticated and RBAC-checked as
// non-resource URLs (verb get/post, path /kubesim/v1/...) by the HTTP front end; actions
// on objects also need the matching resource permission. Each action calls the module
// the CLI verb uses (clock, node, trace, validate): one implementation.

import * as path from 'node:path';
import type { ApiServer } from '../api/server';
import type { ApiRequest, ApiResponse, RequestUser } from '../api/rest/types';
import { badRequest, jsonResponse, RestError } from '../api/rest/status';
import { pluralGroup } from '../api/resources';

export interface SimDeps {
  api: ApiServer;
  clusterDir: string;
  /** RBAC for the resource a sim action touches. */
  allows(user: RequestUser, attrs: { verb: string; group: string; resource: string; subresource?: string; name?: string; namespace: string }): Promise<boolean>;
}

export const SIM_PREFIX = '/kubesim/v1/';

const notFound = (what: string) => new RestError(404, 'NotFound', `the server could not find the requested resource (${what})`);

function jsonBody(req: ApiRequest): Record<string, unknown> {
  try {
    const v = JSON.parse(req.body?.toString('utf8') || '{}');
    if (v && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch {
    /* below */
  }
  throw badRequest('the request body must be a JSON object');
}

async function need(deps: SimDeps, req: ApiRequest, attrs: { verb: string; group: string; resource: string; name?: string; namespace: string }): Promise<void> {
  const user = req.user;
  if (!user || !(await deps.allows(user, attrs))) {
    const scope = attrs.namespace ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
    throw new RestError(403, 'Forbidden', `${attrs.resource} "${attrs.name ?? ''}" is forbidden: User "${user?.name ?? ''}" cannot ${attrs.verb} resource "${attrs.resource}" in API group "${attrs.group}" ${scope}`, { kind: attrs.resource, name: attrs.name });
  }
}

/** A fresh view of the persisted clock, as another process would open it: the daemon's loop sees the jump and runs every timer on the way. */
async function sharedClock(api: ApiServer) {
  const { ClusterClock } = await import('../sim/clock');
  return ClusterClock.open(api.sim);
}

async function clockState(api: ApiServer): Promise<Record<string, unknown>> {
  const c = await sharedClock(api);
  const now = c.now();
  return { now: new Date(now).toISOString(), nowMs: now, speed: c.speed(), paused: c.speed() === 0 };
}

/** How often a clock watch looks at the clock and node power (other processes change them: `kubesim clock`, `kubesim node`). */
const CLOCK_WATCH_MS = 250;

/**
 * `GET clock?watch=1`: the clock's state and the powered-off nodes as one JSON line now
 * and again each time either changes (speed, a jump, a node stopped or started), until
 * the client goes away. Cluster time itself moves on at the speed given: not sent.
 */
function clockWatch(api: ApiServer, signal: AbortSignal | undefined): ApiResponse {
  async function* lines(): AsyncGenerator<string> {
    let last = '';
    while (!signal?.aborted) {
      const [raw, stopped] = await Promise.all([api.sim.clock(), api.sim.stoppedNodes()]);
      const key = JSON.stringify([raw, stopped]);
      if (key !== last) {
        last = key;
        yield JSON.stringify({ ...(await clockState(api)), stopped }) + '\n';
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const t = setTimeout(done, CLOCK_WATCH_MS);
        signal?.addEventListener('abort', done);
      });
    }
  }
  return { status: 200, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, stream: lines() };
}

export async function handleSim(req: ApiRequest, deps: SimDeps): Promise<ApiResponse> {
  const { api } = deps;
  const parts = req.path.slice(SIM_PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
  const method = req.method.toUpperCase();
  const route = parts.join('/');
  if (method === 'GET' && route === 'clock') {
    const watch = req.query.get('watch');
    return watch === '1' || watch === 'true' ? clockWatch(api, req.signal) : jsonResponse(200, await clockState(api));
  }
  if (method === 'POST' && route === 'clock/advance') {
    const { parseDuration } = await import('../cli/flags/duration');
    const { MAX_ADVANCE_MS } = await import('../cli/clock');
    const d = String(jsonBody(req).duration ?? '');
    let ms: number;
    try {
      ms = parseDuration(d);
    } catch (e) {
      throw badRequest((e as Error).message);
    }
    if (ms <= 0 || ms > MAX_ADVANCE_MS) throw badRequest(`invalid duration "${d}": must be positive and at most 87600h`);
    const { runningDaemonPid } = await import('../daemon/control');
    if (runningDaemonPid(deps.clusterDir) !== undefined) {
      await (await sharedClock(api)).advance(ms); // the daemon runs what falls due, as for `kubesim clock advance`
    } else {
      const { advanceClusterInProcess } = await import('../cli/in-process');
      await advanceClusterInProcess(api, path.basename(deps.clusterDir), ms, deps.clusterDir);
    }
    return jsonResponse(200, await clockState(api));
  }
  if (method === 'POST' && route === 'clock/speed') {
    const speed = Number(jsonBody(req).speed);
    // 0 pauses the clock (the dashboard's pause); `kubesim clock speed` sets a positive one.
    if (!Number.isFinite(speed) || speed < 0 || speed > 10_000) throw badRequest(`invalid speed "${String(jsonBody(req).speed)}": must be a number from 0 (paused) to 10000`);
    await (await sharedClock(api)).setSpeed(speed);
    return jsonResponse(200, await clockState(api));
  }
  if (method === 'GET' && route === 'nodes/stopped') {
    return jsonResponse(200, { stopped: await api.sim.stoppedNodes() });
  }
  if (method === 'POST' && parts.length === 3 && parts[0] === 'nodes' && (parts[2] === 'stop' || parts[2] === 'start')) {
    const name = parts[1];
    await need(deps, req, { verb: 'patch', group: '', resource: 'nodes', name, namespace: '' });
    const { stopNode, startNode } = await import('../cluster/cluster');
    await (parts[2] === 'stop' ? stopNode : startNode)({ api }, name);
    return jsonResponse(200, { node: name, stopped: parts[2] === 'stop' });
  }
  if (method === 'GET' && parts.length === 5 && parts[0] === 'namespaces' && parts[2] === 'pods' && parts[4] === 'trace') {
    const [, namespace, , name] = parts;
    await need(deps, req, { verb: 'get', group: '', resource: 'pods', name, namespace });
    const { tracePod } = await import('../trace/trace-pod');
    const { renderPodTrace } = await import('../trace/pod-trace');
    const trace = await tracePod(api, namespace, name);
    if (!trace) throw new RestError(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
    return jsonResponse(200, { trace, text: renderPodTrace(trace) });
  }
  if (method === 'POST' && route === 'validate') return jsonResponse(200, await validateManifest(api, req));
  throw notFound(req.path);
}

/**
 * `kubesim validate` over a pasted manifest (the same findings, positions and text as the
 * CLI prints), plus, for each object, the REST path a server-side apply goes to.
 */
async function validateManifest(api: ApiServer, req: ApiRequest): Promise<Record<string, unknown>> {
  const text = req.body?.toString('utf8') ?? '';
  const namespace = req.query.get('namespace') || 'default';
  const { runValidate } = await import('../validate/run-validate');
  const { formatText } = await import('../validate/formatters');
  const report = await runValidate(['-'], { stdin: text });
  const ok = report.results.length > 0 && report.results.every((r) => r.status === 'valid');
  const objects: Array<Record<string, unknown>> = [];
  if (ok) {
    const { parseManifestBytes } = await import('../manifest');
    for (const d of parseManifestBytes(Buffer.from(text, 'utf8'), 'STDIN').docs) {
      const o = d.object;
      let rt;
      try {
        rt = api.registry.forKind(String(o.apiVersion), String(o.kind));
      } catch (e) {
        throw badRequest((e as Error).message);
      }
      const ns = rt.namespaced ? String(o.metadata?.namespace || namespace) : undefined;
      const base = rt.group ? `/apis/${rt.group}/${String(o.apiVersion).split('/')[1]}` : `/api/${o.apiVersion}`;
      const p = `${base}${ns ? `/namespaces/${encodeURIComponent(ns)}` : ''}/${rt.plural}/${encodeURIComponent(String(o.metadata?.name ?? ''))}`;
      objects.push({ path: p, resource: pluralGroup(rt), name: o.metadata?.name, namespace: ns, object: o });
    }
  }
  return { valid: ok, text: formatText(report, {}), results: report.results, objects };
}
