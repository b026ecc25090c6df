// Name reference fix-ups (kustomize's nameReferenceTransformer): after prefixes, suffixes,
// namespaces and hashes renamed resources, every field that names one (by the rules in
// fieldspecs.ts) is pointed at the new name.
import { NAME_REFERENCES, type NameRefRule } from './fieldspecs';
import type { FieldSpec } from './fieldspecs';
import { applyFieldSpec, curId, gvkSelected, idString, isClusterScoped, isMap, KustomizeError, nsEq, orgId, type Obj, type Resource } from './resource';

function endsWith(a: string[], b: string[]): boolean {
  // utils.SameEndingSubSlice: the shorter is a suffix of the longer.
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length === 0) return true;
  for (let i = 1; i <= short.length; i++) if (short[short.length - i] !== long[long.length - i]) return false;
  return true;
}

function affixesEqual(r: Resource, o: Resource, allowEmpty: boolean): boolean {
  if (allowEmpty) {
    const pe = r.prefixes.length === 0 || o.prefixes.length === 0;
    const se = r.suffixes.length === 0 || o.suffixes.length === 0;
    return (pe || endsWith(r.prefixes, o.prefixes)) && (se || endsWith(r.suffixes, o.suffixes));
  }
  return endsWith(r.prefixes, o.prefixes) && endsWith(r.suffixes, o.suffixes);
}

function couldReference(referrer: Resource, all: Resource[]): Resource[] {
  const rid = curId(referrer);
  if (isClusterScoped(rid)) return all;
  const rbNamespaces = new Set<string>();
  if ((rid.kind === 'RoleBinding' || rid.kind === 'ClusterRoleBinding') && Array.isArray(referrer.obj.subjects)) {
    for (const s of referrer.obj.subjects) if (isMap(s) && s.kind === 'ServiceAccount' && typeof s.namespace === 'string') rbNamespaces.add(s.namespace);
  }
  return all.filter((t) => {
    const id = curId(t);
    return isClusterScoped(id) || nsEq(id, rid) || rbNamespaces.has(id.namespace);
  });
}

function selectReferral(referrer: Resource, rule: NameRefRule, fs: FieldSpec, oldName: string, candidates: Resource[], identical: (c: Resource[]) => boolean): Resource | undefined {
  const t = { group: rule.target.group, version: rule.target.version, kind: rule.target.kind };
  let c = candidates.filter((r) => r.prevIds.some((id) => id.name === oldName));
  c = c.filter((r) => r.prevIds.some((id) => gvkSelected(id, t)));
  if (fs.path.endsWith('roleRef/name')) {
    const rr = referrer.obj.roleRef;
    if (isMap(rr) && typeof rr.apiGroup === 'string' && typeof rr.kind === 'string') {
      const g = { group: rr.apiGroup, kind: rr.kind };
      c = c.filter((r) => r.prevIds.some((id) => gvkSelected(id, g)));
    }
  }
  const rid = curId(referrer);
  if (!isClusterScoped(rid)) c = c.filter((r) => isClusterScoped(curId(r)) || r.obj.kind === 'ServiceAccount' || nsEq(rid, curId(r)));
  if (c.length === 1) return c[0];
  c = c.filter((r) => affixesEqual(r, referrer, true));
  if (c.length > 1) c = c.filter((r) => affixesEqual(r, referrer, false));
  if (c.length === 1) return c[0];
  if (c.length === 0) return undefined;
  if (identical(c)) return c[0];
  throw new KustomizeError(`found multiple possible referrals: ${c.map((r) => idString(curId(r))).join(', ')}`);
}

const nameOf = (r: Resource) => String((r.obj.metadata as Obj)?.name ?? '');
const nsOf = (r: Resource) => String((r.obj.metadata as Obj)?.namespace ?? '');

export function fixNameReferences(all: Resource[]): void {
  for (const referrer of all) {
    const candidates = couldReference(referrer, all);
    for (const rule of NAME_REFERENCES) {
      for (const fs of rule.specs) {
        if (!gvkSelected(orgId(referrer), fs) && !gvkSelected(curId(referrer), fs)) continue;
        const setScalar = (c: Obj, k: string) => {
          const v = c[k];
          if (typeof v !== 'string') return;
          const ref = selectReferral(referrer, rule, fs, v, candidates, (cs) => cs.every((x) => nameOf(x) === nameOf(cs[0])));
          if (ref && nameOf(ref) !== v) c[k] = nameOf(ref);
        };
        const setMap = (m: Obj) => {
          if (!('name' in m)) throw new KustomizeError(`path config error; no 'name' field in node`);
          let cands = candidates;
          if (typeof m.namespace === 'string') {
            const byOrg = candidates.filter((r) => orgId(r).namespace === m.namespace);
            cands = byOrg.length ? byOrg : candidates.filter((r) => curId(r).namespace === m.namespace);
          }
          const old = String(m.name);
          const ref = selectReferral(referrer, rule, fs, old, cands, (cs) => cs.every((x) => nameOf(x) === nameOf(cs[0]) && nsOf(x) === nsOf(cs[0])));
          if (!ref) return;
          if (nameOf(ref) === old && nsOf(ref) === '') return;
          m.name = nameOf(ref);
          if (nsOf(ref) !== '') m.namespace = nsOf(ref);
        };
        applyFieldSpec(referrer.obj, fs, undefined, (c, k) => {
          const v = c[k];
          if (v === null || v === undefined) return;
          if (typeof v === 'string') setScalar(c, k);
          else if (isMap(v)) setMap(v);
          else if (Array.isArray(v)) {
            v.forEach((el, i) => {
              if (typeof el === 'string') setScalar(v as unknown as Obj, String(i));
              else if (isMap(el)) setMap(el);
            });
          }
        });
      }
    }
  }
}
