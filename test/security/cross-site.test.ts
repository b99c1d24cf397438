import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../fixtures/harness.js';

const FOREIGN = 'https://evil.example.test';

describe('cross-site requests', () => {
  let h: Harness;
  let cors: Harness;
  /** The gateway's log lines (h's), parsed. */
  const logged: { level: number; msg: string; [key: string]: unknown }[] = [];
  beforeAll(async () => {
    // The gateway holds a static EMS token: exactly the setup where a cross-site request would act with its credentials.
    h = await startHarness({
      env: { GATEWAY_AUTH: 'none', EMS_AUTH_TOKEN: 'static-token-for-the-simulator' },
      logger: pino({ level: 'debug' }, { write: (line: string) => void logged.push(JSON.parse(line)) }),
    });
    cors = await startHarness({ env: { CORS_ORIGINS: 'https://console.example.test,https://ops.example.test' } });
  });
  afterAll(async () => {
    await h?.close();
    await cors?.close();
  });

  it('refuses a form-urlencoded mutation from a foreign origin with 415, before anything runs', async () => {
    h.sim.stats.reset();
    const body = new URLSearchParams({ query: 'mutation { cancelJobs(input: { jobIds: ["short-1"] }) { __typename } }' });
    for (const [type, payload] of [
      ['application/x-www-form-urlencoded', body.toString()],
      ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"{ releases { totalCount } }"}\r\n--x--\r\n`],
      ['text/plain', JSON.stringify({ query: '{ credentials { cdKey } }' })],
    ] as const) {
      const response = await fetch(h.url, { method: 'POST', headers: { 'content-type': type, origin: FOREIGN }, body: payload });
      expect(response.status).toBe(415);
      expect(((await response.json()) as any).errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
    expect(h.sim.stats.count()).toBe(0);
  });

  it('refuses a simple cross-site GET (no custom header) with 403, and never mutates over GET', async () => {
    h.sim.stats.reset();
    const query = encodeURIComponent('{ credentials { cdKey } }');
    const simple = await fetch(`${h.url}?query=${query}`, { headers: { origin: FOREIGN } });
    expect(simple.status).toBe(403);
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const mutation = encodeURIComponent('mutation { cancelJobs(input: { jobIds: ["short-1"] }) { __typename } }');
    const viaGet = await fetch(`${h.url}?query=${mutation}`, { headers: { 'x-graphql-csrf': '1' } });
    expect(viaGet.status).toBe(405);
    expect(h.sim.stats.count()).toBe(0);
    // A GET with a header no simple request can carry is served.
    const ok = await fetch(`${h.url}?query=${encodeURIComponent('{ releases { totalCount } }')}`, { headers: { 'x-graphql-csrf': '1' } });
    expect(ok.status).toBe(200);
  });

  it('logs a refused cross-site request once, at info, not as an unexpected error', async () => {
    logged.length = 0;
    const simple = await fetch(`${h.url}?query=${encodeURIComponent('{ releases { totalCount } }')}`, { headers: { origin: FOREIGN } });
    expect(simple.status).toBe(403);
    const lines = logged.filter((l) => JSON.stringify(l).includes('CSRF'));
    expect(lines).toEqual([expect.objectContaining({ level: 30, msg: 'request refused', status: 403, code: 'FORBIDDEN' })]);
    expect(logged.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('answers a preflight from any origin with 204 and, by default (same origin only), no CORS headers', async () => {
    for (const target of [h, cors]) {
      const response = await fetch(target.url, {
        method: 'OPTIONS',
        headers: { origin: FOREIGN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-auth-token' },
      });
      expect(response.status).toBe(204);
      for (const header of ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-headers', 'access-control-allow-methods']) {
        expect(response.headers.get(header)).toBeNull();
      }
    }
  });

  it('allows the origins of CORS_ORIGINS, with credentials, and never reflects another', async () => {
    const allowed = await fetch(cors.url, { method: 'OPTIONS', headers: { origin: 'https://ops.example.test', 'access-control-request-method': 'POST' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://ops.example.test');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const post = await fetch(cors.url, {
      method: 'POST',
      headers: { origin: 'https://console.example.test', 'content-type': 'application/json', 'x-auth-token': cors.token },
      body: JSON.stringify({ query: '{ releases { totalCount } }' }),
    });
    expect(post.headers.get('access-control-allow-origin')).toBe('https://console.example.test');
    for (const method of ['OPTIONS', 'POST'] as const) {
      const foreign = await fetch(cors.url, {
        method,
        headers: { origin: FOREIGN, 'access-control-request-method': 'POST', 'content-type': 'application/json', 'x-auth-token': cors.token },
        ...(method === 'POST' ? { body: JSON.stringify({ query: '{ releases { totalCount } }' }) } : {}),
      });
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
      expect(foreign.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });
});
