import { GraphQLError } from 'graphql';
import { pino, type DestinationStream, type Logger } from 'pino';
import { isEmsError } from '../ems/errors.js';
import type { Config } from '../config.js';
import { redactSecrets } from './redact.js';

/** The gateway's configured secrets: redacted wherever they might appear. */
export function configuredSecrets(config: Config): string[] {
  return [config.ems.aksk?.ak, config.ems.aksk?.sk, config.ems.aksk?.securityToken, config.ems.staticToken, config.security.metrics.token].filter(
    (s): s is string => !!s,
  );
}

/**
 * The operational logger: pino at LOG_LEVEL, every line passed through redactSecrets before it is
 * written, so neither a configured credential nor anything credential-shaped (an Authorization
 * header, a Signature=, a token parameter, a password in a URL) reaches the log.
 */
export function createLogger(config: Config, destination?: DestinationStream): Logger {
  const secrets = configuredSecrets(config);
  const options = {
    level: config.logLevel,
    base: { service: 'ems-gateway' },
    hooks: { streamWrite: (line: string) => redactSecrets(line, secrets) },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * yoga's `maskError` with redaction: every error message sent to a client (upstream text included)
 * passes through redactSecrets.
 */
export function redactedMaskError(
  maskError: (error: unknown, message: string, isDev?: boolean) => Error,
  config: Config,
): (error: unknown, message: string, isDev?: boolean) => Error {
  const secrets = configuredSecrets(config);
  return (error, message, isDev) => {
    const masked = maskError(withStatusCode(error), message, isDev);
    const clean = redactSecrets(masked.message, secrets);
    if (clean === masked.message) return masked;
    if (masked instanceof GraphQLError) {
      return new GraphQLError(clean, {
        nodes: masked.nodes,
        path: masked.path,
        positions: masked.positions,
        source: masked.source,
        extensions: masked.extensions,
      });
    }
    return new Error(clean);
  };
}

/** Codes for the errors yoga and its plugins raise with an HTTP status but no code (CSRF, method, size). */
const CODE_OF_STATUS: Record<number, string> = {
  403: 'FORBIDDEN',
  405: 'METHOD_NOT_ALLOWED',
  413: 'REQUEST_ENTITY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

function withStatusCode(error: unknown): unknown {
  if (!(error instanceof GraphQLError) || error.extensions?.code) return error;
  const status = (error.extensions?.http as { status?: number } | undefined)?.status;
  const code = status === undefined ? undefined : CODE_OF_STATUS[status];
  if (!code) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

/**
 * yoga's `logging` on the gateway's logger. yoga logs every error its masking replaced (twice:
 * once where it masks, once where it handles the request's errors; each error is logged once
 * here), and a GraphQL error prints as its message plus an excerpt of the query. A request refused
 * for what the client sent (an uncoded 4xx from yoga or a plugin: a cross-site request without a
 * preflight header, a method or size refusal) goes to info, one line with its status; failures
 * the client caused or EMS reported (an EMS 401, a coded error) to debug as one line without the
 * query; anything else to error, with its message and stack, never the query text.
 */
export function yogaLogging(logger: Logger) {
  const text = (args: unknown[]) => args.map(String).join(' ');
  const logged = new WeakSet<object>();
  return {
    // yoga logs a few debug lines on every request: nothing is built for them unless debug is on.
    debug: (...args: unknown[]) => {
      if (logger.isLevelEnabled('debug')) logger.debug(text(args));
    },
    info: (...args: unknown[]) => logger.info(text(args)),
    warn: (...args: unknown[]) => logger.warn(text(args)),
    error: (...args: unknown[]) => {
      for (const arg of args) {
        if (!(arg instanceof Error)) {
          logger.error(String(arg));
          continue;
        }
        if (logged.has(arg)) continue;
        logged.add(arg);
        const original = arg instanceof GraphQLError && arg.originalError ? arg.originalError : arg;
        const path = arg instanceof GraphQLError ? arg.path : undefined;
        const status = original instanceof GraphQLError ? (original.extensions?.http as { status?: number } | undefined)?.status : undefined;
        if (isEmsError(original) || (original instanceof GraphQLError && original.extensions?.code)) {
          const code = isEmsError(original) ? original.code : original.extensions.code;
          logger.debug({ code, path, message: original.message }, 'GraphQL error');
        } else if (status !== undefined && status >= 400 && status < 500) {
          logger.info({ status, code: CODE_OF_STATUS[status], message: original.message }, 'request refused');
        } else {
          logger.error({ err: { name: original.name, message: original.message, stack: original.stack }, path }, 'unexpected error');
        }
      }
    },
  };
}
