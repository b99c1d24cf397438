import type { Redis } from 'ioredis';
import type { LiveEvent } from './events.js';

/** The last poll of a watch, kept where other replicas can read it. */
export interface StoredState {
  /** The last state (or fatal error) published, or null when no poll has succeeded yet. */
  event: LiveEvent | null;
  /** When the poller meant to poll next (epoch ms); a replica taking over keeps to it. */
  nextPollAt: number;
}

/**
 * Decides which replica polls a resource and keeps its last state for the others. Transport-free:
 * the hub only sees these calls.
 */
export interface Coordinator {
  /** False for a single process: every watch polls, no lease to renew, nothing stored. */
  readonly shared: boolean;
  /** Takes the lock when free. */
  acquire(key: string, ttlMs: number): Promise<boolean>;
  /** Extends the lock when this replica still holds it; false when it was lost. */
  renew(key: string, ttlMs: number): Promise<boolean>;
  /** Frees the lock when this replica holds it. */
  release(key: string): Promise<void>;
  readState(key: string): Promise<StoredState | null>;
  writeState(key: string, state: StoredState, ttlMs: number): Promise<void>;
}

/** One process: it is always the poller, and its watches hold their own last state. */
export function createMemoryCoordinator(): Coordinator {
  return {
    shared: false,
    acquire: async () => true,
    renew: async () => true,
    release: async () => {},
    readState: async () => null,
    writeState: async () => {},
  };
}

/** Extends the lock's TTL only if its value is still our replica id. */
const RENEW_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
/** Deletes the lock only if its value is still our replica id. */
const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface RedisCoordinatorOptions {
  /** A connection not in subscriber mode (the publishing one will do). */
  redis: Redis;
  /** Prepended to every key, e.g. `ems-gateway:`. */
  keyPrefix: string;
  /** This replica's lock value. */
  replicaId: string;
}

/**
 * Leader election per resource: `SET <prefix>lock:<key> <replicaId> NX PX ttl`, renewed by a
 * compare-and-pexpire script and released by a compare-and-delete one, so a replica never extends
 * or frees a lock another replica took after its own expired. The last state lives in
 * `<prefix>state:<key>`.
 */
export function createRedisCoordinator({ redis, keyPrefix, replicaId }: RedisCoordinatorOptions): Coordinator {
  const lockKey = (key: string) => `${keyPrefix}lock:${key}`;
  const stateKey = (key: string) => `${keyPrefix}state:${key}`;
  return {
    shared: true,
    async acquire(key, ttlMs) {
      return (await redis.set(lockKey(key), replicaId, 'PX', Math.ceil(ttlMs), 'NX')) === 'OK';
    },
    async renew(key, ttlMs) {
      return Number(await redis.eval(RENEW_SCRIPT, 1, lockKey(key), replicaId, String(Math.ceil(ttlMs)))) === 1;
    },
    async release(key) {
      await redis.eval(RELEASE_SCRIPT, 1, lockKey(key), replicaId);
    },
    async readState(key) {
      const raw = await redis.get(stateKey(key));
      if (raw === null) return null;
      try {
        return JSON.parse(raw) as StoredState;
      } catch {
        return null;
      }
    },
    async writeState(key, state, ttlMs) {
      await redis.set(stateKey(key), JSON.stringify(state), 'PX', Math.ceil(ttlMs));
    },
  };
}
