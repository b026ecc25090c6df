// Ingress describer (networking.k8s.io/v1).
import type { KObject } from '../../api/types';
import { LEVEL_0, LEVEL_1, LEVEL_2, PrefixWriter } from './prefix-writer';
import { compareStrings, printAnnotationsMultiline, printLabelsMultiline, str } from './format';
import { formatEndpoints } from './service';
import { describeEvents } from './events';
import type { DescribeContext } from './context';

function describeBackend(ns: string | undefined, backend: any, ctx: DescribeContext): string {
  if (backend?.service) {
    const s = backend.service;
    const port = typeof s.port?.number === 'number' && s.port.number !== 0 ? String(s.port.number) : str(s.port?.name);
    const sb = `${str(s.name)}:${port}`;
    const svc = ctx.get('Service', ns, str(s.name));
    if (!svc) return `${sb} (<error: services "${str(s.name)}" not found>)`;
    let spName = '';
    for (const sp of svc.spec?.ports ?? []) {
      if (s.port?.number && s.port.number === sp.port) spName = str(sp.name);
      else if (str(s.port?.name) !== '' && s.port.name === sp.name) spName = str(sp.name);
    }
    return `${sb} (${formatEndpoints(ctx.get('Endpoints', ns, str(s.name)), spName)})`;
  }
  if (backend?.resource) {
    const r = backend.resource;
    return `APIGroup: ${r.apiGroup ?? '<none>'}, Kind: ${str(r.kind)}, Name: ${str(r.name)}`;
  }
  return '';
}

export function describeIngress(ing: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  const ns = ing.metadata.namespace;
  const spec = ing.spec ?? {};
  w.write(LEVEL_0, `Name:\t${str(ing.metadata.name)}\n`);
  printLabelsMultiline(w, 'Labels', ing.metadata.labels);
  w.write(LEVEL_0, `Namespace:\t${str(ns)}\n`);
  const addrs = new Set<string>();
  for (const i of ing.status?.loadBalancer?.ingress ?? []) {
    if (str(i.ip) !== '') addrs.add(i.ip);
    else if (str(i.hostname) !== '') addrs.add(i.hostname);
  }
  w.write(LEVEL_0, `Address:\t${[...addrs].sort(compareStrings).join(',')}\n`);
  w.write(LEVEL_0, `Ingress Class:\t${spec.ingressClassName ?? '<none>'}\n`);
  const def = spec.defaultBackend ? describeBackend(ns, spec.defaultBackend, ctx) : '<default>';
  w.write(LEVEL_0, `Default backend:\t${def}\n`);
  if (Array.isArray(spec.tls) && spec.tls.length > 0) {
    w.write(LEVEL_0, 'TLS:\n');
    for (const t of spec.tls) {
      const hosts = (t.hosts ?? []).join(',');
      if (str(t.secretName) === '') w.write(LEVEL_1, `SNI routes ${hosts}\n`);
      else w.write(LEVEL_1, `${t.secretName} terminates ${hosts}\n`);
    }
  }
  w.write(LEVEL_0, 'Rules:\n  Host\tPath\tBackends\n');
  w.write(LEVEL_1, '----\t----\t--------\n');
  let count = 0;
  for (const rule of Array.isArray(spec.rules) ? spec.rules : []) {
    if (!rule.http) continue;
    count++;
    w.write(LEVEL_1, `${str(rule.host) === '' ? '*' : rule.host}\t\n`);
    for (const p of rule.http.paths ?? []) w.write(LEVEL_2, `\t${str(p.path)} \t${describeBackend(ns, p.backend, ctx)}\n`);
  }
  if (count === 0) w.write(LEVEL_1, `*\t*\t${def}\n`);
  printAnnotationsMultiline(w, 'Annotations', ing.metadata.annotations);
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}
