import type { Readable } from 'node:stream';
import {
  EmsBadResponseError,
  EmsError,
  EmsHttpError,
  EmsNetworkError,
  EmsTimeoutError,
} from './errors.js';
import { parseRetryAfterMs } from './client-interceptors.js';
import { BodyBytes, parseLargeJson } from './json-body.js';

/**
 * Turning what undici hands back (a response, or an error) into a parsed body or an `EmsError`.
 * Every function here either returns a value or throws an `EmsError` subclass.
 */

/** What is known about one EMS call when it fails. */
export interface CallFacts {
  operation: string;
  /** Status of the response the caller received, once one arrived. */
  status: number | null;
  requestId: string | null;
  /** Attempts made, retries included. */
  attempts: number;
  /** Per-attempt timeout, for messages. */
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  /** The caller's signal, to tell its aborts from ours. */
  signal?: AbortSignal | undefined;
  /** Whether response bodies may hold secrets (credential operations): then no excerpt is quoted. */
  sensitive: boolean;
}

/** Thrown by {@link readBody} when a body exceeds the cap. */
class BodyTooLargeError extends Error {
  constructor(readonly limit: number, readonly seen: number) {
    super(`body exceeds ${limit} bytes`);
  }
}

/**
 * Reads a whole response body, refusing (and destroying the stream) as soon as it would exceed
 * `limit` bytes, or up front when `Content-Length` already says so. Errors are mapped with `facts`.
 * The chunks are kept as they arrived: never copied into one buffer (see src/ems/json-body.ts).
 */
export async function readBody(body: Readable, limit: number, contentLength: string | undefined, facts: CallFacts): Promise<BodyBytes> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    const declared = contentLength === undefined ? NaN : Number(contentLength);
    if (declared > limit) throw new BodyTooLargeError(limit, declared);
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > limit) throw new BodyTooLargeError(limit, size);
      chunks.push(buf);
    }
    return new BodyBytes(chunks, size);
  } catch (e) {
    body.destroy();
    if (e instanceof BodyTooLargeError) {
      return badResponse(`EMS ${facts.operation} returned a body over the ${e.limit}-byte limit (${e.seen} bytes or more)`, facts, e);
    }
    throw transportError(e, facts, { bodyBytes: size });
  }
}

/** Parses a 2xx body as JSON; anything else is an `EmsBadResponseError`. */
export function parseJson(raw: BodyBytes | Buffer, facts: CallFacts): unknown {
  const body = raw instanceof BodyBytes ? raw : BodyBytes.of(raw);
  // A large list body is parsed in parts (the same value); anything it leaves is parsed whole below.
  const large = parseLargeJson(body);
  if (large !== undefined) return large;
  const text = body.text();
  try {
    if (text.trim() === '') throw new SyntaxError('the body is empty');
    return JSON.parse(text);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return badResponse(
      `EMS ${facts.operation} returned malformed JSON (HTTP ${facts.status}, ${raw.length} bytes): ${reason}${excerpt(text, facts)}`,
      facts,
      e,
      true,
    );
  }
}

/**
 * The error of a non-2xx answer. EMS bodies are `{error_code, error_msg}`; any other body still
 * yields an `EmsHttpError` with the status, and a message saying the body was not an EMS error.
 */
export function httpError(raw: BodyBytes | Buffer, facts: CallFacts & { status: number }, retryAfter: number | null): EmsHttpError {
  const text = (raw instanceof BodyBytes ? raw : BodyBytes.of(raw)).text();
  let body: { error_code: string; error_msg: string | null } | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    // `{error_code, error_msg}`; read as leniently as any other body, but a code is what makes it one.
    const { error_code: code, error_msg: message } = (parsed ?? {}) as Record<string, unknown>;
    if (typeof code === 'string' || typeof code === 'number') {
      body = { error_code: String(code), error_msg: typeof message === 'string' ? message : null };
    }
  } catch {
    // not JSON: reported below
  }
  const error = new EmsHttpError({
    ...details(facts),
    status: facts.status,
    upstreamCode: body?.error_code || null,
    upstreamMessage: body?.error_msg ?? null,
    retryAfter,
  });
  if (!body) {
    const what = text.trim() === '' ? 'an empty body' : `a body that is not an EMS error {error_code, error_msg}${excerpt(text, facts)}`;
    error.message = `EMS ${facts.operation} failed with ${facts.status}${facts.attempts > 1 ? ` after ${facts.attempts} attempts` : ''}, and sent ${what}`;
  } else if (facts.attempts > 1) {
    error.message += ` (after ${facts.attempts} attempts)`;
  }
  return error;
}

/** Connection failures that happen before a single byte of the request can leave. */
const NEVER_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Maps anything thrown while sending a request or reading its body to an `EmsError`. Once
 * `bodyBytes` is given, a response arrived: connection failures then mean a truncated body.
 */
export function transportError(e: unknown, facts: CallFacts, phase: { bodyBytes?: number } = {}): EmsError {
  if (e instanceof EmsError) return e;
  const signal = facts.signal;
  const op = facts.operation;
  const after = facts.attempts > 1 ? ` (after ${facts.attempts} attempts)` : '';
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof Error && reason.name === 'TimeoutError') {
      return new EmsTimeoutError(`EMS ${op} timed out: the caller's deadline passed before EMS answered`, { ...details(facts), cause: reason });
    }
    return new EmsNetworkError(`EMS ${op} was aborted by the caller before it completed`, { ...details(facts), cause: reason });
  }
  const { code, message } = describe(e);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new EmsTimeoutError(`EMS ${op} timed out: no connection within ${facts.connectTimeoutMs} ms${after}`, { ...details(facts), sent: false, cause: e });
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new EmsTimeoutError(`EMS ${op} timed out: no response within ${facts.requestTimeoutMs} ms${after}`, { ...details(facts), cause: e });
    case 'UND_ERR_BODY_TIMEOUT':
      return new EmsTimeoutError(`EMS ${op} timed out: the response body stalled for ${facts.requestTimeoutMs} ms`, { ...details(facts), cause: e });
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_DESTROYED':
      return new EmsNetworkError(`EMS ${op} was not sent: the EMS client is closed`, { ...details(facts), sent: false, cause: e });
  }
  if (phase.bodyBytes !== undefined) {
    return badResponse(
      `EMS ${op} response body was truncated: the connection failed after ${phase.bodyBytes} bytes (${code ?? 'error'}: ${message})`,
      facts,
      e,
      true,
    );
  }
  return new EmsNetworkError(`EMS ${op} got no response${after}: ${code ? `${code}: ` : ''}${message}`, {
    ...details(facts),
    sent: !(code && NEVER_SENT_CODES.has(code)),
    cause: e,
  });
}

/** Seconds from a `Retry-After` value (delta-seconds or HTTP date, rounded up); null if absent or unreadable. */
export function retryAfterSeconds(value: string | undefined, now: number = Date.now()): number | null {
  const ms = parseRetryAfterMs(value, now);
  return ms === null ? null : Math.ceil(ms / 1000);
}

function details(facts: CallFacts) {
  return { operation: facts.operation, status: facts.status, requestId: facts.requestId };
}

/** Bodies lost on the way (truncated, or not JSON at all): reading the same GET again may well succeed. */
const rereadable = new WeakSet<EmsError>();

/** Whether `error` is a body lost on the way, which a GET may read again (see the EMS client). */
export function isRereadable(error: unknown): boolean {
  return error instanceof EmsError && rereadable.has(error);
}

function badResponse(message: string, facts: CallFacts, cause: unknown, lost = false): never {
  const error = new EmsBadResponseError(message, { ...details(facts), cause });
  if (lost) rereadable.add(error);
  throw error;
}

/** A short quote of a body for messages, unless the operation's bodies may hold secrets. */
function excerpt(text: string, facts: CallFacts): string {
  if (facts.sensitive || text.trim() === '') return '';
  const flat = text.replace(/\s+/g, ' ').trim();
  return `; body starts ${JSON.stringify(flat.length > 80 ? `${flat.slice(0, 80)}…` : flat)}`;
}

/** Code and message of an error; Node's happy-eyeballs `AggregateError` is described by its first error. */
function describe(e: unknown): { code: string | undefined; message: string } {
  if (e instanceof AggregateError && e.errors.length > 0) {
    const first = describe(e.errors[0]);
    return { code: (e as { code?: string }).code ?? first.code, message: first.message };
  }
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : undefined, message: e.message || e.name };
  }
  return { code: undefined, message: String(e) };
}
