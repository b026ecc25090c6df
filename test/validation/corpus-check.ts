// Validates every manifest of the shared corpus the way `kubesim apply --dry-run` would:
// load, resolve the kind (CRDs of the corpus registered), schema + semantic validation.
// Shared by the corpus test and handy to run by hand: `npx tsx test/validation/corpus-check.ts`.
import { relative } from 'node:path';
import { loadManifests } from '../../src/manifest';
import { ResourceRegistry, NoKindMatchError } from '../../src/api/resources';
import { crdResourceType } from '../../src/api/crd';
import { loadSchemas, validateSchema, validateSemantics, validateCustomResource } from '../../src/api/validation';
import { formatFieldError } from '../../src/api/errors';
import type { KObject } from '../../src/api/types';

export { CORPUS } from '../corpus';
import { CORPUS } from '../corpus';

export interface CorpusReport {
  /** relative file -> failure messages */
  failures: Map<string, string[]>;
  files: string[];
  documents: number;
  ms: number;
}

export async function checkCorpus(root = CORPUS): Promise<CorpusReport> {
  await loadSchemas();
  const t0 = performance.now();
  const load = await loadManifests([root], { recursive: true });
  const failures = new Map<string, string[]>();
  const fail = (source: string, msg: string) => {
    const k = relative(root, source);
    failures.set(k, [...(failures.get(k) ?? []), msg]);
  };
  for (const e of load.errors) fail(e.source, e.kubectlMessage);
  const registry = new ResourceRegistry();
  const crds = new Map<string, KObject>();
  for (const d of load.docs) {
    if (d.object.kind === 'CustomResourceDefinition' && d.object.apiVersion === 'apiextensions.k8s.io/v1') {
      const rt = crdResourceType(d.object);
      if (rt) {
        registry.register(rt);
        crds.set(d.object.metadata.name!, d.object);
      }
    }
  }
  for (const d of load.docs) {
    const obj = d.object;
    let rt;
    try {
      rt = registry.forKind(obj.apiVersion, obj.kind);
    } catch (e) {
      if (e instanceof NoKindMatchError) {
        fail(d.source, e.message);
        continue;
      }
      throw e;
    }
    const issues = rt.crd ? validateCustomResource(obj, crds.get(rt.crd)!) : validateSchema(obj, rt);
    for (const i of issues) fail(d.source, i.kubectlMessage);
    for (const fe of validateSemantics(obj, rt)) fail(d.source, formatFieldError(fe));
  }
  return { failures, files: load.files.map((f) => relative(root, f)), documents: load.docs.length, ms: performance.now() - t0 };
}

if (require.main === module) {
  checkCorpus().then((r) => {
    for (const [f, msgs] of [...r.failures].sort()) console.log(f + '\n  ' + msgs.join('\n  '));
    console.log(`${r.failures.size} failing files, ${r.documents} documents in ${r.ms.toFixed(0)} ms`);
  });
}
