// HorizontalPodAutoscalers, PodDisruptionBudgets, ResourceQuotas.
import { doc } from './docs';
import { ageCol, col, nameCol, type KindTable } from './types';
import { ageOf, arr, byteCompare, int, intOrString, obj, quantity, str } from './util';

const has = (v: unknown): boolean => v !== undefined && v !== null;
const pct = (v: unknown): string => `${int(v)}%`;

/** formatHPAMetrics (autoscaling/v2 shapes). */
export function formatHPAMetrics(specs: any[], statuses: any[]): string {
  if (specs.length === 0) return '<none>';
  const list: string[] = [];
  const max = 2;
  specs.forEach((spec, i) => {
    const st = statuses[i];
    switch (spec?.type) {
      case 'External':
      case 'Object': {
        const key = spec.type === 'External' ? 'external' : 'object';
        const target = obj(obj(spec[key]).target);
        const cur = obj(obj(st?.[key]).current);
        if (has(target.averageValue)) {
          const current = has(st?.[key]) && has(cur.averageValue) ? quantity(cur.averageValue) : '<unknown>';
          list.push(`${current}/${quantity(target.averageValue)} (avg)`);
        } else {
          const current = has(st?.[key]) ? quantity(cur.value) : '<unknown>';
          list.push(`${current}/${quantity(target.value)}`);
        }
        break;
      }
      case 'Pods': {
        const current = has(st?.pods) ? quantity(obj(st.pods.current).averageValue) : '<unknown>';
        list.push(`${current}/${quantity(obj(obj(spec.pods).target).averageValue)}`);
        break;
      }
      case 'Resource':
      case 'ContainerResource': {
        const key = spec.type === 'Resource' ? 'resource' : 'containerResource';
        const src = obj(spec[key]);
        const target = obj(src.target);
        const cur = obj(obj(st?.[key]).current);
        if (has(target.averageValue)) {
          const current = has(st?.[key]) ? quantity(cur.averageValue) : '<unknown>';
          list.push(`${str(src.name)}: ${current}/${quantity(target.averageValue)}`);
        } else {
          const current = has(st?.[key]) && has(cur.averageUtilization) ? pct(cur.averageUtilization) : '<unknown>';
          const t = has(target.averageUtilization) ? pct(target.averageUtilization) : '<auto>';
          list.push(`${str(src.name)}: ${current}/${t}`);
        }
        break;
      }
      default:
        list.push('<unknown type>');
    }
  });
  if (list.length > max) return `${list.slice(0, max).join(', ')} + ${list.length - max} more...`;
  return list.join(', ');
}

/** autoscaling/v1 objects carry a single CPU target; convert to the v2 shape. */
function hpaMetrics(o: any): [any[], any[]] {
  const spec = obj(o.spec);
  const st = obj(o.status);
  if (Array.isArray(spec.metrics)) return [spec.metrics, arr(st.currentMetrics)];
  if (has(spec.targetCPUUtilizationPercentage)) {
    const s = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } };
    const c = has(st.currentCPUUtilizationPercentage)
      ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: st.currentCPUUtilizationPercentage } } }]
      : [];
    return [[s], c];
  }
  return [[], []];
}

export const horizontalpodautoscalers: KindTable = {
  columns: [
    nameCol,
    col('Reference', doc('autoscaling/v2beta1', 'HorizontalPodAutoscalerSpec', 'scaleTargetRef')),
    col('Targets', doc('autoscaling/v2beta1', 'HorizontalPodAutoscalerSpec', 'metrics')),
    col('MinPods', doc('autoscaling/v2beta1', 'HorizontalPodAutoscalerSpec', 'minReplicas')),
    col('MaxPods', doc('autoscaling/v2beta1', 'HorizontalPodAutoscalerSpec', 'maxReplicas'), { cell: 'integer' }),
    col('Replicas', doc('autoscaling/v2beta1', 'HorizontalPodAutoscalerStatus', 'currentReplicas'), { cell: 'integer' }),
    ageCol,
  ],
  cells: (o, now) => {
    const spec = obj(o.spec);
    const ref = obj(spec.scaleTargetRef);
    const [specs, statuses] = hpaMetrics(o);
    return [
      str(o.metadata.name),
      `${str(ref.kind)}/${str(ref.name)}`,
      formatHPAMetrics(specs, statuses),
      has(spec.minReplicas) ? String(int(spec.minReplicas)) : '<unset>',
      String(int(spec.maxReplicas)),
      String(int(obj(o.status).currentReplicas)),
      ageOf(o, now),
    ];
  },
};

export const poddisruptionbudgets: KindTable = {
  columns: [
    nameCol,
    col('Min Available', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time.', { type: 'integer', cell: 'integer' }),
    ageCol,
  ],
  cells: (o, now) => {
    const spec = obj(o.spec);
    return [
      str(o.metadata.name),
      has(spec.minAvailable) ? intOrString(spec.minAvailable) : 'N/A',
      has(spec.maxUnavailable) ? intOrString(spec.maxUnavailable) : 'N/A',
      String(int(obj(o.status).disruptionsAllowed)),
      ageOf(o, now),
    ];
  },
};

export const resourcequotas: KindTable = {
  columns: [
    nameCol,
    col('Request', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
    ageCol,
  ],
  cells: (o, now) => {
    const hard = obj(obj(o.status).hard);
    const used = obj(obj(o.status).used);
    const req: string[] = [];
    const lim: string[] = [];
    for (const r of Object.keys(hard).sort(byteCompare)) {
      const pieces = r.split('.');
      const text = `${r}: ${quantity(used[r])}/${quantity(hard[r])}`;
      (pieces.length > 1 && pieces[0] === 'limits' ? lim : req).push(text);
    }
    return [str(o.metadata.name), req.join(', '), lim.join(', '), ageOf(o, now)];
  },
};
