import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IdempotencyInProgressError,
  RedisIdempotencyStore,
  SqliteIdempotencyStore,
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

type StoreOptions = { ttlMs?: number; waitTimeoutMs?: number; leaseMs?: number };

/** The same behaviour is required of both stores; `make` gives a fresh store over shared state (another process, as it were). */
function storeContract(name: string, make: (opts: StoreOptions) => IdempotencyStore) {
  describe(name, () => {
    const stores: IdempotencyStore[] = [];
    const store = (opts: StoreOptions = {}) => {
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

    it('hands a pending key whose owner died to the next repeat as orphaned, once its lease ran out', async () => {
      const k = key();
      const owner = store({ leaseMs: 150 });
      const first = await owner.begin<Stored>(k, 'fp');
      expect(first.kind).toBe('claimed');
      const claimedAt = Date.now();
      // The owner dies without settling its claim: its heartbeat stops.
      await owner.close();
      const other = store({ leaseMs: 150, waitTimeoutMs: 5_000 });
      const next = await other.begin<Stored>(k, 'fp');
      expect(next).toMatchObject({ kind: 'orphaned', note: null });
      if (next.kind !== 'orphaned') return;
      expect(Math.abs(next.startedAt - claimedAt)).toBeLessThan(1_000);
      // The taker-over holds it now: it completes the record like any claim.
      await next.claim.complete({ jobId: 'short-orphan' });
      expect(await other.begin<Stored>(k, 'fp')).toEqual({ kind: 'replay', result: { jobId: 'short-orphan' } });
    });

    it('keeps a live owner\'s claim past its lease: the heartbeat renews it', async () => {
      const k = key();
      // Renewed every third of the lease: only an event loop stalled for most of a second could miss it.
      const owner = store({ leaseMs: 1_000 });
      const first = await owner.begin<Stored>(k, 'fp');
      await new Promise((r) => setTimeout(r, 2_500));
      await expect(store({ leaseMs: 1_000, waitTimeoutMs: 300 }).begin<Stored>(k, 'fp')).rejects.toBeInstanceOf(IdempotencyInProgressError);
      if (first.kind === 'claimed') await first.claim.complete({ jobId: 'short-alive' });
    });

    it('orphans an abandoned claim at once, with its note, for exactly one of concurrent repeats', async () => {
      const s = store({ leaseMs: 60_000, waitTimeoutMs: 2_000 });
      const k = key();
      const first = await s.begin<Stored>(k, 'fp');
      if (first.kind !== 'claimed') throw new Error('expected a claim');
      const note = { operation: 'CreateCluster', code: 'UPSTREAM_TIMEOUT', message: 'timed out', requestId: null };
      await first.claim.abandon(note);
      const [a, b] = await Promise.all([s.begin<Stored>(k, 'fp'), s.begin<Stored>(k, 'fp')].map((p) => p.then(async (r) => {
        if (r.kind === 'orphaned') {
          await new Promise((res) => setTimeout(res, 50));
          await r.claim.complete({ jobId: 'short-reconciled' });
        }
        return r;
      })));
      expect([a!.kind, b!.kind].sort()).toEqual(['orphaned', 'replay']);
      expect([a, b].find((r) => r!.kind === 'orphaned')).toMatchObject({ note });
      expect([a, b].find((r) => r!.kind === 'replay')).toMatchObject({ result: { jobId: 'short-reconciled' } });
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
  const dir = mkdtempSync(join(tmpdir(), 'ems-gateway-idem-'));
  storeContract('SqliteIdempotencyStore', (opts) => new SqliteIdempotencyStore({ path: join(dir, 'idempotency.sqlite'), ...opts }));

  it('SqliteIdempotencyStore keeps its records across a restart', async () => {
    const path = join(dir, 'restart.sqlite');
    const before = new SqliteIdempotencyStore({ path });
    const first = await before.begin<Stored>('scope:createCluster:restart', 'fp');
    if (first.kind === 'claimed') await first.claim.complete({ jobId: 'long-1' });
    await before.close();
    const after = new SqliteIdempotencyStore({ path });
    expect(await after.begin<Stored>('scope:createCluster:restart', 'fp')).toEqual({ kind: 'replay', result: { jobId: 'long-1' } });
    await after.close();
  });

  it('SqliteIdempotencyStore names the file it cannot open', () => {
    // A DATA_DIR below a regular file cannot be created.
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    expect(() => new SqliteIdempotencyStore({ path: join(file, 'data', 'idempotency.sqlite') })).toThrow(/Cannot open the idempotency store .*a-file\/data/);
  });

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
