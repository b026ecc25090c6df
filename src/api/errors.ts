// Typed API errors, shaped like the `Status` objects kube-apiserver returns. The CLI
// formats them as kubectl does (`Error from server (NotFound): pods "x" not found`).

export type Reason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'Forbidden'
  | 'Unauthorized'
  | 'RequestEntityTooLarge'
  | 'MethodNotAllowed'
  | 'InternalError'
  | 'Timeout'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'ServiceUnavailable'
  /** metav1.StatusReasonUnknown: an error the server made no Status of (a 500 without a reason). */
  | '';

const CODES: Record<Reason, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Invalid: 422,
  BadRequest: 400,
  Forbidden: 403,
  Unauthorized: 401,
  RequestEntityTooLarge: 413,
  MethodNotAllowed: 405,
  InternalError: 500,
  Timeout: 504,
  NotAcceptable: 406,
  UnsupportedMediaType: 415,
  TooManyRequests: 429,
  ServiceUnavailable: 503,
  '': 500,
};

/** Where in a source file a field error points (filled in when the input came from a file). */
/** The int32 range of API fields the Go types declare int32. */
export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;

export interface SourcePosition {
  file?: string;
  line: number; // 1-based
  col: number; // 1-based
}

/**
 * The type of a cause known only by its message (`detail` is all of it, printed after the
 * field): a StatusCause without a reason, as an admission denial sends it, and every cause a
 * client reads back from a Status. An internal marker, never printed.
 */
export const MESSAGE_CAUSE = 'message cause';

/**
 * One field error, like k8s.io/apimachinery/pkg/util/validation/field.Error.
 * `type` is the human word kubectl prints: "Invalid value", "Required value", ...
 */
export interface FieldError {
  field: string; // e.g. spec.template.spec.containers[0].image
  type: 'Invalid value' | 'Required value' | 'Unsupported value' | 'Duplicate value' | 'Forbidden' | 'Too long' | 'Not found' | 'Too many' | typeof MESSAGE_CAUSE;
  /** The offending value as Go's %v/%q would print it; omitted for Required/Forbidden. */
  value?: string;
  detail?: string;
  position?: SourcePosition;
  /** A hint beyond what the API server says: `did you mean "replicas"?` */
  hint?: string;
}

/** A cause that is only its message (MESSAGE_CAUSE). */
export const messageCause = (message: string, field = ''): FieldError => ({ field, type: MESSAGE_CAUSE, detail: message });

export function formatFieldError(e: FieldError): string {
  if (e.type === MESSAGE_CAUSE) return `${e.field}: ${e.detail ?? ''}`;
  let s = `${e.field}: ${e.type}`;
  if (e.value !== undefined) s += `: ${e.value}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string; // resource (plural) for NotFound etc., Kind for Invalid
  causes?: FieldError[];
}

export class ApiError extends Error {
  readonly code: number;
  constructor(
    readonly reason: Reason,
    message: string,
    readonly details: StatusDetails = {},
  ) {
    super(message);
    this.code = CODES[reason];
  }

  static notFound(resource: string, name: string): ApiError {
    return new ApiError('NotFound', `${resource} "${name}" not found`, { name, kind: resource });
  }

  static alreadyExists(resource: string, name: string): ApiError {
    return new ApiError('AlreadyExists', `${resource} "${name}" already exists`, { name, kind: resource });
  }

  static conflict(resource: string, name: string): ApiError {
    return new ApiError(
      'Conflict',
      `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, kind: resource },
    );
  }

  static badRequest(message: string): ApiError {
    return new ApiError('BadRequest', message);
  }

  /** 422: `<Kind>[.group] "name" is invalid: <causes>` with details.kind = Kind. */
  static invalid(kind: string, group: string, name: string, causes: FieldError[]): ApiError {
    const qualified = group ? `${kind}.${group}` : kind;
    // The message says each error once (ErrorList.ToAggregate); the causes keep every one, as
    // NewInvalid's do (an update's metadata is validated more than once).
    const said = [...new Set(causes.map(formatFieldError))];
    const msg = `${qualified} "${name}" is invalid: ${said.length === 1 ? said[0] : '[' + said.join(', ') + ']'}`;
    return new ApiError('Invalid', msg, { name, group, kind, causes });
  }
}

export function isApiError(e: unknown, reason?: Reason): e is ApiError {
  return e instanceof ApiError && (reason === undefined || e.reason === reason);
}

/**
 * An error the CLI prints as `error: <message>` (kubectl's cmdutil.CheckErr path for
 * non-API errors). `usage` marks errors where kubectl adds "See 'kubectl X -h'".
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
