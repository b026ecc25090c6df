// `proxy --www DIR`: kubectl serves DIR under --www-prefix with Go's http.FileServer. This is
// that file server's behaviour: files with their MIME type, a directory's index.html or its
// listing, the redirects that add or drop a trailing slash, and `404 page not found`.

import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import type * as http from 'node:http';
import { join, posix } from 'node:path';

export const PROXY_EXAMPLE = `  # To proxy all of the Kubernetes API and nothing else
  kubectl proxy --api-prefix=/
  
  # To proxy only part of the Kubernetes API and also some static files
  # You can get pods info with 'curl localhost:8001/api/v1/pods'
  kubectl proxy --www=/my/files --www-prefix=/static/ --api-prefix=/api/
  
  # To proxy the entire Kubernetes API at a different root
  # You can get pods info with 'curl localhost:8001/custom/api/v1/pods'
  kubectl proxy --api-prefix=/custom/
  
  # Run a proxy to the Kubernetes API server on port 8011, serving static content from ./local/www/
  kubectl proxy --port=8011 --www=./local/www/
  
  # Run a proxy to the Kubernetes API server on an arbitrary local port
  # The chosen port for the server will be output to stdout
  kubectl proxy --port=0
  
  # Run a proxy to the Kubernetes API server, changing the API prefix to k8s-api
  # This makes e.g. the pods API available at localhost:8001/k8s-api/v1/pods/
  kubectl proxy --api-prefix=/k8s-api`;

/** Go's builtin mime table (plus text/plain for .txt, which every mime.types gives it). */
const MIME: Record<string, string> = {
  '.avif': 'image/avif',
  '.css': 'text/css; charset=utf-8',
  '.gif': 'image/gif',
  '.htm': 'text/html; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.jpeg': 'image/jpeg',
  '.jpg': 'image/jpeg',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.mjs': 'text/javascript; charset=utf-8',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.webp': 'image/webp',
  '.xml': 'text/xml; charset=utf-8',
};

/** Enough of http.DetectContentType: HTML, text, or bytes. */
function sniff(data: Buffer): string {
  const head = data.subarray(0, 512);
  const text = head.toString('latin1').trimStart().toLowerCase();
  if (/^<(!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|!--)[ >]/.test(text)) return 'text/html; charset=utf-8';
  if (head.includes(0)) return 'application/octet-stream';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head);
    return 'text/plain; charset=utf-8';
  } catch {
    return 'application/octet-stream';
  }
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...extra });
  res.end(body);
}

/** FileServer's localRedirect: 301 and a Location (query kept), no body. */
function redirect(req: http.IncomingMessage, res: http.ServerResponse, to: string): void {
  const url = req.url ?? '';
  const query = url.includes('?') ? url.slice(url.indexOf('?')) : '';
  res.writeHead(301, { location: to + (query.length > 1 ? query : '') });
  res.end();
}

const notFound = (res: http.ServerResponse) => send(res, 404, 'text/plain; charset=utf-8', '404 page not found\n', { 'x-content-type-options': 'nosniff' });

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c]!);

/** Serves `urlPath` (the request path with the static prefix cut, leading slash kept) from `base`. */
export function serveFile(base: string, urlPath: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  let raw: string;
  try {
    raw = decodeURIComponent(urlPath.startsWith('/') ? urlPath : `/${urlPath}`);
  } catch {
    return notFound(res);
  }
  if (raw.endsWith('/index.html')) return redirect(req, res, './');
  const clean = posix.normalize(raw);
  // Go's path.Clean drops the trailing slash before the file is opened.
  const file = join(base, clean.replace(/\/+$/, '') || '/');
  let st: Stats;
  try {
    st = statSync(file);
  } catch {
    return notFound(res);
  }
  if (st.isDirectory()) {
    if (!raw.endsWith('/')) return redirect(req, res, `${posix.basename(raw)}/`);
    try {
      const index = join(file, 'index.html');
      if (statSync(index).isFile()) return send(res, 200, 'text/html; charset=utf-8', req.method === 'HEAD' ? '' : readFileSync(index));
    } catch {
      // no index.html: the listing
    }
    const entries = readdirSync(file, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const links = entries.map((e) => {
      const name = e.isDirectory() ? `${e.name}/` : e.name;
      return `<a href="${encodeURI(name).replace(/[?#]/g, encodeURIComponent)}">${escapeHtml(name)}</a>\n`;
    });
    return send(res, 200, 'text/html; charset=utf-8', `<!doctype html>\n<meta name="viewport" content="width=device-width">\n<pre>\n${links.join('')}</pre>\n`);
  }
  if (raw.endsWith('/')) return redirect(req, res, `../${posix.basename(raw)}`);
  const data = readFileSync(file);
  const ext = posix.extname(clean).toLowerCase();
  send(res, 200, MIME[ext] ?? sniff(data), req.method === 'HEAD' ? '' : data);
}
