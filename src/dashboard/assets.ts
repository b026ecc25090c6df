// The dashboard's files (index.html, app.js, app.css), built by scripts/build.mjs into
// dist/dashboard/ and shipped in the package: served by the API server under /dashboard/
// and by `kubesim dashboard`'s loopback proxy. They hold no cluster data, so they are
// served without credentials (a browser cannot send a bearer token when it navigates);
// everything the page then reads or does goes through the authenticated API.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ApiResponse } from '../api/rest/types';

export const DASHBOARD_PREFIX = '/dashboard';

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

// Everything from this origin, nothing inline, nothing from anywhere else.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** dist/dashboard next to the bundle (dist/main.cjs), or the built one when run from src/. */
function assetDir(): string | undefined {
  for (const d of [path.join(__dirname, 'dashboard'), path.join(__dirname, '..', '..', 'dist', 'dashboard')]) {
    if (fs.existsSync(path.join(d, 'index.html'))) return d;
  }
  return undefined;
}

const cache = new Map<string, Buffer>();

export function isDashboardPath(p: string): boolean {
  return p === DASHBOARD_PREFIX || p.startsWith(`${DASHBOARD_PREFIX}/`);
}

/** The answer to a GET under /dashboard. */
export function dashboardAsset(p: string, method: string): ApiResponse {
  const text = (status: number, body: string, extra: Record<string, string> = {}): ApiResponse => ({ status, headers: { 'content-type': 'text/plain; charset=utf-8', ...extra }, body });
  if (method !== 'GET' && method !== 'HEAD') return text(405, 'method not allowed\n', { allow: 'GET, HEAD' });
  if (p === DASHBOARD_PREFIX) return text(301, 'moved\n', { location: `${DASHBOARD_PREFIX}/` });
  const name = p.slice(DASHBOARD_PREFIX.length + 1) || 'index.html';
  const type = TYPES[name];
  if (!type) return text(404, 'not found\n');
  const dir = assetDir();
  if (!dir) return text(503, 'the dashboard was not built (run: node scripts/build.mjs)\n');
  let body = cache.get(name);
  if (!body) {
    body = fs.readFileSync(path.join(dir, name));
    cache.set(name, body);
  }
  return {
    status: 200,
    headers: { 'content-type': type, 'content-security-policy': CSP, 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY', 'cache-control': 'no-cache' },
    body,
  };
}
