import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.js';

/**
 * Per-caller rate limits (rate-limiter-flexible): requests and EMS calls per window, failed
 * authentications per source address. With REDIS_URL the counters live in Redis, so every replica
 * counts against the same budget; an in-memory limiter stands in while Redis is unreachable.
 */
export interface RateLimits {
  /** One GraphQL request (or WebSocket operation) of `callerId`; seconds to wait when over the limit, else null. */
  request(callerId: string): Promise<number | null>;
  /** Reserves `calls` EMS calls for `callerId` before execution; seconds to wait when over the limit, else null. */
  reserveEmsCalls(callerId: string, calls: number): Promise<number | null>;
  /** After execution: charges (or refunds) the difference between calls made and calls reserved. */
  settleEmsCalls(callerId: string, reserved: number, made: number): Promise<void>;
  /** Seconds `address` must wait before authenticating again, or null when it may. */
  authBlocked(address: string): Promise<number | null>;
  /** Counts a failed authentication from `address`. */
  authFailed(address: string): Promise<void>;
  close(): Promise<void>;
}

const secondsOf = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

export function createRateLimits(config: Config, onError: (error: Error) => void): RateLimits {
  const limits = config.security.rateLimits;
  const duration = limits.windowSeconds;
  let redis: Redis | null = null;
  if (config.redis) {
    redis = new Redis(config.redis.url, { enableOfflineQueue: false, lazyConnect: false, connectionName: 'ems-gateway-rate-limits', maxRetriesPerRequest: 1 });
    redis.on('error', (err: Error) => onError(err));
  }
  const make = (name: string, points: number): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ points, duration, keyPrefix: name });
    if (!redis) return memory;
    return new RateLimiterRedis({
      storeClient: redis,
      points,
      duration,
      keyPrefix: `${config.redis!.keyPrefix}rl:${name}`,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
  };
  const requests = limits.requests > 0 ? make('req', limits.requests) : null;
  const emsCalls = limits.emsCalls > 0 ? make('ems', limits.emsCalls) : null;
  const authFailures = make('authfail', limits.authFailures);

  /** consume(): null when within the limit; seconds to wait otherwise. Store errors never refuse a caller. */
  const consume = async (limiter: RateLimiterAbstract | null, key: string, points: number): Promise<number | null> => {
    if (!limiter || points <= 0) return null;
    try {
      await limiter.consume(key, points);
      return null;
    } catch (error) {
      if (error instanceof RateLimiterRes) return secondsOf(error);
      onError(error instanceof Error ? error : new Error(String(error)));
      return null;
    }
  };

  return {
    request: (callerId) => consume(requests, callerId, 1),
    reserveEmsCalls: (callerId, calls) => consume(emsCalls, callerId, calls),
    async settleEmsCalls(callerId, reserved, made) {
      if (!emsCalls || made === reserved) return;
      try {
        if (made > reserved) await emsCalls.penalty(callerId, made - reserved);
        else await emsCalls.reward(callerId, reserved - made);
      } catch (error) {
        onError(error instanceof Error ? error : new Error(String(error)));
      }
    },
    async authBlocked(address) {
      try {
        const res = await authFailures.get(address);
        return res && res.consumedPoints >= limits.authFailures ? secondsOf(res) : null;
      } catch (error) {
        onError(error instanceof Error ? error : new Error(String(error)));
        return null;
      }
    },
    async authFailed(address) {
      await consume(authFailures, address, 1);
    },
    async close() {
      redis?.disconnect();
    },
  };
}
