// kustomize's builtin transformers over the accumulated resources, each driven by the field
// specs in fieldspecs.ts: namespace, name prefix/suffix, labels, annotations, images, replicas.
import { FIELD_SPECS, type FieldSpec } from './fieldspecs';
import { goJson } from './hash';
import {
  applyFieldSpec, curId, gvkLess, gvkSelected, gvkString, isClusterScoped, isMap, KustomizeError, meta, sameId, storePreviousId,
  type Resource,
} from './resource';

function allIds(r: Resource) {
  return [curId(r), ...r.prevIds];
}

/** A resource as kustomize prints it in errors: JSON with its build annotations. */
function resourceJson(r: Resource): string {
  const obj = structuredClone(r.obj);
  const md = meta(obj);
  const ann: Record<string, string> = { ...(isMap(md.annotations) ? (md.annotations as Record<string, string>) : {}) };
  if (r.prevIds.length) {
    ann['internal.config.kubernetes.io/previousKinds'] = r.prevIds.map((i) => i.kind).join(',');
    ann['internal.config.kubernetes.io/previousNames'] = r.prevIds.map((i) => i.name).join(',');
    ann['internal.config.kubernetes.io/previousNamespaces'] = r.prevIds.map((i) => i.namespace).join(',');
  }
  if (r.prefixes.length) ann['internal.config.kubernetes.io/prefixes'] = r.prefixes.join(',');
  if (r.suffixes.length) ann['internal.config.kubernetes.io/suffixes'] = r.suffixes.join(',');
  if (Object.keys(ann).length) md.annotations = ann;
  return goJson(obj);
}

export function transformNamespace(res: Resource[], namespace: string): void {
  if (!namespace) return;
  for (const r of res) {
    if (Object.keys(r.obj).length === 0) continue;
    storePreviousId(r);
    const id = curId(r);
    if (!isClusterScoped(id)) meta(r.obj).namespace = namespace;
    if (id.kind === 'RoleBinding' || id.kind === 'ClusterRoleBinding') {
      const subjects = r.obj.subjects;
      if (Array.isArray(subjects)) {
        for (const s of subjects) if (isMap(s) && s.name === 'default') s.namespace = namespace;
      }
    }
    const apiVersion = String(r.obj.apiVersion ?? '');
    for (const fs of FIELD_SPECS.namespace) {
      if (fs.path === 'metadata/name' && apiVersion !== 'v1') continue;
      applyFieldSpec(r.obj, fs, 'scalar', (c, k) => {
        c[k] = namespace;
      });
    }
    const now = curId(r);
    if (res.filter((o) => sameId(curId(o), now)).length !== 1) {
      throw new KustomizeError(`namespace transformation produces ID conflict: [${res.filter((o) => sameId(curId(o), now)).map(resourceJson).join(' ')}]`);
    }
  }
}

const PREFIX_SKIP = [{ kind: 'CustomResourceDefinition' }, { group: 'apiregistration.k8s.io', kind: 'APIService' }, { kind: 'Namespace' }];

export function transformAffix(res: Resource[], affix: string, which: 'prefix' | 'suffix'): void {
  if (!affix) return;
  const specs = which === 'prefix' ? FIELD_SPECS.namePrefix : FIELD_SPECS.nameSuffix;
  for (const r of res) {
    const org = r.prevIds[0] ?? curId(r);
    if (PREFIX_SKIP.some((s) => gvkSelected(org, s))) continue;
    for (const fs of specs) {
      if (!gvkSelected(org, fs)) continue;
      if (fs.path === 'metadata/name') {
        (which === 'prefix' ? r.prefixes : r.suffixes).push(affix);
        storePreviousId(r);
      }
      applyFieldSpec(r.obj, fs, undefined, (c, k) => {
        if (typeof c[k] !== 'string') return;
        c[k] = which === 'prefix' ? affix + c[k] : c[k] + affix;
      });
    }
  }
}

/** FsSlice.MergeOne: add a spec unless an equivalent one is there. */
function mergeSpecs(into: FieldSpec[], more: FieldSpec[]): FieldSpec[] {
  const out = [...into];
  for (const x of more) {
    const i = out.findIndex((s) => gvkSelected({ group: s.group ?? '', version: s.version ?? '', kind: s.kind ?? '' }, x) && s.path === x.path);
    if (i >= 0) {
      if (out[i].create !== x.create) throw new KustomizeError('failed to merge labels: conflicting fieldspecs');
      continue;
    }
    out.push(x);
  }
  return out;
}

export interface LabelArgs {
  pairs?: Record<string, string>;
  includeSelectors?: boolean;
  includeTemplates?: boolean;
  fields?: FieldSpec[];
}

function setEntries(res: Resource[], pairs: Record<string, string>, specs: FieldSpec[]): void {
  const keys = Object.keys(pairs).sort();
  if (keys.length === 0) return;
  for (const r of res) {
    for (const k of keys) {
      for (const fs of specs) {
        applyFieldSpec(r.obj, fs, 'map', (c, key) => {
          if (c[key] === null || c[key] === undefined) c[key] = {};
          const m = c[key];
          if (!isMap(m)) throw new KustomizeError(`wrong node kind: expected MappingNode but got ${Array.isArray(m) ? 'SequenceNode' : 'ScalarNode'}: node contents:\n${String(m)}\n`);
          m[k] = String(pairs[k]);
        });
      }
    }
  }
}

export function transformLabels(res: Resource[], labels: LabelArgs[], commonLabels: Record<string, string> | undefined): void {
  for (const l of labels) {
    let specs = mergeSpecs([], l.fields ?? []);
    if (l.includeSelectors) specs = mergeSpecs(specs, FIELD_SPECS.commonLabels);
    else {
      if (l.includeTemplates) specs = mergeSpecs(specs, FIELD_SPECS.templateLabels);
      specs = mergeSpecs(specs, [{ path: 'metadata/labels', create: true }]);
    }
    setEntries(res, l.pairs ?? {}, specs);
  }
  if (commonLabels) setEntries(res, commonLabels, FIELD_SPECS.commonLabels);
}

export function transformAnnotations(res: Resource[], annotations: Record<string, string> | undefined): void {
  if (annotations) setEntries(res, annotations, FIELD_SPECS.commonAnnotations);
}

// ---- images ----

export interface ImageArgs {
  name?: string;
  newName?: string;
  newTag?: string;
  digest?: string;
  tagSuffix?: string;
}

export function splitImage(image: string): [string, string, string] {
  let search = image;
  let slash = image.indexOf('/');
  if (slash > 0) search = image.slice(slash);
  else slash = 0;
  let id = search.indexOf('@');
  let ic = search.indexOf(':');
  if (ic < 0 && id < 0) return [image, '', ''];
  if (id >= 0 && (id < ic || ic < 0)) {
    id += slash;
    return [image.slice(0, id), '', image.slice(id + 1)];
  }
  if (id >= 0 && ic >= 0) {
    id += slash;
    ic += slash;
    return [image.slice(0, ic), image.slice(ic + 1, id), image.slice(id + 1)];
  }
  ic += slash;
  return [image.slice(0, ic), image.slice(ic + 1), ''];
}

function updateImage(value: string, img: ImageArgs): string {
  let re: RegExp;
  try {
    re = new RegExp('^' + (img.name ?? '') + '(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$');
  } catch {
    return value;
  }
  if (!re.test(value)) return value;
  let [name, tag, digest] = splitImage(value);
  if (img.newName) name = img.newName;
  if (img.newTag && img.digest) [tag, digest] = [img.newTag, img.digest];
  else if (img.newTag) [tag, digest] = [img.newTag, ''];
  else if (img.digest) [tag, digest] = ['', img.digest];
  else if (img.tagSuffix) [tag, digest] = [tag + img.tagSuffix, ''];
  if (tag) name += ':' + tag;
  if (digest) name += '@' + digest;
  return name;
}

/** The legacy walk: every `containers`/`initContainers` list anywhere, then the field specs. */
export function transformImages(res: Resource[], images: ImageArgs[]): void {
  for (const img of images) {
    for (const r of res) {
      if (r.obj.kind === 'CustomResourceDefinition') continue;
      const walk = (node: unknown): void => {
        if (Array.isArray(node)) node.forEach(walk);
        else if (isMap(node)) {
          for (const [k, v] of Object.entries(node)) {
            walk(v);
            if ((k === 'containers' || k === 'initContainers') && Array.isArray(v)) {
              for (const c of v) if (isMap(c) && typeof c.image === 'string') c.image = updateImage(c.image, img);
            }
          }
        }
      };
      walk(r.obj);
      for (const fs of FIELD_SPECS.images) {
        applyFieldSpec(r.obj, fs, undefined, (c, k) => {
          if (typeof c[k] === 'string') c[k] = updateImage(c[k] as string, img);
        });
      }
    }
  }
}

export interface ReplicaArgs {
  name?: string;
  count?: number;
}

export function transformReplicas(res: Resource[], replicas: ReplicaArgs[]): void {
  for (const rep of replicas) {
    let found = false;
    for (const fs of FIELD_SPECS.replicas) {
      const matched = res.filter((r) => allIds(r).some((id) => id.name === rep.name && gvkSelected(id, fs)));
      if (matched.length) found = true;
      for (const r of matched) {
        applyFieldSpec(r.obj, fs, 'scalar', (c, k) => {
          c[k] = Number(rep.count ?? 0);
        });
      }
    }
    if (!found) {
      const gvks = [...FIELD_SPECS.replicas].sort(gvkLess).map((fs) => gvkString({ group: fs.group ?? '', version: fs.version ?? '', kind: fs.kind ?? '' }));
      throw new KustomizeError(`resource with name ${rep.name} does not match a config with the following GVK [${gvks.join(' ')}]`);
    }
  }
}
