// Status error bodies, as kube-apiserver writes them (metav1.Status): every failure of the
// REST layer becomes one of these, with the code and reason kubectl expects.

import { ApiError, MESSAGE_CAUSE, type FieldError } from '../errors';
import type { ApiResponse } from './types';
import { ApplyConflictError } from '../managed-fields/index';
import { stringifyJson } from '../../util/exact-json';

/** An error with a code the API layer's ApiError has no reason for (401, 406, 410, 413, 415). */
export class RestError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const gone = (message: string) => new RestError(410, 'Expired', message);
export const badRequest = (message: string) => new RestError(400, 'BadRequest', message);
export const notAcceptable = (message: string) => new RestError(406, 'NotAcceptable', message);
export const unsupportedMediaType = (message: string) => new RestError(415, 'UnsupportedMediaType', message);
export const methodNotAllowed = (message: string) => new RestError(405, 'MethodNotAllowed', message);
export const unauthorized = () => new RestError(401, 'Unauthorized', 'Unauthorized');

const CAUSE_REASONS: Record<Exclude<FieldError['type'], typeof MESSAGE_CAUSE>, string> = {
  'Invalid value': 'FieldValueInvalid',
  'Required value': 'FieldValueRequired',
  'Unsupported value': 'FieldValueNotSupported',
  'Duplicate value': 'FieldValueDuplicate',
  Forbidden: 'FieldValueForbidden',
  'Too long': 'FieldValueTooLong',
  'Not found': 'FieldValueNotFound',
  'Too many': 'FieldValueTooMany',
};

/** A StatusCause: field.Error's reason and ErrorBody() (its message without the field); a message cause has no reason (omitempty). */
function statusCause(e: FieldError): Record<string, string> {
  if (e.type === MESSAGE_CAUSE) return { message: e.detail ?? '', ...(e.field ? { field: e.field } : {}) };
  let s: string = e.type;
  if (e.value !== undefined) s += `: ${e.value}`;
  if (e.detail) s += `: ${e.detail}`;
  return { reason: CAUSE_REASONS[e.type], message: s, field: e.field };
}

export function statusObject(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  const s: Record<string, unknown> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message };
  if (reason) s.reason = reason;
  // Go's `Details *StatusDetails` with omitempty: given, even empty, it is written (`"details":{}`)
  if (details) s.details = details;
  s.code = code;
  return s;
}

/** The Status body for anything thrown while handling a request. */
export function errorStatus(e: unknown): Record<string, unknown> {
  if (e instanceof RestError) return statusObject(e.code, e.reason, e.message, e.details);
  if (e instanceof ApplyConflictError) {
    return statusObject(409, 'Conflict', e.message, { causes: e.conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.manager}`, field: c.field })) });
  }
  if (e instanceof ApiError) {
    const d: Record<string, unknown> = {};
    // (name omitempty: "" is left out, but a name given, even "", makes details present)
    if (e.details.name) d.name = e.details.name;
    if (e.details.group) d.group = e.details.group;
    if (e.details.kind) d.kind = e.details.kind;
    if (e.details.causes?.length) d.causes = e.details.causes.map(statusCause);
    return statusObject(e.code, e.reason, e.message, Object.keys(d).length || e.details.name !== undefined ? d : undefined);
  }
  const name = (e as Error)?.constructor?.name;
  if (name === 'UnknownResourceError' || name === 'NoKindMatchError') return statusObject(404, 'NotFound', (e as Error).message);
  return statusObject(500, 'InternalError', `Internal error occurred: ${(e as Error)?.message ?? String(e)}`);
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: stringifyJson(body) + '\n' };
}

export function errorResponse(e: unknown): ApiResponse {
  const s = errorStatus(e);
  return jsonResponse(s.code as number, s);
}
