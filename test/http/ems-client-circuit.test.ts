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
      circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 300 },
      onCircuitChange: (state) => changes.push(state),
    });
    api = client.forAuth({ kind: 'token', token: sim.credentials.token });
    clusterId ??= readable((await api.listClusters({ limit: 1 })).clusters)[0]!.id;
    sim.resetFaults();
    sim.stats.reset();
  });

  it('opens after consecutive outages, refuses calls without sending them, and closes after a good probe', async () => {
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
