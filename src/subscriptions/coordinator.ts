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
  /**
   * Whether the shared backend answers. While it does not (Redis down or cut off), every replica
   * polls for its own subscribers and delivers to them itself. Always true for a single process.
   */
  available(): boolean;
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
    available: () => true,
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
  /** Connections whose loss also cuts this replica off (the subscribing one). @default none */
  alsoNeeds?: Redis[];
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
export function createRedisCoordinator({ redis, keyPrefix, replicaId, alsoNeeds = [] }: RedisCoordinatorOptions): Coordinator {
  const lockKey = (key: string) => `${keyPrefix}lock:${key}`;
  const stateKey = (key: string) => `${keyPrefix}state:${key}`;
  // A command that failed (e.g. timed out over a cut connection that still looks open) marks Redis
  // unavailable until a later command succeeds.
  let failing = false;
  let probing = false;
  // Connections count as up until they close (a connection still being opened at start-up is
  // given the benefit of the doubt), and again once ready.
  const up = new Map<Redis, boolean>();
  for (const connection of [redis, ...alsoNeeds]) {
    up.set(connection, !['close', 'end', 'reconnecting'].includes(connection.status));
    connection.on('ready', () => up.set(connection, true));
    connection.on('close', () => up.set(connection, false));
    connection.on('end', () => up.set(connection, false));
  }
  const tracked = async <T>(command: () => Promise<T>): Promise<T> => {
    try {
      const result = await command();
      failing = false;
      return result;
    } catch (error) {
      failing = true;
      throw error;
    }
  };
  return {
    shared: true,
    available() {
      // While failing, nothing else talks to Redis (every watch polls alone): a PING, at most one at
      // a time, finds out when it answers again.
      if (failing && !probing) {
        probing = true;
        void tracked(() => redis.ping())
          .catch(() => {})
          .finally(() => {
            probing = false;
          });
      }
      return !failing && [...up.values()].every(Boolean);
    },
    async acquire(key, ttlMs) {
      return (await tracked(() => redis.set(lockKey(key), replicaId, 'PX', Math.ceil(ttlMs), 'NX'))) === 'OK';
    },
    async renew(key, ttlMs) {
      return Number(await tracked(() => redis.eval(RENEW_SCRIPT, 1, lockKey(key), replicaId, String(Math.ceil(ttlMs))))) === 1;
    },
    async release(key) {
      await tracked(() => redis.eval(RELEASE_SCRIPT, 1, lockKey(key), replicaId));
    },
    async readState(key) {
      const raw = await tracked(() => redis.get(stateKey(key)));
      if (raw === null) return null;
      try {
        return JSON.parse(raw) as StoredState;
      } catch {
        return null;
      }
    },
    async writeState(key, state, ttlMs) {
      await tracked(() => redis.set(stateKey(key), JSON.stringify(state), 'PX', Math.ceil(ttlMs)));
    },
  };
}
