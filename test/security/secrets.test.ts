import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/security/logging.js';
import { redactSecrets } from '../../src/security/redact.js';
import { startHarness } from '../fixtures/harness.js';
import { spawnMain } from '../fixtures/processes.js';
import { DELETE_CLUSTER, apiKey } from './helpers.js';

const AK = 'HPUAQJ7EXAMPLEAK12345';
const SK = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';

/** Captures what a pino logger writes. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe('secrets never leave', () => {
  let echo: Server;
  let app: App;
  let url: string;
  const logs = capture();
  beforeAll(async () => {
    // An upstream that echoes the request's credentials in its error text, as some gateways do.
    echo = createServer((req, res) => {
      const body = JSON.stringify({
        error_code: 'APIGW.0301',
        error_msg: `Incorrect IAM authentication information: Authorization: ${req.headers.authorization}; X-Security-Token: ${req.headers['x-security-token']}`,
      });
      res.writeHead(req.url?.includes('/clusters/') ? 403 : 400, { 'content-type': 'application/json', 'x-request-id': 'req-echo-1' }).end(body);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const config = loadConfig({
      EMS_ENDPOINT: `http://127.0.0.1:${(echo.address() as AddressInfo).port}`,
      EMS_AK: AK,
      EMS_SK: SK,
      EMS_SECURITY_TOKEN: 'sts-session-token-abcdef',
      EMS_CIRCUIT_THRESHOLD: '0',
      EMS_MAX_RETRIES: '0',
      GATEWAY_AUTH: 'none',
      LOG_LEVEL: 'debug',
      AUDIT_LOG: 'off',
    });
    app = await buildApp(config, { logger: createLogger(config, logs.stream) });
    url = await app.start(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app?.stop();
    echo?.close();
  });

  const post = async (query: string, variables?: object) =>
    (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-graphql-csrf': '1' }, body: JSON.stringify({ query, variables }) })).text();

  it('redacts Authorization, Signature=, AK, SK and tokens from upstream text in responses and logs', async () => {
    const read = await post('{ releases { totalCount } }');
    const mutation = await post(DELETE_CLUSTER, { id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' });
    expect(read).toMatch(/Incorrect IAM authentication information/);
    expect(mutation).toMatch(/"__typename":"ForbiddenError"/);
    const everything = [read, mutation, ...logs.lines].join('\n');
    for (const secret of [AK, SK, 'sts-session-token-abcdef', 'Signature=', 'SignedHeaders=x']) {
      expect(everything).not.toContain(secret === 'Signature=' ? 'Signature=0' : secret);
    }
    expect(everything).not.toMatch(/Signature=[0-9a-f]{16}/);
    expect(read).toContain('[REDACTED]');
  });

  it('keeps caller ids that name an API key, and redacts the key in every spelling', () => {
    const line = '{"caller":"apikey:ci-bot","msg":"apikey:ci-bot may not use Query.credentials"}';
    expect(redactSecrets(line)).toBe(line);
    for (const text of ['X-Api-Key: egk_secret1', '{"apiKey":"egk_secret1"}', 'apikey=egk_secret1', "apiKey: 'egk_secret1'", 'api_key:egk_secret1']) {
      expect(redactSecrets(text), text).not.toContain('egk_secret1');
    }
  });

  it('redacts credential shapes in any text', () => {
    const text = 'GET /v1 Authorization: SDK-HMAC-SHA256 Access=AKX, SignedHeaders=host;x-sdk-date, Signature=abcdef0123 x-auth-token: tok123456789 redis://admin:hunter2@redis:6379';
    const clean = redactSecrets(text);
    expect(clean).not.toMatch(/AKX|abcdef0123|tok123456789|hunter2/);
  });
});

describe('configuration errors and failed authentications', () => {
  it('masks passwords in URLs of configuration errors', () => {
    try {
      loadConfig({ REDIS_URL: 'http://admin:hunter2@redis.internal:6379', EMS_ENDPOINT: 'ftp://svc:s3cr3t-pw@ems.internal' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toMatch(/REDIS_URL: must be a Redis URL .*\*\*\*@redis\.internal/);
      expect(message).not.toMatch(/hunter2|s3cr3t-pw/);
    }
  });

  it('never shows the password of a URL a configuration error names, parsable or not', () => {
    const cases: [string, string, RegExp][] = [
      ['EMS_ENDPOINT', 'https://svc:pw-parsable-1@ems.internal', /EMS_ENDPOINT: must not carry a user name, password.*\(got "https:\/\/\*\*\*@ems\.internal"\)/],
      ['EMS_ENDPOINT', 'https://svc:pw/unparsable-2@ems.internal', /EMS_ENDPOINT: must be a http\(s\) URL.*\(got "https:\/\/\*\*\*@ems\.internal"\)/],
      ['EMS_ENDPOINT', 'https://svc:pw@at-sign-3@ems.internal:bad', /\(got "https:\/\/\*\*\*@ems\.internal:bad"\)/],
      ['EMS_ENDPOINT', 'svc:no-scheme-4@ems.internal', /\(got "\*\*\*@ems\.internal"\)/],
      ['EMS_ENDPOINT', 'https://svc:with space-5@ems.internal', /\(got "https:\/\/\*\*\*@ems\.internal"\)/],
      ['EMS_ENDPOINT', 'https://ems.internal/?password=query-6', /\(got "https:\/\/ems\.internal\/\?password=\[REDACTED\]"\)/],
      ['REDIS_URL', 'redis://:pw%40encoded-7@redis internal', /REDIS_URL: must be a Redis URL.*\(got "redis:\/\/\*\*\*@redis internal"\)/],
      ['JWT_JWKS_URL', 'ftp://idp:pw-jwks-8@idp.internal/jwks', /JWT_JWKS_URL: must be a http\(s\) URL \(got "ftp:\/\/\*\*\*@idp\.internal\/jwks"\)/],
    ];
    for (const [name, value, expected] of cases) {
      const env = { [name]: value, ...(name === 'JWT_JWKS_URL' ? { GATEWAY_AUTH: 'jwt', JWT_ISSUER: 'https://idp', JWT_AUDIENCE: 'gw' } : {}) };
      let message = '';
      try {
        loadConfig(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        message = (error as ConfigError).message;
      }
      expect(message, value).toMatch(expected);
      expect(message, value).not.toMatch(/pw|parsable|unparsable|at-sign|no-scheme|with space|query-6|encoded|jwks-8/);
    }
  });

  it('prints a configuration error with the URL password masked when the process starts', async () => {
    const main = spawnMain({ EMS_ENDPOINT: 'https://svc:hunter2-start@ems.internal', PORT: '0' });
    expect(await main.exited).toBe(1);
    expect(main.output()).toMatch(/Invalid configuration:\n  - EMS_ENDPOINT: must not carry a user name, password/);
    expect(main.output()).not.toContain('hunter2');
  });

  it('refuses to start with AK/SK and no GATEWAY_AUTH, and warns when GATEWAY_AUTH=none is explicit', async () => {
    const refused = spawnMain({ EMS_ENDPOINT: 'http://127.0.0.1:9', EMS_AK: AK, EMS_SK: SK, GATEWAY_AUTH: '', PORT: '0' });
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toMatch(/GATEWAY_AUTH: required when the gateway holds EMS credentials/);
    expect(refused.stderr()).not.toContain(SK);

    const warned = spawnMain({ EMS_ENDPOINT: 'http://127.0.0.1:9', EMS_AK: AK, EMS_SK: SK, GATEWAY_AUTH: 'none', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    // Until it is listening (or has exited): two cold starts on a loaded machine take what they take,
    // so no deadline of our own, only the test's timeout against a hang.
    await warned.printed(/GraphQL at/);
    await warned.stop();
    expect(warned.output()).toMatch(/"level":40.*GATEWAY_AUTH=none while the gateway holds EMS credentials/);
  }, 120_000);

  it('logs a failed authentication at warn with its reason, never the query', async () => {
    const logs = capture();
    const key = apiKey('ci', ['viewer']);
    const sim = await startHarness();
    const config = loadConfig({
      EMS_ENDPOINT: sim.sim.url,
      GATEWAY_AUTH: 'apikey',
      GATEWAY_API_KEYS: JSON.stringify([key.entry]),
      LOG_LEVEL: 'info',
      AUDIT_LOG: 'off',
    });
    const app = await buildApp(config, { logger: createLogger(config, logs.stream) });
    const url = await app.start(0, '127.0.0.1');
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'egk_wrong-key-1234', 'x-auth-token': sim.token },
        body: JSON.stringify({ query: '{ releases { totalCount } } # QUERY-MARKER-7' }),
      });
      expect(response.status).toBe(401);
      const failures = logs.lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'authentication failed');
      expect(failures).toEqual([expect.objectContaining({ level: 40, reason: 'unknown API key', mode: 'apikey', address: expect.any(String) })]);
      // A known key with a bogus EMS token (pass-through): EMS refuses it; still no error line, no query text.
      const bogus = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key.key, 'x-auth-token': 'bogus-ems-token-42' },
        body: JSON.stringify({ query: '{ releases { totalCount } } # QUERY-MARKER-8' }),
      });
      expect(((await bogus.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
      await expect.poll(() => logs.lines.some((l) => JSON.parse(l).msg === 'EMS call failed')).toBe(true);
      expect(logs.lines.join('\n')).not.toMatch(/QUERY-MARKER-7|QUERY-MARKER-8|egk_wrong-key-1234|bogus-ems-token-42/);
      expect(logs.lines.some((l) => JSON.parse(l).level >= 50)).toBe(false);
    } finally {
      await app.stop();
      await sim.close();
    }
  });
});

describe('audit log', () => {
  it('writes one JSON line per mutation attempt: who, what, input without secrets, result, EMS request id, idempotency key', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'audit-')), 'audit.log');
    const operator = apiKey('ops-bot', ['operator']);
    const viewer = apiKey('dashboard', ['viewer']);
    const h = await startHarness({ env: { GATEWAY_AUTH: 'apikey', GATEWAY_API_KEYS: JSON.stringify([operator.entry, viewer.entry]), AUDIT_LOG: file } });
    try {
      h.sim.seedClusters(2, { jobsPerCluster: 0 });
      const clusterId = (await h.gql('{ clusters(first: 1) { edges { node { id } } } }', undefined, { headers: { 'x-api-key': viewer.key } })).data.clusters.edges[0].node.id;
      const refused = await h.gql(DELETE_CLUSTER, { id: clusterId }, { headers: { 'x-api-key': viewer.key } });
      expect(refused.data.deleteCluster.code).toBe('FORBIDDEN');
      const done = await h.gql(
        `mutation($id: ID!) { deleteCluster(input: { clusterId: $id, idempotencyKey: "audit-key-1" }) { __typename } }`,
        { id: clusterId },
        { headers: { 'x-api-key': operator.key } },
      );
      expect(done.data.deleteCluster.__typename).toBe('DeleteClusterPayload');
      const invalid = await h.gql('mutation { cancelJobs(input: { jobIds: [] }) { __typename } }', undefined, { headers: { 'x-api-key': operator.key } });
      expect(invalid.data.cancelJobs.__typename).toBe('ValidationError');
      await h.gql('{ releases { totalCount } }', undefined, { headers: { 'x-api-key': operator.key } });

      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatchObject({ log: 'audit', event: 'mutation', caller: 'apikey:dashboard', roles: ['viewer'], mutation: 'deleteCluster', input: { clusterId }, result: 'FORBIDDEN', emsRequestId: null });
      expect(lines[1]).toMatchObject({ caller: 'apikey:ops-bot', mutation: 'deleteCluster', result: 'OK', idempotencyKey: 'audit-key-1', replayed: false, emsRequestId: expect.any(String) });
      expect(lines[2]).toMatchObject({ caller: 'apikey:ops-bot', mutation: 'cancelJobs', result: 'VALIDATION_FAILED', input: { jobIds: [] } });
      for (const line of lines) expect(line).toMatchObject({ requestId: expect.any(String), address: expect.any(String), time: expect.any(Number) });
    } finally {
      await h.close();
    }
  });
});
