// Parsing a request path into what it names: a discovery document, or a resource (group,
// version, namespace, resource, name, subresource). Paths that could mean something else
// after decoding (`..`, encoded slashes, NULs) are rejected before anything is looked up.

import { badRequest } from './status';
import { HEALTH_ENDPOINTS, isHealthPath } from './health';

export type Route =
  | { kind: 'root' | 'version' | 'api' | 'apis' | 'openapi-v2' | 'openapi-v3' }
  | { kind: 'health'; parts: string[] }
  | { kind: 'metrics' }
  | { kind: 'openapi-v3-gv'; group: string; version: string }
  | { kind: 'group'; group: string }
  | { kind: 'resource-list'; group: string; version: string }
  | { kind: 'resource'; group: string; version: string; namespace?: string; resource: string; name?: string; subresource?: string }
  | { kind: 'not-found' };

export function splitPath(raw: string): string[] {
  if (/%2f|%5c|%00/i.test(raw)) throw badRequest(`invalid path: encoded separators are not allowed`);
  const parts = raw.split('/').filter((s, i) => !(i === 0 && s === ''));
  if (parts.length && parts[parts.length - 1] === '') parts.pop();
  return parts.map((p) => {
    let s: string;
    try {
      s = decodeURIComponent(p);
    } catch {
      throw badRequest(`invalid path: malformed percent-encoding`);
    }
    if (s === '..' || s === '.' || s === '' || s.includes('\0')) throw badRequest(`invalid path ${JSON.stringify(raw)}`);
    return s;
  });
}

export function route(rawPath: string): Route {
  const p = splitPath(rawPath);
  if (p.length === 0) return { kind: 'root' };
  if (p[0] === 'version' && p.length === 1) return { kind: 'version' };
  if (p[0] === 'metrics' && p.length === 1) return { kind: 'metrics' };
  if (HEALTH_ENDPOINTS.has(p[0])) return isHealthPath(p) ? { kind: 'health', parts: p } : { kind: 'not-found' };
  if (p[0] === 'openapi') {
    if (p[1] === 'v2' && p.length === 2) return { kind: 'openapi-v2' };
    if (p[1] === 'v3' && p.length === 2) return { kind: 'openapi-v3' };
    if (p[1] === 'v3' && p[2] === 'api' && p.length === 4) return { kind: 'openapi-v3-gv', group: '', version: p[3] };
    if (p[1] === 'v3' && p[2] === 'apis' && p.length === 5) return { kind: 'openapi-v3-gv', group: p[3], version: p[4] };
    return { kind: 'not-found' };
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (p[0] === 'api') {
    if (p.length === 1) return { kind: 'api' };
    group = '';
    version = p[1];
    rest = p.slice(2);
  } else if (p[0] === 'apis') {
    if (p.length === 1) return { kind: 'apis' };
    if (p.length === 2) return { kind: 'group', group: p[1] };
    group = p[1];
    version = p[2];
    rest = p.slice(3);
  } else return { kind: 'not-found' };
  if (rest.length === 0) return { kind: 'resource-list', group, version };
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(group === '' && rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length > 3) return { kind: 'not-found' };
  return { kind: 'resource', group, version, namespace, resource: rest[0], name: rest[1], subresource: rest[2] };
}
