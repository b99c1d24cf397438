/**
 * Expected failures of a mutation. Each class is a member of the mutations' result unions
 * (registered in src/schema/error.ts); resolvers throw them and the Pothos errors plugin turns them
 * into union members. Anything else thrown stays a GraphQL error with a stable `extensions.code`.
 */

/** Stable `code` of every union error type: the values of the GraphQL enum `ErrorCode`. */
export const MUTATION_ERROR_CODES = [
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'DUPLICATE_NAME',
  'WRONG_STATE',
  'FORBIDDEN',
  'UPSTREAM_VALIDATION',
  'IDEMPOTENCY_KEY_REUSED',
] as const;
export type MutationErrorCode = (typeof MUTATION_ERROR_CODES)[number];

export abstract class MutationError extends Error {
  abstract readonly code: MutationErrorCode;
}

/** One rejected input field. */
export interface FieldError {
  /** Path of the field in the mutation's arguments, e.g. `['input', 'k8s', 'nodeCount']`. */
  path: string[];
  /** The same path dotted, without the leading `input`, e.g. `k8s.nodeCount` or `nodeNames.2`. */
  field: string;
  /** Why the value was refused, e.g. `must be at least 3`. */
  message: string;
}

/** The input broke a rule of the EMS request it stands for (docs/ems.md); nothing was sent upstream. */
export class ValidationError extends MutationError {
  readonly code = 'VALIDATION_FAILED' as const;
  constructor(readonly fields: FieldError[]) {
    super(
      `Invalid input: ${fields.map((f) => `${f.field || '(input)'}: ${f.message}`).join('; ')}`,
    );
    this.name = 'ValidationError';
  }
}

/** What EMS said when it refused a request. */
export interface UpstreamDetails {
  /** EMS `error_code`, e.g. `ems.00030005`. */
  upstreamCode: string | null;
  /** EMS `X-Request-Id`. */
  requestId: string | null;
  /** EMS `error_msg`, verbatim. */
  upstreamMessage: string | null;
  /** HTTP status of the EMS answer. */
  status: number | null;
}

/** The details of a refusal that did not come from EMS (the gateway's own, e.g. a role). */
export const NOT_FROM_EMS: UpstreamDetails = { upstreamCode: null, requestId: null, upstreamMessage: null, status: null };

/** A failure reported by EMS that the client can act on. */
export abstract class UpstreamMutationError extends MutationError {
  readonly upstreamCode: string | null;
  readonly requestId: string | null;
  readonly status: number | null;
  /**
   * @param subject what the refusal names, when EMS's message or the request tells (each subclass
   *   says what: the missing resource, the name that is taken, the status that forbids it)
   */
  constructor(
    message: string,
    details: UpstreamDetails = NOT_FROM_EMS,
    readonly subject: string | null = null,
  ) {
    super(message);
    this.name = new.target.name;
    this.upstreamCode = details.upstreamCode;
    this.requestId = details.requestId;
    this.status = details.status;
  }
}

/** EMS `ems.00030005` / 404: the cluster (or other resource) does not exist. Subject: its id, when known. */
export class NotFoundError extends UpstreamMutationError {
  readonly code = 'NOT_FOUND' as const;
}

/** EMS `ems.00030033`: a cluster of that name already exists in the project. Subject: the name. */
export class DuplicateNameError extends UpstreamMutationError {
  readonly code = 'DUPLICATE_NAME' as const;
}

/**
 * EMS `ems.00030034` or "Cluster is not running": the cluster's status forbids the operation.
 * Subject: the status EMS reported (the `[%s]` of its message), when it gave one.
 */
export class WrongStateError extends UpstreamMutationError {
  readonly code = 'WRONG_STATE' as const;
}

/** HTTP 403: the caller's IAM rights do not allow the operation. */
export class ForbiddenError extends UpstreamMutationError {
  readonly code = 'FORBIDDEN' as const;
}

/** EMS refused the body (`common.00000400`, `EMS.00004000`) although the gateway's rules passed it. */
export class UpstreamValidationError extends UpstreamMutationError {
  readonly code = 'UPSTREAM_VALIDATION' as const;
}

/** The idempotency key was used before, by the same caller and mutation, with a different input. */
export class IdempotencyKeyReusedError extends MutationError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED' as const;
  constructor(readonly idempotencyKey: string) {
    super(
      `Idempotency key ${JSON.stringify(idempotencyKey)} was already used with a different input; use a new key for a new request`,
    );
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** A class of expected failure, as the result unions list them. */
export type MutationErrorClass = abstract new (...args: never[]) => MutationError;

/**
 * The expected failures of each mutation: the error members of its result union, and the only
 * typed errors it returns. A refusal of another kind (EMS answering NOT_FOUND to a create, say)
 * stays a GraphQL error with a stable `extensions.code`, so a client switching on the union's
 * members never meets one it was not told about.
 *
 * ForbiddenError is in every union: any mutation may be refused for the caller's rights.
 * UpstreamValidationError is in those whose request carries a body EMS validates beyond our rules.
 */
export const MUTATION_ERRORS = {
  createCluster: [ValidationError, DuplicateNameError, UpstreamValidationError, ForbiddenError, IdempotencyKeyReusedError],
  enrollCluster: [
    ValidationError,
    NotFoundError,
    DuplicateNameError,
    WrongStateError,
    UpstreamValidationError,
    ForbiddenError,
    IdempotencyKeyReusedError,
  ],
  expandCluster: [ValidationError, NotFoundError, WrongStateError, UpstreamValidationError, ForbiddenError, IdempotencyKeyReusedError],
  shrinkCluster: [ValidationError, NotFoundError, WrongStateError, UpstreamValidationError, ForbiddenError, IdempotencyKeyReusedError],
  deleteCluster: [ValidationError, NotFoundError, WrongStateError, ForbiddenError, IdempotencyKeyReusedError],
  authorizeCluster: [ValidationError, NotFoundError, WrongStateError, ForbiddenError, IdempotencyKeyReusedError],
  cancelJobs: [ValidationError, UpstreamValidationError, ForbiddenError, IdempotencyKeyReusedError],
  createCredential: [ValidationError, NotFoundError, ForbiddenError, IdempotencyKeyReusedError],
} as const satisfies Record<string, readonly MutationErrorClass[]>;

export type MutationName = keyof typeof MUTATION_ERRORS;

/** Whether `error` is one of the typed failures `mutation` returns as a union member. */
export function isErrorOf(mutation: MutationName, error: unknown): error is MutationError {
  return MUTATION_ERRORS[mutation].some((type: MutationErrorClass) => error instanceof type);
}
