import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { problemsOf } from '../fixtures/config.js';

describe('loadConfig', () => {
  it('defaults to the embedded simulator on port 4000 with every feature off', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.ems.endpoint).toBeNull();
    expect(config.ems.aksk).toBeNull();
    expect(config.ems.staticToken).toBeNull();
    expect(config.redis).toBeNull();
    expect(config.ems.circuitBreaker).toEqual({ threshold: 0.5, windowMs: 5000, minCalls: 5, halfOpenAfterMs: 1000, slowCallMs: 2000 });
    expect(loadConfig({ EMS_CIRCUIT_THRESHOLD: '0' }).ems.circuitBreaker).toBeNull();
    expect(config).toMatchObject({ requestTimeoutMs: 10_000, shutdownGraceMs: 25_000, dataDir: './.data' });
  });

  it('reads every CONTRACT variable', () => {
    const config = loadConfig({
      PORT: '8080',
      EMS_ENDPOINT: 'https://ems.cn-north-4.myhuaweicloud.com',
      EMS_PROJECT_ID: '0123456789abcdef0123456789abcdef',
      EMS_AK: 'AK',
      EMS_SK: 'SK',
      EMS_SECURITY_TOKEN: 'sts',
      EMS_AUTH_TOKEN: 'static-token',
      REDIS_URL: 'redis://127.0.0.1:6379/2',
      GATEWAY_AUTH: 'none',
    });
    expect(config.port).toBe(8080);
    expect(config.ems).toMatchObject({
      endpoint: 'https://ems.cn-north-4.myhuaweicloud.com',
      projectId: '0123456789abcdef0123456789abcdef',
      aksk: { ak: 'AK', sk: 'SK', securityToken: 'sts' },
      staticToken: 'static-token',
    });
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379/2', keyPrefix: 'ems-gateway:' });
  });

  it('bounds subscriptions by failed polls in a row (POLL_MAX_FAILURES), and leaves the simulator’s settings to the simulator', () => {
    expect(loadConfig({}).subscriptions.maxPollFailures).toBe(5);
    expect(loadConfig({ POLL_MAX_FAILURES: '2' }).subscriptions.maxPollFailures).toBe(2);
    expect(problemsOf({ POLL_MAX_FAILURES: '0' })).toEqual(['POLL_MAX_FAILURES: must be at least 1 (got "0")']);
    // SIMULATOR_* belong to the simulator (src/simulator/env.ts): the gateway neither reads nor checks them.
    expect(loadConfig({ SIMULATOR_PORT: 'not-a-port' })).not.toHaveProperty('simulator');
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ EMS_ENDPOINT: '', REDIS_URL: '  ', PORT: '' }).ems.endpoint).toBeNull();
  });

  it('lists every problem at once, cross-variable rules included', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      EMS_ENDPOINT: 'ftp://example.com',
      EMS_AK: 'only-ak',
      REDIS_URL: 'localhost:6379',
      MAX_PAGE_SIZE: '5000',
      LOG_LEVEL: 'loud',
      GATEWAY_AUTH: 'none',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT: must be a number \(got "eighty"\)/),
        expect.stringMatching(/^EMS_ENDPOINT: must be a http\(s\) URL/),
        expect.stringMatching(/^EMS_SK: EMS_AK and EMS_SK must be set together/),
        expect.stringMatching(/^REDIS_URL: must be a Redis URL/),
        expect.stringMatching(/^MAX_PAGE_SIZE: must be at most 1000/),
        expect.stringMatching(/^LOG_LEVEL: /),
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('stops on a retired variable and names what replaced it, instead of ignoring it', () => {
    expect(problemsOf({ EMS_CIRCUIT_FAILURES: '5' })).toEqual([
      expect.stringMatching(/^EMS_CIRCUIT_FAILURES: retired: .* set EMS_CIRCUIT_THRESHOLD \(0 turns it off\), EMS_CIRCUIT_WINDOW_MS and EMS_CIRCUIT_MIN_CALLS instead/),
    ]);
  });

  it('never echoes secrets in its message', () => {
    const problems = problemsOf({ EMS_SECURITY_TOKEN: 'super-secret-sts' });
    expect(problems.join('\n')).not.toContain('super-secret-sts');
    expect(problems).toEqual([expect.stringMatching(/^EMS_SECURITY_TOKEN: needs EMS_AK and EMS_SK/)]);
  });

  it('refuses credentials that cannot travel in an HTTP header, without echoing secrets', () => {
    expect(problemsOf({ EMS_AUTH_TOKEN: 'secret\nline', GATEWAY_AUTH: 'none' })).toEqual([expect.stringMatching(/^EMS_AUTH_TOKEN: must not contain control characters/)]);
    const problems = problemsOf({ EMS_AK: 'ak😀', EMS_SK: 'sk', EMS_SECURITY_TOKEN: 'sts\u0000secret', GATEWAY_AUTH: 'none' });
    expect(problems).toEqual([expect.stringMatching(/^EMS_AK: must not contain control characters/), expect.stringMatching(/^EMS_SECURITY_TOKEN: must not/)]);
    expect(problems.join('\n')).not.toContain('secret');
    expect(loadConfig({ EMS_AUTH_TOKEN: 'Latin-1 is fine: é', GATEWAY_AUTH: 'none' }).ems.staticToken).toBe('Latin-1 is fine: é');
  });

  it('refuses out-of-range numbers', () => {
    expect(problemsOf({ PORT: '70000', EMS_TIMEOUT_MS: '1.5' })).toEqual([
      expect.stringMatching(/^PORT: must be at most 65535/),
      expect.stringMatching(/^EMS_TIMEOUT_MS: must be a whole number/),
    ]);
  });
});
