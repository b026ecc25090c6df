// NetworkPolicy, IngressClass and EndpointSlice describers (networking.k8s.io/v1,
// discovery.k8s.io/v1), as kubectl's describe.go writes them.
import type { KObject } from '../../api/types';
import { LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, PrefixWriter } from './prefix-writer';
import { formatLabelSelector, printAnnotationsMultiline, printLabelsMultiline, str } from './format';
import { describeEvents } from './events';
import type { DescribeContext } from './context';

/** metav1.Time's String(): Go's time.Time.String() of a UTC time. */
function goTimeString(ts: unknown): string {
  const d = new Date(str(ts));
  if (isNaN(d.getTime())) return '0001-01-01 00:00:00 +0000 UTC';
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

/** A NetworkPolicyPort: `80/TCP`, or `8000-9000/TCP` with an endPort. */
function peerPort(port: any): { title: string; text: string } {
  const proto = port?.protocol ?? 'TCP';
  const p = port?.port === undefined || port?.port === null ? '%!s(<nil>)' : String(port.port);
  return port?.endPort === undefined || port?.endPort === null ? { title: 'To Port', text: `${p}/${proto}` } : { title: 'To Port Range', text: `${p}-${port.endPort}/${proto}` };
}

/** printNetworkPolicySpecIngressFrom / EgressTo: one block per rule, `----------` between. */
function printRules(w: PrefixWriter, rules: any[] | undefined, peers: 'from' | 'to', indent: string): void {
  const dir = peers === 'from' ? 'ingress' : 'egress';
  if (!rules?.length) {
    w.write(LEVEL_0, `${indent}<none> (Selected pods are isolated for ${dir} connectivity)\n`);
    return;
  }
  rules.forEach((rule, i) => {
    if (!rule?.ports?.length) w.write(LEVEL_0, `${indent}To Port: <any> (traffic allowed to all ports)\n`);
    else
      for (const port of rule.ports) {
        const { title, text } = peerPort(port);
        w.write(LEVEL_0, `${indent}${title}: ${text}\n`);
      }
    const title = peers === 'from' ? 'From' : 'To';
    if (!rule?.[peers]?.length) w.write(LEVEL_0, `${indent}${title}: <any> (traffic not restricted by ${peers === 'from' ? 'source' : 'destination'})\n`);
    else
      for (const peer of rule[peers]) {
        w.write(LEVEL_0, `${indent}${title}:\n`);
        const pod = peer?.podSelector;
        const ns = peer?.namespaceSelector;
        if (pod && ns) {
          w.write(LEVEL_1, `${indent}NamespaceSelector: ${formatLabelSelector(ns)}\n`);
          w.write(LEVEL_1, `${indent}PodSelector: ${formatLabelSelector(pod)}\n`);
        } else if (pod) w.write(LEVEL_1, `${indent}PodSelector: ${formatLabelSelector(pod)}\n`);
        else if (ns) w.write(LEVEL_1, `${indent}NamespaceSelector: ${formatLabelSelector(ns)}\n`);
        else if (peer?.ipBlock) {
          w.write(LEVEL_1, `${indent}IPBlock:\n`);
          w.write(LEVEL_2, `${indent}CIDR: ${str(peer.ipBlock.cidr)}\n`);
          w.write(LEVEL_2, `${indent}Except: ${(peer.ipBlock.except ?? []).join(', ')}\n`);
        }
      }
    if (i !== rules.length - 1) w.write(LEVEL_0, `${indent}----------\n`);
  });
}

/** describeNetworkPolicy: no Events section (kubectl's describer reads none). */
export function describeNetworkPolicy(np: KObject): string {
  const w = new PrefixWriter();
  const spec = np.spec ?? {};
  w.write(LEVEL_0, `Name:\t${str(np.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(np.metadata.namespace)}\n`);
  w.write(LEVEL_0, `Created on:\t${goTimeString(np.metadata.creationTimestamp)}\n`);
  printLabelsMultiline(w, 'Labels', np.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', np.metadata.annotations);
  w.write(LEVEL_0, 'Spec:\n');
  w.write(LEVEL_1, 'PodSelector: ');
  const sel = spec.podSelector ?? {};
  if (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length) w.write(LEVEL_2, '<none> (Allowing the specific traffic to all pods in this namespace)\n');
  else w.write(LEVEL_2, `${formatLabelSelector(sel)}\n`);
  const types: string[] = Array.isArray(spec.policyTypes) ? spec.policyTypes : [];
  if (types.includes('Ingress')) {
    w.write(LEVEL_1, 'Allowing ingress traffic:\n');
    printRules(w, spec.ingress, 'from', '    ');
  } else w.write(LEVEL_1, 'Not affecting ingress traffic\n');
  if (types.includes('Egress')) {
    w.write(LEVEL_1, 'Allowing egress traffic:\n');
    printRules(w, spec.egress, 'to', '    ');
  } else w.write(LEVEL_1, 'Not affecting egress traffic\n');
  w.write(LEVEL_1, `Policy Types: ${types.join(', ') || '<none>'}\n`);
  return w.toString();
}

export function describeIngressClass(ic: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  const spec = ic.spec ?? {};
  w.write(LEVEL_0, `Name:\t${str(ic.metadata.name)}\n`);
  printLabelsMultiline(w, 'Labels', ic.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', ic.metadata.annotations);
  w.write(LEVEL_0, `Controller:\t${str(spec.controller)}\n`);
  const params = spec.parameters;
  if (params) {
    w.write(LEVEL_0, 'Parameters:\n');
    if (params.apiGroup !== undefined && params.apiGroup !== null) w.write(LEVEL_1, `APIGroup:\t${str(params.apiGroup)}\n`);
    w.write(LEVEL_1, `Kind:\t${str(params.kind)}\n`);
    w.write(LEVEL_1, `Name:\t${str(params.name)}\n`);
  }
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}

const unset = (v: unknown): string => (v === undefined || v === null ? '<unset>' : String(v));

export function describeEndpointSlice(eps: KObject, ctx: DescribeContext): string {
  const w = new PrefixWriter();
  w.write(LEVEL_0, `Name:\t${str(eps.metadata.name)}\n`);
  w.write(LEVEL_0, `Namespace:\t${str(eps.metadata.namespace)}\n`);
  printLabelsMultiline(w, 'Labels', eps.metadata.labels);
  printAnnotationsMultiline(w, 'Annotations', eps.metadata.annotations);
  w.write(LEVEL_0, `AddressType:\t${str(eps.addressType)}\n`);
  const ports: any[] = Array.isArray(eps.ports) ? eps.ports : [];
  if (!ports.length) w.write(LEVEL_0, 'Ports: <unset>\n');
  else {
    w.write(LEVEL_0, 'Ports:\n');
    w.write(LEVEL_1, 'Name\tPort\tProtocol\n');
    w.write(LEVEL_1, '----\t----\t--------\n');
    for (const p of ports) w.write(LEVEL_1, `${p?.name ? p.name : '<unset>'}\t${unset(p?.port)}\t${str(p?.protocol)}\n`);
  }
  const endpoints: any[] = Array.isArray(eps.endpoints) ? eps.endpoints : [];
  if (!endpoints.length) w.write(LEVEL_0, 'Endpoints: <none>\n');
  else {
    w.write(LEVEL_0, 'Endpoints:\n');
    for (const e of endpoints) {
      w.write(LEVEL_1, `- Addresses:\t${(e?.addresses ?? []).join(', ') || '<none>'}\n`);
      w.write(LEVEL_2, 'Conditions:\n');
      w.write(LEVEL_3, `Ready:\t${unset(e?.conditions?.ready)}\n`);
      w.write(LEVEL_2, `Hostname:\t${unset(e?.hostname)}\n`);
      if (e?.targetRef) w.write(LEVEL_2, `TargetRef:\t${str(e.targetRef.kind)}/${str(e.targetRef.name)}\n`);
      w.write(LEVEL_2, `NodeName:\t${unset(e?.nodeName)}\n`);
      w.write(LEVEL_2, `Zone:\t${unset(e?.zone)}\n`);
    }
  }
  if (ctx.showEvents !== false) describeEvents(ctx.events, w, ctx.now);
  return w.toString();
}
