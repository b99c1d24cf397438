import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../fixtures/harness.js';

const INTROSPECTION = '{ __schema { types { name } } }';

describe('NODE_ENV=production', () => {
  let prod: Harness;
  let dev: Harness;
  let tokenMetrics: Harness;
  beforeAll(async () => {
    prod = await startHarness({ env: { NODE_ENV: 'production' } });
    dev = await startHarness();
    tokenMetrics = await startHarness({ env: { NODE_ENV: 'production', METRICS_TOKEN: 'scrape-secret-123', GRAPHQL_INTROSPECTION: 'true' } });
  });
  afterAll(async () => {
    await prod?.close();
    await dev?.close();
    await tokenMetrics?.close();
  });

  const origin = (h: Harness) => new URL(h.url).origin;

  it('turns introspection off unless GRAPHQL_INTROSPECTION=true', async () => {
    const refused = await prod.gql(INTROSPECTION);
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors?.[0]?.message).toMatch(/introspection/i);
    expect((await dev.gql(INTROSPECTION)).errors).toBeUndefined();
    expect((await tokenMetrics.gql(INTROSPECTION)).errors).toBeUndefined();
  });

  it('serves no GraphiQL', async () => {
    const page = await fetch(prod.url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
    const devPage = await fetch(dev.url, { headers: { accept: 'text/html' } });
    expect(devPage.headers.get('content-type')).toContain('text/html');
  });

  it('suggests no field names in errors', async () => {
    const result = await prod.gql('{ releases { totalCont } }');
    expect(result.errors?.[0]?.message).not.toMatch(/Did you mean/);
    expect((await dev.gql('{ releases { totalCont } }')).errors?.[0]?.message).toMatch(/Did you mean "totalCount"/);
  });

  it('serves /metrics only with METRICS_TOKEN (or on METRICS_PORT)', async () => {
    expect((await fetch(`${origin(prod)}/metrics`)).status).toBe(404);
    expect((await fetch(`${origin(tokenMetrics)}/metrics`)).status).toBe(401);
    expect((await fetch(`${origin(tokenMetrics)}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(`${origin(tokenMetrics)}/metrics`, { headers: { authorization: 'Bearer scrape-secret-123' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('graphql_operations_total');
  });

  it('serves /metrics on METRICS_PORT only, not on the main port', async () => {
    const { createServer } = await import('node:net');
    const probe = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => probe.once('listening', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const h = await startHarness({ env: { NODE_ENV: 'production', METRICS_PORT: String(port) } });
    try {
      expect((await fetch(`${origin(h)}/metrics`)).status).toBe(404);
      const own = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(own.status).toBe(200);
      expect(await own.text()).toContain('ems_upstream_requests_total');
    } finally {
      await h.close();
    }
  });
});
