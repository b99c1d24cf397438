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
import { collect, FakeEms, sleep, until } from './fake-ems.js';

const ACTIVE = 100;
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

  function replica(): Replica {
    const publishClient = new Redis(REDIS_URL);
    const subscribeClient = new Redis(REDIS_URL);
    for (const c of [publishClient, subscribeClient]) c.on('error', () => {});
    const hub = createLiveHub({
      intervals,
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
    const [r1, r2] = [replica(), replica()];
    const s1 = Array.from({ length: 3 }, () => collect(r1.hub.watchJob('scope', ems.api('r1'), JOB)));
    await until(() => s1.every((s) => s.values.length === 1));
    const s2 = Array.from({ length: 3 }, () => collect(r2.hub.watchJob('scope', ems.api('r2'), JOB)));
    await until(() => s2.every((s) => s.values.length === 1), 1000, 'state on the second replica');
    expect(s2[0]!.values[0]).toMatchObject({ progress: 1 });

    const start = ems.calls.length;
    await sleep(1000);
    const polls = ems.calls.slice(start);
    // 1000 ms at 100 ms: about 10 polls, all by one replica (two pollers would make ~20).
    expect(polls.length).toBeGreaterThanOrEqual(7);
    expect(polls.length).toBeLessThanOrEqual(11);
    expect(new Set(polls.map((p) => p.label))).toEqual(new Set(['r1']));
    expect(r1.hub.stats().polling + r2.hub.stats().polling).toBe(1);

    ems.job(JOB, { progress: 2 });
    await until(() => [...s1, ...s2].every((s) => s.values.length === 2), 1000, 'change on both replicas');
    ems.job(JOB, { progress: 100, status: 'COMPLETED' });
    await Promise.all([...s1, ...s2].map((s) => s.finished));
    for (const s of [...s1, ...s2]) expect(s.values.map((j) => j.progress)).toEqual([1, 2, 100]);
    await until(() => r1.hub.stats().watches === 0 && r2.hub.stats().watches === 0);
    expect(await admin.keys(`${prefix}lock:*`)).toEqual([]);
  });

  it('hands a late subscriber on another replica the stored state without polling', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 42 });
    const [r1, r2] = [replica(), replica()];
    const first = collect(r1.hub.watchJob('scope', ems.api('r1'), JOB));
    await until(() => first.values.length === 1);
    const late = collect(r2.hub.watchJob('scope', ems.api('r2'), JOB));
    await until(() => late.values.length === 1, 50, 'state within 50 ms');
    expect(late.values[0]).toMatchObject({ progress: 42 });
    expect(ems.count(JOB, 'r2')).toBe(0);
  });

  it('lets another replica take over within two intervals when the poller dies', async () => {
    const ems = new FakeEms();
    ems.job(JOB, { progress: 10 });
    const [r1, r2] = [replica(), replica()];
    const s1 = collect(r1.hub.watchJob('scope', ems.api('r1'), JOB));
    await until(() => s1.values.length === 1);
    const s2 = collect(r2.hub.watchJob('scope', ems.api('r2'), JOB));
    await until(() => s2.values.length === 1);
    await sleep(250);
    expect(ems.count(JOB, 'r2')).toBe(0);

    ems.frozen.add('r1');
    r1.kill();
    const killedAt = Date.now();
    const lastR1Poll = ems.calls.filter((c) => c.label === 'r1').at(-1)!.at;
    await until(() => ems.count(JOB, 'r2') > 0, 2000, 'r2 to poll');
    const firstR2Poll = ems.calls.find((c) => c.label === 'r2')!.at;
    // Gap between the dead poller's last poll and the new one's first: at most two intervals (+ timer slack).
    expect(firstR2Poll - lastR1Poll).toBeLessThanOrEqual(2 * ACTIVE + 60);
    expect(firstR2Poll - killedAt).toBeLessThanOrEqual(2 * ACTIVE + 60);

    ems.job(JOB, { progress: 20 });
    await until(() => s2.values.length === 2, 1000, 'change after take-over');
    expect(s2.values.map((j) => j.progress)).toEqual([10, 20]);
    ems.job(JOB, { status: 'STOPPED' });
    await s2.finished;
    expect(s2.values.at(-1)?.status).toBe('STOPPED');
  });

  it('while Redis is unreachable each replica polls for its own subscribers, and rejoins one poller when it returns', async () => {
    const proxy = await createTcpProxy(Number(new URL(REDIS_URL).port || 6379), new URL(REDIS_URL).hostname);
    try {
      const viaProxy = `redis://127.0.0.1:${proxy.port}`;
      const cut = (label: string) => {
        const config = loadConfig({ REDIS_URL: viaProxy, REDIS_KEY_PREFIX: prefix, POLL_ACTIVE_MS: String(ACTIVE), POLL_IDLE_MS: '500', POLL_MAX_BACKOFF_MS: '1000' });
        return createLiveHubFromConfig(config, { logger: { debug: () => {}, warn: () => {} } }).then((hub) => {
          replicas.push({ hub, kill: () => {} });
          return { hub, label };
        });
      };
      const ems = new FakeEms();
      ems.job(JOB, { progress: 1 });
      const [r1, r2] = await Promise.all([cut('r1'), cut('r2')]);
      const s1 = collect(r1.hub.watchJob('scope', ems.api('r1'), JOB));
      await until(() => s1.values.length === 1);
      const s2 = collect(r2.hub.watchJob('scope', ems.api('r2'), JOB));
      await until(() => s2.values.length === 1);
      expect([r1.hub.stats().mode, r2.hub.stats().mode]).toEqual(['shared', 'shared']);
      expect(r1.hub.stats().polling + r2.hub.stats().polling).toBe(1);

      proxy.cut();
      const cutAt = Date.now();
      await until(() => ems.count(JOB, 'r1') > 0 && ems.calls.some((c) => c.label === 'r2' && c.at > cutAt), 3_000, 'both replicas to poll alone');
      expect([r1.hub.stats().mode, r2.hub.stats().mode]).toEqual(['local', 'local']);
      // Subscribers on both keep receiving changes, from their own replica's poller.
      ems.job(JOB, { progress: 2 });
      await until(() => s1.values.length === 2 && s2.values.length === 2, 2_000, 'a change during the outage');
      ems.job(JOB, { progress: 3 });
      await until(() => s1.values.length === 3 && s2.values.length === 3, 2_000, 'another change during the outage');

      proxy.restore();
      await until(() => r1.hub.stats().mode === 'shared' && r2.hub.stats().mode === 'shared', 5_000, 'shared mode again');
      await until(() => r1.hub.stats().polling + r2.hub.stats().polling === 1, 3_000, 'one poller again');
      // One poller for both again: about one poll an interval (two pollers would make twice as many).
      const start = ems.calls.length;
      const windowStart = Date.now();
      await sleep(10 * ACTIVE);
      expect(ems.calls.length - start).toBeLessThanOrEqual(Math.ceil((Date.now() - windowStart) / ACTIVE) + 2);
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
    const [r1, r2] = [replica(), replica()];
    const mine = collect(r1.hub.watchJob('scope-mine', ems.api('mine'), JOB));
    await until(() => mine.values.length === 1);
    const theirs = collect(r2.hub.watchJob('scope-theirs', ems.api('other'), JOB));
    await theirs.finished;
    expect(theirs.values).toEqual([]);
    expect(theirs.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(mine.done).toBe(false);
  });

  it('creates the hub from config, and a wrong REDIS_URL stops start-up', async () => {
    const config = loadConfig({ EMS_ENDPOINT: 'http://127.0.0.1:9', REDIS_URL, REDIS_KEY_PREFIX: prefix, POLL_ACTIVE_MS: '100' });
    const logger = { debug() {}, warn() {} };
    const hub = await createLiveHubFromConfig(config, { logger });
    const ems = new FakeEms();
    ems.job(JOB, { status: 'COMPLETED', progress: 100 });
    const sub = collect(hub.watchJob('scope', ems.api(), JOB));
    await sub.finished;
    expect(sub.values).toHaveLength(1);
    await hub.close();

    const bad = loadConfig({ EMS_ENDPOINT: 'http://127.0.0.1:9', REDIS_URL: 'redis://127.0.0.1:1' });
    await expect(createLiveHubFromConfig(bad, { logger })).rejects.toThrow(/Cannot connect to Redis at redis:\/\/127\.0\.0\.1:1/);
  });
});
