// HorizontalPodAutoscaler describer (autoscaling/v2 shape; v1 objects are converted).
import type { KObject } from '../../api/types';
import { LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, PrefixWriter } from './prefix-writer';
import { printAnnotationsMultiline, printLabelsMultiline, str } from './format';
import { canonical } from '../../api/quantity';
import { describeEvents } from './events';
import { rfc1123z } from './time';
import type { DescribeContext } from './context';

function q(v: unknown): string {
  return v === undefined || v === null ? '0' : canonical(v);
}

/** autoscaling/v1 targetCPUUtilizationPercentage → a v2 Resource metric. */
function v2Metrics(hpa: KObject): { metrics: any[]; current: any[] } {
  if (Array.isArray(hpa.spec?.metrics)) return { metrics: hpa.spec.metrics, current: hpa.status?.currentMetrics ?? [] };
  const metrics: any[] = [];
  const current: any[] = [];
  if (typeof hpa.spec?.targetCPUUtilizationPercentage === 'number') {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: hpa.spec.targetCPUUtilizationPercentage } } });
    if (typeof hpa.status?.currentCPUUtilizationPercentage === 'number') {
      current.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: hpa.status.currentCPUUtilizationPercentage } } });
    }
  }
  return { metrics, current };
}

export function describeHorizontalPodAutoscaler(hpa: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  const spec = hpa.spec ?? {};
  const st = hpa.status ?? {};
  w.write(LEVEL_0, `Name:\t${str(hpa.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(hpa.metadata.namespace)}\n`);
  printLabelsMultiline(w, 'Labels', hpa.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', hpa.metadata.annotations);
  w.write(LEVEL_0, `CreationTimestamp:\t${rfc1123z(hpa.metadata.creationTimestamp)}\n`);
  w.write(LEVEL_0, `Reference:\t${str(spec.scaleTargetRef?.kind)}/${str(spec.scaleTargetRef?.name)}\n`);
  w.write(LEVEL_0, 'Metrics:\t( current / target )\n');
  const { metrics, current } = v2Metrics(hpa);
  metrics.forEach((m, i) => {
    const cur = current[i];
    switch (m.type) {
      case 'External': {
        const e = m.external ?? {};
        if (e.target?.averageValue !== undefined) {
          const c = cur?.external?.current?.averageValue !== undefined ? q(cur.external.current.averageValue) : '<unknown>';
          w.write(LEVEL_1, `${JSON.stringify(str(e.metric?.name))} (target average value):\t${c} / ${q(e.target.averageValue)}\n`);
        } else {
          const c = cur?.external ? q(cur.external.current?.value) : '<unknown>';
          w.write(LEVEL_1, `${JSON.stringify(str(e.metric?.name))} (target value):\t${c} / ${q(e.target?.value)}\n`);
        }
        break;
      }
      case 'Pods': {
        const c = cur?.pods ? q(cur.pods.current?.averageValue) : '<unknown>';
        w.write(LEVEL_1, `${JSON.stringify(str(m.pods?.metric?.name))} on pods:\t${c} / ${q(m.pods?.target?.averageValue)}\n`);
        break;
      }
      case 'Object': {
        const o = m.object ?? {};
        w.write(LEVEL_1, `"${str(o.metric?.name)}" on ${str(o.describedObject?.kind)}/${str(o.describedObject?.name)} `);
        if (o.target?.type === 'AverageValue') {
          const c = cur?.object ? q(cur.object.current?.averageValue) : '<unknown>';
          w.write(LEVEL_0, `(target average value):\t${c} / ${q(o.target.averageValue)}\n`);
        } else {
          const c = cur?.object ? q(cur.object.current?.value) : '<unknown>';
          w.write(LEVEL_0, `(target value):\t${c} / ${q(o.target?.value)}\n`);
        }
        break;
      }
      case 'Resource':
      case 'ContainerResource': {
        const isC = m.type === 'ContainerResource';
        const r = (isC ? m.containerResource : m.resource) ?? {};
        const cr = isC ? cur?.containerResource : cur?.resource;
        w.write(LEVEL_1, isC ? `resource ${str(r.name)} of container "${str(r.container)}" on pods` : `resource ${str(r.name)} on pods`);
        if (r.target?.averageValue !== undefined) {
          w.write(LEVEL_0, `:\t${cr ? q(cr.current?.averageValue) : '<unknown>'} / ${q(r.target.averageValue)}\n`);
        } else {
          const c = cr && typeof cr.current?.averageUtilization === 'number' ? `${cr.current.averageUtilization}% (${q(cr.current.averageValue)})` : '<unknown>';
          const t = typeof r.target?.averageUtilization === 'number' ? `${r.target.averageUtilization}%` : '<auto>';
          w.write(LEVEL_1, `(as a percentage of request):\t${c} / ${t}\n`);
        }
        break;
      }
      default:
        w.write(LEVEL_1, `<unknown metric type ${JSON.stringify(str(m.type))}>\n`);
    }
  });
  w.write(LEVEL_0, `Min replicas:\t${spec.minReplicas ?? '<unset>'}\n`);
  w.write(LEVEL_0, `Max replicas:\t${spec.maxReplicas ?? 0}\n`);
  if (spec.behavior) {
    w.write(LEVEL_0, 'Behavior:\n');
    for (const [dir, rules] of [['Scale Up', spec.behavior.scaleUp], ['Scale Down', spec.behavior.scaleDown]] as const) {
      if (!rules) continue;
      w.write(LEVEL_1, `${dir}:\n`);
      if (typeof rules.stabilizationWindowSeconds === 'number') w.write(LEVEL_2, `Stabilization Window: ${rules.stabilizationWindowSeconds} seconds\n`);
      const policies: any[] = rules.policies ?? [];
      if (policies.length > 0) {
        w.write(LEVEL_2, `Select Policy: ${rules.selectPolicy ?? 'Max'}\n`);
        w.write(LEVEL_2, 'Policies:\n');
        for (const p of policies) w.write(LEVEL_3, `- Type: ${str(p.type)}\tValue: ${p.value ?? 0}\tPeriod: ${p.periodSeconds ?? 0} seconds\n`);
      }
    }
  }
  w.write(LEVEL_0, `${str(spec.scaleTargetRef?.kind)} pods:\t`);
  w.write(LEVEL_0, `${st.currentReplicas ?? 0} current / ${st.desiredReplicas ?? 0} desired\n`);
  const conds: any[] = Array.isArray(st.conditions) ? st.conditions : [];
  if (conds.length > 0) {
    w.write(LEVEL_0, 'Conditions:\n');
    w.write(LEVEL_1, 'Type\tStatus\tReason\tMessage\n');
    w.write(LEVEL_1, '----\t------\t------\t-------\n');
    for (const c of conds) w.write(LEVEL_1, `${str(c.type)}\t${str(c.status)}\t${str(c.reason)}\t${str(c.message)}\n`);
  }
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}
