// Services, Endpoints, EndpointSlices, Ingresses, IngressClasses, NetworkPolicies.
import { doc } from './docs';
import { ageCol, col, nameCol, type KindTable } from './types';
import { ageOf, arr, formatLabels, formatLabelSelector, listWithMore, loadBalancerStatus, obj, str } from './util';

function externalIP(o: any, wide: boolean): string {
  const spec = obj(o.spec);
  const externalIPs = arr(spec.externalIPs).map(str);
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerStatus(obj(o.status).loadBalancer, wide);
      if (externalIPs.length > 0) return [...(lb.length > 0 ? lb.split(',') : []), ...externalIPs].join(',');
      return lb.length > 0 ? lb : '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
  }
  return '<unknown>';
}

/** makePortString: `80/TCP`, `80:30080/TCP`, joined by ",". */
export function servicePorts(ports: unknown): string {
  return arr(ports)
    .map((p) => {
      const proto = str(p?.protocol) || 'TCP';
      return typeof p?.nodePort === 'number' && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${proto}` : `${p?.port}/${proto}`;
    })
    .join(',');
}

export const services: KindTable = {
  columns: [
    nameCol,
    col('Type', doc('core/v1', 'ServiceSpec', 'type')),
    col('Cluster-IP', doc('core/v1', 'ServiceSpec', 'clusterIP')),
    col('External-IP', doc('core/v1', 'ServiceSpec', 'externalIPs')),
    col('Port(s)', doc('core/v1', 'ServiceSpec', 'ports')),
    ageCol,
    col('Selector', doc('core/v1', 'ServiceSpec', 'selector'), { priority: 1 }),
  ],
  cells: (o, now, wide = false) => {
    const spec = obj(o.spec);
    const clusterIPs = arr(spec.clusterIPs);
    return [
      str(o.metadata.name),
      str(spec.type),
      clusterIPs.length > 0 ? str(clusterIPs[0]) : '<none>',
      externalIP(o, wide),
      servicePorts(spec.ports) || '<none>',
      ageOf(o, now),
      formatLabels(spec.selector),
    ];
  },
};

/** formatEndpoints(endpoints, nil). */
export function formatEndpoints(subsets: unknown): string {
  const ss = arr(subsets);
  if (ss.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const s of ss) {
    const addrs = arr(s?.addresses);
    const ports = arr(s?.ports);
    if (ports.length === 0) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(str(a?.ip));
      }
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) {
          more = true;
          break;
        }
        const ip = str(a?.ip);
        // net.JoinHostPort brackets IPv6 addresses.
        list.push(ip.includes(':') ? `[${ip}]:${p?.port}` : `${ip}:${p?.port}`);
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

export const endpoints: KindTable = {
  columns: [nameCol, col('Endpoints', doc('core/v1', 'Endpoints', 'subsets')), ageCol],
  cells: (o, now) => [str(o.metadata.name), formatEndpoints(o.subsets), ageOf(o, now)],
};

export const endpointslices: KindTable = {
  columns: [
    nameCol,
    col('AddressType', doc('discovery/v1beta1', 'EndpointSlice', 'addressType')),
    col('Ports', doc('discovery/v1beta1', 'EndpointSlice', 'ports')),
    col('Endpoints', doc('discovery/v1beta1', 'EndpointSlice', 'endpoints')),
    ageCol,
  ],
  cells: (o, now) => {
    const max = 3;
    const ports: string[] = [];
    let pc = 0;
    let pmore = false;
    for (const p of arr(o.ports)) {
      if (ports.length < max) ports.push(typeof p?.port === 'number' ? String(p.port) : typeof p?.name === 'string' ? p.name : '*');
      else if (ports.length === max) pmore = true;
      pc++;
    }
    const eps: string[] = [];
    let ec = 0;
    let emore = false;
    for (const e of arr(o.endpoints)) {
      for (const a of arr(e?.addresses)) {
        if (eps.length < max) eps.push(str(a));
        else if (eps.length === max) emore = true;
        ec++;
      }
    }
    return [
      str(o.metadata.name),
      str(o.addressType),
      listWithMore(ports, pmore, pc, max),
      listWithMore(eps, emore, ec, max),
      ageOf(o, now),
    ];
  },
};

function formatHosts(rules: unknown): string {
  const rs = arr(rules);
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const r of rs) {
    if (list.length === max) more = true;
    if (!more && str(r?.host) !== '') list.push(str(r.host));
  }
  if (list.length === 0) return '*';
  const ret = list.join(',');
  return more ? `${ret} + ${rs.length - max} more...` : ret;
}

export const ingresses: KindTable = {
  columns: [
    nameCol,
    col('Class', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'Ports of TLS configurations that open'),
    ageCol,
  ],
  cells: (o, now, wide = false) => {
    const spec = obj(o.spec);
    return [
      str(o.metadata.name),
      typeof spec.ingressClassName === 'string' ? spec.ingressClassName : '<none>',
      formatHosts(spec.rules),
      loadBalancerStatus(obj(o.status).loadBalancer, wide),
      arr(spec.tls).length !== 0 ? '80, 443' : '80',
      ageOf(o, now),
    ];
  },
};

export const ingressclasses: KindTable = {
  columns: [
    nameCol,
    col('Controller', 'Controller that is responsible for handling this class'),
    col('Parameters', 'A reference to a resource with additional parameters'),
    ageCol,
  ],
  cells: (o, now) => {
    const spec = obj(o.spec);
    let parameters = '<none>';
    if (spec.parameters) {
      const p = obj(spec.parameters);
      parameters = str(p.kind);
      if (typeof p.apiGroup === 'string') parameters += '.' + p.apiGroup;
      parameters += '/' + str(p.name);
    }
    return [str(o.metadata.name), str(spec.controller), parameters, ageOf(o, now)];
  },
};

export const networkpolicies: KindTable = {
  columns: [nameCol, col('Pod-Selector', doc('extensions/v1beta1', 'NetworkPolicySpec', 'podSelector')), ageCol],
  // The pod selector is a non-nil struct: empty means "everything", printed <none>.
  cells: (o, now) => [str(o.metadata.name), formatLabelSelector(obj(obj(o.spec).podSelector)), ageOf(o, now)],
};
