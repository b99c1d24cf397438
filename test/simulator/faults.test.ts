import { afterEach, describe, expect, it } from 'vitest';
import type { EmsSimulator } from '../../src/simulator/index.js';
import { call, clusterNamed, createBody, k8sIdOf, startSim, UUID_RE } from './helpers.js';

let sim: EmsSimulator;
afterEach(() => sim?.stop());

describe('faults', () => {
  it('answers 503 APIGW.0201 with errorRate 1, with X-Request-Id', async () => {
    sim = await startSim({ faults: { errorRate: 1 } });
    const res = await call(sim, 'GET', '/v1/clusters');
    expect(res.status).toBe(503);
    expect(res.body.error_code).toBe('APIGW.0201');
    expect(res.headers.get('x-request-id')).toMatch(UUID_RE);
  });

  it('answers 429 with Retry-After', async () => {
    sim = await startSim({ faults: { rateLimitRate: 1, retryAfterSeconds: 7 } });
    const res = await call(sim, 'GET', '/v1/jobs');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.body.error_code).toBe('APIGW.0308');
  });

  it('destroys the socket with resetRate 1', async () => {
    sim = await startSim({ faults: { resetRate: 1 } });
    await expect(call(sim, 'GET', '/v1/releases')).rejects.toThrow();
    expect(sim.stats.count('ListReleases')).toBe(1);
  });

  it('spoils 2xx bodies with malformedRate 1 (truncated or wrong shape), never errors', async () => {
    sim = await startSim({ faults: { malformedRate: 1 } });
    const kinds = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const res = await call(sim, 'GET', '/v1/clusters?limit=2');
      expect(res.status).toBe(200);
      if (res.body === null) kinds.add('truncated');
      else {
        expect(res.body.clusters).toBeUndefined();
        kinds.add('reshaped');
      }
    }
    expect(kinds).toEqual(new Set(['truncated', 'reshaped']));
    const err = await call(sim, 'GET', '/v1/clusters/11111111-2222-4333-8444-555555555555');
    expect(err.body).toEqual({ error_code: 'ems.00030005', error_msg: 'Cluster not found: [11111111-2222-4333-8444-555555555555].' });
  });

  it('restricts HTTP faults to the listed operations', async () => {
    sim = await startSim({ faults: { errorRate: 1, operations: ['ShowCluster'] } });
    expect((await call(sim, 'GET', '/v1/clusters')).status).toBe(200);
    const c = await clusterNamed(sim, 'kvcache-prod-01');
    expect((await call(sim, 'GET', `/v1/clusters/${c.cluster_metadata.id}`)).status).toBe(503);
    sim.resetFaults();
    expect((await call(sim, 'GET', `/v1/clusters/${c.cluster_metadata.id}`)).status).toBe(200);
  });

  it('samples a fault share deterministically from the seed', async () => {
    const run = async () => {
      sim = await startSim({ seed: 42, faults: { errorRate: 0.5 } });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await call(sim, 'GET', '/v1/releases')).status);
      await sim.stop();
      return statuses;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a).toContain(200);
    expect(a).toContain(503);
  });

  it('adds latency', async () => {
    sim = await startSim();
    sim.setFaults({ latencyMs: 80 });
    const t = performance.now();
    await call(sim, 'GET', '/v1/releases');
    expect(performance.now() - t).toBeGreaterThanOrEqual(75);
  });

  it('answers 500 ems.00030002 / ems.00030003 through createFailureRate / deleteFailureRate', async () => {
    sim = await startSim({ faults: { createFailureRate: 1, deleteFailureRate: 1 } });
    const k8sId = await k8sIdOf(sim, 'cce-prod-bj4-a');
    const created = await call(sim, 'POST', '/v1/clusters', { body: createBody('fault-create', k8sId) });
    expect(created.status).toBe(500);
    expect(created.body).toEqual({ error_code: 'ems.00030002', error_msg: 'Failed to create cluster.' });
    const c = await clusterNamed(sim, 'kvcache-prod-01');
    const deleted = await call(sim, 'DELETE', `/v1/clusters/${c.cluster_metadata.id}`);
    expect(deleted.status).toBe(500);
    expect(deleted.body).toEqual({ error_code: 'ems.00030003', error_msg: 'Failed to update cluster status to DELETING' });
    expect((await call(sim, 'GET', `/v1/clusters/${c.cluster_metadata.id}`)).body.cluster_metadata.status).toBe('RUNNING');
    expect((await call(sim, 'GET', '/v1/clusters')).body.clusters.some((x: any) => x.cluster_specification.name === 'fault-create')).toBe(false);
  });

  it('refuses invalid fault settings', async () => {
    sim = await startSim();
    expect(() => sim.setFaults({ errorRate: 2 })).toThrow(RangeError);
    expect(() => sim.setFaults({ operations: ['Nope' as never] })).toThrow(/unknown operation/);
    expect(() => sim.setFaults({ latencyMs: -1 })).toThrow(RangeError);
  });
});

describe('stats', () => {
  it('counts every routed request per operation, auth failures and faults included', async () => {
    sim = await startSim();
    await call(sim, 'GET', '/v1/clusters');
    await call(sim, 'GET', '/v1/clusters', { token: 'bad' });
    await call(sim, 'GET', '/v1/clusters?limit=1');
    await call(sim, 'GET', '/v1/not-an-operation');
    sim.setFaults({ errorRate: 1 });
    await call(sim, 'GET', '/v1/jobs');
    expect(sim.stats.calls.ListClusters).toBe(3);
    expect(sim.stats.calls.ListJobs).toBe(1);
    expect(sim.stats.count()).toBe(4);
    expect(sim.stats.count('ShowJob')).toBe(0);
    expect(sim.stats.log.map((e) => [e.operation, e.method, e.path])).toEqual([
      ['ListClusters', 'GET', '/v1/clusters'],
      ['ListClusters', 'GET', '/v1/clusters'],
      ['ListClusters', 'GET', '/v1/clusters?limit=1'],
      ['ListJobs', 'GET', '/v1/jobs'],
    ]);
    expect(typeof sim.stats.log[0]!.at).toBe('number');
  });

  it('resets in place', async () => {
    sim = await startSim();
    const calls = sim.stats.calls;
    await call(sim, 'GET', '/v1/releases');
    sim.stats.reset();
    expect(calls.ListReleases).toBe(0);
    expect(sim.stats.count()).toBe(0);
    expect(sim.stats.log).toHaveLength(0);
    await call(sim, 'GET', '/v1/releases');
    expect(calls.ListReleases).toBe(1);
  });

  it('records the highest concurrency per operation', async () => {
    sim = await startSim({ faults: { latencyMs: 250 } });
    await Promise.all(Array.from({ length: 5 }, () => call(sim, 'GET', '/v1/releases')));
    await call(sim, 'GET', '/v1/features');
    expect(sim.stats.maxInFlight.ListReleases).toBe(5);
    expect(sim.stats.maxInFlight.ListFeatures).toBe(1);
    expect(sim.stats.maxInFlight.ListJobs).toBe(0);
  });
});

describe('lifecycle', () => {
  it('throws on url before start, starts once, and stops idempotently', async () => {
    sim = await startSim();
    const url = sim.url;
    expect(await sim.start()).toBe(url);
    await sim.stop();
    await sim.stop();
    expect(() => sim.url).toThrow(/start/);
    await expect(fetch(`${url}/v1/releases`)).rejects.toThrow();
  });

  it('validates options', async () => {
    const { createSimulator } = await import('../../src/simulator/index.js');
    expect(() => createSimulator({ port: 70000 })).toThrow(RangeError);
    expect(() => createSimulator({ clockSpeed: -1 })).toThrow(RangeError);
    expect(() => createSimulator({ faults: { resetRate: 5 } })).toThrow(RangeError);
  });
});
