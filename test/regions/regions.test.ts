import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createRegionalSimulators, type EmsSimulator } from '../../src/simulator/index.js';
import {
  ClusterAnywhereDocument,
  CreateInRegionDocument,
  ExpandAnywhereDocument,
  JobAnywhereDocument,
  JobProgressAnywhereDocument,
  RegionClustersCountDocument,
  RegionClustersPageDocument,
  RegionFleetDocument,
  RegionJobsDocument,
  RegionsDocument,
  type RegionClustersPageQuery,
} from '../generated/graphql.js';
import { regionsEnv, startRegionsHarness, THREE_REGIONS, type RegionsHarness } from '../fixtures/regions-harness.js';
import { cancelJob, createClusterJob, pollsOf, subscribe, until, wsClient } from '../subscriptions/live-helpers.js';

const [NORTH, EAST, SOUTHEAST] = THREE_REGIONS;

/** Every cluster id of one region, in its EMS order, as the gateway lists it. */
async function idsOf(h: RegionsHarness, region: string): Promise<string[]> {
  const { data } = await h.gql(RegionClustersPageDocument, { first: 1000, regions: [region] });
  return data!.clusters.edges.map((e) => e!.node!.id);
}

describe('three regions: project ids from IAM', () => {
  let h: RegionsHarness;
  beforeAll(async () => {
    h = await startRegionsHarness();
  });
  afterAll(() => h?.close());

  it('discovers each region’s project id at start-up from IAM GET /v3/projects (AK/SK signed)', async () => {
    const { data, errors } = await h.gql(RegionsDocument);
    expect(errors).toBeUndefined();
    expect(data!.regions).toEqual(
      THREE_REGIONS.map((name, i) => ({
        name,
        projectId: h.sims.region(name).credentials.projectId,
        endpoint: h.sims.region(name).url,
        default: i === 0,
        healthy: true,
      })),
    );
    // Three regions, three fleets, three projects.
    expect(new Set(data!.regions.map((r) => r.projectId)).size).toBe(3);
  });

  it('a region IAM does not list stops start-up with an error naming the region', async () => {
    const env = { ...h.env, EMS_REGIONS: `${NORTH},eu-west-101`, EMS_IAM_ENDPOINT_EU_WEST_101: h.sims.region(NORTH).url, EMS_ENDPOINT_EU_WEST_101: h.sims.region(NORTH).url };
    await expect(buildApp(loadConfig(env), { logger: pino({ level: 'silent' }) })).rejects.toThrow(
      /region eu-west-101: project id discovery failed: IAM at .* lists no project named eu-west-101/,
    );
  });

  it('credentials IAM refuses stop start-up with an error naming the region and the refusal', async () => {
    const env = { ...h.env, EMS_SK: 'not-the-secret-key-of-this-access-key' };
    await expect(buildApp(loadConfig(env), { logger: pino({ level: 'silent' }) })).rejects.toThrow(/region cn-north-4: project id discovery failed: IAM at .* answered 401 APIGW\.0301/);
  });

  it('the simulator answers IAM only to verified signatures', async () => {
    const res = await fetch(new URL('/v3/projects', h.sims.region(EAST).url), { headers: { authorization: 'SDK-HMAC-SHA256 Access=NOPE, SignedHeaders=host;x-sdk-date, Signature=00' } });
    expect(res.status).toBe(401);
  });
});

describe('three regions: one graph', () => {
  let h: RegionsHarness;
  beforeAll(async () => {
    h = await startRegionsHarness();
    h.sims.region(NORTH).seedClusters(5);
    h.sims.region(EAST).seedClusters(4);
    h.sims.region(SOUTHEAST).seedClusters(6);
  });
  afterAll(() => h?.close());

  it('merges regions in configured order, each in EMS order, with cursors that stay valid across regions and pages', async () => {
    const expected = [...(await idsOf(h, NORTH)), ...(await idsOf(h, EAST)), ...(await idsOf(h, SOUTHEAST))];
    expect(expected).toHaveLength(15);
    const seen: { id: string; region: string; cursor: string }[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const result: Awaited<ReturnType<typeof h.gql<RegionClustersPageQuery>>> = await h.gql(RegionClustersPageDocument, { first: 4, after });
      const { data, errors } = result;
      expect(errors).toBeUndefined();
      seen.push(...data!.clusters.edges.map((e) => ({ id: e!.node!.id, region: e!.node!.region, cursor: e!.cursor })));
      expect(data!.clusters.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!data!.clusters.pageInfo.hasNextPage) break;
      after = data!.clusters.pageInfo.endCursor!;
    }
    expect(seen.map((s) => s.id)).toEqual(expected);
    expect(seen.map((s) => s.region)).toEqual([...Array(5).fill(NORTH), ...Array(4).fill(EAST), ...Array(6).fill(SOUTHEAST)]);
    // Any cursor, asked again, continues where it did.
    for (const at of [3, 4, 8, 13]) {
      const { data } = await h.gql(RegionClustersPageDocument, { first: 3, after: seen[at]!.cursor });
      expect(data!.clusters.edges.map((e) => e!.node!.id)).toEqual(expected.slice(at + 1, at + 4));
    }
  });

  it('a regions filter keeps configured order; a cursor outside it is refused', async () => {
    const { data } = await h.gql(RegionClustersPageDocument, { first: 100, regions: [SOUTHEAST, NORTH] });
    expect(data!.clusters.edges.map((e) => e!.node!.region)).toEqual([...Array(5).fill(NORTH), ...Array(6).fill(SOUTHEAST)]);
    const eastCursor = (await h.gql(RegionClustersPageDocument, { first: 1, regions: [EAST] })).data!.clusters.edges[0]!.cursor;
    const refused = await h.gql(RegionClustersPageDocument, { first: 1, after: eastCursor, regions: [NORTH] });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const unknown = await h.gql(RegionClustersPageDocument, { first: 1, regions: ['mars-north-1'] });
    expect(unknown.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('mars-north-1') });
  });

  it('totalCount sums the regions', async () => {
    const { data, extensions } = await h.gql(RegionClustersCountDocument, {});
    expect(data!.clusters.totalCount).toBe(15);
    expect(extensions?.regions).toEqual(THREE_REGIONS.map((name) => ({ name, ok: true, code: null, requestId: null })));
  });

  it('jobs merge the same way, and a job’s cluster is read in the job’s region', async () => {
    const { data, errors } = await h.gql(RegionJobsDocument, { first: 1000, type: 'LONG' });
    expect(errors).toBeUndefined();
    const edges = data!.jobs.edges.map((e) => e!.node!);
    expect(edges).toHaveLength(15);
    for (const job of edges) expect(job.cluster).toMatchObject({ region: job.region });
  });

  it('per-region lists (releases, features, credentials) ask the region named, else the default region, with its project id', async () => {
    for (const sim of h.sims.regions) sim.stats.reset();
    const query = 'query($r: String) { releases(first: 5, region: $r) { totalCount } features(first: 1, region: $r) { totalCount } credentials(region: $r) { projectId } }';
    const east = await h.gql(query, { r: EAST });
    expect(east.errors).toBeUndefined();
    expect(h.sims.regions.map((s) => s.stats.count('ListReleases') + s.stats.count('ListFeatures') + s.stats.count('ShowCredentialInfo'))).toEqual([0, 3, 0]);
    const eastProject = h.sims.region(EAST).credentials.projectId;
    expect(east.data.credentials.map((c: { projectId: string }) => c.projectId)).toEqual(east.data.credentials.map(() => eastProject));
    expect(h.sims.region(EAST).stats.log.find((e) => e.operation === 'ShowCredentialInfo')!.path).toContain(eastProject);
    const plain = await h.gql(query, { r: null });
    expect(plain.errors).toBeUndefined();
    expect(h.sims.region(NORTH).stats.log.find((e) => e.operation === 'ShowCredentialInfo')!.path).toContain(h.sims.region(NORTH).credentials.projectId);
    const unknown = await h.gql(query, { r: 'mars-north-1' });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('cluster(id) and job(id) find their region, or use the one named', async () => {
    const id = (await idsOf(h, SOUTHEAST))[2]!;
    for (const stats of h.sims.regions.map((s) => s.stats)) stats.reset();
    const found = await h.gql(ClusterAnywhereDocument, { id });
    expect(found.data!.cluster).toMatchObject({ id, region: SOUTHEAST });
    // One ShowCluster per region, all at once.
    expect(h.sims.regions.map((s) => s.stats.count('ShowCluster'))).toEqual([1, 1, 1]);
    expect((await h.gql(ClusterAnywhereDocument, { id, region: SOUTHEAST })).data!.cluster).toMatchObject({ region: SOUTHEAST });
    expect((await h.gql(ClusterAnywhereDocument, { id, region: NORTH })).data!.cluster).toBeNull();
    const jobs = await h.gql(RegionJobsDocument, { first: 1, type: 'LONG', regions: [EAST] });
    const jobId = jobs.data!.jobs.edges[0]!.node!.id;
    expect((await h.gql(JobAnywhereDocument, { id: jobId })).data!.job).toMatchObject({ id: jobId, region: EAST, cluster: { region: EAST } });
  });
});

describe('three regions: cost per region', () => {
  let h: RegionsHarness;
  beforeAll(async () => {
    h = await startRegionsHarness();
    h.sims.region(NORTH).seedClusters(34);
    h.sims.region(EAST).seedClusters(33);
    h.sims.region(SOUTHEAST).seedClusters(33);
  });
  afterAll(() => h?.close());

  it('the 100-cluster nested query costs 4 upstream calls per region: 1 ListClusters, 1 ListJobs per type, 1 ListReleases', async () => {
    for (const sim of h.sims.regions) sim.stats.reset();
    const { data, errors } = await h.gql(RegionFleetDocument, { first: 100 });
    expect(errors).toBeUndefined();
    const clusters = data!.clusters.edges.map((e) => e!.node!);
    expect(clusters).toHaveLength(100);
    for (const cluster of clusters) {
      expect(cluster.jobs!.edges.length).toBeGreaterThan(0);
      for (const job of cluster.jobs!.edges) expect(job!.node!.region).toBe(cluster.region);
      expect(cluster.release).not.toBeNull();
    }
    for (const sim of h.sims.regions) {
      expect({ region: sim.region, calls: sim.stats.calls }).toMatchObject({
        region: sim.region,
        calls: { ListClusters: 1, ListJobs: 2, ListReleases: 1 },
      });
      expect(sim.stats.count()).toBe(4);
    }
    // The regions are asked in the same rounds: each region's first ListClusters is sent before
    // any region's ListJobs (which needs its clusters).
    const firstJobs = Math.min(...h.sims.regions.map((s) => s.stats.log.find((e) => e.operation === 'ListJobs')!.at));
    for (const sim of h.sims.regions) expect(sim.stats.log.find((e) => e.operation === 'ListClusters')!.at).toBeLessThanOrEqual(firstJobs);
  });
});

describe('three regions: a region down', () => {
  let h: RegionsHarness;
  beforeAll(async () => {
    h = await startRegionsHarness({ env: { EMS_MAX_RETRIES: '0' } });
  });
  afterAll(() => h?.close());

  it('a region answering 503 nulls nothing else: the others arrive, the error and extensions.regions name it', async () => {
    h.sims.region(SOUTHEAST).setFaults({ errorRate: 1 });
    try {
      const { data, errors, extensions } = await h.gql(RegionClustersPageDocument, { first: 100 });
      expect(new Set(data!.clusters.edges.map((e) => e!.node!.region))).toEqual(new Set([NORTH, EAST]));
      expect(data!.clusters.edges).toHaveLength(40);
      expect(errors).toHaveLength(1);
      expect(errors![0]).toMatchObject({
        message: expect.stringContaining(`Region ${SOUTHEAST}`),
        path: ['clusters'],
        extensions: { code: 'UPSTREAM_UNAVAILABLE', region: SOUTHEAST, requestId: expect.any(String) },
      });
      expect(extensions?.regions).toEqual([
        { name: NORTH, ok: true, code: null, requestId: null },
        { name: EAST, ok: true, code: null, requestId: null },
        { name: SOUTHEAST, ok: false, code: 'UPSTREAM_UNAVAILABLE', requestId: expect.any(String) },
      ]);
    } finally {
      h.sims.region(SOUTHEAST).resetFaults();
    }
  });

  it('a region whose token is refused fails alone: per-region tokens (X-Auth-Token-<region>)', async () => {
    const tokenHarness = await startRegionsHarness({ aksk: false });
    try {
      const { data, errors, extensions } = await tokenHarness.gql(RegionClustersPageDocument, { first: 100 }, { headers: { [`x-auth-token-${EAST}`]: 'MIIsim-not-a-token' } });
      expect(new Set(data!.clusters.edges.map((e) => e!.node!.region))).toEqual(new Set([NORTH, SOUTHEAST]));
      expect(errors![0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED', region: EAST } });
      expect(extensions?.regions?.map((r) => r.ok)).toEqual([true, false, true]);
    } finally {
      await tokenHarness.close();
    }
  });

  it('a region that stops mid-request: the other two answer, the error names the missing one', async () => {
    const east: EmsSimulator = h.sims.region(EAST);
    east.setFaults({ latencyMs: 60_000 });
    const pending = h.gql(RegionClustersPageDocument, { first: 100 });
    await until(() => east.stats.count('ListClusters') >= 1, 10_000, 'the request reaching cn-east-3');
    await east.stop();
    const { data, errors, extensions } = await pending;
    expect(new Set(data!.clusters.edges.map((e) => e!.node!.region))).toEqual(new Set([NORTH, SOUTHEAST]));
    expect(errors).toHaveLength(1);
    expect(errors![0]).toMatchObject({ message: expect.stringContaining(`Region ${EAST}`), extensions: { code: 'UPSTREAM_UNAVAILABLE', region: EAST } });
    expect(extensions?.regions?.map((r) => [r.name, r.ok])).toEqual([
      [NORTH, true],
      [EAST, false],
      [SOUTHEAST, true],
    ]);
    // A lookup by id that the answering regions cannot settle names the silent one.
    const id = (await h.gql(RegionClustersPageDocument, { first: 1, regions: [NORTH] })).data!.clusters.edges[0]!.node!.id;
    expect((await h.gql(ClusterAnywhereDocument, { id })).data!.cluster).toMatchObject({ region: NORTH });
    const missing = await h.gql(ClusterAnywhereDocument, { id: '00000000-0000-4000-8000-000000000000' });
    expect(missing.errors?.[0]).toMatchObject({ message: expect.stringContaining(EAST), extensions: { region: EAST } });
  });
});

describe('three regions: a slow region and the request deadline', () => {
  let h: RegionsHarness;
  beforeAll(async () => {
    h = await startRegionsHarness({ env: { EMS_MAX_RETRIES: '0', REQUEST_TIMEOUT_MS: '2000' } });
  });
  afterAll(() => h?.close());

  it('a region slower than REQUEST_TIMEOUT_MS is cut off at the deadline; the rest of the fleet arrives', async () => {
    h.sims.region(NORTH).setFaults({ latencyMs: 60_000 });
    const { data, errors } = await h.gql(RegionClustersPageDocument, { first: 100 });
    expect(new Set(data!.clusters.edges.map((e) => e!.node!.region))).toEqual(new Set([EAST, SOUTHEAST]));
    expect(errors?.[0]).toMatchObject({ extensions: { region: NORTH, code: 'UPSTREAM_TIMEOUT' } });
  });
});

describe('three regions: writes and subscriptions', () => {
  let h: RegionsHarness;
  beforeAll(async () => {
    h = await startRegionsHarness({ sim: { clockSpeed: 1 }, env: { POLL_ACTIVE_MS: '300', POLL_IDLE_MS: '1500' } });
  });
  afterAll(() => h?.close());

  it('a mutation on a cluster is routed to the region that holds it', async () => {
    const running = await h.gql(RegionClustersCountDocument, { regions: [SOUTHEAST], status: ['RUNNING'] });
    const clusterId = running.data!.clusters.edges[0]!.node!.id;
    for (const sim of h.sims.regions) sim.stats.reset();
    const { data } = await h.gql(ExpandAnywhereDocument, { input: { clusterId, nodeNames: ['node-x1'] } });
    expect(data!.expandCluster).toMatchObject({
      __typename: 'ExpandClusterPayload',
      clusterId,
      job: { region: SOUTHEAST },
      cluster: { id: clusterId, region: SOUTHEAST, status: 'EXPANDING' },
    });
    expect(h.sims.regions.map((s) => s.stats.count('ExpandCluster'))).toEqual([0, 0, 1]);
    const unknown = await h.gql(ExpandAnywhereDocument, { input: { clusterId: '00000000-0000-4000-8000-000000000000', nodeNames: ['n1'] } });
    expect(unknown.data!.expandCluster).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(h.sims.regions.map((s) => s.stats.count('ExpandCluster'))).toEqual([0, 0, 1]);
  });

  it('creating a cluster needs its region when several are configured, and goes there', async () => {
    const input = { name: 'region-create-01', k8s: { k8sClusterId: '3f0c2a4e-8b1d-4c6f-9a7e-5d2b1c0e9f8a' } };
    const refused = await h.gql(CreateInRegionDocument, { input });
    expect(refused.data!.createCluster).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'region', message: expect.stringContaining('required') }] });
    expect(h.sims.regions.map((s) => s.stats.count('CreateCluster'))).toEqual([0, 0, 0]);
    const wrong = await h.gql(CreateInRegionDocument, { input: { ...input, region: 'mars-north-1' } });
    expect(wrong.data!.createCluster).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'region' }] });
    const created = await h.gql(CreateInRegionDocument, { input: { ...input, region: EAST } });
    expect(created.data!.createCluster).toMatchObject({
      __typename: 'CreateClusterPayload',
      job: { region: EAST },
      cluster: { region: EAST, name: 'region-create-01' },
    });
    expect(h.sims.regions.map((s) => s.stats.count('CreateCluster'))).toEqual([0, 1, 0]);
  });

  it('jobProgress follows a job in a non-default region, polled there', async () => {
    const east = h.sims.region(EAST);
    const { jobId, clusterId } = await createClusterJob(east);
    const client = wsClient(h.url, h.token);
    try {
      const sub = subscribe(client, JobProgressAnywhereDocument, { id: jobId });
      await until(() => sub.values.length >= 1, 10_000, 'first state');
      expect(sub.values[0]).toMatchObject({ id: jobId, region: EAST, cluster: { id: clusterId, region: EAST } });
      await cancelJob(east, jobId);
      await sub.done;
      expect(sub.completed).toBe(true);
      expect(sub.values.at(-1)).toMatchObject({ status: 'STOPPED', region: EAST });
      // The poller asked cn-east-3; the other regions were asked once, by the lookup.
      expect(pollsOf(east, jobId).length).toBeGreaterThanOrEqual(2);
      expect(pollsOf(h.sims.region(NORTH), jobId)).toHaveLength(1);
    } finally {
      await client.dispose();
    }
  });
});

describe('the simulator’s regions', () => {
  it('SIMULATOR_REGIONS-style simulators: one fleet and project per region, one account', async () => {
    const sims = createRegionalSimulators(THREE_REGIONS);
    await sims.start();
    try {
      expect(sims.regions.map((s) => s.region)).toEqual([...THREE_REGIONS]);
      expect(new Set(sims.regions.map((s) => s.credentials.projectId)).size).toBe(3);
      expect(Object.keys(regionsEnv(sims))).toContain('EMS_ENDPOINT_AP_SOUTHEAST_1');
      for (const sim of sims.regions) {
        const res = await fetch(new URL('/v1/clusters?limit=1', sim.url), { headers: { 'x-auth-token': sims.credentials.token } });
        expect(res.status).toBe(200);
      }
      const projects = await fetch(new URL('/v3/projects', sims.region(EAST).url), { headers: { 'x-auth-token': sims.credentials.token } });
      const body = (await projects.json()) as { projects: { id: string; name: string }[] };
      expect(body.projects.filter((p) => !p.name.includes('_'))).toEqual(
        sims.regions.map((s) => expect.objectContaining({ id: s.credentials.projectId, name: s.region })),
      );
    } finally {
      await sims.stop();
    }
  });
});

describe('a single EMS_ENDPOINT stays one region', () => {
  it('names its region (EMS_REGION, else the endpoint host, else "default"), keeps offset cursors and adds no extensions.regions', async () => {
    const { startHarness } = await import('../fixtures/harness.js');
    const one = await startHarness({ env: { EMS_REGION: 'cn-north-4' } });
    try {
      const { data, extensions } = await one.gql(RegionClustersPageDocument, { first: 2 });
      expect(data!.clusters.edges.map((e) => e!.node!.region)).toEqual(['cn-north-4', 'cn-north-4']);
      expect(Buffer.from(data!.clusters.edges[1]!.cursor, 'base64').toString()).toBe('OffsetConnection:1');
      expect(extensions?.regions).toBeUndefined();
      expect((await one.gql(RegionsDocument)).data!.regions).toEqual([
        { name: 'cn-north-4', projectId: one.sim.credentials.projectId, endpoint: one.sim.url, default: true, healthy: true },
      ]);
      // A region argument must name it.
      const other = await one.gql(RegionClustersPageDocument, { first: 1, regions: ['cn-east-3'] });
      expect(other.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    } finally {
      await one.close();
    }
    const unnamed = await startHarness();
    try {
      expect((await unnamed.gql(RegionsDocument)).data!.regions.map((r) => r.name)).toEqual(['default']);
    } finally {
      await unnamed.close();
    }
  });
});
