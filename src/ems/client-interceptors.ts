import { interceptors, type Dispatcher, type RetryHandler } from 'undici';
import type { EmsAuth } from './api.js';
import { HEADER_VALUE_PATTERN } from './models/index.js';
import { signRequest } from './signer.js';

/**
 * The two undici interceptors of the EMS client and the retry policy they share.
 *
 * `Dispatcher.compose(a, b)` wraps `b` around `a`: the last interceptor listed sees a request
 * first, the first one listed is closest to the socket. The client composes
 * `pool.compose(authHeaders(...), retryReads())`, so the retry handler re-enters `authHeaders` for
 * every attempt and each attempt carries its own, freshly dated signature.
 */

/** Statuses after which a GET is tried again. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Transport error codes after which a GET is tried again: connection refused/reset, socket closed,
 * DNS and routing failures, and the three undici timeouts.
 */
export const RETRY_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export interface AuthHeadersOptions {
  /** Origin of the pool, e.g. `https://ems.cn-north-4.myhuaweicloud.com`; signed as `host`. */
  origin: string;
  /** Sent as `X-Project-Id` when non-empty. */
  projectId: string | null;
  /** Clock dating `X-Sdk-Date`. */
  now: () => Date;
}

/**
 * Why `auth` cannot travel in HTTP headers (a token with a line break, a NUL or a character beyond
 * Latin-1, e.g. from graphql-ws `connectionParams`), or null when it can. undici refuses such a
 * request as an invalid argument, which would otherwise read as EMS being unreachable.
 */
export function authHeaderProblem(auth: EmsAuth): string | null {
  const bad = (value: string | null | undefined) => value != null && !HEADER_VALUE_PATTERN.test(value);
  const why = 'contains characters an HTTP header cannot carry (control characters, line breaks or characters beyond Latin-1)';
  if (auth.kind === 'token' && bad(auth.token)) return `the token ${why}`;
  if (auth.kind === 'aksk' && bad(auth.ak)) return `the access key ${why}`;
  if (auth.kind === 'aksk' && bad(auth.securityToken)) return `the security token ${why}`;
  return null;
}

/**
 * Adds the caller's credentials to every dispatch: `X-Auth-Token` for a token, an SDK-HMAC-SHA256
 * signature (`X-Sdk-Date`, `Authorization`, `X-Security-Token`) for AK/SK, nothing for `none`;
 * `X-Project-Id` in every case. Request headers must be a plain object with lower-case names.
 */
export function authHeaders(auth: EmsAuth, options: AuthHeadersOptions): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) =>
    function emsAuthInterceptor(opts, handler) {
      if (auth.kind !== 'aksk') {
        // The same headers on every attempt: set on the caller's object (each call makes its own), not a copy.
        const headers = (opts.headers ??= {}) as Record<string, string>;
        if (auth.kind === 'token') headers['x-auth-token'] = auth.token;
        if (options.projectId) headers['x-project-id'] = options.projectId;
        return dispatch(opts, handler);
      }
      // A signature is made afresh per attempt, over the request without the previous one's headers.
      const headers: Record<string, string> = { ...(opts.headers as Record<string, string> | undefined) };
      {
        const added = signRequest(
          {
            method: opts.method,
            url: new URL(options.origin + opts.path),
            headers,
            body: typeof opts.body === 'string' || opts.body instanceof Uint8Array ? opts.body : null,
          },
          { ak: auth.ak, sk: auth.sk, securityToken: auth.securityToken ?? null, projectId: options.projectId },
          options.now(),
        );
        for (const [name, value] of Object.entries(added)) headers[name.toLowerCase()] = value;
      }
      return dispatch({ ...opts, headers }, handler);
    };
}

/**
 * undici's retry interceptor, applied to GET only: POST and DELETE go straight through and are
 * never sent twice. `throwOnError: false` hands the last response of an exhausted retry to the
 * caller, body included, so the EMS error body is still read. Every GET must carry
 * `retryOptions.retry` (see {@link retryPolicy}), which decides each retry.
 */
export function retryReads(): Dispatcher.DispatcherComposeInterceptor {
  const retry = interceptors.retry({ throwOnError: false, methods: ['GET'] });
  return (dispatch) => {
    const retrying = retry(dispatch);
    return function emsRetryInterceptor(opts, handler) {
      if (opts.method === 'GET') return retrying(opts, handler);
      const { retryOptions: _ignored, ...rest } = opts as Dispatcher.DispatchOptions & { retryOptions?: unknown };
      return dispatch(rest, handler);
    };
  };
}

export interface RetryPolicyOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Delay before the first retry; doubles with each further one (plus up to 50% jitter). */
  minDelayMs: number;
  /** Cap on any delay, `Retry-After` included. */
  maxDelayMs: number;
  /** The caller's signal: no retry is scheduled once it aborts, and a pending one is cut short. */
  signal?: AbortSignal | undefined;
  /**
   * True once the caller holds a response (its body may be partly read). undici would then try to
   * resume the body with a `Range` request, which EMS does not support: such errors are not retried.
   */
  settled: () => boolean;
  /** Called when a retry is scheduled, with the 1-based number of the attempt about to be made. */
  onRetry?: (attempt: number) => void;
}

/**
 * The `retryOptions.retry` callback of one GET. Retries statuses in {@link RETRY_STATUSES} and
 * transport errors in {@link RETRY_ERROR_CODES}, at most `maxRetries` times, waiting `Retry-After`
 * (seconds or an HTTP date) when the response has one, else exponential backoff; both capped at
 * `maxDelayMs`.
 */
export function retryPolicy(options: RetryPolicyOptions): RetryHandler.RetryCallback {
  const { signal } = options;
  return (err, { state }, callback) => {
    const { statusCode, code, headers } = err as Error & {
      statusCode?: number;
      code?: string;
      headers?: Record<string, string | string[] | undefined>;
    };
    // A retryable status reaches us as undici's RequestRetryError (code UND_ERR_REQ_RETRY).
    const isStatus = code === 'UND_ERR_REQ_RETRY' && typeof statusCode === 'number';
    const retryable = isStatus ? RETRY_STATUSES.has(statusCode) : code !== undefined && RETRY_ERROR_CODES.has(code);
    // undici counts attempts made so far in state.counter (1 after the first one).
    if (!retryable || state.counter > options.maxRetries || signal?.aborted || options.settled()) {
      callback(err);
      return;
    }
    const retryAfterMs = isStatus ? parseRetryAfterMs(firstHeader(headers?.['retry-after'])) : null;
    const backoffMs = options.minDelayMs * 2 ** (state.counter - 1);
    const delayMs = Math.min(options.maxDelayMs, retryAfterMs ?? backoffMs * (1 + Math.random() / 2));

    const onAbort = (): void => {
      clearTimeout(timer);
      // After a failed response undici still holds that (paused) attempt, and the request's own
      // abort listener aborts it; after a transport error nothing is in flight, so end it here.
      if (!isStatus) callback(signal?.reason instanceof Error ? signal.reason : err);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      options.onRetry?.(state.counter + 1);
      callback(null);
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  };
}

/**
 * Milliseconds to wait from a `Retry-After` value: delta-seconds, or an HTTP date (a past date is
 * 0). Null when absent or unreadable.
 */
export function parseRetryAfterMs(value: string | undefined, now: number = Date.now()): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
