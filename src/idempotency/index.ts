import { join } from 'node:path';
import type { Config } from '../config.js';
import { RedisIdempotencyStore } from './redis.js';
import { SqliteIdempotencyStore } from './sqlite.js';
import { DEFAULT_LEASE_MS, type IdempotencyStore, type IdempotencyStoreOptions } from './store.js';

export * from './store.js';
export { RedisIdempotencyStore, type RedisIdempotencyStoreOptions } from './redis.js';
export { SqliteIdempotencyStore, type SqliteIdempotencyStoreOptions } from './sqlite.js';

/** The file of the SQLite store under DATA_DIR. */
export const IDEMPOTENCY_DB_FILE = 'idempotency.sqlite';

export interface CreateIdempotencyStoreOptions extends Pick<IdempotencyStoreOptions, 'onLeaseLost' | 'leaseMs'> {
  /** Redis connection errors (ioredis reconnects by itself). */
  onError?: (error: Error) => void;
}

/**
 * The store for this gateway: Redis when REDIS_URL is set (records hold across replicas), else
 * SQLite under DATA_DIR (records survive restarts). A duplicate waits for an in-flight first
 * submission up to twice the EMS request timeout (a POST is never retried, so one timeout bounds
 * it) plus a second.
 * @throws DataDirError when the SQLite file cannot be created or opened under DATA_DIR.
 */
export function createIdempotencyStore(config: Config, options: CreateIdempotencyStoreOptions = {}): IdempotencyStore {
  // ...and at least past a dead owner's lease, so that the wait ends in a take-over rather than an error.
  const waitTimeoutMs = Math.max(2 * config.ems.timeoutMs, 2 * (options.leaseMs ?? DEFAULT_LEASE_MS)) + 1_000;
  const common = { waitTimeoutMs, leaseMs: options.leaseMs, onLeaseLost: options.onLeaseLost };
  if (config.redis) return new RedisIdempotencyStore({ url: config.redis.url, keyPrefix: config.redis.keyPrefix, onError: options.onError, ...common });
  try {
    return new SqliteIdempotencyStore({ path: join(config.dataDir, IDEMPOTENCY_DB_FILE), ...common });
  } catch (error) {
    const cause = (error as Error).cause as NodeJS.ErrnoException | undefined;
    const code = cause?.code ?? (error as NodeJS.ErrnoException).code;
    throw new DataDirError(`DATA_DIR ${JSON.stringify(config.dataDir)} is not usable${code ? ` (${code})` : ''}: ${(cause ?? (error as Error)).message}; set DATA_DIR to a writable directory`, code ?? 'DATA_DIR_UNUSABLE', { cause: error });
  }
}

/** Start-up failure: DATA_DIR cannot hold the idempotency store. `code` is the file system's (ENOENT, EACCES, ...). */
export class DataDirError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DataDirError';
  }
}
