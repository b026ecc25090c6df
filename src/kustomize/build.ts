// `kustomize build` as kubectl 1.32 bundles it (kustomize v5.5.0): accumulate resources
// (files, bases, components), run the generators, then the builtin transformers in kustomize's
// order; at the top, add name hashes, fix name references, drop local-config objects, sort.
import { toYaml } from '../printers/yaml';
import { applyLegacyJson6902, applyLegacySmp, applyPatch, dropEmpty, parseYamlDocs, type Json6902Args, type PatchArgs } from './patches';
import { dataOf, generate, type GeneratorArgs, type GeneratorOptions } from './generators';
import { hashResource } from './hash';
import { confirmDir, isRemote, Loader } from './loader';
import { fixNameReferences } from './nameref';
import { curId, gvkString, idString, isMap, KustomizeError, meta, sameId, storePreviousId, ORDER_FIRST, ORDER_LAST, typeOrder, type Obj, type ResId, type Resource } from './resource';
import {
  transformAffix, transformAnnotations, transformImages, transformLabels, transformNamespace, transformReplicas,
  type ImageArgs, type LabelArgs, type ReplicaArgs,
} from './transformers';
import { checkKustomization } from './schema';
import { goJsonKind, goUnmarshalTypeError } from '../util/go-format';
import { checkHelmCharts, checkPluginFields, type PluginOptions } from './plugins';
import { VarSet, varString, type Var } from './vars';
import { loadReplacements, transformReplacements, type ReplacementArgs } from './replacements';

export { KustomizeError };

export interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  bases?: string[];
  components?: string[];
  namespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  commonLabels?: Record<string, string>;
  labels?: LabelArgs[];
  commonAnnotations?: Record<string, string>;
  images?: ImageArgs[];
  imageTags?: ImageArgs[];
  replicas?: ReplicaArgs[];
  patches?: PatchArgs[];
  patchesStrategicMerge?: string[];
  patchesJson6902?: Json6902Args[];
  configMapGenerator?: GeneratorArgs[];
  secretGenerator?: GeneratorArgs[];
  generatorOptions?: GeneratorOptions;
  replacements?: ReplacementArgs[];
  vars?: Var[];
  [k: string]: unknown;
}

const WARN_FIX = "Run 'kustomize edit fix' to update your Kustomization automatically.";
const DEPRECATIONS: [keyof Kustomization, string][] = [
  ['bases', `# Warning: 'bases' is deprecated. Please use 'resources' instead. ${WARN_FIX}`],
  ['commonLabels', `# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. ${WARN_FIX}`],
  ['imageTags', `# Warning: 'imageTags' is deprecated. Please use 'images' instead. ${WARN_FIX}`],
  ['patchesJson6902', `# Warning: 'patchesJson6902' is deprecated. Please use 'patches' instead. ${WARN_FIX}`],
  ['patchesStrategicMerge', `# Warning: 'patchesStrategicMerge' is deprecated. Please use 'patches' instead. ${WARN_FIX}`],
  ['vars', `# Warning: 'vars' is deprecated. Please use 'replacements' instead. [EXPERIMENTAL] ${WARN_FIX}`],
];

/** Unsupported kustomize features: refused plainly rather than silently ignored. */
const UNSUPPORTED = ['buildMetadata', 'helmChartInflationGenerator', 'configurations', 'crds', 'openapi'];

export interface BuildResult {
  yaml: string;
  objects: Obj[];
  warnings: string[];
}

class Builder {
  warnings: string[] = [];
  readonly vars = new VarSet();
  constructor(
    private readonly warn: (line: string) => void,
    private readonly plugins: PluginOptions = {},
  ) {}

  load(ldr: Loader): Kustomization {
    const { text } = ldr.kustomizationFile();
    let raw: unknown;
    try {
      const docs = parseYamlDocs(text, 'kustomization.yaml');
      raw = docs.length ? docs[0] : {};
    } catch (e) {
      throw new KustomizeError(`invalid Kustomization: ${(e as Error).message}`);
    }
    if (raw === null || raw === undefined) raw = {};
    if (!isMap(raw)) throw new KustomizeError(`invalid Kustomization: ${goUnmarshalTypeError(goJsonKind(raw), 'types.Kustomization')}`);
    checkKustomization(raw);
    const k = raw as Kustomization;
    for (const [field, msg] of DEPRECATIONS) if (k[field] !== undefined && k[field] !== null) {
        this.warnings.push(msg);
        this.warn(msg + '\n');
      }
    for (const f of UNSUPPORTED) {
      if (k[f] !== undefined && k[f] !== null) throw new KustomizeError(`kubesim: the kustomization field '${f}' is not supported (only the kustomize core is)`);
    }
    const emptyish = Object.keys(k).filter((f) => f !== 'apiVersion' && f !== 'kind' && k[f] !== null && k[f] !== undefined);
    if (emptyish.length === 0) throw new KustomizeError('kustomization.yaml is empty');
    const errs: string[] = [];
    if (k.kind && k.kind !== 'Kustomization' && k.kind !== 'Component') errs.push('kind should be Kustomization or Component');
    const want = k.kind === 'Component' ? 'kustomize.config.k8s.io/v1alpha1' : 'kustomize.config.k8s.io/v1beta1';
    if (k.apiVersion && k.apiVersion !== want) errs.push(`apiVersion for ${k.kind ?? ''} should be ${want}`);
    if (errs.length) throw new KustomizeError(`Failed to read kustomization file under ${ldr.root}:\n${errs.join('\n')}`);
    return k;
  }

  /** The ReplacementTransformer's Config step: its errors quote the plugin config. */
  replacementConfig(ldr: Loader, entries: ReplacementArgs[]) {
    try {
      return loadReplacements(ldr, entries);
    } catch (e) {
      throw new KustomizeError(`trouble configuring builtin ReplacementTransformer with config: \`\n${toYaml({ Replacements: entries })}\`: ${(e as Error).message}`);
    }
  }

  accumulateFile(ldr: Loader, p: string, ra: Resource[]): void {
    let docs: unknown[];
    try {
      const text = ldr.load(p).toString('utf8');
      docs = parseYamlDocs(text, p);
    } catch (e) {
      throw new KustomizeError(`accumulating resources from '${p}': ${(e as Error).message}`);
    }
    const objs: Obj[] = [];
    for (const d of docs) {
      if (!isMap(d)) throw new KustomizeError(`accumulating resources from '${p}': missing Resource metadata`);
      if (typeof d.kind === 'string' && d.kind.endsWith('List') && Array.isArray(d.items)) objs.push(...(d.items.filter(isMap) as Obj[]));
      else objs.push(d);
    }
    for (const o of objs) {
      const bad = metadataError(o);
      if (bad) throw new KustomizeError(`accumulating resources from '${p}': ${bad}`);
      append(ra, { obj: o, prevIds: [], prefixes: [], suffixes: [], needsHash: false, behavior: '' }, `merging resources from '${p}': `);
    }
  }

  accumulateResources(ldr: Loader, ra: Resource[], paths: string[]): Resource[] {
    for (const p of paths) {
      if (isRemote(p)) {
        throw new KustomizeError(`accumulating resources: accumulation err='accumulating resources from '${p}': kubesim builds kustomizations offline: remote resources are not supported': remote base '${p}' can't be fetched (no network)`);
      }
      try {
        this.accumulateFile(ldr, p, ra);
        continue;
      } catch (errF) {
        // Not a readable resource file: kustomize tries the path as a directory next, and
        // reports both failures (only the YAML error when the file was malformed YAML).
        let child: Loader;
        try {
          child = ldr.child(p);
        } catch (err) {
          if (/MalformedYAMLError/.test((errF as Error).message)) throw new KustomizeError(`accumulating resources: ${(errF as Error).message}`);
          throw new KustomizeError(`accumulating resources: accumulation err='${(errF as Error).message}': ${(err as Error).message}`);
        }
        try {
          ra.push(...this.accumulateDirectory(child, false, []));
        } catch (err) {
          throw new KustomizeError(`accumulating resources: accumulation err='${(errF as Error).message}': ${(err as Error).message}`);
        }
      }
    }
    return ra;
  }

  accumulateDirectory(ldr: Loader, isComponent: boolean, ra: Resource[]): Resource[] {
    let k: Kustomization;
    try {
      k = this.load(ldr);
    } catch (e) {
      throw new KustomizeError(`couldn't make target for path '${ldr.root}': ${(e as Error).message}`);
    }
    if (isComponent && k.kind !== 'Component') throw new KustomizeError(`expected kind 'Component' for path '${ldr.root}' but got '${k.kind ?? 'Kustomization'}'`);
    if (!isComponent && k.kind === 'Component') throw new KustomizeError(`expected kind != 'Component' for path '${ldr.root}'`);
    try {
      return this.accumulateTarget(ldr, k, isComponent ? ra : []);
    } catch (e) {
      if (e instanceof KustomizeError) throw new KustomizeError(`recursed accumulation of path '${ldr.root}': ${e.message}`);
      throw e;
    }
  }

  accumulateTarget(ldr: Loader, k: Kustomization, ra: Resource[]): Resource[] {
    const resources = [...(k.resources ?? []), ...(k.bases ?? [])];
    ra = this.accumulateResources(ldr, ra, resources);
    // runGenerators configures the builtin generators (helm's among them), then the external ones.
    checkHelmCharts(k, this.plugins);
    checkPluginFields(ldr, k, this.plugins);
    for (const args of k.configMapGenerator ?? []) ra = absorbGenerated(ra, generate(ldr, 'ConfigMap', args, k.generatorOptions));
    for (const args of k.secretGenerator ?? []) ra = absorbGenerated(ra, generate(ldr, 'Secret', args, k.generatorOptions));
    for (const c of k.components ?? []) {
      let child: Loader;
      try {
        child = ldr.child(c);
      } catch (e) {
        throw new KustomizeError(`accumulating components: loader.New ${JSON.stringify((e as Error).message)}`);
      }
      try {
        ra = this.accumulateDirectory(child, true, ra);
      } catch (e) {
        throw new KustomizeError(`accumulating components: accumulateDirectory: ${JSON.stringify((e as Error).message)}`);
      }
    }
    // The builtin transformers, in kustomize's order.
    if (k.patchesStrategicMerge?.length) ra = applyLegacySmp(ra, ldr, k.patchesStrategicMerge);
    for (const p of k.patches ?? []) ra = applyPatch(ra, ldr, p);
    transformNamespace(ra, k.namespace ?? '');
    transformAffix(ra, k.namePrefix ?? '', 'prefix');
    transformAffix(ra, k.nameSuffix ?? '', 'suffix');
    transformLabels(ra, k.labels ?? [], k.commonLabels);
    transformAnnotations(ra, k.commonAnnotations);
    applyLegacyJson6902(ra, ldr, k.patchesJson6902 ?? []);
    ra = dropEmpty(ra);
    transformReplicas(ra, k.replicas ?? []);
    transformImages(ra, [...(k.images ?? []), ...(k.imageTags ?? [])]);
    if (k.replacements?.length) transformReplacements(ra, this.replacementConfig(ldr, k.replacements));
    if (k.vars?.length) {
      try {
        this.vars.merge(ra, k.vars);
      } catch (e) {
        throw new KustomizeError(`merging vars [${k.vars.map((v) => varString(v)).join(' ')}]: ${(e as Error).message}`);
      }
    }
    return ra;
  }
}

/** kyaml's GetValidatedMetadata: its errors print the ResourceMeta Go struct (%v). */
function metadataError(o: Obj): string | undefined {
  const md = isMap(o.metadata) && Object.keys(o.metadata).length ? o.metadata : undefined;
  const s = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const goMap = (m: unknown) => (isMap(m) && Object.keys(m).length ? `map[${Object.keys(m).sort().map((k) => `${k}:${s(m[k])}`).join(' ')}]` : 'map[]');
  if (!s(o.apiVersion) && !s(o.kind) && (!md || (!s(md.name) && !s(md.namespace) && !isMap(md.labels) && !isMap(md.annotations)))) return 'missing Resource metadata';
  const m = md ?? {};
  const v = `{{${s(o.apiVersion)} ${s(o.kind)}} {{${s(m.name)} ${s(m.namespace)}} ${goMap(m.labels)} ${goMap(m.annotations)}}}`;
  if (!s(o.kind)) return `missing kind in object ${v}`;
  if (s(o.kind).endsWith('List')) return undefined;
  if (!s(m.name)) return `missing metadata.name in object ${v}`;
  return undefined;
}

function goIdStruct(id: ResId): string {
  return `resid.ResId{Gvk:resid.Gvk{Group:${JSON.stringify(id.group)}, Version:${JSON.stringify(id.version)}, Kind:${JSON.stringify(id.kind)}, isClusterScoped:false}, Name:${JSON.stringify(id.name)}, Namespace:${JSON.stringify(id.namespace)}}`;
}

function append(ra: Resource[], r: Resource, prefix = ''): void {
  const id = curId(r);
  if (ra.some((o) => sameId(curId(o), id))) throw new KustomizeError(`${prefix}may not add resource with an already registered id: ${idString(id)}`);
  ra.push(r);
}

/**
 * kustomize wraps these in "merging from generator %v" of a Go pointer; the address is
 * arbitrary, so kubesim prints a fixed one.
 */
function absorbGenerated(ra: Resource[], r: Resource): Resource[] {
  try {
    return absorb(ra, r);
  } catch (e) {
    throw new KustomizeError(`merging from generator &{0xc000000000 <nil>}: ${(e as Error).message}`);
  }
}

/** appendReplaceOrMerge: a generated object joins, replaces or merges into an existing one. */
function absorb(ra: Resource[], r: Resource): Resource[] {
  const id = curId(r);
  const matches = ra.filter((o) => [curId(o), ...o.prevIds].some((x) => sameId(x, id)));
  if (matches.length === 0) {
    if (r.behavior === 'merge' || r.behavior === 'replace') throw new KustomizeError(`id ${goIdStruct(id)} does not exist; cannot merge or replace`);
    append(ra, r);
    return ra;
  }
  if (matches.length > 1) throw new KustomizeError(`found multiple objects ${matches.map((m) => idString(curId(m))).join(' ')} that could accept merge of ${idString(id)}`);
  const old = matches[0];
  if (r.behavior !== 'merge' && r.behavior !== 'replace') throw new KustomizeError(`id ${goIdStruct(id)} exists; behavior must be merge or replace`);
  const om = meta(old.obj);
  const nm = meta(r.obj);
  const mergeMaps = (a: unknown, b: unknown) => ({ ...(isMap(a) ? a : {}), ...(isMap(b) ? b : {}) });
  const labels = mergeMaps(om.labels, nm.labels);
  const annotations = mergeMaps(om.annotations, nm.annotations);
  if (Object.keys(labels).length) nm.labels = labels;
  if (Object.keys(annotations).length) nm.annotations = annotations;
  nm.name = om.name;
  if (om.namespace !== undefined) nm.namespace = om.namespace;
  else delete nm.namespace;
  if (r.behavior === 'merge') {
    for (const f of ['data', 'binaryData'] as const) {
      const merged = { ...dataOf(old.obj, f), ...dataOf(r.obj, f) };
      if (Object.keys(merged).length) r.obj[f] = merged;
    }
  }
  r.prevIds = [...old.prevIds];
  r.prefixes = [...old.prefixes];
  r.suffixes = [...old.suffixes];
  ra[ra.indexOf(old)] = r;
  return ra;
}

// ---- the legacy sort (kustomize's default output order) ----

function legacyGvk(id: ResId): string {
  return [id.group || '~G', id.version || '~V', id.kind || '~K'].join('_');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function legacyLess(a: ResId, b: ResId, first: string[], last: string[]): number {
  const sameGvk = a.group === b.group && a.version === b.version && a.kind === b.kind;
  if (!sameGvk) {
    const [ia, ib] = [typeOrder(a.kind, first, last), typeOrder(b.kind, first, last)];
    if (ia !== ib) return ia - ib;
    if (a.kind === 'Namespace' && b.kind === 'Namespace' && (a.group === '' || b.group === '')) return -cmp(legacyGvk(a), legacyGvk(b));
    return cmp(legacyGvk(a), legacyGvk(b));
  }
  const s = (id: ResId) => [gvkString(id), id.namespace || '~X', id.name || '~N'].join('|');
  return cmp(s(a), s(b));
}

/** Builds the kustomization in `dir` and renders it as `kubectl kustomize` prints it. */
export interface BuildOptions extends PluginOptions {
  /** LoadRestrictionsNone lets a kustomization read files outside its directory. */
  loadRestrictor?: 'LoadRestrictionsRootOnly' | 'LoadRestrictionsNone';
}

export function build(dir: string, warn: (text: string) => void = () => {}, opts: BuildOptions = {}): BuildResult {
  const b = new Builder(warn, opts);
  let rootDir: string;
  try {
    rootDir = confirmDir(dir);
  } catch (e) {
    throw new KustomizeError(`must build at directory: ${(e as Error).message}`);
  }
  const root = new Loader(rootDir, undefined, opts.loadRestrictor !== 'LoadRestrictionsNone');
  const k = b.load(root);
  let ra = b.accumulateTarget(root, k, []);
  for (const r of ra) {
    if (!r.needsHash) continue;
    const h = hashResource(r.obj);
    storePreviousId(r);
    meta(r.obj).name = `${String(meta(r.obj).name)}-${h}`;
  }
  fixNameReferences(ra);
  b.vars.resolve(ra, warn);
  ra = ra.filter((r) => {
    const a = isMap(r.obj.metadata) && isMap(r.obj.metadata.annotations) ? r.obj.metadata.annotations : {};
    return a['config.kubernetes.io/local-config'] !== 'true';
  });
  const sort = isMap(k.sortOptions) ? (k.sortOptions as { order?: string; legacySortOptions?: { orderFirst?: string[]; orderLast?: string[] } }) : {};
  if (sort.order !== undefined && sort.order !== 'legacy' && sort.order !== 'fifo') {
    throw new KustomizeError(`the field 'sortOptions.order' must be one of [fifo, legacy]`);
  }
  if (sort.order !== 'fifo') {
    const first = sort.legacySortOptions?.orderFirst ?? ORDER_FIRST;
    const last = sort.legacySortOptions?.orderLast ?? ORDER_LAST;
    const ids = new Map(ra.map((r) => [r, curId(r)]));
    ra = [...ra].sort((x, y) => legacyLess(ids.get(x)!, ids.get(y)!, first, last));
  }
  const objects = ra.map((r) => r.obj);
  const yaml = objects.map((o) => toYaml(o)).join('---\n');
  return { yaml, objects, warnings: b.warnings };
}
