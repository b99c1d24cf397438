import { isEmsError } from '../ems/errors.js';

/**
 * What travels on a watch topic (in memory or through Redis, so plain JSON). One topic per
 * (credential scope, resource): subscribers with other credentials never receive it.
 */
export type LiveEvent<T = unknown> = LiveStateEvent<T> | LiveErrorEvent;

export interface LiveStateEvent<T = unknown> {
  type: 'state';
  value: T;
  /** Equal signatures = no change for subscribers. */
  sig: string;
  /** The stream completes after this state (terminal job status, DELETED cluster). */
  final: boolean;
  /** Per watch, increasing with every event a poller publishes (a replica taking over continues it); older events are dropped. */
  seq: number;
  /** When the poll that produced it answered (epoch ms). */
  at: number;
}

/**
 * A failure that ends the stream of every subscriber of the topic (unknown id, bad credentials,
 * too many failed polls in a row).
 */
export interface LiveErrorEvent {
  type: 'error';
  error: LiveErrorData;
  seq: number;
  at: number;
}

/** The data of a LiveError, as sent between replicas. */
export interface LiveErrorData {
  /** Stable code, sent as `extensions.code`: NOT_FOUND, UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT, ... */
  code: string;
  message: string;
  upstreamCode: string | null;
  requestId: string | null;
  retryable: boolean;
}

/** The error a watch stream ends with. Data lives on fields, like EmsError. */
export class LiveError extends Error {
  readonly code: string;
  readonly upstreamCode: string | null;
  readonly requestId: string | null;
  readonly retryable: boolean;

  constructor(data: LiveErrorData) {
    super(data.message);
    this.name = 'LiveError';
    this.code = data.code;
    this.upstreamCode = data.upstreamCode;
    this.requestId = data.requestId;
    this.retryable = data.retryable;
  }

  toData(): LiveErrorData {
    return { code: this.code, message: this.message, upstreamCode: this.upstreamCode, requestId: this.requestId, retryable: this.retryable };
  }
}

/**
 * Whether a poll failure ends the watch at once: EMS said the request cannot succeed as sent
 * (unknown id, bad credentials, no permission, project mismatch: EmsError.retryable false), or the
 * failure is not an EMS one at all. Throttling, 5xx gateways, network failures and timeouts back
 * off and retry, and so does an answer that cannot be read, which may be a glitch; a run of such
 * failures ends the watch too (see giveUpErrorData).
 */
export function isFatal(error: unknown): boolean {
  if (!isEmsError(error)) return true;
  return !error.retryable && error.code !== 'UPSTREAM_BAD_RESPONSE';
}

/** The data of an error the gateway decides itself (no EMS answer behind it). */
export function gatewayErrorData(code: string, message: string): LiveErrorData {
  return { code, message, upstreamCode: null, requestId: null, retryable: false };
}

/** A failure that is no EMS error: a bug, reported without its details. */
export const UNEXPECTED_ERROR: LiveErrorData = gatewayErrorData('INTERNAL_SERVER_ERROR', 'Unexpected error');

/** The data of a fatal poll failure, with a message that names the resource. */
export function fatalErrorData(error: unknown, noun: string, id: string): LiveErrorData {
  if (!isEmsError(error)) return UNEXPECTED_ERROR;
  const message =
    error.code === 'NOT_FOUND'
      ? `No ${noun} with id ${JSON.stringify(id)} is visible to these credentials`
      : error.code === 'UNAUTHENTICATED'
        ? `EMS refused the credentials while watching ${noun} ${JSON.stringify(id)} (bad or expired token)`
        : error.message;
  return { code: error.code, message, upstreamCode: error.upstreamCode, requestId: error.requestId, retryable: error.retryable };
}

/**
 * The data of the error a watch ends with after `failures` failed polls in a row: the last
 * failure's code and EMS request id. Retryable: subscribing again starts a fresh watch.
 */
export function giveUpErrorData(error: unknown, noun: string, id: string, failures: number): LiveErrorData {
  if (!isEmsError(error)) return fatalErrorData(error, noun, id);
  return {
    code: error.code,
    message:
      `Watching ${noun} ${JSON.stringify(id)} stopped after ${failures} failed polls in a row; the last one: ${error.message}. ` +
      'Subscribe again to resume.',
    upstreamCode: error.upstreamCode,
    requestId: error.requestId,
    retryable: true,
  };
}
