import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type EmsSimulator } from '../../src/simulator/index.js';
import { startGateway, type GatewayProcess } from '../fixtures/processes.js';
import { TEST_REDIS_URL, requireRedis, suiteName } from '../fixtures/services.js';
import { createClusterJob, pollsOf, subscribe, until, wsClient, type Received } from './live-helpers.js';
import { JobProgressDocument } from '../generated/graphql.js';

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
    const onA = clientsA.flatMap((c) => [subscribe(c, JobProgressDocument, { id: jobId }), subscribe(c, JobProgressDocument, { id: jobId })]);
    await until(() => onA.every((s) => s.values.length >= 1), 20_000, 'state on A');
    const clientsB = [wsClient(b.url, sim.credentials.token), wsClient(b.url, sim.credentials.token)];
    const onB = clientsB.flatMap((c) => [subscribe(c, JobProgressDocument, { id: jobId }), subscribe(c, JobProgressDocument, { id: jobId })]);
    await until(() => onB.every((s) => s.values.length >= 1), 20_000, 'state on B');
    // One lock for the job, held by one of the two processes.
    expect(await admin.keys(`${prefix}lock:*`)).toHaveLength(1);

    // One poller for both processes: polls at least an interval apart (two pollers would interleave).
    expectOnePoller(await nextPolls(jobId, 5));

    // Every subscriber on either process receives the same events, in the same order (the job's
    // progress changes with every poll).
    await until(() => [...onA, ...onB].every((s) => s.values.length >= 4), 20_000, 'four events everywhere');
    const reference = onA[0]!;
    await until(() => reference.values.length >= Math.max(...[...onA, ...onB].map((s) => s.values.length)), 20_000, 'the reference to catch up');
    for (const s of [...onA, ...onB]) expectSameEvents(s, reference);

    // Kill the poller (A) without a chance to release its lock: B takes over once it expires
    // (within two intervals: pinned on a fake clock in hub.test.ts) and keeps everyone on B served.
    a.child.kill('SIGKILL');
    const receivedBefore = onB.map((s) => s.values.length);
    await until(() => onB.every((s, i) => s.values.length >= receivedBefore[i]! + 3), 20_000, 'B to keep receiving');
    for (const s of onB) expect(s.error).toBeNull();
    // Still one poller, now B.
    expectOnePoller(await nextPolls(jobId, 4));

    await Promise.all(clientsB.map((c) => c.dispose()));
    for (const c of clientsA) void c.dispose();
  });

  /** The next `count` polls of the job the simulator receives. */
  async function nextPolls(jobId: string, count: number) {
    const before = pollsOf(sim, jobId).length;
    await until(() => pollsOf(sim, jobId).length >= before + count, 20_000, `${count} more polls`);
    return pollsOf(sim, jobId).slice(before);
  }

  /** A poller waits an interval after each answer, so one poller's polls reach EMS at least an interval apart. */
  function expectOnePoller(polls: { at: number }[]) {
    for (let i = 1; i < polls.length; i++) expect(polls[i]!.at - polls[i - 1]!.at).toBeGreaterThanOrEqual(ACTIVE - 1);
  }

  /** `s` received the events `reference` did, in order, from its first one on. */
  function expectSameEvents(s: Received<{ progress: number; status: string }>, reference: Received<{ progress: number; status: string }>) {
    const key = (v: { progress: number; status: string }) => `${v.status}:${v.progress}`;
    const mine = s.values.map(key);
    const theirs = reference.values.map(key);
    const from = theirs.indexOf(mine[0]!);
    expect(from).toBeGreaterThanOrEqual(0);
    expect(mine).toEqual(theirs.slice(from, from + mine.length));
  }
});
