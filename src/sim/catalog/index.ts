// The simulated registry, as data: which repositories exist (Docker Hub's complete list of
// official images, and popular images elsewhere), which of their tags are real, and what
// each image does when it runs (its entrypoint's ports, HTTP answers, required environment,
// log lines). The kubelet asks it whether a pull succeeds and how a container behaves;
// images it does not know keep the simulator's generic behaviour.

import library from './dockerhub-library.json';
import catalogData from './images.json';

export type HttpAnswer = number | Array<[fromMs: number, status: number]>;

export interface PortSpec {
  port: number;
  protocol?: 'TCP' | 'UDP';
  /** Status by path; `*` answers every other path. No map: every path answers 200. */
  http?: Record<string, HttpAnswer>;
  /** The page a GET of a path returns, by name in the catalog's `pages` (`*`: any other path). */
  pages?: Record<string, string>;
  /** The body every path returns (set from the image's own flags: http-echo's -text). */
  text?: string;
}

export interface LogBlock {
  /** Milliseconds after the container starts. */
  at?: number;
  lines: string[];
}

export interface Requirement {
  /** Satisfied by any one: `NAME` (set and non-empty) or `NAME=value`. */
  anyOf: string[];
  exitCode: number;
  logs: string[];
}

export interface RunSpec {
  /** The image's default command is a shell (or REPL) that exits at once without a terminal. */
  shell?: boolean;
  /** Runs until stopped without listening anywhere (pause). */
  forever?: boolean;
  /** Exits on its own with this code after its logs (hello-world, haproxy without config). */
  exitCode?: number;
  /** Commands that run the image's own server when given as `command` (nginx -g 'daemon off;'). */
  binaries?: string[];
  ports?: PortSpec[];
  /** Ports accept connections this long after the start. */
  listenAfterMs?: number;
  requires?: Requirement[];
  logs?: LogBlock[];
  /** Behaviour by first argument (agnhost liveness, netexec, ...). */
  modes?: Record<string, Omit<RunSpec, 'modes'>>;
  /** Arguments (prefixes) that set its first port and the text it answers: http-echo's `-listen=:`, `-text=`. */
  flags?: { listen?: string; text?: string };
}

export interface CatalogEntry {
  repository: string;
  tags: string;
  realTags: string[];
  version?: string;
  sizeBytes: number;
  run?: RunSpec;
  variants?: Array<{ tags: string } & Partial<RunSpec>>;
}

interface CompiledEntry extends CatalogEntry {
  tagRe: RegExp;
  variantRes: Array<{ re: RegExp; patch: Partial<RunSpec> }>;
}

const officialNames = new Set<string>([...library.official, ...library.deprecated]);
const pages: Record<string, string> = (catalogData as { pages?: Record<string, string> }).pages ?? {};
const entries = new Map<string, CompiledEntry>();
for (const e of (catalogData as { images: CatalogEntry[] }).images) {
  entries.set(e.repository, {
    ...e,
    tagRe: new RegExp(`^(?:${e.tags})$`),
    variantRes: (e.variants ?? []).map(({ tags, ...patch }) => ({ re: new RegExp(`^(?:${tags})$`), patch })),
  });
}

export function catalogEntries(): CatalogEntry[] {
  return [...entries.values()];
}

export function officialRepositories(): string[] {
  return [...officialNames];
}

/** What the simulated registry says about `domain/path[:tag]`. */
export type RegistryAnswer =
  | { kind: 'found'; entry: CatalogEntry }
  /** No such repository (or no access): containerd's "pull access denied". */
  | { kind: 'denied' }
  /** The repository exists, the tag does not. */
  | { kind: 'tagNotFound' }
  /** Outside what the catalog knows (private registries, other namespaces). */
  | { kind: 'unknown' };

export function askRegistry(domain: string, path: string, tag: string | undefined): RegistryAnswer {
  const entry = entries.get(`${domain}/${path}`);
  if (entry) {
    if (tag !== undefined && !entry.tagRe.test(tag)) return { kind: 'tagNotFound' };
    return { kind: 'found', entry };
  }
  if (domain === 'docker.io' && path.startsWith('library/') && path.split('/').length === 2) {
    return officialNames.has(path.slice('library/'.length)) ? { kind: 'unknown' } : { kind: 'denied' };
  }
  return { kind: 'unknown' };
}

export function findEntry(domain: string, path: string): CatalogEntry | undefined {
  return entries.get(`${domain}/${path}`);
}

/**
 * The behaviour of a container from a catalog image: its tag's variant applied, and the
 * mode its first argument selects. `argv` is command + args as given in the pod (empty when
 * the image's own entrypoint and command run).
 */
export function imageBehaviour(entry: CatalogEntry, tag: string | undefined, command: string[], args: string[]): RunSpec | undefined {
  const compiled = entries.get(entry.repository)!;
  let run = entry.run;
  if (!run) return undefined;
  for (const v of compiled.variantRes) if (tag !== undefined && v.re.test(tag)) run = { ...run, ...v.patch };
  if (command.length) {
    // A command replaces the entrypoint: the image's server runs only when it is the command.
    const base = (s: string) => s.split('/').pop()!;
    const bins = (run.binaries ?? []).map(base);
    if (!bins.includes(base(command[0]))) return undefined;
  }
  const first = command.length ? undefined : args[0];
  if (run.modes && first !== undefined && run.modes[first]) return { binaries: run.binaries, ...run.modes[first] };
  if (run.shell && (command.length || args.length)) return undefined; // a shell image running the given command
  return withFlags(run, [...command.slice(1), ...args]);
}

/** The image's own flags among its arguments: the port it listens on and the text it answers. */
function withFlags(run: RunSpec, argv: string[]): RunSpec {
  const value = (prefix: string | undefined) => (prefix ? argv.find((a) => a.startsWith(prefix))?.slice(prefix.length) : undefined);
  const listen = value(run.flags?.listen);
  const text = value(run.flags?.text);
  if (listen === undefined && text === undefined || !run.ports?.length) return run;
  const [first, ...rest] = run.ports;
  const port = listen !== undefined && /^\d+$/.test(listen) ? Number(listen) : first.port;
  return { ...run, ports: [{ ...first, port, ...(text !== undefined ? { text: text + '\n' } : {}) }, ...rest] };
}

/** The body a GET of `path` returns from a port of a catalog image, when the catalog knows it. */
export function httpBody(port: PortSpec, path: string): string | undefined {
  if (port.text !== undefined) return port.text;
  const p = path.split('?')[0] || '/';
  const name = port.pages?.[p] ?? port.pages?.['*'];
  return name === undefined ? undefined : pages[name];
}

/** The status an HTTP server answers for a path, `sinceStartMs` after the container started. */
export function httpStatus(port: PortSpec, path: string, sinceStartMs: number): number {
  if (!port.http) return 200;
  const p = path.split('?')[0] || '/';
  const answer = port.http[p] ?? port.http['*'] ?? 404;
  if (typeof answer === 'number') return answer;
  let status = answer[0]?.[1] ?? 200;
  for (const [from, s] of answer) if (sinceStartMs >= from) status = s;
  return status;
}

/** Whether the environment satisfies a requirement (`NAME` non-empty, or `NAME=value`). */
export function requirementMet(req: Requirement, env: Record<string, string>): boolean {
  return req.anyOf.some((a) => {
    const eq = a.indexOf('=');
    if (eq < 0) return (env[a] ?? '') !== '';
    return env[a.slice(0, eq)] === a.slice(eq + 1);
  });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function timestamp(kind: string, ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const date = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
  const time = `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  const frac = p(d.getUTCMilliseconds(), 3);
  switch (kind) {
    case 'docker':
      return `${date} ${time}+00:00`;
    case 'nginx':
    case 'go':
      return `${date.replace(/-/g, '/')} ${time}`;
    case 'pg':
      return `${date} ${time}.${frac} UTC`;
    case 'redis':
      return `${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${time}.${frac}`;
    case 'bitnami':
      return `${time}.${frac.slice(0, 2)}`;
    case 'apache':
      return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${time}.${frac}000 ${d.getUTCFullYear()}`;
    case 'fpm':
      return `${p(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${time}`;
    default:
      return `${date}T${time}.${frac}Z`;
  }
}

export interface LogVars {
  version?: string;
  podIP: string;
  hostname: string;
}

/** A catalog log line with its placeholders filled for a container started at `atMs`. */
export function renderLogLine(line: string, atMs: number, vars: LogVars): string {
  return line.replace(/\{(ts:[a-z]+|version|podIP|hostname)\}/g, (_m, key: string) => {
    if (key.startsWith('ts:')) return timestamp(key.slice(3), atMs);
    if (key === 'version') return vars.version ?? '';
    return key === 'podIP' ? vars.podIP : vars.hostname;
  });
}

/** The version a tag names (`1.27.3-alpine` → 1.27.3), else the entry's current one. */
export function versionFor(entry: CatalogEntry, tag: string | undefined): string | undefined {
  const m = /^v?(\d+\.\d+\.\d+)/.exec(tag ?? '');
  return m ? m[1] : entry.version;
}
