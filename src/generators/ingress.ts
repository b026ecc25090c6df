// `kubectl create ingress NAME --rule=host/path=service:port[,tls[=secret]]`
// (kubectl pkg/cmd/create/create_ingress.go).

import { CliError } from '../api/errors';
import { Flags } from './flags';
import type { Generator } from './types';
import { nameFromArgs, newObject, objectMeta } from './util';
import { goAtoi } from './validation';

// host (letters, digits, _ - . *), path starting with /, =svc:port, optional ,tls[=secret]. Only ^-anchored, like Go's MatchString.
const RULE_RE = /^([\w*\-.]*)(\/.*)=([\w-]+):([\w-]+)(,(tls)=?([\w-]+)?)?/;

export const ingressGenerator: Generator = {
  command: 'create ingress',
  aliases: ['ing'],
  usage: 'ingress NAME --rule=host/path=service:port[,tls[=secret]] ',
  short: 'Create an ingress with the specified name',
  example: '  # Create a single ingress called \'simple\' that directs requests to foo.com/bar to svc\n  # svc1:8080 with a TLS secret "my-cert"\n  kubectl create ingress simple --rule="foo.com/bar=svc1:8080,tls=my-cert"\n  \n  # Create a catch all ingress of "/path" pointing to service svc:port and Ingress Class as "otheringress"\n  kubectl create ingress catch-all --class=otheringress --rule="/path=svc:port"\n  \n  # Create an ingress with two annotations: ingress.annotation1 and ingress.annotations2\n  kubectl create ingress annotated --class=default --rule="foo.com/bar=svc:port" \\\n  --annotation ingress.annotation1=foo \\\n  --annotation ingress.annotation2=bla\n  \n  # Create an ingress with the same host and multiple paths\n  kubectl create ingress multipath --class=default \\\n  --rule="foo.com/=svc:port" \\\n  --rule="foo.com/admin/=svcadmin:portadmin"\n  \n  # Create an ingress with multiple hosts and the pathType as Prefix\n  kubectl create ingress ingress1 --class=default \\\n  --rule="foo.com/path*=svc:8080" \\\n  --rule="bar.com/admin*=svc2:http"\n  \n  # Create an ingress with TLS enabled using the default ingress certificate and different path types\n  kubectl create ingress ingtls --class=default \\\n  --rule="foo.com/=svc:https,tls" \\\n  --rule="foo.com/path/subpath*=othersvc:8080"\n  \n  # Create an ingress with TLS enabled using a specific secret and pathType as Prefix\n  kubectl create ingress ingsecret --class=default \\\n  --rule="foo.com/*=svc:8080,tls=secret1"\n  \n  # Create an ingress with a default backend\n  kubectl create ingress ingdefault --class=default \\\n  --default-backend=defaultsvc:http \\\n  --rule="foo.com/*=svc:8080,tls=secret1"',
  flags: [
    { name: 'class', type: 'string', help: 'Ingress Class to be used' },
    { name: 'rule', type: 'stringArray', help: 'Rule in format host/path=service:port[,tls=secretname]. Paths containing the leading character \'*\' are considered pathType=Prefix. tls argument is optional.' },
    { name: 'default-backend', type: 'string', help: 'Default service for backend, in format of svcname:port' },
    { name: 'annotation', type: 'stringArray', help: 'Annotation to insert in the ingress object, in the format annotation=value' },
  ],
  build(args, raw, ctx, argsLenAtDash) {
    const f = new Flags(this.flags, raw);
    const name = nameFromArgs(args, argsLenAtDash, 'create ingress');
    const rules = f.list('rule');
    const annotations = f.list('annotation');
    const defaultBackend = f.str('default-backend');
    if (!defaultBackend && rules.length === 0)
      throw new CliError(
        'not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)',
      );
    for (const r of rules) if (!RULE_RE.test(r)) throw new CliError(`rule ${r} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]`);
    for (const a of annotations) if (!a.includes('=')) throw new CliError(`annotation ${a} is invalid and should be in format key=[value]`);
    if (defaultBackend && defaultBackend.split(':').length !== 2) throw new CliError('default-backend should be in format servicename:serviceport');

    const ann: Record<string, string> = {};
    for (const a of annotations) {
      const i = a.indexOf('=');
      ann[a.slice(0, i)] = a.slice(i + 1);
    }
    const spec: Record<string, unknown> = {};
    if (f.str('class')) spec.ingressClassName = f.str('class');
    if (defaultBackend) spec.defaultBackend = backend(defaultBackend);
    const tls = tlsRules(rules);
    if (tls.length) spec.tls = tls;
    const ingressRules = httpRules(rules);
    if (ingressRules.length) spec.rules = ingressRules;
    const object = newObject('Ingress', 'networking.k8s.io/v1', objectMeta(name, ctx.namespace, undefined, ann), { spec, status: { loadBalancer: {} } });
    return { object, warnings: [] };
  },
};

function backend(svc: string): Record<string, unknown> {
  const [svcName, svcPort] = svc.split(':');
  // intstr.Parse: a number becomes port.number, anything else port.name.
  const n = goAtoi(svcPort);
  return { service: { name: svcName, port: n !== undefined && n >= -2147483648 && n <= 2147483647 ? { number: n } : { name: svcPort } } };
}

function httpPath(pathSvc: string): Record<string, unknown> {
  const parts = pathSvc.split('=');
  let path = '/' + parts[0];
  let pathType = 'Exact';
  // A trailing * means Prefix, without the *.
  if (path.endsWith('*')) {
    pathType = 'Prefix';
    path = path.slice(0, -1);
  }
  return { path, pathType, backend: backend(parts[1]) };
}

/** buildTLSRules: one entry per secret, each host once. */
function tlsRules(rules: string[]): Record<string, unknown>[] {
  const seen = new Set<string>();
  const out: { hosts?: string[]; secretName?: string }[] = [];
  for (const rule of rules) {
    const parts = rule.split('tls');
    if (parts.length !== 2) continue;
    const host = rule.split('/')[0];
    const secretParts = parts[1].split('=');
    const secret = secretParts.length > 1 ? secretParts[1] : '';
    if (seen.has(host)) continue;
    const idx = out.findIndex((t) => (t.secretName ?? '') === secret);
    if (idx > -1) {
      (out[idx].hosts ??= []).push(host);
      seen.add(host);
      continue;
    }
    const entry: { hosts?: string[]; secretName?: string } = {};
    if (host) entry.hosts = [host];
    if (secret) entry.secretName = secret;
    if (entry.hosts || entry.secretName) out.push(entry);
    seen.add(host);
  }
  return out;
}

/** buildIngressRules: paths of the same host share one rule. */
function httpRules(rules: string[]): Record<string, unknown>[] {
  const out: { host?: string; http: { paths: Record<string, unknown>[] } }[] = [];
  for (const rule of rules) {
    const noTls = rule.split(',')[0];
    const slash = noTls.indexOf('/');
    const host = noTls.slice(0, slash);
    const path = httpPath(noTls.slice(slash + 1));
    const existing = out.find((r) => (r.host ?? '') === host);
    if (existing) {
      existing.http.paths.push(path);
      continue;
    }
    out.push(host ? { host, http: { paths: [path] } } : { http: { paths: [path] } });
  }
  return out;
}
