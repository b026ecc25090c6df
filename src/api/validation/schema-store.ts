// Lazy access to the build-time artefacts of scripts/gen-schemas.mjs: the precompiled ajv
// validators (heavy: loaded only by commands that validate, per kind) and the JSON Schemas (used
// for kubectl-style type names, suggestions and `explain`).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
export { SCHEMA_KUBERNETES_VERSION } from './schema-version';

export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  $ref?: string;
  description?: string;
  'x-kubesim-doc'?: string;
  'x-kubesim-type'?: 'int-or-string' | 'quantity';
  [k: string]: unknown;
}

export interface SchemaDocument {
  /** "1.32.9": the Kubernetes API version the schemas describe */
  kubernetesVersion: string;
  /** where the fields and descriptions come from */
  source: string;
  /** "apps/v1/Deployment" -> "io.k8s.api.apps.v1.Deployment" */
  roots: Record<string, string>;
  /** Built-in kinds with no schema (no schema check for them). */
  missing: string[];
  definitions: Record<string, JsonSchema>;
}

export interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, any>;
  message?: string;
}
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}

export interface SchemaBundle {
  /** The JSON Schemas (read on first use: error texts, suggestions, explain). */
  readonly doc: SchemaDocument;
  validatorFor(rootKey: string): CompiledValidator | undefined;
  hasRoot(rootKey: string): boolean;
}

let loaded: SchemaBundle | undefined;
let loading: Promise<SchemaBundle> | undefined;

/** Loads the generated validators and schemas once; later calls return the same bundle. */
export function loadSchemas(): Promise<SchemaBundle> {
  if (loaded) return Promise.resolve(loaded);
  loading ??= (async () => {
    const dir = generatedDir();
    if (!dir) throw new Error('the generated schemas are missing: run "node scripts/gen-schemas.mjs" (or the build)');
    // CommonJS, loaded with require (the bundle must not use import(): see bin/kubesim), with
    // V8's code cache when bin/kubesim provides one. validators.cjs is the index; a kind's
    // code is in chunks (scripts/split-validators.mjs) loaded the first time it is validated.
    const load: (file: string) => any = (require as NodeJS.Require & { withCodeCache?: (file: string) => unknown }).withCodeCache ?? require;
    const roots = load(join(dir, 'validators.cjs')).roots as Record<string, { fn: string; chunks: string[] }>;
    // The declarations of every chunk loaded so far, by name (each chunk adds its own).
    const scope: Record<string, any> = {};
    const chunksLoaded = new Set<string>();
    const validators = new Map<string, CompiledValidator>();
    const validatorFor = (key: string): CompiledValidator | undefined => {
      let v = validators.get(key);
      if (v || !Object.prototype.hasOwnProperty.call(roots, key)) return v;
      const root = roots[key];
      for (const c of root.chunks) {
        if (chunksLoaded.has(c)) continue;
        load(join(dir, 'validators', `${c}.cjs`))(scope);
        chunksLoaded.add(c);
      }
      v = scope[root.fn] as CompiledValidator;
      validators.set(key, v);
      return v;
    };
    let doc: SchemaDocument | undefined;
    loaded = {
      // Valid objects never need it, and parsing it costs as much as the validation of a run.
      get doc() {
        return (doc ??= JSON.parse(readFileSync(join(dir, 'schemas.json'), 'utf8')) as SchemaDocument);
      },
      validatorFor,
      hasRoot: (key) => Object.prototype.hasOwnProperty.call(roots, key),
    };
    return loaded;
  })();
  return loading;
}

/**
 * The `generated/` folder of the package: found by walking up from this module, so it works
 * both from src/ (tsx) and from a bundle in dist/. KUBESIM_GENERATED_DIR overrides it.
 */
export function generatedDir(): string | undefined {
  if (process.env.KUBESIM_GENERATED_DIR) return process.env.KUBESIM_GENERATED_DIR;
  let here: string;
  try {
    here = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
  } catch {
    here = process.cwd();
  }
  for (let d = dirname(here), i = 0; i < 8; i++, d = dirname(d)) {
    if (existsSync(join(d, 'generated', 'validators.cjs'))) return join(d, 'generated');
    if (dirname(d) === d) break;
  }
  return undefined;
}

/** The bundle if it was loaded already (sync validation entry points need it). */
export function loadedSchemas(): SchemaBundle {
  if (!loaded) throw new Error('schemas not loaded: await loadSchemas() (or loadValidation()) before validating');
  return loaded;
}

/** "apps/v1/Deployment" style key for a group, version and kind. */
export function rootKey(group: string, version: string, kind: string): string {
  return `${group ? group + '/' : ''}${version}/${kind}`;
}
