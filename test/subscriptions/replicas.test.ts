import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type EmsSimulator } from '../../src/simulator/index.js';
import { startGateway, type GatewayProcess } from '../fixtures/processes.js';
import { TEST_REDIS_URL, requireRedis, suiteName } from '../fixtures/services.js';
import { createClusterJob, pollsOf, sleep, subscribe, until, wsClient, type Received } from './live-helpers.js';

const ACTIVE = 300;

const redis = await requireRedis(suiteName(import.meta.url));
const REDIS_URL = redis?.url ?? TEST_REDIS_URL;

type Gateway = GatewayProcess;

describe.skipIf(!redis)('subscriptions across two gateway processes sharing Redis', () => {
  let sim: EmsSimulator;
  let admin: Redis;
  const prefix = `test-sub-${randomUUID().slice(0, 8)}:`;
  const gateways: Gateway[] = [];

  beforeAll(async () => {
    sim = createSimulator({ clockSpeed: 1 });
    const simUrl = await sim.start();
    admin = new Redis(REDIS_URL);
    const env = {
      EMS_ENDPOINT: simUrl,
      EMS_PROJECT_ID: sim.credentials.projectId,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      POLL_ACTIVE_MS: String(ACTIVE),
      POLL_IDLE_MS: '1500',
      LOG_LEVEL: 'error',
    };
    gateways.push(...(await Promise.all([startGateway(env), startGateway(env)])));
  }, 40_000);

  afterAll(async () => {
    for (const g of gateways) if (g.child.exitCode === null && g.child.signalCode === null) g.child.kill('SIGKILL');
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length) await admin.del(...keys);
    await admin.quit();
    await sim?.stop();
  });

  it('polls once per interval with subscribers on both, and the survivor takes over when the poller is killed', async () => {
    const [a, b] = gateways as [Gateway, Gateway];
    const { jobId } = await createClusterJob(sim);

    // Subscribers on A first, so A takes the lock; then on B.
    const clientsA = [wsClient(a.url, sim.credentials.token), wsClient(a.url, sim.credentials.token)];
    const onA = clientsA.flatMap((c) => [subscribe(c, 'JobProgress', { id: jobId }), subscribe(c, 'JobProgress', { id: jobId })]);
    await until(() => onA.every((s) => s.values.length >= 1), 5000, 'state on A');
    const clientsB = [wsClient(b.url, sim.credentials.token), wsClient(b.url, sim.credentials.token)];
    const onB = clientsB.flatMap((c) => [subscribe(c, 'JobProgress', { id: jobId }), subscribe(c, 'JobProgress', { id: jobId })]);
    await until(() => onB.every((s) => s.values.length >= 1), 1000, 'state on B');
    // One lock for the job, held by one of the two processes.
    expect(await admin.keys(`${prefix}lock:*`)).toHaveLength(1);

    // One poller for both processes: ~10 polls in 3 s at 300 ms (two pollers would make ~20).
    const windowStart = Date.now();
    const before = pollsOf(sim, jobId).length;
    await sleep(3000);
    const inWindow = pollsOf(sim, jobId).length - before;
    const expected = (Date.now() - windowStart) / ACTIVE;
    expect(inWindow).toBeGreaterThanOrEqual(Math.floor(expected / 2));
    expect(inWindow).toBeLessThanOrEqual(Math.ceil(expected) + 1);

    // Every subscriber on either process received the same events.
    const sameTail = (s: Received<{ progress: number; status: string }>) => s.values.slice(-3).map((v) => `${v.status}:${v.progress}`);
    await sleep(100);
    const reference = sameTail(onA[0]!);
    expect(reference).toHaveLength(3);
    for (const s of [...onA, ...onB]) expect(sameTail(s)).toEqual(reference);

    // Kill the poller (A) without a chance to release its lock.
    a.child.kill('SIGKILL');
    const killedAt = Date.now();
    const receivedBefore = onB.map((s) => s.values.length);
    await until(() => pollsOf(sim, jobId).some((p) => p.at > killedAt + 20), 3000, 'a poll after the kill');
    const firstAfter = pollsOf(sim, jobId).find((p) => p.at > killedAt + 20)!;
    // Taken over within two intervals (lock TTL 1.5 intervals + a half-interval retry), plus timer slack.
    expect(firstAfter.at - killedAt).toBeLessThanOrEqual(2 * ACTIVE + 250);
    await until(() => onB.every((s, i) => s.values.length >= receivedBefore[i]! + 3), 5000, 'B to keep receiving');
    for (const s of onB) expect(s.error).toBeNull();

    // Still one poller, now B.
    const start2 = pollsOf(sim, jobId).length;
    const t2 = Date.now();
    await sleep(1500);
    const polls2 = pollsOf(sim, jobId).length - start2;
    expect(polls2).toBeLessThanOrEqual(Math.ceil((Date.now() - t2) / ACTIVE) + 1);

    await Promise.all(clientsB.map((c) => c.dispose()));
    for (const c of clientsA) void c.dispose();
  });
});
