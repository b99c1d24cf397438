import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { z } from 'zod';
import { isEmsError, quote, type EmsError } from './ems/errors.js';
import { brokenRule } from './ems/models/index.js';

/** The extensions of every error the gateway sends (docs/contract.md, "Errors"). */
export interface ErrorExtensions {
  code: string;
  upstreamCode: string | null;
  requestId: string | null;
  retryable: boolean;
  [key: string]: unknown;
}

/** The extensions of an error the gateway raises itself: no EMS answer behind it, not retryable unless `extra` says so. */
export function gatewayExtensions(code: string, extra: Partial<ErrorExtensions> = {}): ErrorExtensions {
  return { code, upstreamCode: null, requestId: null, retryable: false, ...extra };
}

/** A GraphQL error the gateway raises itself, with {@link gatewayExtensions}. */
export function gatewayError(message: string, code: string, extra: Partial<ErrorExtensions> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: gatewayExtensions(code, extra) });
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
  return gatewayError(message, 'BAD_USER_INPUT', extra);
}

/**
 * Checks a field argument against an EMS request rule (a UUID, a job id, a project id) before
 * anything is sent: BAD_USER_INPUT naming the argument, the rule and the value when it breaks it.
 */
export function checkArgument(argument: string, value: string, rule: z.ZodType): void {
  const broken = brokenRule(rule, value);
  if (broken) throw userInputError(`"${argument}" ${broken}, got ${quote(value)}`, { argument });
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
    // A request error (no path): a variable value that does not fit its type, a missing or null
    // required variable. graphql-js (or a scalar's parseValue) raised it about the client's input,
    // so it is shown, as BAD_USER_INPUT like subscriptions report it, unless a scalar chose a code.
    if (!error.path && onlyGraphQLErrors(error)) return withDefaults(error, codeIn(error) ?? 'BAD_USER_INPUT');
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
  return new GraphQLError(message, { path, extensions: gatewayExtensions('INTERNAL_SERVER_ERROR') });
}

/** Whether an error and its whole `originalError` chain were raised as GraphQL errors (on purpose, not a crash). */
function onlyGraphQLErrors(error: GraphQLError): boolean {
  let current: unknown = error;
  while (current instanceof GraphQLError) current = current.originalError;
  return current == null;
}

/** The first `extensions.code` along an error's `originalError` chain. */
function codeIn(error: GraphQLError): string | undefined {
  for (let current: unknown = error; current instanceof GraphQLError; current = current.originalError) {
    const code = current.extensions?.code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * GraphQL-over-HTTP parameters that cannot be read (`variables` or `extensions` that are not JSON in
 * a GET query string or a form body) are the client's error: 400 BAD_REQUEST naming the problem.
 * Without this, yoga's parsers throw a bare SyntaxError, which is masked as INTERNAL_SERVER_ERROR.
 */
export function requestParamErrors(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          throw gatewayError(`The GraphQL request parameters are not valid JSON: ${error.message}`, 'BAD_REQUEST', { http: { status: 400 } });
        }
      });
    },
  };
}

function withDefaults(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    path: error.path,
    positions: error.positions,
    source: error.source,
    extensions: { ...gatewayExtensions(code), ...error.extensions },
  });
}
