import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import {
  createLiveHub,
  createLiveHubFromConfig,
  createRedisCoordinator,
  createRedisPubSub,
  type LiveHub,
} from '../../src/subscriptions/index.js';
import { TEST_REDIS_URL, requireRedis, suiteName } from '../fixtures/services.js';
import { createTcpProxy } from '../fixtures/tcp-proxy.js';
import { caller, collect, FakeEms, until } from './fake-ems.js';

/**
 * The hub's Redis backend with real replicas (two hubs, each with its own connections) on the real
 * clock. The timing of polls, lock renewal and take-over is pinned on a fake clock in hub.test.ts;
 * here Redis does the work, and checks hold however slowly the machine runs: deadlines are generous,
 * and the lock lives long enough (LOCK_TTL) that no pause of this process lets it lapse by accident.
 */
const ACTIVE = 100;
const LOCK_TTL = 2_000;
const intervals = { activeIntervalMs: ACTIVE, idleIntervalMs: 500, maxBackoffMs: 1000 };
const JOB = 'long-7f3e9a1c';

const redis = await requireRedis(suiteName(import.meta.url));
const REDIS_URL = redis?.url ?? TEST_REDIS_URL;

interface Replica {
  hub: LiveHub;
  /** Dies without a word: connections dropped, EMS calls hang, lock left to expire. */
  kill(): void;
}

describe.skipIf(!redis)('LiveHub across replicas (Redis)', () => {
  let prefix: string;
  let admin: Redis;
  const replicas: Replica[] = [];

  function replica(ems: FakeEms): Replica {
    const publishClient = new Redis(REDIS_URL);
    const subscribeClient = new Redis(REDIS_URL);
    for (const c of [publishClient, subscribeClient]) c.on('error', () => {});
    const hub = createLiveHub({
      upstream: ems.upstream,
      intervals,
      lockTtlMs: LOCK_TTL,
      lockRefreshMs: ACTIVE,
      topicPrefix: `${prefix}live:`,
      pubsub: createRedisPubSub({ publishClient, subscribeClient }),
      coordinator: createRedisCoordinator({ redis: publishClient, keyPrefix: prefix, replicaId: randomUUID() }),
      onClose: async () => {
        await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
      },
    });
    const r: Replica = {
      hub,
      kill() {
        publishClient.disconnect();
        subscribeClient.disconnect();
      },
    };
    replicas.push(r);
    return r;
  }

  beforeAll(() => {
    admin = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await admin.quit();
  });
  beforeEach(() => {
    prefix = `test-hub-${randomUUID().slice(0, 8)}:`;
  });
  afterEach(async () => {
    await Promise.allSettled(replicas.splice(0).map((r) => r.hub.close()));
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length) await admin.del(...keys);
  });

  it('polls once per interval for subscribers on two replicas, and both receive every change', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 1 });
    const [r1, r2] = [replica(ems), replica(ems)];
    const s1 = Array.from({ length: 3 }, () => collect(r1.hub.watchJob(caller('scope', 'r1'), JOB)));
    await until(() => s1.every((s) => s.values.length === 1), 10_000, 'state on the first replica');
    const s2 = Array.from({ length: 3 }, () => collect(r2.hub.watchJob(caller('scope', 'r2'), JOB)));
    await until(() => s2.every((s) => s.values.length === 1), 10_000, 'state on the second replica');
    expect(s2[0]!.values[0]).toMatchObject({ progress: 1 });

    const start = ems.calls.length;
    const startedAt = Date.now();
    await until(() => ems.calls.length >= start + 5, 10_000, 'five more polls');
    const elapsed = Date.now() - startedAt;
    const polls = ems.calls.slice(start);
    // One poller: its polls are at least an interval apart (two pollers would interleave theirs),
    // so no more than elapsed / interval + 1 of them, however long the wait took.
    expect(new Set(polls.map((p) => p.label))).toEqual(new Set(['r1']));
    for (let i = 1; i < polls.length; i++) expect(polls[i]!.at - polls[i - 1]!.at).toBeGreaterThanOrEqual(ACTIVE - 1);
    expect(polls.length).toBeLessThanOrEqual(Math.floor(elapsed / (ACTIVE - 1)) + 1);
    expect(r1.hub.stats().polling + r2.hub.stats().polling).toBe(1);

    ems.job(JOB, { progress: 2 });
    await until(() => [...s1, ...s2].every((s) => s.values.length === 2), 10_000, 'change on both replicas');
    ems.job(JOB, { progress: 100, status: 'COMPLETED' });
    await Promise.all([...s1, ...s2].map((s) => s.finished));
    for (const s of [...s1, ...s2]) expect(s.values.map((j) => j.progress)).toEqual([1, 2, 100]);
    // A watch leaves the hub's stats only once its poller lock is released.
    await until(() => r1.hub.stats().watches === 0 && r2.hub.stats().watches === 0, 10_000, 'both watches to end');
    expect(await admin.keys(`${prefix}lock:*`)).toEqual([]);
  });

  it('hands a late subscriber on another replica the stored state without polling', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 42 });
    const [r1, r2] = [replica(ems), replica(ems)];
    const first = collect(r1.hub.watchJob(caller('scope', 'r1'), JOB));
    await until(() => first.values.length === 1, 10_000, 'state on the first replica');
    const late = collect(r2.hub.watchJob(caller('scope', 'r2'), JOB));
    await until(() => late.values.length === 1, 10_000, 'state on the second replica');
    // Unchanged progress is never published: the state came from Redis, and r2 did not poll for it.
    expect(late.values[0]).toMatchObject({ progress: 42 });
    expect(ems.count(JOB, 'r2')).toBe(0);
  });

  it('lets another replica take over when the poller dies, from where it left off', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 10 });
    const [r1, r2] = [replica(ems), replica(ems)];
    const s1 = collect(r1.hub.watchJob(caller('scope', 'r1'), JOB));
    await until(() => s1.values.length === 1, 10_000, 'state on the first replica');
    const s2 = collect(r2.hub.watchJob(caller('scope', 'r2'), JOB));
    await until(() => s2.values.length === 1, 10_000, 'state on the second replica');
    await until(() => ems.count(JOB, 'r1') >= 3, 10_000, 'r1 to keep polling');
    expect(ems.count(JOB, 'r2')).toBe(0);

    ems.frozen.add('r1');
    r1.kill();
    await until(() => ems.count(JOB, 'r2') > 0, 10 * LOCK_TTL, 'r2 to poll once the dead replica’s lock expired');

    ems.job(JOB, { progress: 20 });
    await until(() => s2.values.length === 2, 10_000, 'change after take-over');
    expect(s2.values.map((j) => j.progress)).toEqual([10, 20]);
    ems.job(JOB, { status: 'STOPPED' });
    await s2.finished;
    expect(s2.values.at(-1)?.status).toBe('STOPPED');
  });

  it('while Redis is unreachable each replica polls for its own subscribers, and rejoins one poller when it returns', async () => {
    const proxy = await createTcpProxy(Number(new URL(REDIS_URL).port || 6379), new URL(REDIS_URL).hostname);
    try {
      const viaProxy = `redis://127.0.0.1:${proxy.port}`;
      const ems = new FakeEms();
      const cut = (label: string) => {
        const config = loadConfig({ REDIS_URL: viaProxy, REDIS_KEY_PREFIX: prefix, POLL_ACTIVE_MS: String(ACTIVE), POLL_IDLE_MS: '500', POLL_MAX_BACKOFF_MS: '1000' });
        return createLiveHubFromConfig(config, { upstream: ems.upstream, lockTtlMs: LOCK_TTL, lockRefreshMs: ACTIVE, logger: { debug: () => {}, warn: () => {} } }).then((hub) => {
          replicas.push({ hub, kill: () => {} });
          return { hub, label };
        });
      };
      ems.job(JOB, { progress: 1 });
      const [r1, r2] = await Promise.all([cut('r1'), cut('r2')]);
      const s1 = collect(r1.hub.watchJob(caller('scope', 'r1'), JOB));
      await until(() => s1.values.length === 1, 10_000, 'state on the first replica');
      const s2 = collect(r2.hub.watchJob(caller('scope', 'r2'), JOB));
      await until(() => s2.values.length === 1, 10_000, 'state on the second replica');
      expect([r1.hub.stats().mode, r2.hub.stats().mode]).toEqual(['shared', 'shared']);
      expect(r1.hub.stats().polling + r2.hub.stats().polling).toBe(1);

      proxy.cut();
      const cutAt = Date.now();
      await until(() => ems.count(JOB, 'r1') > 0 && ems.calls.some((c) => c.label === 'r2' && c.at > cutAt), 20_000, 'both replicas to poll alone');
      expect([r1.hub.stats().mode, r2.hub.stats().mode]).toEqual(['local', 'local']);
      // Subscribers on both keep receiving changes, from their own replica's poller.
      ems.job(JOB, { progress: 2 });
      await until(() => s1.values.length === 2 && s2.values.length === 2, 20_000, 'a change during the outage');
      ems.job(JOB, { progress: 3 });
      await until(() => s1.values.length === 3 && s2.values.length === 3, 20_000, 'another change during the outage');

      proxy.restore();
      await until(() => r1.hub.stats().mode === 'shared' && r2.hub.stats().mode === 'shared', 20_000, 'shared mode again');
      await until(() => r1.hub.stats().polling + r2.hub.stats().polling === 1, 20_000, 'one poller again');
      // One poller for both again: its polls are at least an interval apart (two would interleave).
      const start = ems.calls.length;
      await until(() => ems.calls.length >= start + 5, 20_000, 'five more polls');
      const polls = ems.calls.slice(start);
      for (let i = 1; i < polls.length; i++) expect(polls[i]!.at - polls[i - 1]!.at).toBeGreaterThanOrEqual(ACTIVE - 1);
      ems.job(JOB, { progress: 100, status: 'COMPLETED' });
      await Promise.all([s1.finished, s2.finished]);
      for (const s of [s1, s2]) expect(s.values.map((j) => j.progress)).toEqual([1, 2, 3, 100]);
    } finally {
      await proxy.close();
    }
  });

  it('keeps scopes apart across replicas', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 3 });
    ems.hiddenFrom.set('other', new Set([JOB]));
    const [r1, r2] = [replica(ems), replica(ems)];
    const mine = collect(r1.hub.watchJob(caller('scope-mine', 'mine'), JOB));
    await until(() => mine.values.length === 1, 10_000, 'state for the first scope');
    const theirs = collect(r2.hub.watchJob(caller('scope-theirs', 'other'), JOB));
    await theirs.finished;
    expect(theirs.values).toEqual([]);
    expect(theirs.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(mine.done).toBe(false);
  });

  it('creates the hub from config; with Redis unreachable it starts in local mode, with a warning', async () => {
    const config = loadConfig({ EMS_ENDPOINT: 'http://127.0.0.1:9', REDIS_URL, REDIS_KEY_PREFIX: prefix, POLL_ACTIVE_MS: '100' });
    const logger = { debug() {}, warn() {} };
    const ems = new FakeEms();
    const hub = await createLiveHubFromConfig(config, { logger, upstream: ems.upstream });
    ems.job(JOB, { status: 'COMPLETED', progress: 100 });
    const sub = collect(hub.watchJob(caller('scope'), JOB));
    await sub.finished;
    expect(sub.values).toHaveLength(1);
    await hub.close();

    const bad = loadConfig({ EMS_ENDPOINT: 'http://127.0.0.1:9', REDIS_URL: 'redis://127.0.0.1:1' });
    const warnings: string[] = [];
    const alone = await createLiveHubFromConfig(bad, { logger: { debug() {}, warn: (_o: unknown, msg: string) => void warnings.push(msg) }, upstream: ems.upstream });
    expect(alone.stats().mode).toBe('local');
    expect(warnings).toContain('Redis unreachable at start: serving alone (local mode) until it answers');
    await alone.close();
  });
});
