// /healthz, /livez and /readyz as kube-apiserver 1.32 serves them (apiserver's healthz
// package): "ok", or with ?verbose each check's line and "<name> check passed"; ?exclude=
// marks a check excluded (a name that is none gets a warning line); /<endpoint>/<check>
// answers one check. Every check passes: the store answers whenever the server does.

import type { ApiResponse } from './types';

/** kube-apiserver's post-start hooks and aggregator checks, in its registration order. */
const HOOKS = [
  ...[
    'start-apiserver-admission-initializer', 'generic-apiserver-start-informers', 'priority-and-fairness-config-consumer',
    'priority-and-fairness-filter', 'storage-object-count-tracker-hook', 'start-apiextensions-informers', 'start-apiextensions-controllers',
    'crd-informer-synced', 'start-system-namespaces-controller', 'start-cluster-authentication-info-controller',
    'start-kube-apiserver-identity-lease-controller', 'start-kube-apiserver-identity-lease-garbage-collector',
    'start-legacy-token-tracking-controller', 'start-service-ip-repair-controllers', 'rbac/bootstrap-roles',
    'scheduling/bootstrap-system-priority-classes', 'priority-and-fairness-config-producer', 'bootstrap-controller',
    'start-kubernetes-service-cidr-controller', 'aggregator-reload-proxy-client-cert', 'start-kube-aggregator-informers',
    'apiservice-status-local-available-controller', 'apiservice-status-remote-available-controller',
    'apiservice-registration-controller', 'apiservice-discovery-controller', 'kube-apiserver-autoregistration',
  ].map((h) => `poststarthook/${h}`),
  'autoregister-completion',
  'poststarthook/apiservice-openapi-controller',
  'poststarthook/apiservice-openapiv3-controller',
];

const CHECKS: Record<string, readonly string[]> = {
  healthz: ['ping', 'log', 'etcd', ...HOOKS],
  livez: ['ping', 'log', 'etcd', ...HOOKS],
  readyz: ['ping', 'log', 'etcd', 'etcd-readiness', 'informer-sync', ...HOOKS, 'shutdown'],
};

export const HEALTH_ENDPOINTS = new Set(Object.keys(CHECKS));

/** Whether `/<endpoint>/<check...>` names a check (or, with no check, the endpoint). */
export function isHealthPath(parts: string[]): boolean {
  return CHECKS[parts[0]] !== undefined && (parts.length === 1 || CHECKS[parts[0]].includes(parts.slice(1).join('/')));
}

const TEXT = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' };

export function healthResponse(parts: string[], query: URLSearchParams): ApiResponse {
  const checks = CHECKS[parts[0]];
  if (parts.length > 1) return { status: 200, headers: TEXT, body: 'ok' };
  if (!query.has('verbose')) return { status: 200, headers: TEXT, body: 'ok' };
  const excluded = new Set(query.getAll('exclude'));
  let body = '';
  for (const c of checks) {
    body += excluded.delete(c) ? `[+]${c} excluded: ok\n` : `[+]${c} ok\n`;
  }
  if (excluded.size) body += `warn: some health checks cannot be excluded: no matches for ${[...excluded].sort().map((n) => JSON.stringify(n)).join(', ')}\n`;
  return { status: 200, headers: TEXT, body: `${body}${parts[0]} check passed\n` };
}
