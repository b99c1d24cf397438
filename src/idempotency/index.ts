import type { Config } from '../config.js';
import { MemoryIdempotencyStore } from './memory.js';
import { RedisIdempotencyStore } from './redis.js';
import type { IdempotencyStore } from './store.js';

export * from './store.js';
export { MemoryIdempotencyStore } from './memory.js';
export { RedisIdempotencyStore, type RedisIdempotencyStoreOptions } from './redis.js';

/**
 * The store for this gateway: Redis when REDIS_URL is set (records hold across replicas), else
 * in memory. A duplicate waits for an in-flight first submission up to twice the EMS request
 * timeout (a POST is never retried, so one timeout bounds it) plus a second.
 */
export function createIdempotencyStore(config: Config, onError?: (error: Error) => void): IdempotencyStore {
  const waitTimeoutMs = 2 * config.ems.timeoutMs + 1_000;
  return config.redis
    ? new RedisIdempotencyStore({ url: config.redis.url, keyPrefix: config.redis.keyPrefix, waitTimeoutMs, onError })
    : new MemoryIdempotencyStore({ waitTimeoutMs });
}
