import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../fixtures/harness.js';
import { requireRedis, suiteName } from '../fixtures/services.js';
import { ClustersNestedDocument } from '../generated/graphql.js';
import { wsClient } from '../subscriptions/live-helpers.js';
import { apiKey } from './helpers.js';

const redis = await requireRedis(suiteName(import.meta.url));

/** Polls `check` (sync or async) until it holds, for up to 5 s. */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const post = (h: Harness, body: unknown, headers: Record<string, string> = {}) =>
  fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth-token': h.token, ...headers }, body: JSON.stringify(body) });

describe('cost in EMS calls', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.sim.seedClusters(100, { jobsPerCluster: 3 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('estimates a nested page by its batches, not per item, and reports estimated and actual on the response', async () => {
    h.sim.stats.reset();
    const result = await h.gql(ClustersNestedDocument, { first: 100 });
    expect(result.errors).toBeUndefined();
    // 1 ListClusters, 1 ListJobs per type, 1 ListReleases (test/schema/batching.test.ts).
    expect(result.extensions).toEqual({ cost: { estimated: 4, actual: 4 } });
    expect(h.sim.stats.count()).toBe(4);
  });

  it('counts aliases of root fields that call EMS, and the batch rules of clusters by id', async () => {
    const ids = ((await h.gql('{ clusters(first: 10) { edges { node { id } } } }')).data.clusters.edges as { node: { id: string } }[]).map((e) => e.node.id);
    const releases = await h.gql(`{ ${Array.from({ length: 7 }, (_, i) => `r${i}: releases(first: 1) { totalCount }`).join(' ')} }`);
    expect(releases.extensions).toEqual({ cost: { estimated: 7, actual: 7 } });
    const three = await h.gql(`{ ${ids.slice(0, 3).map((id, i) => `c${i}: cluster(id: "${id}") { id }`).join(' ')} }`);
    expect(three.extensions).toEqual({ cost: { estimated: 3, actual: 3 } });
    const ten = await h.gql(`{ ${ids.map((id, i) => `c${i}: cluster(id: "${id}") { id }`).join(' ')} }`);
    expect(ten.extensions).toEqual({ cost: { estimated: 1, actual: 1 } });
  });

  it('grows with first where each item costs a call (labels), and refuses an estimate over MAX_OPERATION_COST before any call', async () => {
    h.sim.stats.reset();
    const result = await h.gql('{ clusters(first: 1000) { edges { node { labels { key } } } } }');
    expect(result.data).toBeUndefined();
    expect(result.errors![0]!.extensions).toMatchObject({ code: 'OPERATION_TOO_COSTLY', cost: { estimated: 1002, max: 300 } });
    expect(result.extensions).toEqual({ cost: { estimated: 1002, actual: 0 } });
    expect(h.sim.stats.count()).toBe(0);
    const small = await h.gql('{ clusters(first: 2) { edges { node { labels { key } } } } }');
    expect(small.extensions!.cost).toMatchObject({ estimated: 3 });
  });

  it('counts in actual only the EMS calls that went upstream, not those the token gate held and failed', async () => {
    h.sim.stats.reset();
    // Three root fields, three EMS calls for a known token; a token EMS has not seen yet makes its
    // first call alone and the other two wait for its verdict, which refuses them without a call.
    const result = await h.gql('{ releases { totalCount } clusters { totalCount } features { totalCount } }', undefined, { token: `bogus-${randomUUID()}` });
    expect(result.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    await expect.poll(() => h.sim.stats.count()).toBe(1);
    expect(result.extensions).toEqual({ cost: { estimated: 3, actual: 1 } });
    h.sim.stats.reset();
    const valid = await h.gql('{ releases { totalCount } clusters { totalCount } features { totalCount } }');
    expect(valid.extensions).toEqual({ cost: { estimated: 3, actual: 3 } });
    expect(h.sim.stats.count()).toBe(3);
  });

  it('stops executing past MAX_ERRORS errors', async () => {
    const g = await startHarness({ env: { MAX_ERRORS: '5' } });
    try {
      const result = await g.gql(`{ ${Array.from({ length: 30 }, (_, i) => `a${i}: cluster(id: "x") { id }`).join(' ')} }`);
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]!.extensions).toMatchObject({ code: 'TOO_MANY_ERRORS', limit: 'MAX_ERRORS' });
    } finally {
      await g.close();
    }
  });
});

describe('rate limits', () => {
  it('limits requests per caller per window with RATE_LIMITED and retryAfter, per caller', async () => {
    const h = await startHarness({ env: { RATE_LIMIT_REQUESTS: '3' } });
    try {
      for (let i = 0; i < 3; i++) expect((await h.gql('{ releases { totalCount } }')).status).toBe(200);
      const limited = await post(h, { query: '{ releases { totalCount } }' });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      const body = (await limited.json()) as any;
      expect(body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfter: expect.any(Number) });
      // Another caller (another EMS token) has its own budget.
      expect((await h.gql('{ releases { totalCount } }', undefined, { token: h.sim.credentials.otherProjectToken })).status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('limits EMS calls per caller per window, charging the estimate before execution', async () => {
    const h = await startHarness({ env: { RATE_LIMIT_EMS_CALLS: '5' } });
    try {
      h.sim.stats.reset();
      const four = await h.gql(`{ ${Array.from({ length: 4 }, (_, i) => `r${i}: releases(first: 1) { totalCount }`).join(' ')} }`);
      expect(four.errors).toBeUndefined();
      const over = await h.gql(`{ a: releases(first: 1) { totalCount } b: releases(first: 1) { totalCount } }`);
      expect(over.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
      expect(h.sim.stats.count()).toBe(4);
    } finally {
      await h.close();
    }
  });

  it.skipIf(!redis)('shares the budget across replicas through Redis', async () => {
    const env = { REDIS_URL: redis!.url, REDIS_KEY_PREFIX: `test-${randomUUID().slice(0, 8)}:`, RATE_LIMIT_REQUESTS: '4' };
    const a = await startHarness({ env });
    const b = await startHarness({ env, sim: {} });
    try {
      // Both replicas front the same EMS token (each its own simulator, same seeded token).
      expect(b.token).toBe(a.token);
      const statuses: number[] = [];
      for (const g of [a, b, a, b, a, b]) statuses.push((await g.gql('{ releases { totalCount } }')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('throttles failed authentications per address: a bogus token costs one EMS call, then none', async () => {
    const h = await startHarness({ env: { RATE_LIMIT_AUTH_FAILURES: '3' } });
    try {
      h.sim.stats.reset();
      const bogus = await h.gql('{ releases { totalCount } clusters { totalCount } features { totalCount } }', undefined, { token: 'bogus-1' });
      expect(bogus.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
      await expect.poll(() => h.sim.stats.count()).toBe(1);
      // The same token again: refused from the cache, no call.
      const again = await h.gql('{ releases { totalCount } }', undefined, { token: 'bogus-1' });
      expect(again.status).toBe(401);
      expect(h.sim.stats.count()).toBe(1);
      // Failures so far: 2. One more new token costs its call; after that the address is refused outright.
      await h.gql('{ releases { totalCount } }', undefined, { token: 'bogus-2' });
      for (const token of ['bogus-3', 'bogus-4', h.token]) {
        const refused = await h.gql('{ releases { totalCount } }', undefined, { token });
        expect(refused.status).toBe(429);
        expect(refused.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
      }
      expect(h.sim.stats.count()).toBe(2);
    } finally {
      await h.close();
    }
  });
});

describe('failed authentications behind a shared address (a proxy, a NAT)', () => {
  const behind = { 'x-forwarded-for': '198.51.100.7' };

  it('refuses bad API keys from a throttled address, and still serves a good one', async () => {
    const good = apiKey('ci-bot', ['viewer']);
    const h = await startHarness({ env: { GATEWAY_AUTH: 'apikey', GATEWAY_API_KEYS: JSON.stringify([good.entry]), RATE_LIMIT_AUTH_FAILURES: '3', TRUST_PROXY_HOPS: '1' } });
    try {
      for (let i = 0; i < 3; i++) expect((await post(h, { query: '{ releases { totalCount } }' }, { ...behind, 'x-api-key': `egk_wrong-${i}` })).status).toBe(401);
      const throttled = await post(h, { query: '{ releases { totalCount } }' }, { ...behind, 'x-api-key': 'egk_wrong-3' });
      expect(throttled.status).toBe(429);
      const served = await post(h, { query: '{ releases { totalCount } }' }, { ...behind, 'x-api-key': good.key });
      expect(served.status).toBe(200);
      expect(((await served.json()) as any).data.releases.totalCount).toEqual(expect.any(Number));
    } finally {
      await h.close();
    }
  });

  it('serves a pass-through token EMS accepted from a throttled address, and costs EMS no call for a new one', async () => {
    const h = await startHarness({ env: { RATE_LIMIT_AUTH_FAILURES: '3', TRUST_PROXY_HOPS: '1' } });
    try {
      expect((await h.gql('{ releases { totalCount } }', undefined, { headers: behind })).status).toBe(200);
      for (let i = 0; i < 3; i++) {
        const refused = await h.gql('{ releases { totalCount } }', undefined, { token: `bogus-${i}`, headers: behind });
        expect(refused.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
      }
      h.sim.stats.reset();
      expect((await h.gql('{ releases { totalCount } }', undefined, { token: 'bogus-new', headers: behind })).status).toBe(429);
      expect(h.sim.stats.count()).toBe(0);
      for (let i = 0; i < 3; i++) {
        const served = await h.gql('{ releases { totalCount } }', undefined, { headers: behind });
        expect(served.status).toBe(200);
        expect(served.data.releases.totalCount).toEqual(expect.any(Number));
      }
      expect(h.sim.stats.count()).toBe(3);
    } finally {
      await h.close();
    }
  });
});

describe('WebSocket caps', () => {
  it('caps subscriptions per connection and connections per caller', async () => {
    const h = await startHarness({ env: { MAX_SUBSCRIPTIONS_PER_CONNECTION: '2', MAX_CONNECTIONS_PER_CALLER: '2' } });
    try {
      const ids = ((await h.gql('{ clusters(first: 3) { edges { node { id } } } }')).data.clusters.edges as { node: { id: string } }[]).map((e) => e.node.id);
      const client = wsClient(h.url, h.token);
      const errors: unknown[] = [];
      const firsts = await Promise.all(
        ids.map(
          (id) =>
            new Promise((resolve) =>
              client.subscribe({ query: `subscription { clusterStatus(id: "${id}") { id } }` }, { next: resolve, error: (e) => (errors.push(e), resolve(e)), complete: () => undefined }),
            ),
        ),
      );
      expect(firsts).toHaveLength(3);
      expect(errors).toHaveLength(1);
      expect((errors[0] as any)[0].extensions.code).toBe('RATE_LIMITED');

      const closed: number[] = [];
      const second = wsClient(h.url, h.token);
      const third = wsClient(h.url, h.token, { onClosed: (code) => closed.push(code) });
      // A running subscription keeps the (lazy) second connection open.
      await new Promise((resolve, reject) =>
        second.subscribe({ query: `subscription { clusterStatus(id: "${ids[0]}") { id } }` }, { next: resolve, error: reject, complete: () => undefined }),
      );
      await expect(new Promise((resolve, reject) => third.subscribe({ query: '{ __typename }' }, { next: resolve, error: reject, complete: () => undefined }))).rejects.toBeDefined();
      expect(closed).toEqual([4429]);
      await Promise.all([client.dispose(), second.dispose(), third.dispose()]);

      // SSE streams count as connections too; a closed one frees its place.
      const sse = () =>
        fetch(h.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-auth-token': h.token },
          body: JSON.stringify({ query: `subscription { clusterStatus(id: "${ids[0]}") { id } }` }),
        });
      // The WebSocket connections just closed free their places once the server sees them close.
      const open = async () => {
        let stream: Response | null = null;
        await until(async () => {
          const r = await sse();
          if (r.status === 200) stream = r;
          else await r.body?.cancel();
          return stream !== null;
        });
        return stream!;
      };
      const streams = [await open(), await open()];
      const over = await sse();
      expect(over.status).toBe(429);
      await streams[0]!.body!.cancel();
      const again = await open();
      await Promise.all([streams[1]!.body!.cancel(), again.body!.cancel()]);
    } finally {
      await h.close();
    }
  });
});
