import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createSimulator, type EmsSimulator } from '../../src/simulator/index.js';
import { print } from 'graphql';
import { MUTATIONS } from '../mutations/operations.js';
import { until } from '../subscriptions/live-helpers.js';

/**
 * REQUEST_TIMEOUT_MS: one deadline for the whole operation, retries and nested stages included;
 * reads are aborted when it passes or the client goes away; a write once sent is never cut off.
 */
describe('request deadline', () => {
  const DEADLINE_MS = 600;
  const STALL_MS = 20_000;
  let sim: EmsSimulator;
  let app: App;
  let url: string;
  const lines: { msg: string; operation?: string; code?: string; durationMs?: number }[] = [];

  beforeAll(async () => {
    sim = createSimulator({ clockSpeed: 0 });
    await sim.start();
    const config = loadConfig({
      EMS_ENDPOINT: sim.url,
      EMS_PROJECT_ID: sim.credentials.projectId,
      EMS_TIMEOUT_MS: '10000',
      EMS_CIRCUIT_THRESHOLD: '0',
      REQUEST_TIMEOUT_MS: String(DEADLINE_MS),
      AUDIT_LOG: 'off',
    });
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
    app = await buildApp(config, { logger });
    url = await app.start(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app?.stop(0);
    await sim?.stop();
  });
  afterEach(() => {
    sim.resetFaults();
    sim.stats.reset();
    lines.length = 0;
  });

  const post = (body: unknown, signal?: AbortSignal) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': sim.credentials.token },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });

  it('ends a query whose EMS stalls at the deadline, retries and all, with UPSTREAM_TIMEOUT', async () => {
    sim.setFaults({ latencyMs: STALL_MS, operations: ['ListClusters'] });
    const started = performance.now();
    const body = (await (await post({ query: '{ clusters(first: 2) { totalCount } }' })).json()) as { errors?: any[] };
    const elapsed = performance.now() - started;
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', retryable: true });
    expect(body.errors?.[0]?.message).toMatch(/deadline passed/);
    // Bounded by the deadline, not by the per-attempt timeout times the attempts (3 × 10 s).
    expect(elapsed).toBeLessThan(STALL_MS / 4);
    expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
  });

  it('aborts the EMS reads of a client that went away', async () => {
    sim.setFaults({ latencyMs: STALL_MS, operations: ['ListClusters'] });
    const controller = new AbortController();
    const request = post({ query: '{ clusters(first: 2) { totalCount } }' }, controller.signal).catch(() => null);
    await until(() => sim.stats.calls.ListClusters >= 1, 5_000, 'the read to reach EMS');
    const abortedAt = performance.now();
    controller.abort();
    await request;
    // Abandoned by its caller, it says nothing about EMS: a debug line, not a failed call at warn.
    const abandoned = (l: (typeof lines)[number]) => l.msg === 'EMS call abandoned: its caller went away or the gateway is stopping' && l.operation === 'ListClusters';
    await until(() => lines.some(abandoned), 5_000, 'the read to end');
    expect(lines.filter((l) => l.msg === 'EMS call failed' && l.operation === 'ListClusters')).toEqual([]);
    expect(performance.now() - abortedAt).toBeLessThan(STALL_MS / 4);
  });

  it('never cuts off a write once sent: it gets its EMS answer past the deadline', async () => {
    sim.setFaults({ latencyMs: 3 * DEADLINE_MS, operations: ['CreateCluster'] });
    const input = { name: `deadline-${randomUUID().slice(0, 8)}`, k8s: { k8sClusterId: randomUUID() } };
    const body = (await (await post({ query: print(MUTATIONS.createCluster), variables: { input } })).json()) as { data?: any; errors?: any[] };
    expect(body.data?.createCluster).toMatchObject({ __typename: 'CreateClusterPayload', clusterId: expect.any(String) });
    expect(sim.stats.calls.CreateCluster).toBeGreaterThanOrEqual(1);
  });
});
