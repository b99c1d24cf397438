import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../fixtures/harness.js';
import { startRedisServer, type RedisServerProcess } from '../fixtures/processes.js';
import { requireRedisServer, suiteName } from '../fixtures/services.js';
import { createClusterJob, subscribe, wsClient } from '../subscriptions/live-helpers.js';
import { JobProgressDocument } from '../generated/graphql.js';

const redisServer = await requireRedisServer(suiteName(import.meta.url));

/**
 * Redis down when the gateway starts: it starts in local mode (the run-time outage mode of
 * docs/resilience.md), says so at start and in /readyz, serves queries and subscriptions, and shares
 * its pollers once Redis answers. A redis-server of the test's own, stopped before the gateway
 * starts and started again on the same port.
 */
describe.skipIf(!redisServer)('Redis unreachable at start', () => {
  let redis: RedisServerProcess | undefined;
  let h: Harness | undefined;
  afterAll(async () => {
    await h?.close();
    await redis?.stop();
  });

  it('starts degraded (local mode) with a warning and /readyz saying so, and recovers when Redis comes back', async () => {
    redis = await startRedisServer(redisServer!.path);
    await redis.stop();
    const logged: { level: number; msg: string }[] = [];
    h = await startHarness({
      env: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: `test:${randomUUID()}:`, POLL_ACTIVE_MS: '100', POLL_IDLE_MS: '200' },
      logger: pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line)) }),
    });
    expect(logged).toContainEqual(expect.objectContaining({ level: 40, msg: 'Redis unreachable at start: serving alone (local mode) until it answers' }));

    const readyz = async () => {
      const response = await fetch(new URL('/readyz', h!.url));
      return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, string> } };
    };
    expect(await readyz()).toEqual({ status: 200, body: { status: 'ready', checks: { ems: 'up', redis: 'down', subscriptions: 'local' } } });

    // Queries and subscriptions are served meanwhile.
    expect((await h.gql('{ releases { totalCount } }')).data.releases.totalCount).toEqual(expect.any(Number));
    const { jobId } = await createClusterJob(h.sim);
    const client = wsClient(h.url, h.token);
    try {
      const job = subscribe(client, JobProgressDocument, { id: jobId });
      await expect.poll(() => job.values.length, { timeout: 10_000 }).toBeGreaterThan(0);
      expect(job.values[0]!.id).toBe(jobId);
      job.dispose();
    } finally {
      await client.dispose();
    }

    await redis.restart();
    await expect.poll(async () => (await readyz()).body.checks, { timeout: 15_000, interval: 100 }).toEqual({ ems: 'up', redis: 'up', subscriptions: 'shared' });
  });
});
