/**
 * Operating a gateway over several regions: one CancelJobs per region for jobs in several regions
 * (exactly once per key in each), /readyz per region, and the region on upstream metrics and call
 * logs. Three simulated regions over real HTTP (test/fixtures/regions-harness.ts).
 */
import { Writable } from 'node:stream';
import { createClient } from 'graphql-ws';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHarness } from '../fixtures/harness.js';
import { startRegionsHarness, THREE_REGIONS, type RegionsHarness } from '../fixtures/regions-harness.js';
import { createClusterJob } from '../subscriptions/live-helpers.js';

const [NORTH, EAST, SOUTHEAST] = THREE_REGIONS;

const CANCEL = `mutation ($input: CancelJobsInput!) {
  cancelJobs(input: $input) {
    __typename
    ... on CancelJobsPayload { cancelled failed replayed }
    ... on Error { code message }
    ... on ValidationError { fields { field message } }
  }
}`;

const cancelCounts = (h: RegionsHarness) => h.sims.regions.map((s) => s.stats.count('CancelJobs'));

describe('three regions: cancelJobs of jobs in several regions', () => {
  let h: RegionsHarness;
  beforeAll(async () => {
    h = await startRegionsHarness({ sim: { clockSpeed: 1 }, env: { EMS_MAX_RETRIES: '0' } });
  });
  afterAll(() => h?.close());

  it('sends one CancelJobs per region, each with its own jobs, and merges the answers in request order', async () => {
    const east = await createClusterJob(h.sims.region(EAST));
    const north = await createClusterJob(h.sims.region(NORTH));
    for (const sim of h.sims.regions) sim.stats.reset();
    const { data, errors } = await h.gql(CANCEL, { input: { jobIds: [east.jobId, north.jobId] } });
    expect(errors).toBeUndefined();
    expect(data.cancelJobs).toEqual({ __typename: 'CancelJobsPayload', cancelled: [east.jobId, north.jobId], failed: [], replayed: false });
    expect(cancelCounts(h)).toEqual([1, 1, 0]);
  });

  it('exactly once per idempotency key in every region; the key with other jobs is refused', async () => {
    const east = await createClusterJob(h.sims.region(EAST));
    const south = await createClusterJob(h.sims.region(SOUTHEAST));
    for (const sim of h.sims.regions) sim.stats.reset();
    const input = { jobIds: [south.jobId, east.jobId], idempotencyKey: `split-${Date.now()}` };
    const first = await h.gql(CANCEL, { input });
    expect(first.data.cancelJobs).toEqual({ __typename: 'CancelJobsPayload', cancelled: [south.jobId, east.jobId], failed: [], replayed: false });
    const again = await h.gql(CANCEL, { input });
    expect(again.data.cancelJobs).toEqual({ __typename: 'CancelJobsPayload', cancelled: [south.jobId, east.jobId], failed: [], replayed: true });
    expect(cancelCounts(h)).toEqual([0, 1, 1]);
    // The same key for a part of the jobs (one region) or in another order is another input.
    const part = await h.gql(CANCEL, { input: { ...input, jobIds: [east.jobId] } });
    expect(part.data.cancelJobs).toMatchObject({ __typename: 'IdempotencyKeyReusedError', code: 'IDEMPOTENCY_KEY_REUSED' });
    const reordered = await h.gql(CANCEL, { input: { ...input, jobIds: [east.jobId, south.jobId] } });
    expect(reordered.data.cancelJobs).toMatchObject({ __typename: 'IdempotencyKeyReusedError' });
    expect(cancelCounts(h)).toEqual([0, 1, 1]);
  });

  it('a key one region already holds for another input refuses the whole request: no region submits', async () => {
    const east = await createClusterJob(h.sims.region(EAST));
    const north = await createClusterJob(h.sims.region(NORTH));
    const key = `split-held-${Date.now()}`;
    const first = await h.gql(CANCEL, { input: { jobIds: [east.jobId], region: EAST, idempotencyKey: key } });
    expect(first.data.cancelJobs).toMatchObject({ __typename: 'CancelJobsPayload', cancelled: [east.jobId] });
    for (const sim of h.sims.regions) sim.stats.reset();
    const split = await h.gql(CANCEL, { input: { jobIds: [east.jobId, north.jobId], idempotencyKey: key } });
    expect(split.data.cancelJobs).toMatchObject({ __typename: 'IdempotencyKeyReusedError', code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(cancelCounts(h)).toEqual([0, 0, 0]);
    // The north share's claim was released: the north job is still running and can be cancelled.
    const later = await h.gql(CANCEL, { input: { jobIds: [north.jobId], idempotencyKey: `${key}-2` } });
    expect(later.data.cancelJobs).toMatchObject({ __typename: 'CancelJobsPayload', cancelled: [north.jobId], failed: [] });
  });

  it('two identical requests at once: one CancelJobs per region, both answered', async () => {
    const east = await createClusterJob(h.sims.region(EAST));
    const south = await createClusterJob(h.sims.region(SOUTHEAST));
    for (const sim of h.sims.regions) sim.stats.reset();
    const input = { jobIds: [east.jobId, south.jobId], idempotencyKey: `split-twice-${Date.now()}` };
    const [a, b] = await Promise.all([h.gql(CANCEL, { input }), h.gql(CANCEL, { input })]);
    for (const r of [a, b]) expect(r.data.cancelJobs).toMatchObject({ __typename: 'CancelJobsPayload', cancelled: [east.jobId, south.jobId], failed: [] });
    expect([a.data.cancelJobs.replayed, b.data.cancelJobs.replayed].sort()).toEqual([false, true]);
    expect(cancelCounts(h)).toEqual([0, 1, 1]);
  });

  it('a region whose share fails does not hide the accepted share: its ids are failed, an error names it, a repeat resubmits it alone', async () => {
    const north = await createClusterJob(h.sims.region(NORTH));
    const south = await createClusterJob(h.sims.region(SOUTHEAST));
    for (const sim of h.sims.regions) sim.stats.reset();
    const input = { jobIds: [north.jobId, south.jobId], idempotencyKey: `split-partial-${Date.now()}` };
    h.sims.region(SOUTHEAST).setFaults({ errorRate: 1, operations: ['CancelJobs'] });
    let first;
    try {
      first = await h.gql(CANCEL, { input });
    } finally {
      h.sims.region(SOUTHEAST).resetFaults();
    }
    expect(first.data.cancelJobs).toEqual({ __typename: 'CancelJobsPayload', cancelled: [north.jobId], failed: [south.jobId], replayed: false });
    expect(first.errors).toHaveLength(1);
    expect(first.errors![0]).toMatchObject({
      path: ['cancelJobs'],
      message: expect.stringContaining(SOUTHEAST),
      extensions: { region: SOUTHEAST, code: 'UPSTREAM_UNAVAILABLE' },
    });
    expect(first.extensions?.regions?.find((r) => r.name === SOUTHEAST)).toMatchObject({ ok: false, code: 'UPSTREAM_UNAVAILABLE' });
    const northCalls = h.sims.region(NORTH).stats.count('CancelJobs');
    // EMS refused the southeast share, so its key was released: the repeat submits it, and replays the north share.
    const again = await h.gql(CANCEL, { input });
    expect(again.errors).toBeUndefined();
    expect(again.data.cancelJobs).toEqual({ __typename: 'CancelJobsPayload', cancelled: [north.jobId, south.jobId], failed: [], replayed: false });
    expect(h.sims.region(NORTH).stats.count('CancelJobs')).toBe(northCalls);
  });

  it('many ids are looked up in each region’s job lists, not one ShowJob per id and region', async () => {
    const east = await createClusterJob(h.sims.region(EAST));
    const north = await createClusterJob(h.sims.region(NORTH));
    const unknown = Array.from({ length: 400 }, (_, i) => `long-00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    for (const sim of h.sims.regions) sim.stats.reset();
    const bogus = await h.gql(CANCEL, { input: { jobIds: unknown } });
    expect(bogus.data.cancelJobs).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'region' }] });
    for (const sim of h.sims.regions) {
      expect(sim.stats.count('ShowJob')).toBe(0);
      expect(sim.stats.count('ListJobs')).toBeLessThanOrEqual(2);
    }
    const mixed = await h.gql(CANCEL, { input: { jobIds: [...unknown.slice(0, 10), east.jobId, north.jobId] } });
    expect(mixed.errors).toBeUndefined();
    expect(mixed.data.cancelJobs).toMatchObject({ __typename: 'CancelJobsPayload', cancelled: [east.jobId, north.jobId] });
    // The ids no region knows went with the first region's share, whose EMS reported them.
    expect(mixed.data.cancelJobs.failed).toEqual(unknown.slice(0, 10));
    expect(h.sims.regions.map((s) => s.stats.count('ShowJob'))).toEqual([0, 0, 0]);
  });

  it('every share failing is the first failure; jobs no region knows still need a region; too many ids are refused before any lookup', async () => {
    const unknown = await h.gql(CANCEL, { input: { jobIds: ['long-00000000-0000-4000-8000-000000000000'] } });
    expect(unknown.data.cancelJobs).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'region' }] });
    for (const sim of h.sims.regions) sim.stats.reset();
    const many = Array.from({ length: 1001 }, (_, i) => `long-00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const tooMany = await h.gql(CANCEL, { input: { jobIds: many } });
    expect(tooMany.data.cancelJobs).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'jobIds' }] });
    expect(h.sims.regions.map((s) => s.stats.log.length)).toEqual([0, 0, 0]);
  });
});

describe('three regions: /readyz, metrics and call logs per region', () => {
  let h: RegionsHarness;
  const lines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    h = await startRegionsHarness({ env: { EMS_MAX_RETRIES: '0' }, logger: pino({ level: 'debug' }, sink) });
  });
  afterAll(() => h?.close());

  it('credentials(projectId) of another region’s project reads that region (as createCredential writes there)', async () => {
    const east = h.sims.region(EAST).credentials.projectId;
    const { data, errors } = await h.gql('query ($p: ID) { credentials(projectId: $p) { projectId } }', { p: east });
    expect(errors).toBeUndefined();
    expect(data.credentials.length).toBeGreaterThan(0);
    expect(new Set(data.credentials.map((c: { projectId: string }) => c.projectId))).toEqual(new Set([east]));
  });

  it('labels upstream metrics and call logs with the region', async () => {
    const { errors } = await h.gql('{ clusters(first: 1) { edges { node { id } } } }');
    expect(errors).toBeUndefined();
    const metrics = await (await fetch(new URL('/metrics', h.url))).text();
    for (const region of THREE_REGIONS) {
      expect(metrics).toContain(`ems_upstream_requests_total{operation="ListClusters",status="200",code="OK",region="${region}"}`);
      expect(metrics).toMatch(new RegExp(`^ems_upstream_request_duration_seconds_count\\{operation="ListClusters",region="${region}"\\} \\d+$`, 'm'));
    }
    const calls = lines.filter((l) => l.msg === 'EMS call' && l.operation === 'ListClusters');
    expect(new Set(calls.map((l) => l.region))).toEqual(new Set(THREE_REGIONS));
  });

  it('a lookup by id logs the regions that do not hold it at debug, not as failed calls', async () => {
    const before = lines.length;
    const { data } = await h.gql('{ cluster(id: "00000000-0000-4000-8000-000000000000") { id } }');
    expect(data).toEqual({ cluster: null });
    const logged = lines.slice(before).filter((l) => l.operation === 'ShowCluster' || l.operation === 'ListClusters');
    expect(logged.filter((l) => l.msg === 'EMS call failed')).toEqual([]);
    expect(logged.filter((l) => l.level === 20 && l.msg === 'EMS call: not found in this region').map((l) => l.region).sort()).toEqual([...THREE_REGIONS].sort());
  });

  it('/readyz reports each region; ready while any region answers, 503 when none does', async () => {
    const readyz = async () => {
      const response = await fetch(new URL('/readyz', h.url));
      return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, unknown> } };
    };
    expect(await readyz()).toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { ems: 'up', regions: { [NORTH]: 'up', [EAST]: 'up', [SOUTHEAST]: 'up' } } },
    });
    await h.sims.region(EAST).stop();
    await expect.poll(readyz, { timeout: 15_000, interval: 200 }).toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { ems: 'partial', regions: { [NORTH]: 'up', [EAST]: 'down', [SOUTHEAST]: 'up' } } },
    });
    const failed = lines.filter((l) => l.msg === 'EMS call failed');
    await h.gql('{ clusters(first: 1) { edges { node { id } } } }');
    await expect.poll(() => lines.filter((l) => l.msg === 'EMS call failed').slice(failed.length), { timeout: 5_000 }).toContainEqual(
      expect.objectContaining({ operation: 'ListClusters', region: EAST, code: 'UPSTREAM_UNAVAILABLE' }),
    );
    await h.sims.region(NORTH).stop();
    await h.sims.region(SOUTHEAST).stop();
    await expect.poll(readyz, { timeout: 15_000, interval: 200 }).toMatchObject({
      status: 503,
      body: { status: 'unavailable', checks: { ems: 'down', regions: { [NORTH]: 'down', [EAST]: 'down', [SOUTHEAST]: 'down' } } },
    });
  });
});

describe('one region: metrics and /readyz as before', () => {
  it('no region label and no regions check', async () => {
    const one = await startHarness();
    try {
      await one.gql('{ clusters(first: 1) { edges { node { id } } } }');
      const metrics = await (await fetch(new URL('/metrics', one.url))).text();
      expect(metrics).toContain('ems_upstream_requests_total{operation="ListClusters",status="200",code="OK"}');
      expect(metrics).not.toMatch(/^ems_upstream_request[^\n]*region=/m);
      const ready = (await (await fetch(new URL('/readyz', one.url))).json()) as { checks: Record<string, unknown> };
      expect(ready.checks).toEqual({ ems: 'up', redis: 'not configured', subscriptions: 'single' });
    } finally {
      await one.close();
    }
  });
});

describe('three regions: what a probe of the gateway found', () => {
  let h: RegionsHarness;
  beforeAll(async () => {
    h = await startRegionsHarness({ aksk: false, env: { EMS_MAX_RETRIES: '0' } });
  });
  afterAll(() => h?.close());

  it('an unknown region name is quoted in the error at most 64 characters long (regions argument, mutation input)', async () => {
    const long = 'z'.repeat(5_000);
    const list = await h.gql('query ($r: [String!]) { clusters(first: 1, regions: $r) { totalCount } }', { r: [long] });
    expect(list.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'regions' } });
    expect(list.errors![0]!.message).toContain(`"${'z'.repeat(64)}…"`);
    expect(list.errors![0]!.message.length).toBeLessThan(300);
    const write = await h.gql(CANCEL, { input: { jobIds: ['long-00000000-0000-4000-8000-000000000000'], region: long } });
    expect(write.data.cancelJobs).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'region' }] });
    expect(write.data.cancelJobs.message.length).toBeLessThan(400);
  });

  it('regions { healthy } probes each region once per request, however many aliases select it', async () => {
    for (const sim of h.sims.regions) sim.stats.reset();
    const query = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: regions { name healthy }`).join(' ')} }`;
    const { data, errors } = await h.gql(query);
    expect(errors).toBeUndefined();
    expect(data.a39).toEqual(THREE_REGIONS.map((name) => ({ name, healthy: true })));
    expect(h.sims.regions.map((s) => s.stats.count('ListReleases'))).toEqual([1, 1, 1]);
  });

  it('a lookup by id that a refused per-region token leaves open is not called retryable', async () => {
    const missing = await h.gql('{ cluster(id: "00000000-0000-4000-8000-000000000000") { id } }', undefined, { headers: { [`x-auth-token-${EAST}`]: 'MIIsim-not-a-token' } });
    expect(missing.errors?.[0]).toMatchObject({
      message: expect.stringContaining(`${EAST} could not be asked (UNAUTHENTICATED)`),
      extensions: { code: 'UNAUTHENTICATED', region: EAST, retryable: false },
    });
  });

  it('a per-region token no HTTP header can carry closes the graphql-ws connection with 4403 at connection_init', async () => {
    const closed = new Promise<number>((resolve) => {
      const client = createClient({
        url: h.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: { authToken: h.token, authTokens: { [EAST]: 'MIIsim\r\nx-injected: 1' } },
        on: { closed: (event) => resolve((event as { code: number }).code) },
      });
      client.subscribe({ query: 'subscription { clusterStatus(id: "00000000-0000-4000-8000-000000000000") { id } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    });
    expect(await closed).toBe(4403);
  });
});
