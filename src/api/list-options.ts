// Label and field selectors given as strings (`-l`, `?labelSelector=`), compiled into the
// list filters the API server applies. One place for the CLI and the REST handler, so both
// refuse a bad selector with kube-apiserver's words; the CLI's lists then word a refused
// list as kubectl's resource Builder does (listError).

import { ApiError } from './errors';
import { apiVersionOf, type ResourceType } from './resources';
import type { ListOptions } from './server';
import { goQuote } from '../util/go-format';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors';

/** The list filters for the selectors; a bad one is the server's BadRequest (its message alone, as kube-apiserver answers). */
export function selectorListOptions(type: ResourceType, labelSelector: string | undefined, fieldSelector: string | undefined, namespace: string | undefined): ListOptions {
  const opts: ListOptions = { namespace };
  const refuse = (e: unknown): never => {
    throw ApiError.badRequest((e as Error).message);
  };
  if (labelSelector) {
    try {
      const sel = parseLabelSelector(labelSelector);
      opts.labelMatch = (labels) => matchesLabels(sel, labels);
    } catch (e) {
      refuse(e);
    }
  }
  if (fieldSelector) {
    try {
      const sel = parseFieldSelector(type.kind, type.group, fieldSelector);
      opts.fieldMatch = (obj) => matchesFields(sel, obj);
    } catch (e) {
      refuse(e);
    }
  }
  return opts;
}

/**
 * A list's BadRequest or NotFound as kubectl prints it (cli-runtime's Selector.Visit adds
 * what was listed to the server's message); any other error as it is.
 */
export function listError(e: unknown, type: ResourceType, labelSelector: string | undefined, fieldSelector: string | undefined, version = type.version): unknown {
  if (!(e instanceof ApiError) || (e.reason !== 'BadRequest' && e.reason !== 'NotFound')) return e;
  const gv = apiVersionOf(type, version);
  const gvr = `${gv.includes('/') ? gv : '/' + gv}, Resource=${type.plural}`;
  const message = !labelSelector && !fieldSelector ? `Unable to list "${gvr}": ${e.message}` : `Unable to find "${gvr}" that match label selector "${labelSelector ?? ''}", field selector "${fieldSelector ?? ''}": ${e.message}`;
  return new ApiError(e.reason, message, e.details);
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * A list's int64 query parameter (`limit`, `timeoutSeconds`) decoded as kube-apiserver's
 * ParameterCodec does (runtime.Convert_Slice_string_To_int64: strconv.ParseInt base 10):
 * a sign, decimal digits, within int64; else a BadRequest with ParseInt's own error.
 * Absent: undefined. Present but empty is ParseInt's invalid syntax too.
 */
export function int64Query(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null) return undefined;
  const fail = (why: string): never => {
    throw ApiError.badRequest(`strconv.ParseInt: parsing ${goQuote(text)}: ${why}`);
  };
  if (!/^[+-]?\d+$/.test(text)) fail('invalid syntax');
  const n = BigInt(text);
  if (n > INT64_MAX || n < INT64_MIN) fail('value out of range');
  return Number(n);
}

/**
 * A watch's timeoutSeconds in milliseconds as kube-apiserver's handler takes it:
 * time.Duration(seconds) * time.Second, which wraps past int64 nanoseconds (9223372037 s and
 * up: a negative timeout, the watch ends at once; 2^62 s: 0, as if none were given). Absent: 0.
 */
export function watchTimeoutMs(query: URLSearchParams): number {
  if (int64Query(query, 'timeoutSeconds') === undefined) return 0;
  return Number(BigInt.asIntN(64, BigInt(query.get('timeoutSeconds')!) * 1_000_000_000n) / 1_000_000n);
}
