import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IdempotencyInProgressError,
  MemoryIdempotencyStore,
  RedisIdempotencyStore,
  fingerprintOf,
  idempotencyRecordKey,
  stableStringify,
  type IdempotencyStore,
} from '../../src/idempotency/index.js';
import { TEST_REDIS_URL, requireRedis, suiteName } from '../fixtures/services.js';

const redis = await requireRedis(suiteName(import.meta.url));
const REDIS_URL = redis?.url ?? TEST_REDIS_URL;
const PREFIX = `test-mut-${randomBytes(6).toString('hex')}:`;

type Stored = { jobId: string };

/** The same behaviour is required of both stores; `make` gives a fresh store over shared state. */
function storeContract(name: string, make: (opts: { ttlMs?: number; waitTimeoutMs?: number }) => IdempotencyStore) {
  describe(name, () => {
    const stores: IdempotencyStore[] = [];
    const store = (opts: { ttlMs?: number; waitTimeoutMs?: number } = {}) => {
      const s = make(opts);
      stores.push(s);
      return s;
    };
    afterAll(async () => {
      await Promise.all(stores.map((s) => s.close()));
    });
    const key = () => `scope:createCluster:${randomBytes(8).toString('hex')}`;

    it('claims a new key, then replays the completed result', async () => {
      const s = store();
      const k = key();
      const first = await s.begin<Stored>(k, 'fp');
      expect(first.kind).toBe('claimed');
      if (first.kind !== 'claimed') return;
      await first.claim.complete({ jobId: 'short-1' });
      expect(await s.begin<Stored>(k, 'fp')).toEqual({ kind: 'replay', result: { jobId: 'short-1' } });
    });

    it('refuses the key for a different input, pending or completed', async () => {
      const s = store();
      const k = key();
      const first = await s.begin<Stored>(k, 'fp-a');
      expect((await s.begin<Stored>(k, 'fp-b')).kind).toBe('mismatch');
      if (first.kind === 'claimed') await first.claim.complete({ jobId: 'short-1' });
      expect((await s.begin<Stored>(k, 'fp-b')).kind).toBe('mismatch');
    });

    it('releases the key when the first attempt fails', async () => {
      const s = store();
      const k = key();
      const first = await s.begin<Stored>(k, 'fp');
      if (first.kind === 'claimed') await first.claim.fail();
      expect((await s.begin<Stored>(k, 'fp')).kind).toBe('claimed');
    });

    it('makes concurrent duplicates wait for the first and share its result', async () => {
      const s = store();
      const k = key();
      const first = await s.begin<Stored>(k, 'fp');
      expect(first.kind).toBe('claimed');
      const duplicates = Promise.all([s.begin<Stored>(k, 'fp'), s.begin<Stored>(k, 'fp')]);
      await new Promise((r) => setTimeout(r, 50));
      if (first.kind === 'claimed') await first.claim.complete({ jobId: 'short-2' });
      expect(await duplicates).toEqual([
        { kind: 'replay', result: { jobId: 'short-2' } },
        { kind: 'replay', result: { jobId: 'short-2' } },
      ]);
    });

    it('lets a waiting duplicate claim the key when the first fails', async () => {
      const s = store();
      const k = key();
      const first = await s.begin<Stored>(k, 'fp');
      const duplicate = s.begin<Stored>(k, 'fp');
      await new Promise((r) => setTimeout(r, 50));
      if (first.kind === 'claimed') await first.claim.fail();
      expect((await duplicate).kind).toBe('claimed');
    });

    it('gives up waiting after waitTimeoutMs', async () => {
      const s = store({ waitTimeoutMs: 100 });
      const k = key();
      await s.begin<Stored>(k, 'fp');
      await expect(s.begin<Stored>(k, 'fp')).rejects.toBeInstanceOf(IdempotencyInProgressError);
    });

    it('forgets a record after its TTL', async () => {
      const s = store({ ttlMs: 100 });
      const k = key();
      const first = await s.begin<Stored>(k, 'fp');
      if (first.kind === 'claimed') await first.claim.complete({ jobId: 'short-3' });
      await new Promise((r) => setTimeout(r, 150));
      expect((await s.begin<Stored>(k, 'fp')).kind).toBe('claimed');
    });
  });
}

describe('idempotency stores', () => {
  const memory = new MemoryIdempotencyStore();
  storeContract('MemoryIdempotencyStore', (opts) => (opts.ttlMs || opts.waitTimeoutMs ? new MemoryIdempotencyStore(opts) : memory));

  describe.skipIf(!redis)('in Redis', () => {
    storeContract('RedisIdempotencyStore', (opts) => new RedisIdempotencyStore({ url: REDIS_URL, keyPrefix: PREFIX, ...opts }));
  });

  describe.skipIf(!redis)('RedisIdempotencyStore across instances', () => {
    let a: RedisIdempotencyStore;
    let b: RedisIdempotencyStore;
    let admin: Redis;
    beforeAll(() => {
      a = new RedisIdempotencyStore({ url: REDIS_URL, keyPrefix: PREFIX });
      b = new RedisIdempotencyStore({ url: REDIS_URL, keyPrefix: PREFIX });
      admin = new Redis(REDIS_URL);
    });
    afterAll(async () => {
      // Remove every key this run wrote.
      let cursor = '0';
      do {
        const [next, keys] = await admin.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
        if (keys.length) await admin.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await Promise.all([a.close(), b.close()]);
      await admin.quit();
    });

    it('a duplicate on another instance waits for the first and replays its result', async () => {
      const k = `scope:expandCluster:${randomBytes(8).toString('hex')}`;
      const first = await a.begin<Stored>(k, 'fp');
      expect(first.kind).toBe('claimed');
      const other = b.begin<Stored>(k, 'fp');
      await new Promise((r) => setTimeout(r, 80));
      if (first.kind === 'claimed') await first.claim.complete({ jobId: 'short-9' });
      expect(await other).toEqual({ kind: 'replay', result: { jobId: 'short-9' } });
    });

    it('keeps records under the configured prefix with a TTL of 10 minutes', async () => {
      const k = `scope:deleteCluster:${randomBytes(8).toString('hex')}`;
      const first = await a.begin<Stored>(k, 'fp');
      if (first.kind === 'claimed') await first.claim.complete({ jobId: 'short-10' });
      const ttl = await admin.pttl(`${PREFIX}idem:${k}`);
      expect(ttl).toBeGreaterThan(590_000);
      expect(ttl).toBeLessThanOrEqual(600_000);
    });

    it('a replica cannot complete or release a claim it does not hold', async () => {
      const k = `scope:createCluster:${randomBytes(8).toString('hex')}`;
      const stale = await a.begin<Stored>(k, 'fp');
      // The claim disappears (e.g. expired) and another replica claims the key.
      await admin.del(`${PREFIX}idem:${k}`);
      const fresh = await b.begin<Stored>(k, 'fp');
      expect(fresh.kind).toBe('claimed');
      if (stale.kind === 'claimed') {
        await stale.claim.fail();
        await stale.claim.complete({ jobId: 'short-stale' });
      }
      if (fresh.kind === 'claimed') await fresh.claim.complete({ jobId: 'short-fresh' });
      expect(await a.begin<Stored>(k, 'fp')).toEqual({ kind: 'replay', result: { jobId: 'short-fresh' } });
    });
  });
});

describe('record keys and fingerprints', () => {
  it('fingerprints ignore key order and undefined members', () => {
    expect(fingerprintOf({ a: 1, b: { c: [1, 2], d: undefined } })).toBe(fingerprintOf({ b: { c: [1, 2] }, a: 1 }));
    expect(fingerprintOf({ a: 1 })).not.toBe(fingerprintOf({ a: 2 }));
    expect(stableStringify({ b: 1, a: [null, 'x'] })).toBe('{"a":[null,"x"],"b":1}');
  });

  it('record keys separate callers and mutations and hide the client key', () => {
    const k = idempotencyRecordKey('scopeA', 'createCluster', 'my key with spaces');
    expect(k).toMatch(/^scopeA:createCluster:[A-Za-z0-9_-]{43}$/);
    expect(k).not.toBe(idempotencyRecordKey('scopeB', 'createCluster', 'my key with spaces'));
    expect(k).not.toBe(idempotencyRecordKey('scopeA', 'deleteCluster', 'my key with spaces'));
  });
});
