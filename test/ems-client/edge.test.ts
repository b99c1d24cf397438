import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EmsAuth } from '../../src/ems/api.js';
import { createEmsClient, type EmsCallEvent, type EmsClient, type EmsClientOptions } from '../../src/ems/client.js';
import {
  EmsBadResponseError,
  EmsError,
  EmsHttpError,
  EmsInvalidRequestError,
  EmsNetworkError,
  EmsTimeoutError,
} from '../../src/ems/errors.js';
import { computeSignature, parseAuthorization } from '../../src/ems/signer.js';

/** A retry delay no test waits out: a call that ends sooner was cut short. */
const RETRY_DELAY_MS = 20_000;

/**
 * Transport edge cases the EMS simulator cannot produce (bodies cut mid-stream, oversized bodies,
 * non-EMS error bodies, HTTP-date Retry-After, path prefixes), against a scripted node:http server.
 */

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const RELEASES = JSON.stringify({ total: 1, releases: [{ version: '25.12.0', tag: 'PREFERRED_VERSION', description: 'x' }] });
const TOKEN = 'tok-secret-0123456789';
const auth: EmsAuth = { kind: 'token', token: TOKEN };

let server: Server;
let base: string;
let handler: Handler;
let seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
const clients: EmsClient[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
afterEach(async () => {
  seen = [];
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

function client(extra: Partial<EmsClientOptions> = {}): EmsClient {
  const c = createEmsClient({ endpoint: base, requestTimeoutMs: 1_000, retryMinDelayMs: 5, retryMaxDelayMs: 50, ...extra });
  clients.push(c);
  return c;
}

function json(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req-1', ...headers });
  res.end(body);
}

async function failure(p: Promise<unknown>): Promise<EmsError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(EmsError);
  return e as EmsError;
}

describe('ems client transport edges', () => {
  it('sends path prefix, encoded ids, defined query values only, token and project id', async () => {
    handler = (_req, res) => json(res, 200, RELEASES);
    const api = client({ endpoint: `${base}/prefix/`, projectId: 'p1' }).forAuth(auth);
    await api.listReleases({ limit: 5 });
    handler = (_req, res) => json(res, 404, JSON.stringify({ error_code: 'ems.00030005', error_msg: 'Cluster not found: [a/b c].' }));
    await failure(api.showCluster('a/b c?'));
    await failure(api.showJob('..'));
    expect(seen.map((s) => s.url)).toEqual(['/prefix/v1/releases?limit=5', '/prefix/v1/clusters/a%2Fb%20c%3F', '/prefix/v1/jobs/%2E%2E']);
    expect(seen[0]!.headers['x-auth-token']).toBe(TOKEN);
    expect(seen[0]!.headers['x-project-id']).toBe('p1');
  });

  it('refuses an empty path id without sending anything', async () => {
    const calls: EmsCallEvent[] = [];
    const e = await failure(client({ onCall: (c) => calls.push(c) }).forAuth(auth).deleteCluster(''));
    expect(e).toBeInstanceOf(EmsInvalidRequestError);
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toContain('clusterId must be a non-empty string');
    expect(seen).toHaveLength(0);
    expect(calls).toHaveLength(1);
  });

  it('signs with AK/SK afresh on every attempt', async () => {
    let n = 0;
    handler = (_req, res) => (++n < 3 ? json(res, 503, JSON.stringify({ error_code: 'APIGW.0201', error_msg: 'busy' })) : json(res, 200, RELEASES));
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const sk = 'sk-secret-abcdef';
    const api = client({ now: () => new Date((clock += 1000)) }).forAuth({ kind: 'aksk', ak: 'AK1', sk, securityToken: 'st-1' });
    await api.listReleases();
    expect(seen).toHaveLength(3);
    const dates = seen.map((s) => s.headers['x-sdk-date']);
    expect(new Set(dates).size).toBe(3);
    for (const s of seen) {
      const parsed = parseAuthorization(String(s.headers.authorization))!;
      expect(parsed.access).toBe('AK1');
      expect(parsed.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-sdk-date', 'content-type', 'x-security-token']));
      const [path, query = ''] = s.url.split('?');
      expect(computeSignature({ method: s.method, path: path!, query, headers: s.headers, body: s.body }, parsed.signedHeaders, String(s.headers['x-sdk-date']), sk)).toBe(parsed.signature);
    }
  });

  it('reports a non-EMS error body as an EmsHttpError that says so', async () => {
    handler = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>bad gateway</html>');
    };
    const e = await failure(client({ maxRetries: 1 }).forAuth(auth).listFeatures());
    expect(e).toBeInstanceOf(EmsHttpError);
    expect(e).toMatchObject({ status: 502, upstreamCode: null, code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    expect(e.message).toMatch(/failed with 502 after 2 attempts, and sent a body that is not an EMS error .*bad gateway/);
  });

  it('honours an HTTP-date Retry-After, capped at retryMaxDelayMs', async () => {
    let n = 0;
    handler = (_req, res) =>
      ++n === 1
        ? json(res, 429, JSON.stringify({ error_code: 'APIGW.0308', error_msg: 'throttled' }), { 'retry-after': new Date(Date.now() + 60_000).toUTCString() })
        : json(res, 200, RELEASES);
    const t0 = Date.now();
    await client({ retryMaxDelayMs: 300 }).forAuth(auth).listReleases();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(seen).toHaveLength(2);
  });

  it('gives the final Retry-After in seconds on the error', async () => {
    handler = (_req, res) => json(res, 429, JSON.stringify({ error_code: 'APIGW.0308', error_msg: 'throttled' }), { 'retry-after': '0' });
    const e = await failure(client({ maxRetries: 0 }).forAuth(auth).listReleases());
    expect(e).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfter: 0, requestId: 'req-1' });
  });

  it('refuses a body over maxResponseBytes, declared or streamed', async () => {
    handler = (_req, res) => json(res, 200, RELEASES);
    const e1 = await failure(client({ maxResponseBytes: 20 }).forAuth(auth).listReleases());
    expect(e1).toBeInstanceOf(EmsBadResponseError);
    expect(e1.message).toContain('over the 20-byte limit');
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(RELEASES.slice(0, 30));
      setTimeout(() => res.end(RELEASES.slice(30)), 10);
    };
    const e2 = await failure(client({ maxResponseBytes: 40 }).forAuth(auth).listReleases());
    expect(e2).toBeInstanceOf(EmsBadResponseError);
    expect(e2.status).toBe(200);
  });

  it('reads a GET again when its body is cut off mid-stream, like a reset, and reports it truncated once the retries are spent', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(RELEASES.length), 'x-request-id': 'req-cut' });
      res.write(RELEASES.slice(0, 10));
      setTimeout(() => res.socket?.destroy(), 10);
    };
    const e = await failure(client({ maxRetries: 2 }).forAuth(auth).listReleases());
    expect(e).toBeInstanceOf(EmsBadResponseError);
    expect(e).toMatchObject({ status: 200, requestId: 'req-cut' });
    expect(e.message).toContain('truncated');
    expect(seen).toHaveLength(3);

    // Cut once, then whole: the caller gets the body.
    seen = [];
    let cut = true;
    handler = (req, res, body) => {
      if (!cut) return json(res, 200, RELEASES);
      cut = false;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(RELEASES.length) });
      res.write(RELEASES.slice(0, 10));
      setTimeout(() => res.socket?.destroy(), 10);
      void req;
      void body;
    };
    await expect(client({ maxRetries: 2 }).forAuth(auth).listReleases()).resolves.toMatchObject({ total: 1 });
    expect(seen).toHaveLength(2);
  });

  it('reads a GET again when its 2xx body is not JSON at all; a POST is never sent twice', async () => {
    let calls = 0;
    handler = (_req, res) => (++calls === 1 ? json(res, 200, '{"total": 1, "rele') : json(res, 200, RELEASES));
    await expect(client({ maxRetries: 1 }).forAuth(auth).listReleases()).resolves.toMatchObject({ total: 1 });
    expect(seen).toHaveLength(2);
    seen = [];
    handler = (_req, res) => json(res, 202, '{"job_id": "long-');
    // EMS accepted the write; its unreadable answer does not undo it, nor is it asked again.
    const accepted = await client({ maxRetries: 2 }).forAuth(auth).createCluster({ name: 'abcd', k8s_cluster_specification: { k8s_cluster_id: '3f0c2a4e-8b1d-4c6f-9a7e-5d2b1c0e9f8a' } });
    expect(accepted.accepted.problem).toMatch(/malformed JSON/);
    expect(seen).toHaveLength(1);
  });

  it('reports malformed JSON, and a body without the list it must hold, with the path and value', async () => {
    handler = (_req, res) => json(res, 200, '{"total": 1, "releases": [');
    const e1 = await failure(client({ maxRetries: 0 }).forAuth(auth).listReleases());
    expect(e1).toBeInstanceOf(EmsBadResponseError);
    expect(e1.message).toContain('malformed JSON');
    handler = (_req, res) => json(res, 200, JSON.stringify({ total: 2, releases: 'none' }), { 'x-request-id': 'req-shape' });
    const e2 = (await failure(client().forAuth(auth).listReleases())) as EmsBadResponseError;
    expect(e2).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', requestId: 'req-shape', operation: 'ListReleases' });
    expect(e2.issues).toEqual(['releases must be a list (got "none")']);
    handler = (_req, res) => json(res, 200, JSON.stringify({ result: { total: 1, releases: [] }, error: null }));
    const e3 = (await failure(client().forAuth(auth).listReleases())) as EmsBadResponseError;
    expect(e3.issues).toEqual([expect.stringMatching(/^the body has no releases list/)]);
  });

  it('never applies request-side rules to a response, and reports what it tolerated', async () => {
    const deviations: unknown[] = [];
    handler = (_req, res) => json(res, 200, JSON.stringify({ total: -1, releases: [{ version: 'not a version!', extra: 1 }, { tag: 'x' }] }), { 'x-request-id': 'req-dev' });
    const page = await client({ onDeviation: (d) => deviations.push(d) }).forAuth(auth).listReleases();
    expect(page.total).toBeNull();
    expect(page.releases[0]).toEqual({ version: 'not a version!', tag: null, description: null, preferred: false });
    expect(page.releases[1]).toMatchObject({ unreadable: 'EMS ListReleases sent releases[1] without a readable version' });
    expect(deviations).toEqual([
      { operation: 'ListReleases', field: 'total', kind: 'bad_field', count: 1, requestId: 'req-dev' },
      { operation: 'ListReleases', field: 'releases[]', kind: 'bad_element', count: 1, requestId: 'req-dev' },
    ]);
  });

  it('accepts a write answered 2xx whatever its body: the ids it cannot read are null, the reason is kept', async () => {
    const api = client().forAuth(auth);
    const body = { name: 'abcd', k8s_cluster_specification: { k8s_cluster_id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' } };
    handler = (_req, res) => json(res, 202, '{"job_id": "long-1", "clus', { 'x-request-id': 'req-w1' });
    const cut = await api.createCluster(body);
    expect(cut).toMatchObject({ jobId: null, clusterId: null, accepted: { operation: 'CreateCluster', requestId: 'req-w1', problem: expect.stringContaining('malformed JSON') } });
    handler = (_req, res) => json(res, 202, JSON.stringify({ job_id: 42, extra: true }), { 'x-request-id': 'req-w2' });
    expect(await api.createCluster(body)).toMatchObject({ jobId: '42', clusterId: null, accepted: { requestId: 'req-w2', problem: null } });
    handler = (_req, res) => {
      res.writeHead(202, { 'content-type': 'application/json', 'content-length': '200', 'x-request-id': 'req-w3' });
      res.write('{"job_id": "short-');
      setTimeout(() => res.socket?.destroy(), 10);
    };
    expect(await api.deleteCluster('0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d')).toMatchObject({ jobId: null, accepted: { requestId: 'req-w3', problem: expect.stringContaining('truncated') } });
    expect(seen.filter((r) => r.method !== 'GET')).toHaveLength(3);
  });

  it('never quotes credential bodies in errors', async () => {
    handler = (_req, res) => json(res, 200, JSON.stringify({ projectId: 'p', cdKey: 'SECRETSECRET', createAt: 1 }));
    const e = await failure(client().forAuth(auth).showCredentials('p1'));
    expect(e).toBeInstanceOf(EmsBadResponseError);
    expect(e.message).not.toContain('SECRETSECRET');
  });

  it('redacts the token should EMS echo it', async () => {
    handler = (_req, res) => json(res, 401, JSON.stringify({ error_code: 'common.01010018', error_msg: `Auth token failed, reason is:{${TOKEN}}` }));
    const e = await failure(client().forAuth(auth).listJobs());
    expect(e.message).not.toContain(TOKEN);
    expect(e.code).toBe('UNAUTHENTICATED');
  });

  it('cancels on the caller signal, also during a retry delay', async () => {
    handler = () => {}; // never answers
    const ac = new AbortController();
    const p = client({ requestTimeoutMs: 5_000 }).forAuth(auth).listReleases(undefined, { signal: ac.signal });
    setTimeout(() => ac.abort(), 30);
    const e = await failure(p);
    expect(e).toBeInstanceOf(EmsNetworkError);
    expect(e.message).toContain('aborted by the caller');

    const e2 = await failure(client().forAuth(auth).listReleases(undefined, { signal: AbortSignal.timeout(30) }));
    expect(e2).toBeInstanceOf(EmsTimeoutError);

    // Retry-After 20 s: an abort that did not cut the retry delay short would take at least that.
    handler = (_req, res) => json(res, 503, JSON.stringify({ error_code: 'APIGW.0201', error_msg: 'busy' }), { 'retry-after': '20' });
    const ac3 = new AbortController();
    const t0 = Date.now();
    const p3 = client({ retryMaxDelayMs: RETRY_DELAY_MS }).forAuth(auth).listReleases(undefined, { signal: ac3.signal });
    setTimeout(() => ac3.abort(), 100);
    expect(await failure(p3)).toBeInstanceOf(EmsNetworkError);
    expect(Date.now() - t0).toBeLessThan(RETRY_DELAY_MS);
  });

  it('cancels during a retry delay after a transport error', async () => {
    handler = (req) => req.socket.destroy();
    const ac = new AbortController();
    const t0 = Date.now();
    const p = client({ retryMinDelayMs: RETRY_DELAY_MS, retryMaxDelayMs: RETRY_DELAY_MS }).forAuth(auth).listReleases(undefined, { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    expect(await failure(p)).toBeInstanceOf(EmsNetworkError);
    // Without the abort, the retry would wait the whole delay first.
    expect(Date.now() - t0).toBeLessThan(RETRY_DELAY_MS);
  });

  it('retries a GET that times out, never a POST', async () => {
    handler = () => {}; // never answers
    const api = client({ requestTimeoutMs: 100, maxRetries: 1 }).forAuth(auth);
    const e = await failure(api.listClusters());
    expect(e).toBeInstanceOf(EmsTimeoutError);
    expect(e.message).toContain('no response within 100 ms (after 2 attempts)');
    expect(seen).toHaveLength(2);
    seen = [];
    expect(await failure(api.cancelJobs({ job_ids: ['short-1'] }))).toBeInstanceOf(EmsTimeoutError);
    handler = (req) => req.socket.destroy();
    expect(await failure(api.deleteCluster('c1'))).toBeInstanceOf(EmsNetworkError);
    expect(seen.map((s) => s.method)).toEqual(['POST', 'DELETE']);
  });

  it('maps connection refused to EmsNetworkError after retrying GETs', async () => {
    const c = createEmsClient({ endpoint: 'http://127.0.0.1:1', retryMinDelayMs: 1, retryMaxDelayMs: 5 });
    clients.push(c);
    const e = await failure(c.forAuth(auth).listReleases());
    expect(e).toBeInstanceOf(EmsNetworkError);
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.message).toContain('after 3 attempts');
    expect(await c.ping(auth)).toBe(false);
  });

  it('ping is true for any answer below 500', async () => {
    handler = (_req, res) => json(res, 401, JSON.stringify({ error_code: 'common.01010018', error_msg: 'no' }));
    expect(await client().ping(auth)).toBe(true);
    handler = (_req, res) => json(res, 503, '{}');
    expect(await client().ping(auth)).toBe(false);
    expect(seen).toHaveLength(2);
  });

  it('fails calls after close with EmsNetworkError', async () => {
    const c = client();
    await c.close();
    await c.close();
    expect(await failure(c.forAuth(auth).listReleases())).toBeInstanceOf(EmsNetworkError);
    expect(await c.ping(auth)).toBe(false);
  });

  it('rejects bad options with the option and value named', () => {
    expect(() => createEmsClient({ endpoint: 'ftp://x' })).toThrow(/http or https/);
    expect(() => createEmsClient({ endpoint: 'nope' })).toThrow(/"nope"/);
    expect(() => createEmsClient({ endpoint: base, maxRetries: -1 })).toThrow(/maxRetries must be an integer >= 0, got -1/);
  });
});
