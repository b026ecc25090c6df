// Content negotiation: which representation a client asked for in Accept (JSON, YAML, a
// meta.k8s.io Table, PartialObjectMetadata, aggregated discovery), as kube-apiserver's
// negotiation does, and what a request body is (Content-Type).

import { notAcceptable } from './status';

export interface MediaType {
  type: string; // e.g. application/json
  params: Record<string, string>;
}

export type Representation = 'json' | 'yaml' | 'table' | 'partial' | 'discovery';

export function parseMediaTypes(header: string | undefined): MediaType[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type, ...ps] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of ps) {
      const i = p.indexOf('=');
      if (i > 0) params[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim().replace(/^"|"$/g, '');
    }
    return { type: type.toLowerCase(), params };
  });
}

const isJsonish = (t: string) => t === 'application/json' || t === '*/*' || t === 'application/*' || t === '';

/**
 * The first acceptable representation, in the client's order. `allowTable` is false for
 * writes (a Table is only served for reads). Unserved types only (protobuf, CBOR): 406.
 */
export function negotiate(accept: string | undefined, opts: { allowTable: boolean; discovery?: boolean }): Representation {
  const types = parseMediaTypes(accept);
  if (!types.length) return 'json';
  for (const m of types) {
    const as = m.params.as;
    if (as) {
      if (m.type !== 'application/json' && m.type !== 'application/yaml') continue;
      if (as === 'Table' && m.params.g === 'meta.k8s.io' && (m.params.v === 'v1' || m.params.v === 'v1beta1') && opts.allowTable) return 'table';
      if ((as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') && m.params.g === 'meta.k8s.io' && (m.params.v === 'v1' || m.params.v === 'v1beta1')) return 'partial';
      if (as === 'APIGroupDiscoveryList' && m.params.g === 'apidiscovery.k8s.io' && m.params.v === 'v2' && opts.discovery) return 'discovery';
      continue;
    }
    if (isJsonish(m.type)) return 'json';
    if (m.type === 'application/yaml') return 'yaml';
  }
  throw notAcceptable(`only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
}

/** The media type of a request body, without parameters. */
export function contentTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}
