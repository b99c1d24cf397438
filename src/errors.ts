import { GraphQLError } from 'graphql';
import { isEmsError, type EmsError } from './ems/errors.js';

/**
 * Gateway-level error codes beyond the upstream ones (src/ems/errors.ts). They are stable:
 * clients switch on `extensions.code`.
 */
export type GatewayErrorCode =
  | 'BAD_USER_INPUT'
  | 'INTERNAL_SERVER_ERROR'
  | 'QUERY_TOO_COMPLEX'
  | 'NOT_FOUND';

/** The extensions of every error the gateway sends (CONTRACT.md, "Errors"). */
export interface ErrorExtensions {
  code: string;
  upstreamCode: string | null;
  requestId: string | null;
  retryable: boolean;
  [key: string]: unknown;
}

/** A GraphQL error carrying an EMS failure's data, never its stack or credentials. */
export function emsGraphQLError(error: EmsError): GraphQLError {
  const extensions: ErrorExtensions = {
    code: error.code,
    upstreamCode: error.upstreamCode,
    requestId: error.requestId,
    retryable: error.retryable,
    ...(error.retryAfter != null ? { retryAfter: error.retryAfter } : {}),
  };
  return new GraphQLError(error.message, { extensions, originalError: error });
}

/** A client error raised by the gateway itself (bad cursor, page too large, ...). */
export function userInputError(message: string, extra: Record<string, unknown> = {}): GraphQLError {
  const extensions: ErrorExtensions = { code: 'BAD_USER_INPUT', upstreamCode: null, requestId: null, retryable: false, ...extra };
  return new GraphQLError(message, { extensions });
}

/**
 * graphql-yoga's `maskedErrors.maskError`: EMS failures become GraphQL errors with stable
 * extensions; GraphQL errors we raised on purpose pass through; anything else is masked.
 */
export function maskError(error: unknown, message: string): Error {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  if (isEmsError(original)) {
    const masked = emsGraphQLError(original);
    return error instanceof GraphQLError
      ? new GraphQLError(masked.message, { nodes: error.nodes, path: error.path, positions: error.positions, source: error.source, extensions: masked.extensions })
      : masked;
  }
  if (error instanceof GraphQLError) {
    if (error.extensions?.code) return error;
    if (!error.originalError) return withDefaults(error, 'GRAPHQL_VALIDATION_FAILED');
    if (error.originalError instanceof GraphQLError && error.originalError.extensions?.code) {
      return new GraphQLError(error.originalError.message, {
        nodes: error.nodes,
        path: error.path,
        positions: error.positions,
        source: error.source,
        extensions: error.originalError.extensions,
      });
    }
  }
  const path = error instanceof GraphQLError ? error.path : undefined;
  return new GraphQLError(message, {
    path,
    extensions: { code: 'INTERNAL_SERVER_ERROR', upstreamCode: null, requestId: null, retryable: false },
  });
}

function withDefaults(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    path: error.path,
    positions: error.positions,
    source: error.source,
    extensions: { code, upstreamCode: null, requestId: null, retryable: false, ...error.extensions },
  });
}
