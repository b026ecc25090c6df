// client-go's kubeconfig loading and writing rules (clientcmd.PathOptions, Load, ModifyConfig):
//  - the files: --kubeconfig alone; else each path in $KUBECONFIG (colon-separated,
//    duplicates and empty entries dropped, missing files skipped); else ~/.kube/config;
//  - merging: for clusters, users and contexts the first file to define a name wins, and
//    the first file that sets current-context (or preferences) wins;
//  - writing: a changed or deleted stanza is written to the file that defined it, a new
//    one to the first file of the list that exists (else the last one); current-context to
//    that same default file, or, when clearing it, to the first file that sets it.
// Each written file is re-read and re-serialized whole, as clientcmd.WriteToFile does.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { fastParse } from '../manifest/fast-yaml';
import { goYamlMessage } from '../manifest/parse-documents';
import { goYamlDirectiveError } from '../manifest/go-yaml-directives';
import { YAML_OPTIONS, unsupportedFloat } from '../manifest/yaml-compat';
import { readInputSync } from '../manifest/read-limited';
import { KubeconfigError, cloneConfig, decodeConfig, emptyConfig, sameEntry, serializeConfig, type Config, type Entry } from './model';

export interface ConfigAccess {
  /** --kubeconfig: only this file, no merging. */
  explicit?: string;
  /** $KUBECONFIG's paths. */
  envFiles: string[];
  /** ~/.kube/config. */
  globalFile: string;
}

export function configAccess(env: NodeJS.ProcessEnv = process.env, explicit?: string): ConfigAccess {
  const seen = new Set<string>();
  const envFiles: string[] = [];
  for (const p of (env.KUBECONFIG ?? '').split(path.delimiter)) {
    if (p === '' || seen.has(p)) continue;
    seen.add(p);
    envFiles.push(p);
  }
  return { explicit: explicit || undefined, envFiles, globalFile: path.join(env.HOME ?? os.homedir(), '.kube', 'config') };
}

export function loadingPrecedence(a: ConfigAccess): string[] {
  if (a.explicit) return [a.explicit];
  if (a.envFiles.length) return a.envFiles;
  return [a.globalFile];
}

/** GetDefaultFilename: where new stanzas go. */
export function defaultFilename(a: ConfigAccess): string {
  if (a.explicit) return a.explicit;
  if (a.envFiles.length === 1) return a.envFiles[0];
  if (a.envFiles.length > 1) return a.envFiles.find((f) => fs.existsSync(f)) ?? a.envFiles[a.envFiles.length - 1];
  return a.globalFile;
}

/** LoadFromFile; a missing file is an empty config (getConfigFromFile). */
export function loadFile(file: string): Config {
  let text: string;
  try {
    // Bounded, and a FIFO nobody writes to reads as empty: `--kubeconfig /dev/zero` (or a
    // FIFO) hung every command, which reads the kubeconfig to pick its cluster.
    text = readInputSync(file).toString('utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return emptyConfig();
    if (code === 'EISDIR') throw new KubeconfigError(`error loading config file "${file}": read ${file}: is a directory`);
    throw new KubeconfigError(`error loading config file "${file}": ${(e as Error).message}`);
  }
  if (text.trim() === '') return emptyConfig();
  // go-yaml refuses directives the `yaml` package takes (a second %YAML, YAML 1.2).
  const directive = goYamlDirectiveError(text);
  if (directive) throw new KubeconfigError(`error loading config file "${file}": ${directive}`);
  let doc: unknown;
  try {
    doc = parseKubeconfig(text);
  } catch (e) {
    // kubectl's is go-yaml's message (sigs.k8s.io/yaml): the manifest reading words it so.
    throw new KubeconfigError(`error loading config file "${file}": ${goYamlMessage(text) ?? (e as Error).message.split('\n')[0]}`);
  }
  try {
    checkJsonable(doc);
    return decodeConfig(doc, file);
  } catch (e) {
    throw new KubeconfigError(`error loading config file "${file}": ${(e as Error).message}`);
  }
}

/**
 * kubectl reads a kubeconfig with sigs.k8s.io/yaml (go-yaml v2): YAML 1.1 scalars (`yes`,
 * `off` are booleans, `0644` octal, as in manifests) and, not strict, the last of duplicate
 * keys. The fast reader takes the shape kubectl writes (block YAML, plain and quoted
 * scalars) without loading the `yaml` package (~0.2× `node -e 0` for an 11 kB file); it
 * gives up on anything else (duplicate keys among it), which the full parse reads.
 */
export function parseKubeconfig(text: string): unknown {
  const docs = fastParse(text);
  if (docs?.length === 1) return docs[0].value;
  return parseYaml(text, KUBECONFIG_YAML);
}
// No warnings on stderr (a `%YAML 01.01` that go-yaml takes as 1.1 is "unsupported" to `yaml`).
export const KUBECONFIG_YAML = { ...YAML_OPTIONS, prettyErrors: true, uniqueKeys: false, logLevel: 'error' as const };

/** sigs.k8s.io/yaml turns the YAML into JSON first, which has no infinities or NaN. */
function checkJsonable(v: unknown): void {
  const bad = unsupportedFloat(v);
  if (bad) throw new KubeconfigError(`json: unsupported value: ${bad}`);
}

/** GetStartingConfig: the merged view of every file (paths are not resolved). */
export function startingConfig(a: ConfigAccess): Config {
  const merged = emptyConfig();
  let prefsSet = false;
  for (const file of loadingPrecedence(a)) {
    const c = loadFile(file);
    for (const key of ['clusters', 'users', 'contexts'] as const) for (const [name, e] of c[key]) if (!merged[key].has(name)) merged[key].set(name, e);
    if (!merged.currentContext && c.currentContext) merged.currentContext = c.currentContext;
    if (!prefsSet && (c.preferences.colors || c.preferences.extensions)) {
      merged.preferences = c.preferences;
      prefsSet = true;
    }
    if (!merged.extensions && c.extensions) merged.extensions = c.extensions;
  }
  return merged;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Holds `<file>.lock` (client-go's lock file) while fn runs; waits a little for another writer. */
export function withFileLock<T>(file: string, fn: () => T): T {
  const lock = `${file}.lock`;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o755 });
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx', 0o600));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 60_000) fs.rmSync(lock, { force: true });
      } catch {
        /* released meanwhile */
      }
      if (Date.now() > deadline) throw new KubeconfigError(`open ${lock}: file exists`);
      sleep(25);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/**
 * WriteToFile: the whole config, 0600 for a new file, the directory created if needed.
 * `mode` (kubesim's own cluster entries, kubeconfig.ts): the file's mode even when it had another.
 */
export function writeFile(file: string, c: Config, mode?: number): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o755 });
  const text = serializeConfig(c);
  const tmp = `${file}.kubesim-${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: mode ?? keptMode(file) });
  fs.renameSync(tmp, file);
}

/** The file's own mode (0600 for a new one): asked only when no mode is given. */
function keptMode(file: string): number {
  try {
    return fs.statSync(file).mode & 0o777;
  } catch {
    return 0o600; // a new file
  }
}

function update(file: string, fn: (c: Config) => void): void {
  withFileLock(file, () => {
    const c = loadFile(file);
    fn(c);
    writeFile(file, c);
  });
}

const FILE_REFS: Record<'clusters' | 'users' | 'contexts', string[]> = {
  clusters: ['certificate-authority'],
  users: ['client-certificate', 'client-key', 'tokenFile'],
  contexts: [],
};

/** RelativizeClusterLocalPaths and friends: paths below the file's directory become relative. */
function relativize(kind: 'clusters' | 'users' | 'contexts', e: Entry): void {
  const base = path.resolve(path.dirname(e.origin));
  for (const k of FILE_REFS[kind]) {
    const v = e.fields[k];
    if (typeof v !== 'string' || v === '') continue;
    const abs = path.isAbsolute(v) ? v : path.join(base, v);
    const rel = path.relative(base, abs) || '.';
    e.fields[k] = rel.startsWith('..') ? abs : rel;
  }
}

function writeCurrentContext(a: ConfigAccess, value: string): void {
  if (startingConfig(a).currentContext === value) return;
  if (a.explicit || value !== '') {
    update(defaultFilename(a), (c) => void (c.currentContext = value));
    return;
  }
  for (const file of loadingPrecedence(a)) {
    if (!fs.existsSync(file)) continue;
    if (loadFile(file).currentContext) {
      update(file, (c) => void (c.currentContext = value));
      return;
    }
  }
  throw new KubeconfigError('no config found to write context');
}

function writePreferences(a: ConfigAccess, prefs: Config['preferences']): void {
  const same = (x: Config['preferences']) => JSON.stringify(x) === JSON.stringify(prefs);
  if (a.explicit) return update(a.explicit, (c) => void (c.preferences = prefs));
  for (const file of loadingPrecedence(a)) {
    if (!same(loadFile(file).preferences)) return update(file, (c) => void (c.preferences = prefs));
  }
  throw new KubeconfigError('no config found to write preferences');
}

/** ModifyConfig: writes the differences between the files' merged view and `next`. */
export function modifyConfig(a: ConfigAccess, next: Config, relativizePaths: boolean): void {
  const start = startingConfig(a);
  if (start.currentContext !== next.currentContext) writeCurrentContext(a, next.currentContext);
  if (JSON.stringify(start.preferences) !== JSON.stringify(next.preferences)) writePreferences(a, next.preferences);
  for (const kind of ['clusters', 'contexts', 'users'] as const) {
    for (const [name, e] of next[kind]) {
      const before = start[kind].get(name);
      if (before && sameEntry(before, e)) continue;
      const dest = e.origin || defaultFilename(a);
      const copy = cloneConfig({ ...emptyConfig(), [kind]: new Map([[name, e]]) })[kind].get(name)!;
      copy.origin = dest;
      if (relativizePaths) relativize(kind, copy);
      update(dest, (c) => void c[kind].set(name, copy));
    }
    for (const [name, e] of start[kind]) {
      if (next[kind].has(name)) continue;
      update(e.origin, (c) => void c[kind].delete(name));
    }
  }
}
