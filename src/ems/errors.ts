/**
 * Every failure of an EMS call is one of these classes. Data lives on fields, so the GraphQL
 * layer can turn any of them into a typed union member or a masked error with stable extensions.
 */

/** Stable gateway error codes, sent to clients as `extensions.code` or a union member's `code`. */
export type EmsErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'UPSTREAM_ERROR'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_BAD_RESPONSE';

export interface EmsErrorDetails {
  /** EMS operation name, e.g. `ShowCluster`. */
  operation: string;
  /** HTTP status of the upstream answer, or null when none arrived. */
  status?: number | null;
  /** EMS `error_code` (e.g. `ems.00030005`, `APIGW.0308`), or null. */
  upstreamCode?: string | null;
  /** EMS `X-Request-Id`, or null when no response arrived. */
  requestId?: string | null;
  /** Seconds from `Retry-After`, when the upstream sent one. */
  retryAfter?: number | null;
  /**
   * False when the request certainly never reached EMS (refused connection, unknown host, closed
   * client, refused before sending). @default true
   */
  sent?: boolean;
  cause?: unknown;
}

export abstract class EmsError extends Error {
  abstract readonly code: EmsErrorCode;
  /** Whether the same request may succeed if sent again later. */
  abstract readonly retryable: boolean;
  readonly operation: string;
  readonly status: number | null;
  readonly upstreamCode: string | null;
  readonly requestId: string | null;
  readonly retryAfter: number | null;
  /** False when the request certainly never reached EMS; see {@link EmsErrorDetails.sent}. */
  readonly sent: boolean;

  constructor(message: string, details: EmsErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.operation = details.operation;
    this.status = details.status ?? null;
    this.upstreamCode = details.upstreamCode ?? null;
    this.requestId = details.requestId ?? null;
    this.retryAfter = details.retryAfter ?? null;
    this.sent = details.sent ?? true;
  }

  /**
   * Whether a write that failed this way may still have taken effect: the request may have reached
   * EMS, and no EMS answer says it was refused (a timeout, a reset, an unreadable 2xx body).
   */
  get outcomeUnknown(): boolean {
    return this.sent && !(this instanceof EmsHttpError);
  }
}

/** EMS answered with a 4xx/5xx and (usually) an `{error_code, error_msg}` body. */
export class EmsHttpError extends EmsError {
  readonly code: EmsErrorCode;
  readonly retryable: boolean;
  /** EMS `error_msg`, verbatim. */
  readonly upstreamMessage: string | null;

  constructor(details: EmsErrorDetails & { status: number; upstreamMessage?: string | null }) {
    const what = details.upstreamMessage ?? `HTTP ${details.status}`;
    super(`EMS ${details.operation} failed with ${details.status}${details.upstreamCode ? ` ${details.upstreamCode}` : ''}: ${what}`, details);
    this.upstreamMessage = details.upstreamMessage ?? null;
    this.code = codeOfStatus(details.status, details.upstreamCode ?? null);
    this.retryable = isRetryableStatus(details.status);
  }
}

/** No response arrived: connection refused or reset, DNS failure, socket closed. */
export class EmsNetworkError extends EmsError {
  readonly code = 'UPSTREAM_UNAVAILABLE' as const;
  readonly retryable = true;
}

/** The upstream did not answer within the request timeout. */
export class EmsTimeoutError extends EmsError {
  readonly code = 'UPSTREAM_TIMEOUT' as const;
  readonly retryable = true;
}

/** A response arrived but its body was malformed, truncated or of an unexpected shape. */
export class EmsBadResponseError extends EmsError {
  readonly code = 'UPSTREAM_BAD_RESPONSE' as const;
  readonly retryable = false;
  /** Where the body departed from the model, e.g. `clusters[3].cluster_metadata.status: Invalid option`. */
  readonly issues: readonly string[];

  constructor(message: string, details: EmsErrorDetails & { issues?: readonly string[] }) {
    super(message, details);
    this.issues = details.issues ?? [];
  }
}

/**
 * The client refused to send the call: an argument cannot form a valid EMS request (e.g. an empty
 * path id, which would address a different resource). Nothing reached EMS.
 */
export class EmsInvalidRequestError extends EmsError {
  readonly code = 'BAD_REQUEST' as const;
  readonly retryable = false;

  constructor(message: string, details: EmsErrorDetails) {
    super(message, { ...details, sent: false });
  }
}

/**
 * The EMS `error_code`s the gateway tells apart (docs/ems.md, "Errors"); any other code is
 * classified by its HTTP status alone.
 */
export const EMS_CODES = {
  /** 400: bad pagination or parameter. */
  invalidParameter: 'EMS.00004000',
  /** 400: a field out of range (`[%s].[%s]: must be greater/less than or equal to [%s]`). */
  outOfRange: 'common.00000400',
  /** 400: the CCE cluster's add-ons fail a check (CoreDNS too small, CIE-collector conflict); 500: creation failed. */
  addonCheck: 'ems.00030002',
  /** 400: the cluster name is taken in the project. */
  duplicateName: 'ems.00030033',
  /** 400: the cluster's status forbids the operation. */
  wrongState: 'ems.00030034',
  /** 404: no such cluster. */
  clusterNotFound: 'ems.00030005',
  /** 404: no such job (the reference gives no code; the simulator's choice, matched in case EMS agrees). */
  jobNotFound: 'ems.00030006',
} as const;

/** Upstream codes that mean the named resource does not exist. */
export const NOT_FOUND_CODES: ReadonlySet<string> = new Set([EMS_CODES.clusterNotFound, EMS_CODES.jobNotFound]);
/** Upstream codes that mean a conflict with existing state (duplicate name, wrong state). */
export const CONFLICT_CODES: ReadonlySet<string> = new Set([EMS_CODES.duplicateName, EMS_CODES.wrongState]);

function codeOfStatus(status: number, upstreamCode: string | null): EmsErrorCode {
  if (upstreamCode && NOT_FOUND_CODES.has(upstreamCode)) return 'NOT_FOUND';
  if (upstreamCode && CONFLICT_CODES.has(upstreamCode)) return 'CONFLICT';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 400 && status < 500) return 'BAD_REQUEST';
  if (status === 502 || status === 503 || status === 504) return 'UPSTREAM_UNAVAILABLE';
  return 'UPSTREAM_ERROR';
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

export function isEmsError(e: unknown): e is EmsError {
  return e instanceof EmsError;
}

/**
 * A value as error messages quote it: JSON, strings cut to `max` characters. A message must not
 * grow with the input: one huge variable used by many aliased fields would otherwise be copied
 * into every field's error (a 1 MB id × 700 aliases is a 700 MB response).
 */
export function quote(value: unknown, max = 64): string {
  if (typeof value === 'string' && value.length > max) return `${JSON.stringify(value.slice(0, max))}…`;
  const json = JSON.stringify(value) ?? String(value);
  return json.length > max ? `${json.slice(0, max)}…` : json;
}
