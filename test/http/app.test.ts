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
    expect(await ready.json()).toEqual({ status: 'ready', checks: { ems: 'up', redis: 'not configured', subscriptions: 'single' } });
    const metrics = await (await fetch(`${origin()}/metrics`)).text();
    expect(metrics).toContain('ems_upstream_requests_total');
    expect(metrics).toContain('graphql_operations_total');
    expect(metrics).toMatch(/^ems_subscription_subscribers 0$/m);
    expect(metrics).toMatch(/^ems_subscription_mode\{mode="single"\} 1$/m);
  });

  it('answers /readyz from one upstream probe a second, and 503 while EMS fails', async () => {
    await new Promise((r) => setTimeout(r, 1_100));
    h.sim.stats.reset();
    const answers = await Promise.all(Array.from({ length: 10 }, () => fetch(`${origin()}/readyz`)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(h.sim.stats.count()).toBe(1);

    h.sim.setFaults({ errorRate: 1 });
    try {
      await new Promise((r) => setTimeout(r, 1_100));
      const down = await fetch(`${origin()}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ status: 'unavailable', checks: { ems: 'down', redis: 'not configured', subscriptions: 'single' } });
    } finally {
      h.sim.resetFaults();
    }
  });

  it('answers a missing token with 401 UNAUTHENTICATED before any upstream call, without leaking internals', async () => {
    h.sim.stats.reset();
    const result = await h.gql('{ clusters(first: 1) { totalCount } }', undefined, { token: null });
    expect(result.status).toBe(401);
    expect(result.data).toBeUndefined();
    const error = result.errors![0]!;
    expect(error.extensions).toMatchObject({ code: 'UNAUTHENTICATED', retryable: false });
    expect(error.message).toMatch(/X-Auth-Token/);
    expect(JSON.stringify(result)).not.toMatch(/stack|at .*\.ts/);
    expect(h.sim.stats.count()).toBe(0);
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

  it('answers variables that do not fit their types with 400 BAD_USER_INPUT naming the variable', async () => {
    h.sim.stats.reset();
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['query($n: Int) { releases(first: $n) { totalCount } }', { n: 'ten' }, /^Variable "\$n" got invalid value "ten"; Int cannot represent/],
      ['query($id: ID!) { cluster(id: $id) { id } }', { id: { a: 1 } }, /^Variable "\$id" got invalid value/],
      ['query($id: ID!) { cluster(id: $id) { id } }', { id: null }, /^Variable "\$id" of non-null type "ID!" must not be null/],
      [
        'mutation($i: CreateClusterInput!) { createCluster(input: $i) { __typename } }',
        { i: { name: 'abcd', chargeMode: 'FREE', k8s: { k8sClusterId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' } } },
        /^Variable "\$i" got invalid value "FREE" at "i.chargeMode"/,
      ],
    ];
    for (const [query, variables, message] of cases) {
      const result = await h.gql(query, variables);
      expect(result.status).toBe(400);
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]!.message).toMatch(message);
      expect(result.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', upstreamCode: null, requestId: null, retryable: false });
    }
    expect(h.sim.stats.count()).toBe(0);
  });

  it('answers GET parameters that are not JSON with 400 BAD_REQUEST', async () => {
    const query = encodeURIComponent('query($n: Int) { releases(first: $n) { totalCount } }');
    for (const param of ['variables={"n":', 'extensions=nope']) {
      const response = await fetch(`${h.url}?query=${query}&${param}`, { headers: { 'x-auth-token': h.token, accept: 'application/json' } });
      expect(response.status).toBe(400);
      const body = (await response.json()) as any;
      expect(body.errors[0].message).toMatch(/^The GraphQL request parameters are not valid JSON: /);
      expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
    }
  });

  it('quotes a huge bad argument briefly, however many fields repeat it', async () => {
    // 40 fields (within MAX_ALIASES) × a 100 kB id would be a 4 MB response if each error quoted the id in full.
    const id = `short-${'a'.repeat(100_000)}`;
    const query = `query($id: ID!) { ${Array.from({ length: 40 }, (_, i) => `j${i}: job(id: $id) { id }`).join(' ')} }`;
    const response = await fetch(h.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': h.token },
      body: JSON.stringify({ query, variables: { id } }),
    });
    const text = await response.text();
    expect(text.length).toBeLessThan(200_000);
    const body = JSON.parse(text) as any;
    expect(body.errors).toHaveLength(40);
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toMatch(/^"id" must be at most 48 characters, got "short-a{58}"…$/);
  });
});
