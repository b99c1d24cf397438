import { createHash } from 'node:crypto';

/**
 * Idempotency records: the first result of a mutation submitted with an `idempotencyKey`, kept for
 * a while so that repeats of the same key (same caller, same mutation) get that result back instead
 * of submitting again. Two implementations: in memory (one process) and Redis (shared by replicas).
 */

/** How long a record lives. @default 600_000 (10 minutes) */
export const DEFAULT_TTL_MS = 600_000;

export interface IdempotencyStoreOptions {
  /**
   * How long a completed record (and an unfinished claim) is kept.
   * @default 600_000
   */
  ttlMs?: number;
  /**
   * How long a duplicate waits for the first submission of its key to finish before giving up
   * with IdempotencyInProgressError.
   * @default 30_000
   */
  waitTimeoutMs?: number;
}

/** The caller holds the key: it must submit, then call exactly one of complete() or fail(). */
export interface IdempotencyClaim<T> {
  /** Stores the result for repeats of the key, for the TTL. */
  complete(result: T): Promise<void>;
  /** Releases the key (the submission failed), so a retry may submit. */
  fail(): Promise<void>;
}

export type IdempotencyBegin<T> =
  /** No record: the caller submits. */
  | { kind: 'claimed'; claim: IdempotencyClaim<T> }
  /** The key was completed before with the same input: its result. */
  | { kind: 'replay'; result: T }
  /** The key is held (pending or completed) for a different input. */
  | { kind: 'mismatch' };

export interface IdempotencyStore {
  /**
   * Claims `key` for a submission whose input hashes to `fingerprint`. When the key is in flight
   * (a concurrent duplicate, here or on another replica), waits until it completes (→ replay) or
   * fails (→ claims it), at most `waitTimeoutMs`.
   */
  begin<T>(key: string, fingerprint: string): Promise<IdempotencyBegin<T>>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

/** A duplicate waited for the first submission of its key longer than `waitTimeoutMs`. */
export class IdempotencyInProgressError extends Error {
  constructor(waitedMs: number) {
    super(`A request with the same idempotency key is still being submitted after ${waitedMs} ms; retry later`);
    this.name = 'IdempotencyInProgressError';
  }
}

/** The idempotency store could not be reached (Redis down): the mutation is not submitted. */
export class IdempotencyUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The idempotency store is unavailable; retry later or submit without an idempotencyKey', { cause });
    this.name = 'IdempotencyUnavailableError';
  }
}

/**
 * Record key of (caller scope, mutation, client key). The client's key is hashed: it may be long
 * or hold characters we would rather not put in a Redis key.
 */
export function idempotencyRecordKey(scope: string, mutation: string, idempotencyKey: string): string {
  return `${scope}:${mutation}:${sha256(idempotencyKey)}`;
}

/** Hash of a request, independent of key order: a repeat with the same input has the same one. */
export function fingerprintOf(value: unknown): string {
  return sha256(stableStringify(value));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** JSON with object keys sorted, `undefined` members dropped. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : stableStringify(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}
