import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../fixtures/harness.js';
import { wsClient } from '../subscriptions/live-helpers.js';

const ISSUER = 'https://id.example.test/';
const AUDIENCE = 'ems-gateway';

describe('GATEWAY_AUTH=jwt', () => {
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  let other: Awaited<ReturnType<typeof generateKeyPair>>;
  let jwks: Server;
  let jwksRequests = 0;
  let h: Harness;
  let pem: Harness;

  const sign = (claims: Record<string, unknown>, opts: { key?: CryptoKey; iss?: string; aud?: string; exp?: number | string; kid?: string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: opts.kid ?? 'k1' })
      .setIssuer(opts.iss ?? ISSUER)
      .setAudience(opts.aud ?? AUDIENCE)
      .setSubject('alice')
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? '5m')
      .sign(opts.key ?? keys.privateKey);

  beforeAll(async () => {
    keys = await generateKeyPair('ES256', { extractable: true });
    other = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwks = createServer((_req, res) => {
      jwksRequests += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const env = { GATEWAY_AUTH: 'jwt', JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_CLOCK_SKEW_S: '30' };
    h = await startHarness({ env: { ...env, JWT_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json` } });
    pem = await startHarness({ env: { ...env, JWT_PUBLIC_KEY: await exportSPKI(keys.publicKey) } });
  });
  afterAll(async () => {
    await h?.close();
    await pem?.close();
    jwks?.close();
  });

  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  it('accepts a token signed by a key of the JWKS, with the roles of its claim', async () => {
    const token = await sign({ roles: ['viewer'] });
    const result = await h.gql('{ releases { totalCount } }', undefined, bearer(token));
    expect(result.errors).toBeUndefined();
    const forbidden = await h.gql('{ credentials { cdKey } }', undefined, bearer(token));
    expect(forbidden.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(forbidden.errors![0]!.message).toMatch(/^jwt:alice may not use Query.credentials/);
  });

  it('accepts the same token verified with a PEM public key', async () => {
    const result = await pem.gql('{ releases { totalCount } }', undefined, bearer(await sign({ roles: 'viewer operator' })));
    expect(result.errors).toBeUndefined();
  });

  it('refuses a wrong signature, issuer, audience, or an expiry beyond the clock skew, with 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases = [
      await sign({ roles: ['admin'] }, { key: other.privateKey }),
      await sign({ roles: ['admin'] }, { iss: 'https://evil.example.test/' }),
      await sign({ roles: ['admin'] }, { aud: 'someone-else' }),
      await sign({ roles: ['admin'] }, { exp: now - 120 }),
      'not.a.jwt',
    ];
    h.sim.stats.reset();
    for (const token of cases) {
      const result = await h.gql('{ releases { totalCount } }', undefined, bearer(token));
      expect(result.status).toBe(401);
      expect(result.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    }
    expect(h.sim.stats.count()).toBe(0);
    // Within the allowed skew, an expired token still passes.
    const justExpired = await sign({ roles: ['viewer'] }, { exp: now - 10 });
    expect((await h.gql('{ releases { totalCount } }', undefined, bearer(justExpired))).errors).toBeUndefined();
  });

  it('authenticates graphql-ws connection_init with connectionParams.authorization', async () => {
    const token = await sign({ roles: ['viewer'] });
    const closed: number[] = [];
    const refused = wsClient(h.url, h.token, { onClosed: (code) => closed.push(code) });
    await expect(new Promise((resolve, reject) => refused.subscribe({ query: '{ releases { totalCount } }' }, { next: resolve, error: reject, complete: () => undefined }))).rejects.toBeDefined();
    expect(closed).toContain(4403);
    await refused.dispose();

    const { createClient } = await import('graphql-ws');
    const WebSocket = (await import('ws')).default;
    const client = createClient({
      url: h.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authToken: h.token, authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    const result = await new Promise<any>((resolve, reject) => client.subscribe({ query: '{ releases { totalCount } }' }, { next: resolve, error: reject, complete: () => undefined }));
    expect(result.data.releases.totalCount).toBe(3);
    await client.dispose();
  });

  it('gives a token without roles nothing: queries and subscriptions are FORBIDDEN before any EMS call', async () => {
    const token = await sign({});
    h.sim.stats.reset();
    const query = await h.gql('{ releases { totalCount } }', undefined, bearer(token));
    expect(query.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const sse = await fetch(h.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}`, 'x-auth-token': h.token },
      body: JSON.stringify({ query: 'subscription { jobProgress(id: "short-00001234") { id } }' }),
    });
    const events = await sse.text();
    expect(events).toContain('"code":"FORBIDDEN"');
    expect(events).toMatch(/event: complete/);
    expect(h.sim.stats.count()).toBe(0);
  });

  it('fetches the JWKS once for many requests', async () => {
    const before = jwksRequests;
    const token = await sign({ roles: ['viewer'] });
    await Promise.all(Array.from({ length: 20 }, () => h.gql('{ releases { totalCount } }', undefined, bearer(token))));
    expect(jwksRequests - before).toBe(0);
  });
});
