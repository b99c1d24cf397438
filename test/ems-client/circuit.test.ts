import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmsApi } from '../../src/ems/api.js';
import { createEmsClient, type EmsClient } from '../../src/ems/client.js';
import { EmsHttpError, EmsInvalidRequestError, EmsNetworkError } from '../../src/ems/errors.js';
import { readable } from '../../src/ems/read/index.js';
import { createSimulator, type EmsSimulator } from '../../src/simulator/index.js';

/** The circuit breaker of the EMS client, against the simulator over real HTTP. */
describe('EMS client circuit breaker', () => {
  let sim: EmsSimulator;
  let client: EmsClient;
  let api: EmsApi;
  let changes: string[];
  let clusterId: string;

  beforeAll(async () => {
    sim = createSimulator({ clockSpeed: 0 });
    await sim.start();
    const setup = createEmsClient({ endpoint: sim.url });
    clusterId = readable((await setup.forAuth({ kind: 'token', token: sim.credentials.token }).listClusters({ limit: 1 })).clusters)[0]!.id;
    await setup.close();
  });
  afterAll(async () => {
    await client?.close();
    await sim.stop();
  });
  beforeEach(async () => {
    await client?.close();
    changes = [];
    client = createEmsClient({
      endpoint: sim.url,
      maxRetries: 0,
      circuitBreaker: { threshold: 0.5, windowMs: 5_000, minCalls: 3, halfOpenAfterMs: 300, slowCallMs: 2_000 },
      onCircuitChange: (state) => changes.push(state),
    });
    api = client.forAuth({ kind: 'token', token: sim.credentials.token });
    sim.resetFaults();
    sim.stats.reset();
  });

  it('opens once the failure rate over the window passes the threshold, refuses calls without sending them, and closes after a good probe', async () => {
    sim.setFaults({ errorRate: 1 });
    for (let i = 0; i < 3; i++) await expect(api.showCluster(clusterId)).rejects.toBeInstanceOf(EmsHttpError);
    expect(changes).toEqual(['open']);

    const refused = await api.showCluster(clusterId).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(EmsNetworkError);
    expect(refused).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', sent: false, retryable: true, retryAfter: 1 });
    expect(sim.stats.count()).toBe(3);

    sim.resetFaults();
    await new Promise((r) => setTimeout(r, 350));
    await expect(api.showCluster(clusterId)).resolves.toMatchObject({ id: clusterId });
    expect(changes).toEqual(['open', 'closed']);
    expect(sim.stats.count()).toBe(4);
  });

  it('counts a stall before calls time out, cuts the reads in flight when it opens, and closes on the first good probe', async () => {
    await client.close();
    client = createEmsClient({
      endpoint: sim.url,
      maxRetries: 2,
      requestTimeoutMs: 60_000,
      circuitBreaker: { threshold: 0.5, windowMs: 5_000, minCalls: 3, halfOpenAfterMs: 200, slowCallMs: 100 },
      onCircuitChange: (state) => changes.push(state),
    });
    api = client.forAuth({ kind: 'token', token: sim.credentials.token });
    const stallMs = 30_000;
    sim.setFaults({ latencyMs: stallMs });
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 4 }, () => api.showCluster(clusterId).catch((e: unknown) => e)));
    const elapsed = performance.now() - started;
    expect(changes).toEqual(['open']);
    for (const result of results) {
      expect(result).toBeInstanceOf(EmsNetworkError);
      expect((result as Error).message).toMatch(/cut short: EMS looks down/);
    }
    // Cut short long before the stalled EMS would have answered, or the per-attempt timeout fired.
    expect(elapsed).toBeLessThan(stallMs / 2);
    // Refused at once while open, without sending.
    const sent = sim.stats.count();
    await expect(api.showCluster(clusterId)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', sent: false });
    expect(sim.stats.count()).toBe(sent);

    sim.resetFaults();
    await new Promise((r) => setTimeout(r, 250));
    await expect(api.showCluster(clusterId)).resolves.toMatchObject({ id: clusterId });
    expect(changes).toEqual(['open', 'closed']);
  });

  it('does not count EMS refusing a request as an outage', async () => {
    for (let i = 0; i < 5; i++) {
      await expect(api.showCluster(randomUUID())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
    expect(changes).toEqual([]);
    expect(sim.stats.count()).toBe(5);
  });

  it('refuses credentials no HTTP header can carry without sending them or counting an outage', async () => {
    // Such a token (e.g. from graphql-ws connectionParams) made undici throw, which read as EMS unreachable.
    for (const token of ['tok\r\nX-Injected: 1', 'tok\u0000', 'tok😀']) {
      const refused = await client.forAuth({ kind: 'token', token }).showCluster(clusterId).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(EmsInvalidRequestError);
      expect(refused).toMatchObject({ code: 'BAD_REQUEST', retryable: false });
      expect((refused as Error).message).toMatch(/^EMS ShowCluster was not sent: the token contains characters an HTTP header cannot carry/);
    }
    expect(changes).toEqual([]);
    expect(sim.stats.count()).toBe(0);
    await expect(api.showCluster(clusterId)).resolves.toBeDefined();
  });

  it('does not count calls the caller aborted', async () => {
    sim.setFaults({ latencyMs: 200 });
    for (let i = 0; i < 4; i++) {
      await expect(api.showCluster(clusterId, { signal: AbortSignal.timeout(20) })).rejects.toBeDefined();
    }
    expect(changes).toEqual([]);
  });
});
