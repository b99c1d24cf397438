import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type EmsSimulator } from '../../src/simulator/index.js';
import { startGateway, startRedisServer, type GatewayProcess, type RedisServerProcess } from '../fixtures/processes.js';
import { requireRedisServer, suiteName } from '../fixtures/services.js';
import { JobProgressDocument } from '../generated/graphql.js';
import { MUTATIONS, type MutationInput, type MutationResult } from '../mutations/operations.js';
import { cancelJob, createClusterJob, pollsOf, sleep, subscribe, until, wsClient, type Received } from '../subscriptions/live-helpers.js';

/**
 * Three gateway processes, one Redis of their own (started here, so stopping it disturbs no one),
 * one EMS simulator: what a rolling deploy, a crash and a Redis blip do to 300 subscribers and to a
 * write in flight.
 */

const ACTIVE = 500;
const SUBSCRIBERS_PER_GATEWAY = 100;
const CLIENTS_PER_GATEWAY = 10;

const redisServer = await requireRedisServer(suiteName(import.meta.url));

describe.skipIf(!redisServer)('three gateway replicas sharing one Redis', () => {
  let sim: EmsSimulator;
  let redis: RedisServerProcess;
  let gateways: GatewayProcess[] = [];
  let jobId: string;
  const subs = new Map<GatewayProcess, Received<{ status: string; progress: number }>[]>();
  const clients: ReturnType<typeof wsClient>[] = [];

  async function metric(g: GatewayProcess, name: string): Promise<number> {
    const text = await (await fetch(new URL('/metrics', g.url))).text();
    const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
    return match ? Number(match[1]) : NaN;
  }

  async function readiness(g: GatewayProcess): Promise<{ status: string; checks: { subscriptions: string } }> {
    return (await (await fetch(new URL('/readyz', g.url))).json()) as { status: string; checks: { subscriptions: string } };
  }

  async function createCluster(g: GatewayProcess, input: MutationInput<'createCluster'>) {
    const response = await fetch(g.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': sim.credentials.token },
      body: JSON.stringify({ query: print(MUTATIONS.createCluster), variables: { input } }),
    });
    return (await response.json()) as { data?: { createCluster: MutationResult<'createCluster'> }; errors?: unknown[] };
  }

  beforeAll(async () => {
    sim = createSimulator({ clockSpeed: 1 });
    await sim.start();
    redis = await startRedisServer(redisServer!.path);
    const env = {
      EMS_ENDPOINT: sim.url,
      EMS_PROJECT_ID: sim.credentials.projectId,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `e2e-${randomUUID().slice(0, 8)}:`,
      POLL_ACTIVE_MS: String(ACTIVE),
      POLL_IDLE_MS: String(2 * ACTIVE),
      EMS_TIMEOUT_MS: '3000',
      SHUTDOWN_GRACE_MS: '5000',
      LOG_LEVEL: 'warn',
    };
    gateways = await Promise.all([startGateway(env), startGateway(env), startGateway(env)]);
    ({ jobId } = await createClusterJob(sim));
    for (const g of gateways) {
      const list: Received<{ status: string; progress: number }>[] = [];
      for (let c = 0; c < CLIENTS_PER_GATEWAY; c++) {
        const client = wsClient(g.url, sim.credentials.token);
        clients.push(client);
        for (let i = 0; i < SUBSCRIBERS_PER_GATEWAY / CLIENTS_PER_GATEWAY; i++) list.push(subscribe(client, JobProgressDocument, { id: jobId }));
      }
      subs.set(g, list);
    }
    await until(() => [...subs.values()].flat().every((s) => s.values.length >= 1), 20_000, 'the first event on all 300 subscribers');
  }, 90_000);

  afterAll(async () => {
    for (const c of clients) void c.dispose();
    for (const g of gateways) if (g.child.exitCode === null && g.child.signalCode === null) g.child.kill('SIGKILL');
    await redis?.stop();
    await sim?.stop();
  });

  it('spreads 300 subscribers over three replicas with one poller between them', async () => {
    expect([...subs.values()].flat()).toHaveLength(300);
    const polling = await Promise.all(gateways.map((g) => metric(g, 'ems_subscription_polling')));
    expect(polling.reduce((a, b) => a + b, 0)).toBe(1);
    for (const g of gateways) expect(await metric(g, 'ems_subscription_subscribers')).toBe(SUBSCRIBERS_PER_GATEWAY);
  });

  it('keeps every subscriber receiving events while Redis is down for 5 s, then shares one poller again', async () => {
    const all = [...subs.values()].flat();
    await redis.stop();
    const stoppedAt = Date.now();
    const before = all.map((s) => s.values.length);
    await sleep(5_000);
    // Each replica polled for its own subscribers: every one of them saw the job move on meanwhile.
    for (const [i, s] of all.entries()) {
      const during = s.at.filter((t) => t > stoppedAt).length;
      expect(during, `subscriber ${i} during the outage`).toBeGreaterThanOrEqual(2);
      expect(s.values.length).toBeGreaterThan(before[i]!);
      expect(s.error).toBeNull();
    }
    expect((await Promise.all(gateways.map(readiness))).map((r) => [r.status, r.checks.subscriptions])).toEqual(Array(3).fill(['ready', 'local']));

    await redis.restart();
    const rejoined = async () => (await Promise.all(gateways.map(readiness))).every((r) => r.checks.subscriptions === 'shared');
    for (let i = 0; !(await rejoined()); i++) {
      if (i > 100) throw new Error('the replicas did not rejoin shared mode');
      await sleep(100);
    }
    let total = 0;
    for (let i = 0; i < 50 && total !== 1; i++) {
      await sleep(ACTIVE / 2);
      total = (await Promise.all(gateways.map((g) => metric(g, 'ems_subscription_polling')))).reduce((a, b) => a + b, 0);
    }
    expect(total).toBe(1);
  });

  it('on SIGTERM the polling replica tells its subscribers to reconnect and exits 0; another takes over within two intervals, and the rest see the job end', async () => {
    const polling = await Promise.all(gateways.map((g) => metric(g, 'ems_subscription_polling')));
    const poller = gateways[polling.indexOf(1)]!;
    const survivors = gateways.filter((g) => g !== poller);
    poller.child.kill('SIGTERM');
    const termAt = Date.now();
    expect(await poller.exited).toBe(0);
    for (const s of subs.get(poller)!) {
      await s.done;
      expect(s.results.at(-1)?.errors?.[0]?.extensions).toMatchObject({ code: 'SHUTTING_DOWN', retryable: true });
    }
    // The lock was released on the way out: a survivor polls at its next lock check (half an interval).
    await until(() => pollsOf(sim, jobId).some((p) => p.at > termAt), 10 * ACTIVE, 'a poll by a survivor');
    const pollsBefore = pollsOf(sim, jobId).filter((p) => p.at <= termAt);
    const firstAfter = pollsOf(sim, jobId).find((p) => p.at > termAt)!;
    const gap = firstAfter.at - pollsBefore.at(-1)!.at;
    expect(gap).toBeLessThanOrEqual(2 * ACTIVE + 250);

    await cancelJob(sim, jobId);
    const surviving = survivors.flatMap((g) => subs.get(g)!);
    expect(surviving).toHaveLength(200);
    await Promise.all(surviving.map((s) => s.done));
    for (const s of surviving) {
      expect(s.error).toBeNull();
      expect(s.completed).toBe(true);
      expect(s.values.at(-1)?.status).toBe('STOPPED');
    }
    gateways = survivors;
  });

  it('a createCluster whose replica is killed (-9) mid-write returns the created cluster when retried on another replica', async () => {
    const [doomed, other] = gateways as [GatewayProcess, GatewayProcess];
    const input = { name: `e2e-${randomUUID().slice(0, 8)}`, k8s: { k8sClusterId: randomUUID() }, idempotencyKey: randomUUID() };
    sim.setFaults({ latencyMs: 1_000, operations: ['CreateCluster'] });
    sim.stats.reset();
    const lost = createCluster(doomed, input).catch((error: unknown) => error);
    await until(() => sim.stats.calls.CreateCluster === 1, 10_000, 'the write to reach EMS');
    doomed.child.kill('SIGKILL');
    expect(await lost).toBeInstanceOf(Error);
    sim.resetFaults();

    const retried = await createCluster(other, input);
    expect(retried.errors).toBeUndefined();
    expect(retried.data!.createCluster).toMatchObject({ __typename: 'CreateClusterPayload', replayed: true, cluster: { name: input.name } });
    expect(sim.stats.calls.CreateCluster).toBe(1);
  });
});
