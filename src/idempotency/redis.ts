import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import {
  DEFAULT_TTL_MS,
  IdempotencyInProgressError,
  IdempotencyUnavailableError,
  type IdempotencyBegin,
  type IdempotencyClaim,
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
 * A record in Redis, as JSON: `{"s":"p","f":fingerprint,"o":owner}` while the first submission is
 * in flight, `{"s":"d","f":fingerprint,"r":result}` once it completed.
 */
type RedisRecord = { s: 'p'; f: string; o: string } | { s: 'd'; f: string; r: unknown };

/** Replaces the record with ARGV[2] (TTL ARGV[3] ms) only if it is still our claim ARGV[1]. */
const COMPLETE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end return 0`;
/** Deletes the record only if it is still our claim ARGV[1]. */
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Store shared by every replica pointed at the same Redis. A claim is `SET key <pending> NX PX ttl`;
 * completion and release are compare-and-set scripts, so a replica only ever overwrites its own
 * claim. A duplicate whose key is pending polls until the record completes, disappears (the first
 * submission failed: it then claims the key itself) or `waitTimeoutMs` passes.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly waitTimeoutMs: number;

  constructor(options: RedisIdempotencyStoreOptions) {
    this.prefix = `${options.keyPrefix}idem:`;
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.waitTimeoutMs = options.waitTimeoutMs ?? 30_000;
    this.redis = new Redis(options.url, {
      // Fail a command after one reconnect attempt rather than hold a mutation for long.
      maxRetriesPerRequest: 1,
      connectTimeout: 5_000,
    });
    this.redis.on('error', (error: Error) => options.onError?.(error));
  }

  async begin<T>(key: string, fingerprint: string): Promise<IdempotencyBegin<T>> {
    const fullKey = this.prefix + key;
    const started = Date.now();
    let pollMs = 20;
    for (;;) {
      const pending = JSON.stringify({ s: 'p', f: fingerprint, o: randomUUID() } satisfies RedisRecord);
      let existing: string | null = null;
      try {
        const claimed = await this.redis.set(fullKey, pending, 'PX', this.ttlMs, 'NX');
        if (claimed === 'OK') return { kind: 'claimed', claim: this.claim<T>(fullKey, pending, fingerprint) };
        existing = await this.redis.get(fullKey);
      } catch (error) {
        throw new IdempotencyUnavailableError(error);
      }
      if (existing === null) continue; // released between SET and GET: try to claim again
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

  private claim<T>(fullKey: string, pending: string, fingerprint: string): IdempotencyClaim<T> {
    return {
      complete: async (result: T) => {
        const done = JSON.stringify({ s: 'd', f: fingerprint, r: result } satisfies RedisRecord);
        await this.redis.eval(COMPLETE_SCRIPT, 1, fullKey, pending, done, String(this.ttlMs));
      },
      fail: async () => {
        await this.redis.eval(RELEASE_SCRIPT, 1, fullKey, pending);
      },
    };
  }
}
