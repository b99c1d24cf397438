import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../fixtures/harness.js';

describe('gateway over HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const origin = () => new URL(h.url).origin;

  it('answers the quick-start query from the simulator', async () => {
    const result = await h.gql('{ clusters(first: 5) { totalCount edges { node { id name status } } } }');
    expect(result.errors).toBeUndefined();
    expect(result.data.clusters.edges).toHaveLength(5);
    expect(result.data.clusters.totalCount).toBeGreaterThanOrEqual(5);
    for (const { node } of result.data.clusters.edges) {
      expect(node.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(node.name).toMatch(/^[a-z][a-z0-9-]+$/);
    }
  });

  it('serves GraphQL over GET as well as POST', async () => {
    const query = encodeURIComponent('{ releases { totalCount } }');
    const response = await fetch(`${h.url}?query=${query}`, {
      headers: { 'x-auth-token': h.token, accept: 'application/graphql-response+json' },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).data.releases.totalCount).toBe(3);
  });

  it('reports health, readiness and metrics', async () => {
    expect((await fetch(`${origin()}/healthz`)).status).toBe(200);
    const ready = await fetch(`${origin()}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`${origin()}/metrics`)).text();
    expect(metrics).toContain('ems_upstream_requests_total');
    expect(metrics).toContain('graphql_operations_total');
    expect(metrics).toMatch(/^ems_subscription_subscribers 0$/m);
  });

  it('turns a missing token into UNAUTHENTICATED without leaking internals', async () => {
    const result = await h.gql('{ clusters(first: 1) { totalCount } }', undefined, { token: null });
    expect(result.data).toBeNull();
    const error = result.errors![0]!;
    expect(error.extensions).toMatchObject({ code: 'UNAUTHENTICATED', retryable: false });
    expect(error.extensions!.requestId).toEqual(expect.any(String));
    expect(JSON.stringify(result)).not.toMatch(/stack|at .*\.ts/);
  });

  it('refuses a query deeper than the limit before any upstream call', async () => {
    h.sim.stats.reset();
    const deep = '{ jobs(first: 1) { edges { node { cluster { jobs(first: 1) { edges { node { cluster { jobs(first: 1) { edges { node { cluster { id } } } } } } } } } } } } }';
    const result = await h.gql(deep);
    expect(result.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(h.sim.stats.count()).toBe(0);
  });

  it('answers malformed GraphQL with a clear error', async () => {
    const result = await h.gql('{ clusters(first: ) }');
    expect(result.errors?.[0]?.message).toMatch(/Syntax Error/);
  });
});
