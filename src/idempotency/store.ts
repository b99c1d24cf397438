import { createHash } from 'node:crypto';

/**
 * Idempotency records: the first result of a mutation submitted with an `idempotencyKey`, kept for
 * a while so that repeats of the same key (same caller, same mutation) get that result back instead
 * of submitting again. Two implementations: SQLite in DATA_DIR (one process, survives restarts) and
 * Redis (shared by replicas).
 *
 * While a submission is in flight its record is *pending* and its owner holds a lease, renewed by a
 * heartbeat. A pending record whose lease ran out belongs to nobody: its owner died (a crash, a
 * `kill -9`, a lost node) or gave it up because the write's outcome is unknown (see
 * {@link IdempotencyClaim.abandon}). The next repeat takes it over as *orphaned* and finds out from
 * EMS what became of the write.
 */

/** How long a record lives. @default 600_000 (10 minutes) */
export const DEFAULT_TTL_MS = 600_000;
/** How long a claim's owner may go silent before its record counts as orphaned. @default 5_000 */
export const DEFAULT_LEASE_MS = 5_000;

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
  /**
   * Lease of a claim's owner; it is renewed every third of it while the owner lives. A pending
   * record whose lease ran out is handed to the next repeat as orphaned.
   * @default 5_000
   */
  leaseMs?: number;
  /** Told when a heartbeat could not renew a lease (store unreachable, or the claim was taken over). */
  onLeaseLost?: (key: string, error: unknown) => void;
}

/** What is known of an attempt whose outcome is unknown: the failure it ended with. */
export interface IdempotencyNote {
  operation: string;
  code: string;
  message: string;
  requestId: string | null;
}

/**
 * The caller holds the key: it must submit (or find out what an earlier submission did), then call
 * exactly one of complete(), fail() or abandon().
 */
export interface IdempotencyClaim<T> {
  /** Stores the result for repeats of the key, for the TTL. */
  complete(result: T): Promise<void>;
  /** Releases the key (the submission failed, nothing took effect), so a retry may submit. */
  fail(): Promise<void>;
  /**
   * Gives the key up with its outcome unknown (the write may have reached EMS): the record stays,
   * orphaned with `note`, and the next repeat takes it over to reconcile.
   */
  abandon(note: IdempotencyNote): Promise<void>;
}

export type IdempotencyBegin<T> =
  /** No record: the caller submits. */
  | { kind: 'claimed'; claim: IdempotencyClaim<T> }
  /** The key was completed before with the same input: its result. */
  | { kind: 'replay'; result: T }
  /** The key is held (pending or completed) for a different input. */
  | { kind: 'mismatch' }
  /**
   * The key was pending with nobody holding it: the caller now does. It must find out what the
   * earlier attempt (claimed at `startedAt`, epoch ms) did before submitting anything.
   */
  | { kind: 'orphaned'; claim: IdempotencyClaim<T>; startedAt: number; note: IdempotencyNote | null };

export interface IdempotencyStore {
  /**
   * Claims `key` for a submission whose input hashes to `fingerprint`. When the key is in flight
   * (a concurrent duplicate, here or on another replica), waits until it completes (→ replay),
   * fails (→ claims it) or is orphaned (→ takes it over), at most `waitTimeoutMs`.
   */
  begin<T>(key: string, fingerprint: string): Promise<IdempotencyBegin<T>>;
  /** Stops heartbeats, releases connections and timers. */
  close(): Promise<void>;
}

/**
 * Renews a lease every third of `leaseMs` until stopped. `renew` resolves false when the claim is
 * no longer ours; that, or a failure, is reported once per failure (the lease may still be renewed
 * later, e.g. after a Redis blip).
 */
export function startHeartbeat(
  key: string,
  leaseMs: number,
  renew: () => Promise<boolean> | boolean,
  onLost: ((key: string, error: unknown) => void) | undefined,
): () => void {
  let stopped = false;
  const timer = setInterval(() => {
    void (async () => {
      try {
        if (!(await renew()) && !stopped) {
          stopped = true;
          clearInterval(timer);
          onLost?.(key, new Error('the claim was taken over or has expired'));
        }
      } catch (error) {
        if (!stopped) onLost?.(key, error);
      }
    })();
  }, Math.max(10, Math.floor(leaseMs / 3)));
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
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
