import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import {
  DEFAULT_LEASE_MS,
  DEFAULT_TTL_MS,
  IdempotencyInProgressError,
  IdempotencyUnavailableError,
  startHeartbeat,
  type IdempotencyBegin,
  type IdempotencyClaim,
  type IdempotencyNote,
  type IdempotencyStore,
  type IdempotencyStoreOptions,
} from './store.js';

export interface RedisIdempotencyStoreOptions extends IdempotencyStoreOptions {
  /** `redis://` or `rediss://` URL. */
  url: string;
  /** Prepended to every key (REDIS_KEY_PREFIX), followed by `idem:`. */
  keyPrefix: string;
  /** Called with connection errors (ioredis reconnects by itself). */
  onError?: (error: Error) => void;
}

/**
 * A record in Redis, as JSON: `{"s":"p","f":fingerprint,"o":owner,"t":startedAt,"n":note}` while a
 * submission is pending (owner null and note set once abandoned), `{"s":"d","f":fingerprint,"r":result}`
 * once it completed. A pending record's owner also holds `<key>:lease` (value: owner, PX lease);
 * a pending record without that key is orphaned.
 */
type RedisRecord =
  | { s: 'p'; f: string; o: string | null; t: number; n: IdempotencyNote | null }
  | { s: 'd'; f: string; r: unknown };

/** Claims KEYS[1] with ARGV[1] (TTL ARGV[2]) if free, and takes the lease KEYS[2] for owner ARGV[3] (TTL ARGV[4]). */
const CLAIM_SCRIPT = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4]) return 1 end return 0`;
/** The record and whether its lease is held. */
const READ_SCRIPT = `return {redis.call('GET', KEYS[1]), redis.call('EXISTS', KEYS[2])}`;
/** Takes over an orphaned record: still ARGV[1] and no lease → ARGV[2], lease for ARGV[3] (TTL ARGV[4]). */
const TAKE_OVER_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] and redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4]) return 1 end return 0`;
/** Renews the lease (ARGV[2] for ARGV[3] ms) while the record is still our claim ARGV[1]. */
const RENEW_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) return 1 end return 0`;
/** Replaces the record with ARGV[2] (TTL ARGV[3] ms, or kept when absent) and drops the lease, only if it is still our claim ARGV[1]. */
const SETTLE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  if ARGV[3] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) else redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') end
  redis.call('DEL', KEYS[2]) return 1 end return 0`;
/** Deletes the record and its lease only if it is still our claim ARGV[1]. */
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1], KEYS[2]) return 1 end return 0`;

/**
 * Store shared by every replica pointed at the same Redis. Claims, take-overs, completion and
 * release are compare-and-set scripts, so a replica only ever changes its own claim. A duplicate
 * whose key is pending polls until the record completes, disappears (the first submission failed:
 * it then claims the key itself), loses its lease (its owner died: it takes it over) or
 * `waitTimeoutMs` passes. Leases live in Redis (PX), so replicas' clocks need not agree.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly waitTimeoutMs: number;
  private readonly leaseMs: number;
  private readonly onLeaseLost: IdempotencyStoreOptions['onLeaseLost'];
  private readonly heartbeats = new Set<() => void>();

  constructor(options: RedisIdempotencyStoreOptions) {
    this.prefix = `${options.keyPrefix}idem:`;
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 30_000;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.onLeaseLost = options.onLeaseLost;
    this.redis = new Redis(options.url, {
      // Fail a command after one reconnect attempt rather than hold a mutation for long.
      maxRetriesPerRequest: 1,
      connectTimeout: 5_000,
    });
    this.redis.on('error', (error: Error) => options.onError?.(error));
  }

  async begin<T>(key: string, fingerprint: string): Promise<IdempotencyBegin<T>> {
    const fullKey = this.prefix + key;
    const leaseKey = `${fullKey}:lease`;
    const started = Date.now();
    let pollMs = 20;
    for (;;) {
      const owner = randomUUID();
      const pending = JSON.stringify({ s: 'p', f: fingerprint, o: owner, t: Date.now(), n: null } satisfies RedisRecord);
      let existing: string | null;
      let leased: boolean;
      try {
        const claimed = await this.redis.eval(CLAIM_SCRIPT, 2, fullKey, leaseKey, pending, String(this.ttlMs), owner, String(this.leaseMs));
        if (Number(claimed) === 1) return { kind: 'claimed', claim: this.claim<T>(fullKey, leaseKey, pending, owner) };
        const [raw, lease] = (await this.redis.eval(READ_SCRIPT, 2, fullKey, leaseKey)) as [string | null, number];
        existing = raw;
        leased = Number(lease) === 1;
        if (existing !== null && !leased) {
          const record = JSON.parse(existing) as RedisRecord;
          if (record.s === 'p' && record.f === fingerprint) {
            const mine = JSON.stringify({ ...record, o: owner } satisfies RedisRecord);
            const taken = await this.redis.eval(TAKE_OVER_SCRIPT, 2, fullKey, leaseKey, existing, mine, owner, String(this.leaseMs));
            if (Number(taken) === 1) {
              return { kind: 'orphaned', claim: this.claim<T>(fullKey, leaseKey, mine, owner), startedAt: record.t, note: record.n };
            }
            continue;
          }
        }
      } catch (error) {
        throw new IdempotencyUnavailableError(error);
      }
      if (existing === null) continue; // released between the two scripts: try to claim again
      const record = JSON.parse(existing) as RedisRecord;
      if (record.f !== fingerprint) return { kind: 'mismatch' };
      if (record.s === 'd') return { kind: 'replay', result: record.r as T };
      const waited = Date.now() - started;
      if (waited >= this.waitTimeoutMs) throw new IdempotencyInProgressError(waited);
      await sleep(Math.min(pollMs, this.waitTimeoutMs - waited));
      pollMs = Math.min(pollMs * 1.5, 250);
    }
  }

  /**
   * Quits (or drops, when not connected) the connection. Resolves once the socket is closed, or
   * after a second at most (ioredis emits no `end` when it drops a connection that is waiting to
   * reconnect; nothing is left open then either).
   */
  async close(): Promise<void> {
    for (const stop of this.heartbeats) stop();
    this.heartbeats.clear();
    if (this.redis.status === 'end') return;
    let timer: NodeJS.Timeout | undefined;
    const ended = new Promise<void>((resolve) => {
      this.redis.once('end', () => resolve());
      timer = setTimeout(resolve, 1_000);
    });
    if (this.redis.status === 'ready') {
      await this.redis.quit().catch(() => this.redis.disconnect());
    } else {
      this.redis.disconnect();
    }
    await ended;
    clearTimeout(timer);
  }

  /** The Redis connection, for tests and cleanup. */
  get client(): Redis {
    return this.redis;
  }

  /** The prefix of every key this store writes. */
  get keyPrefix(): string {
    return this.prefix;
  }

  private claim<T>(fullKey: string, leaseKey: string, pending: string, owner: string): IdempotencyClaim<T> {
    const stop = startHeartbeat(
      fullKey,
      this.leaseMs,
      async () => Number(await this.redis.eval(RENEW_SCRIPT, 2, fullKey, leaseKey, pending, owner, String(this.leaseMs))) === 1,
      this.onLeaseLost,
    );
    this.heartbeats.add(stop);
    const settled = () => {
      stop();
      this.heartbeats.delete(stop);
    };
    const fingerprint = (JSON.parse(pending) as RedisRecord).f;
    return {
      complete: async (result: T) => {
        settled();
        const done = JSON.stringify({ s: 'd', f: fingerprint, r: result } satisfies RedisRecord);
        await this.redis.eval(SETTLE_SCRIPT, 2, fullKey, leaseKey, pending, done, String(this.ttlMs));
      },
      fail: async () => {
        settled();
        await this.redis.eval(RELEASE_SCRIPT, 2, fullKey, leaseKey, pending);
      },
      abandon: async (note: IdempotencyNote) => {
        settled();
        const record = JSON.parse(pending) as Extract<RedisRecord, { s: 'p' }>;
        const orphan = JSON.stringify({ ...record, o: null, n: note } satisfies RedisRecord);
        await this.redis.eval(SETTLE_SCRIPT, 2, fullKey, leaseKey, pending, orphan);
      },
    };
  }
}
