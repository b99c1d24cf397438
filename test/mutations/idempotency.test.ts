import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { RedisIdempotencyStore } from '../../src/idempotency/index.js';
import { startHarness, type Harness } from '../fixtures/harness.js';
import { TEST_REDIS_URL, requireRedis, suiteName } from '../fixtures/services.js';
import { print } from 'graphql';
import { cluster, mutate, newK8sClusterId, payloadOf, provisionedNodeNames, uniqueName } from './helpers.js';
import { member, MUTATIONS, type MutationField, type MutationInput, type MutationResult } from './operations.js';

/** Exactly once: an idempotencyKey makes repeats (sequential or concurrent) return the first result. */

describe('in memory (no REDIS_URL)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ sim: { clockSpeed: 0 } });
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => h.sim.stats.reset());
  afterEach(() => h.sim.resetFaults());

  const createInput = (key: string, name = uniqueName('idem')) => ({ name, k8s: { k8sClusterId: newK8sClusterId() }, idempotencyKey: key });

  it('a repeat returns the first result without a second upstream call', async () => {
    const input = createInput(randomUUID());
    const first = await payloadOf(h, 'createCluster', input);
    const second = await payloadOf(h, 'createCluster', input);
    expect(first).toMatchObject({ __typename: 'CreateClusterPayload', replayed: false });
    expect(second).toMatchObject({ __typename: 'CreateClusterPayload', replayed: true, jobId: first.jobId, clusterId: first.clusterId });
    expect(second.job?.id).toBe(first.job?.id);
    expect(h.sim.stats.calls.CreateCluster).toBe(1);
    // The repeat re-reads the job (not stale, not re-submitted).
    expect(h.sim.stats.calls.ShowJob).toBe(2);
  });

  it('concurrent duplicates make one upstream call and all get its result', async () => {
    h.sim.setFaults({ latencyMs: 200, operations: ['CreateCluster'] });
    const input = createInput(randomUUID());
    const results = await Promise.all(Array.from({ length: 6 }, () => payloadOf(h, 'createCluster', input)));
    expect(h.sim.stats.calls.CreateCluster).toBe(1);
    expect(new Set(results.map((r) => r.jobId)).size).toBe(1);
    expect(results.filter((r) => r.__typename === 'CreateClusterPayload')).toHaveLength(6);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
  });

  it('a key reused with a different input is refused, without an upstream call', async () => {
    const key = randomUUID();
    await payloadOf(h, 'createCluster', createInput(key));
    h.sim.stats.reset();
    const reused = await mutate(h, 'createCluster', createInput(key));
    expect(reused).toEqual({
      __typename: 'IdempotencyKeyReusedError',
      code: 'IDEMPOTENCY_KEY_REUSED',
      message: expect.stringMatching(/different input/),
      idempotencyKey: key,
    });
    expect(h.sim.stats.count()).toBe(0);
  });

  it('keys are per caller and per mutation', async () => {
    const key = randomUUID();
    const input = createInput(key);
    const first = await payloadOf(h, 'createCluster', input);
    // Another caller with the same key and input is not given the first caller's result: its own
    // request goes upstream (and is refused there: the read-only token may not write).
    const other = await mutate(h, 'createCluster', input, { token: h.sim.credentials.readOnlyToken });
    expect(other.__typename).toBe('ForbiddenError');
    // The same key on another mutation is another record.
    const cancel = await payloadOf(h, 'cancelJobs', { jobIds: [first.jobId!], idempotencyKey: key });
    expect(cancel).toMatchObject({ __typename: 'CancelJobsPayload', cancelled: [first.jobId], replayed: false });
    expect(h.sim.stats.calls).toMatchObject({ CreateCluster: 2, CancelJobs: 1 });
  });

  it('a failed first attempt releases the key so a retry submits', async () => {
    const input = createInput(randomUUID());
    h.sim.setFaults({ errorRate: 1, operations: ['CreateCluster'] });
    const failed = await h.gql(MUTATIONS.createCluster, { input });
    expect(failed.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    h.sim.resetFaults();
    const retried = await payloadOf(h, 'createCluster', input);
    expect(retried).toMatchObject({ __typename: 'CreateClusterPayload', replayed: false });
    expect(h.sim.stats.calls.CreateCluster).toBe(2);

    // A typed refusal releases the key too.
    const duplicate = { ...createInput(randomUUID()), name: 'kvcache-prod-01' };
    expect((await mutate(h, 'createCluster', duplicate)).__typename).toBe('DuplicateNameError');
    expect((await mutate(h, 'createCluster', duplicate)).__typename).toBe('DuplicateNameError');
    expect(h.sim.stats.calls.CreateCluster).toBe(4);
  });

  it('every mutation honours its key', async () => {
    const prod = await cluster(h, 'deepseek-r1-kvcache');
    const staging = await cluster(h, 'qwen3-235b-kvcache');
    const doomed = await cluster(h, 'kvcache-prod-03');
    const created = await payloadOf(h, 'createCluster', createInput(randomUUID()));
    const cases: [MutationField, Record<string, unknown>, string][] = [
      ['enrollCluster', { name: uniqueName('enroll'), k8s: { k8sClusterId: newK8sClusterId(), namespace: 'ems' } }, 'EnrollCluster'],
      ['expandCluster', { clusterId: prod.id, nodeNames: ['idem-node-1'] }, 'ExpandCluster'],
      ['shrinkCluster', { clusterId: staging.id, nodeNames: provisionedNodeNames(staging.name, 1) }, 'ShrinkCluster'],
      ['deleteCluster', { clusterId: doomed.id }, 'DeleteClusterById'],
      ['authorizeCluster', { clusterId: prod.id }, 'AuthorizeCluster'],
      ['cancelJobs', { jobIds: [created.jobId] }, 'CancelJobs'],
      ['createCredential', {}, 'CreateCredentialInfo'],
    ];
    for (const [name, input, operation] of cases) {
      const withKey = { ...input, idempotencyKey: `key-${name}-${randomUUID()}` };
      h.sim.stats.reset();
      const first = await mutate(h, name, withKey as never);
      const second = await mutate(h, name, withKey as never);
      expect(first.__typename, name).toMatch(/Payload$/);
      expect(second, name).toEqual({ ...first, replayed: true });
      // Without the key, the repeat of expand, shrink and delete would fail (wrong state): it was never sent.
      expect(h.sim.stats.calls[operation as keyof typeof h.sim.stats.calls], name).toBe(1);
    }
  });

  it('a repeat of createCredential finds the same cdKey without storing it', async () => {
    const key = randomUUID();
    const first = await payloadOf(h, 'createCredential', { idempotencyKey: key });
    h.sim.stats.reset();
    const second = await payloadOf(h, 'createCredential', { idempotencyKey: key });
    expect(second.credential).toEqual(first.credential);
    expect(h.sim.stats.calls).toMatchObject({ CreateCredentialInfo: 0, ShowCredentialInfo: 1 });
  });
});

describe('interrupted writes (outcome unknown), reconciled with EMS', () => {
  let h: Harness;
  const timeoutMs = 400;
  /**
   * EMS answers (and applies the write) this late: after the gateway timed out (its HTTP client's
   * timers may fire up to a second late), before the repeat trusts that nothing was written.
   */
  const LATE_MS = 2_000;
  beforeAll(async () => {
    h = await startHarness({ sim: { clockSpeed: 0 }, env: { EMS_TIMEOUT_MS: String(timeoutMs) } });
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => h.sim.stats.reset());
  afterEach(() => h.sim.resetFaults());

  const createInput = (key: string, name = uniqueName('recon')) => ({ name, k8s: { k8sClusterId: newK8sClusterId() }, idempotencyKey: key });

  it('a createCluster whose answer was lost resolves, on the repeat, to the cluster EMS created, without a second write', async () => {
    const input = createInput(randomUUID());
    // EMS creates the cluster after the gateway gave up waiting: the outcome is unknown to the gateway.
    h.sim.setFaults({ latencyMs: LATE_MS, operations: ['CreateCluster'] });
    const failed = await h.gql(MUTATIONS.createCluster, { input });
    expect(failed.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    h.sim.resetFaults();
    const repeat = await payloadOf(h, 'createCluster', input);
    expect(repeat).toMatchObject({ __typename: 'CreateClusterPayload', replayed: true, cluster: { name: input.name, status: 'CREATING' } });
    expect(repeat.job?.id).toBe(repeat.jobId);
    expect(h.sim.stats.calls.CreateCluster).toBe(1);
    // From now on the key replays like any completed one.
    h.sim.stats.reset();
    expect(await payloadOf(h, 'createCluster', input)).toMatchObject({ replayed: true, jobId: repeat.jobId, clusterId: repeat.clusterId });
    expect(h.sim.stats.calls.CreateCluster ?? 0).toBe(0);
  });

  it('a createCluster that never reached EMS is submitted by the repeat, once one EMS timeout has passed', async () => {
    const input = createInput(randomUUID());
    h.sim.setFaults({ resetRate: 1, operations: ['CreateCluster'] });
    const failed = await h.gql(MUTATIONS.createCluster, { input });
    expect(failed.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    h.sim.resetFaults();
    const repeat = await payloadOf(h, 'createCluster', input);
    expect(repeat).toMatchObject({ __typename: 'CreateClusterPayload', replayed: false, cluster: { name: input.name } });
    expect(h.sim.stats.calls.CreateCluster).toBe(2);
  });

  it('an expandCluster whose answer was lost resolves to the expansion job EMS runs', async () => {
    const target = await cluster(h, 'kvcache-prod-01');
    const input = { clusterId: target.id, nodeNames: ['recon-node-1'], idempotencyKey: randomUUID() };
    h.sim.setFaults({ latencyMs: LATE_MS, operations: ['ExpandCluster'] });
    const failed = await h.gql(MUTATIONS.expandCluster, { input });
    expect(failed.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    h.sim.resetFaults();
    const repeat = await payloadOf(h, 'expandCluster', input);
    expect(repeat).toMatchObject({ __typename: 'ExpandClusterPayload', replayed: true, clusterId: target.id, cluster: { status: 'EXPANDING' } });
    expect(h.sim.stats.calls.ExpandCluster).toBe(1);
  });

  it('where EMS cannot tell (createCredential), the repeat answers IDEMPOTENCY_OUTCOME_UNKNOWN with what is known and submits nothing', async () => {
    const input = { idempotencyKey: randomUUID() };
    h.sim.setFaults({ latencyMs: LATE_MS, operations: ['CreateCredentialInfo'] });
    const failed = await h.gql(MUTATIONS.createCredential, { input });
    expect(failed.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    h.sim.resetFaults();
    await new Promise((r) => setTimeout(r, LATE_MS));
    h.sim.stats.reset();
    for (let i = 0; i < 2; i++) {
      const repeat = await h.gql(MUTATIONS.createCredential, { input });
      expect(repeat.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_OUTCOME_UNKNOWN', retryable: false });
      expect(repeat.errors?.[0]?.message).toMatch(/failed with UPSTREAM_TIMEOUT after it may have reached EMS.*new idempotencyKey/);
    }
    expect(h.sim.stats.calls.CreateCredentialInfo ?? 0).toBe(0);
  });

  it('a restart keeps the records: the same key after a restart replays instead of writing twice', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ems-gateway-restart-'));
    const env = { EMS_ENDPOINT: h.sim.url, EMS_PROJECT_ID: h.sim.credentials.projectId, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    const gql = async (url: string, input: MutationInput<'createCluster'>) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': h.token },
        body: JSON.stringify({ query: print(MUTATIONS.createCluster), variables: { input } }),
      });
      return member(((await response.json()) as { data: { createCluster: MutationResult<'createCluster'> } }).data.createCluster, 'CreateClusterPayload');
    };
    const input = createInput(randomUUID());
    const first = await buildApp(loadConfig({ AUDIT_LOG: 'off', ...env }), { logger: pino({ level: 'silent' }) });
    const created = await gql(await first.start(0, '127.0.0.1'), input);
    await first.stop();
    const second = await buildApp(loadConfig({ AUDIT_LOG: 'off', ...env }), { logger: pino({ level: 'silent' }) });
    const repeated = await gql(await second.start(0, '127.0.0.1'), input);
    await second.stop();
    expect(repeated).toMatchObject({ __typename: 'CreateClusterPayload', replayed: true, jobId: created.jobId, clusterId: created.clusterId });
    expect(h.sim.stats.calls.CreateCluster).toBe(1);
  });
});

const redis = await requireRedis(suiteName(import.meta.url));

describe.skipIf(!redis)('in Redis, across two gateway instances', () => {
  const prefix = `test-mut-${randomBytes(6).toString('hex')}:`;
  const env = { REDIS_URL: redis?.url ?? TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix };
  let h: Harness;
  let b: App;
  let bUrl: string;
  let admin: Redis;

  /** The same mutation, sent to instance B. */
  async function sendB<F extends MutationField>(field: F, input: MutationInput<F>): Promise<MutationResult<F>> {
    const response = await fetch(bUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-auth-token': h.token },
      body: JSON.stringify({ query: print(MUTATIONS[field]), variables: { input } }),
    });
    const body = (await response.json()) as { data: Record<F, MutationResult<F>>; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data[field];
  }

  async function ourKeys(): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return keys;
  }

  beforeAll(async () => {
    admin = new Redis(env.REDIS_URL);
    h = await startHarness({ sim: { clockSpeed: 0 }, env });
    const config = loadConfig({
      AUDIT_LOG: 'off',
      EMS_ENDPOINT: h.sim.url,
      EMS_PROJECT_ID: h.sim.credentials.projectId,
      EMS_TIMEOUT_MS: '5000',
      LOG_LEVEL: 'silent',
      ...env,
    });
    b = await buildApp(config, { logger: pino({ level: 'silent' }) });
    bUrl = await b.start(0, '127.0.0.1');
  });
  afterAll(async () => {
    const keys = await ourKeys().catch(() => []);
    if (keys.length) await admin.del(...keys);
    await b?.stop();
    await h?.close();
    await admin.quit();
  });
  beforeEach(() => h.sim.stats.reset());
  afterEach(() => h.sim.resetFaults());

  it('uses the Redis store', () => {
    expect(h.app.services.idempotency).toBeInstanceOf(RedisIdempotencyStore);
    expect(b.services.idempotency).toBeInstanceOf(RedisIdempotencyStore);
  });

  it('a repeat on the other instance returns the first result', async () => {
    const input = { name: uniqueName('redis'), k8s: { k8sClusterId: newK8sClusterId() }, idempotencyKey: randomUUID() };
    const first = await payloadOf(h, 'createCluster', input);
    const second = await sendB('createCluster', input);
    expect(second).toMatchObject({ __typename: 'CreateClusterPayload', replayed: true, jobId: first.jobId, clusterId: first.clusterId });
    expect(h.sim.stats.calls.CreateCluster).toBe(1);
  });

  it('concurrent duplicates on both instances make one upstream call', async () => {
    h.sim.setFaults({ latencyMs: 250, operations: ['ExpandCluster'] });
    const target = await cluster(h, 'kvcache-prod-02');
    const input = { clusterId: target.id, nodeNames: ['redis-node-1'], idempotencyKey: randomUUID() };
    h.sim.stats.reset();
    const answers = await Promise.all([
      mutate(h, 'expandCluster', input),
      sendB('expandCluster', input),
      mutate(h, 'expandCluster', input),
      sendB('expandCluster', input),
    ]);
    expect(h.sim.stats.calls.ExpandCluster).toBe(1);
    const results = answers.map((r) => member(r, 'ExpandClusterPayload'));
    expect(new Set(results.map((r) => r.jobId)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
  });

  it('a key reused with a different input on the other instance is refused', async () => {
    const key = randomUUID();
    await payloadOf(h, 'createCluster', { name: uniqueName('redis'), k8s: { k8sClusterId: newK8sClusterId() }, idempotencyKey: key });
    const reused = await sendB('createCluster', { name: uniqueName('redis'), k8s: { k8sClusterId: newK8sClusterId() }, idempotencyKey: key });
    expect(reused.__typename).toBe('IdempotencyKeyReusedError');
    expect(h.sim.stats.calls.CreateCluster).toBe(1);
  });

  it('records live under REDIS_KEY_PREFIX for 10 minutes and hold no cdKey', async () => {
    const created = await payloadOf(h, 'createCredential', { idempotencyKey: randomUUID() });
    // Rate-limit counters share the prefix (`rl:`); the idempotency records are the rest.
    const keys = (await ourKeys()).filter((key) => !key.startsWith(`${prefix}rl:`));
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (const key of keys) {
      expect(key.startsWith(`${prefix}idem:`)).toBe(true);
      const ttl = await admin.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(600_000);
      expect(await admin.get(key)).not.toContain(created.credential!.cdKey);
    }
  });

  it('stop() closes the Redis connection', async () => {
    const config = loadConfig({ EMS_ENDPOINT: h.sim.url, LOG_LEVEL: 'silent', AUDIT_LOG: 'off', ...env });
    const c = await buildApp(config, { logger: pino({ level: 'silent' }) });
    const store = c.services.idempotency as RedisIdempotencyStore;
    await c.start(0, '127.0.0.1');
    await c.stop();
    expect(store.client.status).toBe('end');
  });
});

describe('with the idempotency store unreachable', () => {
  let h: Harness;
  let unreachable: RedisIdempotencyStore;
  beforeAll(async () => {
    h = await startHarness({ sim: { clockSpeed: 0 } });
    // Port 1 on loopback: connection refused. (buildApp itself insists on a reachable REDIS_URL,
    // so the outage is simulated by swapping the running gateway's store.)
    unreachable = new RedisIdempotencyStore({ url: 'redis://127.0.0.1:1', keyPrefix: 'test-mut-unreachable:' });
    h.app.services.idempotency = unreachable;
  });
  afterAll(async () => {
    await h?.close();
    await unreachable?.close();
  });

  it('a keyed mutation fails with IDEMPOTENCY_UNAVAILABLE before anything is sent; an unkeyed one proceeds', async () => {
    h.sim.stats.reset();
    const input = { name: uniqueName('noredis'), k8s: { k8sClusterId: newK8sClusterId() } };
    const keyed = await h.gql(MUTATIONS.createCluster, { input: { ...input, idempotencyKey: randomUUID() } });
    expect(keyed.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_UNAVAILABLE', retryable: true });
    expect(keyed.errors?.[0]?.message).not.toMatch(/127\.0\.0\.1/);
    expect(h.sim.stats.count()).toBe(0);
    const unkeyed = await payloadOf(h, 'createCluster', input);
    expect(unkeyed.__typename).toBe('CreateClusterPayload');
  });
});
