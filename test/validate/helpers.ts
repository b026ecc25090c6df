// Runs `kubesim validate` the way a user would: a child process on the CLI entry point.
// Uses the source through tsx (not the bundle) so these tests do not depend on a build
// that other work in progress may break.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = resolve(__dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'main.ts');
// tsx resolved from the repository, since the child runs in a temporary directory.
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export class Dir {
  readonly path = mkdtempSync(join(tmpdir(), 'kubesim-validate-'));

  file(name: string, content: string): string {
    const p = join(this.path, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
    return p;
  }

  validate(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Run {
    const r = spawnSync(process.execPath, ['--import', TSX, MAIN, 'validate', ...args], {
      input: opts.stdin ?? '',
      cwd: this.path,
      env: { ...process.env, KUBESIM_HOME: join(this.path, '.home'), KUBESIM_NO_DAEMON: '1', NO_COLOR: '1', ...(opts.env ?? {}) },
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  cleanup(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export const VALID_DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
`;

export const BAD_DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: bad
spec:
  replica: 3
  selector:
    matchLabels: {app: bad}
  template:
    metadata:
      labels: {app: bad}
    spec:
      containers:
      - name: Web_1
        image: nginx
`;

export const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, minimum: 1}
              color: {type: string, enum: [red, blue]}
`;

/** Minimal well-formedness check of XML: balanced tags, quoted attributes, known entities. */
export function checkXml(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const re = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(body))) {
    if (m[6]) throw new Error(`malformed tag at ${m.index}: ${body.slice(m.index, m.index + 40)}`);
    if (m[5] !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos);)/.test(m[5])) throw new Error(`bad entity in text: ${m[5].slice(0, 60)}`);
      if (stack.length === 0 && m[5].trim()) throw new Error('text outside the root element');
      continue;
    }
    if (/&(?!(amp|lt|gt|quot|apos);)/.test(m[3])) throw new Error(`bad entity in attributes: ${m[3]}`);
    if (m[1]) {
      const open = stack.pop();
      if (open !== m[2]) throw new Error(`</${m[2]}> closes <${open}>`);
    } else if (!m[4]) stack.push(m[2]);
  }
  if (stack.length) throw new Error(`unclosed: ${stack.join(', ')}`);
}
