// The Kustomization's fields and their Go types, for the strict JSON decoding kustomize does
// (`invalid Kustomization: json: unknown field "x"`, `cannot unmarshal string into ...`).
import { isMap, KustomizeError } from './resource';
import { goJsonKind, goUnmarshalTypeError } from '../util/go-format';

type T = 'string' | '[]string' | 'map[string]string' | '[]object' | 'object';

const FIELDS: Record<string, T> = {
  apiVersion: 'string', kind: 'string', metadata: 'object', openapi: 'map[string]string', namePrefix: 'string', nameSuffix: 'string',
  namespace: 'string', commonLabels: 'map[string]string', labels: '[]object', commonAnnotations: 'map[string]string',
  patchesStrategicMerge: '[]string', patchesJson6902: '[]object', patches: '[]object', images: '[]object', imageTags: '[]object',
  replacements: '[]object', replicas: '[]object', vars: '[]object', sortOptions: 'object', resources: '[]string', components: '[]string',
  crds: '[]string', bases: '[]string', configMapGenerator: '[]object', secretGenerator: '[]object', helmGlobals: 'object',
  helmCharts: '[]object', helmChartInflationGenerator: '[]object', generatorOptions: 'object', configurations: '[]string',
  generators: '[]string', transformers: '[]string', validators: '[]string', buildMetadata: '[]string',
};

function fail(field: string, v: unknown, t: T, sub = ''): never {
  const goType = t === 'object' ? 'struct' : t;
  throw new KustomizeError(`invalid Kustomization: ${goUnmarshalTypeError(goJsonKind(v), goType, 'Kustomization', field + sub)}`);
}

export function checkKustomization(raw: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(raw)) {
    const t = FIELDS[k];
    if (!t) throw new KustomizeError(`invalid Kustomization: json: unknown field ${JSON.stringify(k)}`);
    if (v === null) continue;
    switch (t) {
      case 'string':
        if (typeof v !== 'string') fail(k, v, t);
        break;
      case '[]string':
        if (!Array.isArray(v)) fail(k, v, t);
        for (const e of v as unknown[]) if (typeof e !== 'string' && e !== null) fail(k, e, 'string' as T);
        break;
      case 'map[string]string':
        if (!isMap(v)) fail(k, v, t);
        for (const e of Object.values(v as object)) if (typeof e !== 'string' && e !== null) fail(k, e, 'string' as T);
        break;
      case '[]object':
        if (!Array.isArray(v)) fail(k, v, t === '[]object' ? ('[]' + k) as T : t);
        break;
      case 'object':
        if (!isMap(v)) fail(k, v, t);
        break;
    }
  }
}
