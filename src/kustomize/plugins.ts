// What `kubectl kustomize` does with helm charts and external (KRM function) plugins, as far
// as an offline simulator can: without --enable-helm / --enable-alpha-plugins, kustomize's own
// errors; with them, kustomize's error when the helm command or docker cannot be run, and a
// plain refusal when they could be (kubesim inflates no charts and runs no containers).

import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toYaml } from '../printers/yaml';
import type { Loader } from './loader';
import { parseYamlDocs } from './patches';
import { isMap, KustomizeError, type Obj } from './resource';

export interface PluginOptions {
  enableHelm?: boolean;
  /** --helm-command: the helm executable kustomize runs. */
  helmCommand?: string;
  enableAlphaPlugins?: boolean;
}

/** sigs.k8s.io/yaml's Marshal goes through JSON: every map's keys come out sorted. */
function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (!isMap(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])]));
}

/**
 * Go's exec.LookPath failure for `command`, as os/exec words it (`exec: "helm": executable
 * file not found in $PATH`, or fork/exec's error for a path); undefined when it would run.
 */
function execError(command: string): string | undefined {
  const runnable = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes('/')) return runnable(command) ? undefined : `fork/exec ${command}: ${existsSync(command) ? 'permission denied' : 'no such file or directory'}`;
  const found = (process.env.PATH ?? '').split(':').some((d) => runnable(join(d || '.', command)));
  return found ? undefined : `exec: ${JSON.stringify(command)}: executable file not found in $PATH`;
}

/** os.MkdirTemp's directory: the prefix and a random decimal uint32. */
function goMkdirTemp(prefix: string): string {
  for (;;) {
    const dir = join(tmpdir(), prefix + String(randomBytes(4).readUInt32BE(0)));
    try {
      mkdirSync(dir, { mode: 0o700 });
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** The HelmChartInflationGenerator's Config and its first step (`helm version`), per chart. */
export function checkHelmCharts(k: Record<string, unknown>, opts: PluginOptions): void {
  const charts = Array.isArray(k.helmCharts) ? k.helmCharts : [];
  const globals = isMap(k.helmGlobals) ? k.helmGlobals : {};
  for (const chart of charts) {
    const config = { ...globals, ...(isMap(chart) ? chart : {}) };
    if (!opts.enableHelm) throw new KustomizeError(`trouble configuring builtin HelmChartInflationGenerator with config: \`\n${toYaml(sorted(config) as Obj)}\`: must specify --enable-helm`);
    const helm = opts.helmCommand || 'helm';
    // kustomize runs helm with its own config/cache/data homes in a fresh temporary directory.
    const tmp = goMkdirTemp('kustomize-helm-');
    try {
      const failed = execError(helm);
      const home = join(tmp, 'helm');
      if (failed) throw new KustomizeError(`unable to run: '${helm} version -c --short' with env=[HELM_CONFIG_HOME=${home} HELM_CACHE_HOME=${home}/.cache HELM_DATA_HOME=${home}/.data] (is '${helm}' installed?): ${failed}`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    throw new KustomizeError('kubesim: helm chart inflation is not supported (the helm command was found, but kubesim does not run it)');
  }
}

/** The plugin configs a generators/transformers/validators entry names (a file of YAML documents). */
function pluginConfigs(ldr: Loader, entry: string): Obj[] {
  let docs: unknown[];
  try {
    docs = parseYamlDocs(ldr.load(entry).toString('utf8'), entry);
  } catch {
    // An inline config or a directory of them: kubesim reads plugin configs from files only.
    throw new KustomizeError(`kubesim: the plugin entry '${entry}' is not a file of plugin configs`);
  }
  return docs.filter(isMap) as Obj[];
}

/**
 * generators, transformers and validators: builtin configs kubesim does not run, external
 * plugins refused as kustomize refuses them unless --enable-alpha-plugins.
 */
export function checkPluginFields(ldr: Loader, k: Record<string, unknown>, opts: PluginOptions): void {
  for (const field of ['generators', 'transformers', 'validators'] as const) {
    const entries = Array.isArray(k[field]) ? (k[field] as unknown[]) : [];
    for (const entry of entries) {
      for (const config of pluginConfigs(ldr, String(entry))) {
        const kind = String(config.kind ?? '');
        if (config.apiVersion === 'builtin') throw new KustomizeError(`kubesim: builtin plugin configs in '${field}' are not supported (the ${kind} fields of the kustomization are)`);
        if (!opts.enableAlphaPlugins) {
          const msg = `external plugins disabled; unable to load external plugin '${kind}'`;
          throw new KustomizeError(field === 'generators' ? `loading generator plugins: failed to load generator: ${msg}` : msg);
        }
        const fn = isMap(config.metadata) && isMap(config.metadata.annotations) ? String(config.metadata.annotations['config.kubernetes.io/function'] ?? '') : '';
        if (/^\s*container:/m.test(fn)) {
          const failed = execError('docker');
          if (failed) throw new KustomizeError(`couldn't execute function: ${failed}`);
        }
        throw new KustomizeError(`kubesim: the external plugin '${kind}' can't be run (kubesim runs no KRM functions)`);
      }
    }
  }
}
