import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { HARNESS_CLOCK_SPEED, startHarness, type Harness } from '../fixtures/harness.js';

/**
 * Stops the simulator's job clock for the current test: seeded jobs move jobs and clusters between
 * statuses, and a test comparing a snapshot with filtered reads must see the same statuses in both.
 */
function freezeSimulatorClock(h: Harness): void {
  h.sim.clock.setSpeed(0);
  onTestFinished(() => h.sim.clock.setSpeed(HARNESS_CLOCK_SPEED));
}
import {
  ClusterDetailDocument,
  ClusterIdsPageDocument,
  ClusterJobsDocument,
  ClusterLabelsDocument,
  ClusterPageDocument,
  CredentialsDocument,
  FeaturePageDocument,
  JobDetailDocument,
  JobIdsPageDocument,
  JobPageDocument,
  ReleasePageDocument,
  type ClusterStatus,
  type JobStatus,
} from '../generated/graphql.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

function expectUserInputError(result: { errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }, pattern: RegExp) {
  expect(result.errors).toHaveLength(1);
  expect(result.errors![0]!.message).toMatch(pattern);
  expect(result.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', upstreamCode: null, requestId: null, retryable: false });
}

/** Walks a connection with `first` until hasNextPage is false; returns the items in page order. */
async function walk<T>(
  page: (after: string | null) => Promise<{ edges: { cursor: string; node: T }[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } }>,
): Promise<{ items: NonNullable<T>[]; pages: number }> {
  const items: NonNullable<T>[] = [];
  let after: string | null = null;
  for (let pages = 1; ; pages++) {
    const connection = await page(after);
    items.push(...connection.edges.map((e) => e.node!));
    expect(connection.pageInfo.endCursor ?? null).toBe(connection.edges.at(-1)?.cursor ?? null);
    if (!connection.pageInfo.hasNextPage) return { items, pages };
    expect(connection.edges.length).toBeGreaterThan(0);
    after = connection.pageInfo.endCursor!;
  }
}

describe('clusters', () => {
  it('walks every page once: each cluster exactly once, hasNextPage false only on the last page', async () => {
    const all = await h.gql(ClusterPageDocument, { first: 1000 });
    const total = all.data!.clusters.totalCount;
    expect(total).toBe(20);
    for (const first of [1, 3, 7, 20, 50]) {
      const { items, pages } = await walk(async (after) => (await h.gql(ClusterPageDocument, { first, after })).data!.clusters);
      expect(items.map((c) => c.id)).toEqual(all.data!.clusters.edges.map((e) => e.node!.id));
      expect(pages).toBe(Math.max(1, Math.ceil(total / first)));
    }
  });

  it('walks pages without totalCount with one ListClusters call a page', async () => {
    const all = (await h.gql(ClusterPageDocument, { first: 1000 })).data!.clusters.edges.map((e) => e.node!.id);
    h.sim.stats.reset();
    const { items, pages } = await walk(async (after) => (await h.gql(ClusterIdsPageDocument, { first: 6, after })).data!.clusters);
    expect(items.map((c) => c.id)).toEqual(all);
    expect(pages).toBe(4);
    expect(h.sim.stats.calls.ListClusters).toBe(4);
    expect(h.sim.stats.count()).toBe(4);
  });

  it('reports cursors, hasPreviousPage and the page window', async () => {
    const first = await h.gql(ClusterPageDocument, { first: 5 });
    const p1 = first.data!.clusters;
    expect(p1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: p1.edges[0]!.cursor });
    const second = (await h.gql(ClusterPageDocument, { first: 5, after: p1.pageInfo.endCursor })).data!.clusters;
    expect(second.pageInfo.hasPreviousPage).toBe(true);
    expect(second.edges).toHaveLength(5);
    expect(new Set([...p1.edges, ...second.edges].map((e) => e.cursor)).size).toBe(10);
    const last = (await h.gql(ClusterPageDocument, { first: 5, after: second.edges[4]!.cursor })).data!.clusters;
    expect(last.edges[0]!.node!.id).not.toBe(second.edges[4]!.node!.id);
  });

  it('uses DEFAULT_PAGE_SIZE when first is omitted and returns an empty page for first: 0', async () => {
    const h2 = await startHarness({ env: { DEFAULT_PAGE_SIZE: '4', MAX_PAGE_SIZE: '8' } });
    try {
      const page = (await h2.gql(ClusterPageDocument, {})).data!.clusters;
      expect(page.edges).toHaveLength(4);
      expect(page.pageInfo.hasNextPage).toBe(true);
      const tooBig = await h2.gql(ClusterPageDocument, { first: 9 });
      expectUserInputError(tooBig, /"first" must be between 0 and 8, got 9/);
      const empty = (await h2.gql(ClusterIdsPageDocument, { first: 0 })).data!.clusters;
      expect(empty.edges).toEqual([]);
      expect(empty.pageInfo).toMatchObject({ hasNextPage: true, startCursor: null, endCursor: null });
    } finally {
      await h2.close();
    }
  });

  it('rejects a bad cursor, a negative first and a first above MAX_PAGE_SIZE before any upstream call', async () => {
    h.sim.stats.reset();
    expectUserInputError(await h.gql(ClusterPageDocument, { first: -1 }), /"first" must be between 0 and 1000, got -1/);
    expectUserInputError(await h.gql(ClusterPageDocument, { first: 1001 }), /"first" must be between 0 and 1000, got 1001/);
    for (const after of ['nope', '', 'T2Zmc2V0Q29ubmVjdGlvbjotMQ==', Buffer.from('OffsetConnection:abc').toString('base64'), Buffer.from('Other:3').toString('base64')]) {
      expectUserInputError(await h.gql(ClusterPageDocument, { first: 2, after }), /"after" must be a cursor returned by this connection/);
    }
    expectUserInputError(await h.gql(JobPageDocument, { first: -5 }), /"first"/);
    expectUserInputError(await h.gql(ReleasePageDocument, { after: 'garbage' }), /"after"/);
    expectUserInputError(await h.gql(FeaturePageDocument, { first: 5000 }), /"first"/);
    expect(h.sim.stats.count()).toBe(0);
    const id = (await h.gql(ClusterIdsPageDocument, { first: 1 })).data!.clusters.edges[0]!.node!.id;
    const nested = await h.gql(ClusterJobsDocument, { id, first: -1 });
    expectUserInputError(nested, /"first" must be between 0 and 1000, got -1/);
    expect(nested.errors![0]!.path).toEqual(['cluster', 'jobs']);
  });

  it('rejects a forged cursor past the offsets EMS pages over, before any upstream call', async () => {
    const cursor = (offset: number) => Buffer.from(`OffsetConnection:${offset}`).toString('base64');
    const pages = [
      '{ clusters(first: 1000, after: $after) { edges { cursor } } }',
      '{ jobs(type: SHORT, first: 5, after: $after) { edges { cursor } } }',
      '{ releases(first: 5, after: $after) { edges { cursor } } }',
      '{ features(first: 5, after: $after) { edges { cursor } } }',
    ].map((body) => `query($after: String) ${body}`);
    h.sim.stats.reset();
    for (const query of pages) {
      for (const offset of [2 ** 31 - 1, 9_999_999_999]) {
        expectUserInputError(await h.gql(query, { after: cursor(offset) }), /"after" must be a cursor returned by this connection/);
      }
    }
    expect(h.sim.stats.count()).toBe(0);
    // The largest accepted offset still reaches EMS, as an empty page.
    const last = await h.gql(pages[0]!, { after: cursor(2 ** 31 - 1 - 1002) });
    expect(last.errors).toBeUndefined();
    expect(last.data.clusters.edges).toEqual([]);
  });

  it('filters by status in the gateway', async () => {
    freezeSimulatorClock(h);
    const all = (await h.gql(ClusterPageDocument, { first: 1000 })).data!.clusters.edges.map((e) => e.node!);
    const wanted: ClusterStatus[] = ['RUNNING', 'DELETED'];
    const filtered = (await h.gql(ClusterPageDocument, { first: 1000, status: wanted })).data!.clusters;
    const expected = all.filter((c) => wanted.includes(c.status));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(all.length);
    expect(filtered.totalCount).toBe(expected.length);
    expect(filtered.edges.map((e) => e.node!.id)).toEqual(expected.map((c) => c.id));
    const { items } = await walk(async (after) => (await h.gql(ClusterPageDocument, { first: 3, after, status: wanted })).data!.clusters);
    expect(items.map((c) => c.id)).toEqual(expected.map((c) => c.id));
  });

  it('shows every field of a cluster, GraphQL-named', async () => {
    const id = (await h.gql(ClusterPageDocument, { first: 1 })).data!.clusters.edges[0]!.node!.id;
    const result = await h.gql(ClusterDetailDocument, { id });
    expect(result.errors).toBeUndefined();
    const c = result.data!.cluster!;
    expect(c.id).toBe(id);
    expect(c.name).toBe('kvcache-prod-01');
    expect(c.status).toBe('RUNNING');
    expect(c.projectId).toBe(h.sim.credentials.projectId);
    expect(c.createdAt).toMatch(DATE_TIME);
    expect(c.updatedAt).toMatch(DATE_TIME);
    expect(c.k8sName).toBe('cce-prod-bj4-a');
    expect(c.availableNodeCount).toBeGreaterThanOrEqual(3);
    expect(c.chargeMode).toBe('PAY_PER_USE');
    expect(c.k8s.k8sClusterId).toMatch(UUID);
    expect(c.k8s.ltsConnectType === null || ['LOGAGENT', 'ICAGENT'].includes(c.k8s.ltsConnectType)).toBe(true);
    expect(c.k8s.version).toBe('25.12.0');
    expect(c.memory!.hugePageCount).toBe(262144);
    expect(c.memory!.totalBytes).toBe(c.memory!.hugePageCount! * c.memory!.hugePageSizeMb! * 2 ** 20);
    expect(c.labels).toContainEqual({ key: 'ems', value: 'true' });
    expect(c.release).toMatchObject({ version: '25.12.0', tag: 'PREFERRED_VERSION', preferred: true });
    expect(c.jobs!.totalCount).toBeGreaterThan(0);
  });

  it('returns null for an unknown cluster and BAD_USER_INPUT for a malformed id, without calling EMS', async () => {
    const missing = await h.gql(ClusterDetailDocument, { id: '0b0e2a3c-1111-4222-8333-944445555666' });
    expect(missing.errors).toBeUndefined();
    expect(missing.data!.cluster).toBeNull();
    h.sim.stats.reset();
    expectUserInputError(await h.gql(ClusterDetailDocument, { id: 'not-a-uuid' }), /"id" must be a UUID/);
    expect(h.sim.stats.count()).toBe(0);
  });

});

describe('two callers of one gateway', () => {
  let shared: Harness;

  beforeAll(async () => {
    // No EMS_PROJECT_ID: each token's own project applies upstream.
    shared = await startHarness({ env: { EMS_PROJECT_ID: '' } });
  });
  afterAll(async () => {
    await shared?.close();
  });

  it('gives each caller its own loaders: two tokens in flight at once see their own clusters', async () => {
    const other = { token: shared.sim.credentials.otherProjectToken };
    const [main, theirs, mainAgain, theirsAgain] = await Promise.all([
      shared.gql(ClusterPageDocument, { first: 100 }),
      shared.gql(ClusterPageDocument, { first: 100 }, other),
      shared.gql(ClusterPageDocument, { first: 100 }),
      shared.gql(ClusterPageDocument, { first: 100 }, other),
    ]);
    const mainIds = main.data!.clusters.edges.map((e) => e.node!.id);
    const otherIds = theirs.data!.clusters.edges.map((e) => e.node!.id);
    expect(mainIds).toHaveLength(20);
    expect(otherIds.length).toBeGreaterThan(0);
    for (const id of otherIds) expect(mainIds).not.toContain(id);
    expect(mainAgain.data!.clusters.edges.map((e) => e.node!.id)).toEqual(mainIds);
    expect(theirsAgain.data!.clusters.edges.map((e) => e.node!.id)).toEqual(otherIds);

    // A cluster of the other project is not the caller's: ShowCluster answers 404, the field null.
    const cross = await shared.gql(ClusterDetailDocument, { id: otherIds[0]! });
    expect(cross.data?.cluster ?? null).toBeNull();
    const own = await shared.gql(ClusterDetailDocument, { id: otherIds[0]! }, other);
    expect(own.data!.cluster!.projectId).toBe(shared.sim.credentials.otherProjectId);
  });

  it("defaults credentials(projectId) to the caller's project when EMS_PROJECT_ID is unset", async () => {
    const mine = await shared.gql(CredentialsDocument, {});
    expect(mine.errors).toBeUndefined();
    for (const c of mine.data!.credentials) expect(c!.projectId).toBe(shared.sim.credentials.projectId);
    const theirs = await shared.gql(CredentialsDocument, {}, { token: shared.sim.credentials.otherProjectToken });
    expect(theirs.errors).toBeUndefined();
    for (const c of theirs.data!.credentials) expect(c!.projectId).toBe(shared.sim.credentials.otherProjectId);
  });
});

describe('jobs', () => {
  it('walks every page of both types once, short jobs first', async () => {
    const short = (await h.gql(JobPageDocument, { type: 'SHORT', first: 1000 })).data!.jobs;
    const long = (await h.gql(JobPageDocument, { type: 'LONG', first: 1000 })).data!.jobs;
    expect(short.edges.every((e) => e.node!.type === 'SHORT')).toBe(true);
    expect(long.edges.every((e) => e.node!.type === 'LONG')).toBe(true);
    const all = [...short.edges, ...long.edges].map((e) => e.node!.id);
    expect(new Set(all).size).toBe(all.length);
    const { items } = await walk(async (after) => (await h.gql(JobPageDocument, { first: 7, after })).data!.jobs);
    expect(items.map((j) => j.id)).toEqual(all);
    const typed = await walk(async (after) => (await h.gql(JobIdsPageDocument, { type: 'LONG', first: 4, after })).data!.jobs);
    expect(typed.items.map((j) => j.id)).toEqual(long.edges.map((e) => e.node!.id));
  });

  it('filters by cluster and status in the gateway', async () => {
    freezeSimulatorClock(h);
    const all = (await h.gql(JobPageDocument, { first: 1000 })).data!.jobs.edges.map((e) => e.node!);
    const clusterId = all.find((j) => j.clusterId)!.clusterId!;
    const byCluster = (await h.gql(JobPageDocument, { clusterId, first: 1000 })).data!.jobs;
    expect(byCluster.totalCount).toBe(all.filter((j) => j.clusterId === clusterId).length);
    expect(byCluster.edges.every((e) => e.node!.clusterId === clusterId)).toBe(true);

    const statuses: JobStatus[] = ['FAILED', 'STOPPED'];
    const byStatus = (await h.gql(JobPageDocument, { status: statuses, first: 1000 })).data!.jobs;
    expect(byStatus.totalCount).toBe(all.filter((j) => statuses.includes(j.status)).length);
    expect(byStatus.totalCount).toBeGreaterThan(0);

    const longOfCluster = (await h.gql(JobPageDocument, { clusterId, type: 'LONG', first: 1000 })).data!.jobs;
    expect(longOfCluster.edges.map((e) => e.node!.id)).toEqual(
      all.filter((j) => j.clusterId === clusterId && j.type === 'LONG').map((j) => j.id),
    );

    const nested = (await h.gql(ClusterJobsDocument, { id: clusterId, status: ['COMPLETED'], first: 1000 })).data!.cluster!.jobs!;
    expect(nested.edges.map((e) => e.node!.id)).toEqual(
      all.filter((j) => j.clusterId === clusterId && j.status === 'COMPLETED').map((j) => j.id),
    );
  });

  it('shows a job with its tasks and cluster', async () => {
    const some = (await h.gql(JobPageDocument, { type: 'LONG', first: 1 })).data!.jobs.edges[0]!.node!;
    const result = await h.gql(JobDetailDocument, { id: some.id });
    expect(result.errors).toBeUndefined();
    const job = result.data!.job!;
    expect(job).toMatchObject({ id: some.id, type: 'LONG', clusterId: some.clusterId });
    expect(job.cluster?.id).toBe(some.clusterId);
    expect(job.progress).toBeGreaterThanOrEqual(0);
    expect(job.createdAt).toMatch(DATE_TIME);
    expect(job.tasks.length).toBeGreaterThan(0);
    for (const task of job.tasks) expect(task!.id).toMatch(/^(short|long)-/);
  });

  it('returns null for an unknown job and BAD_USER_INPUT for a malformed id, without calling EMS', async () => {
    const missing = await h.gql(JobDetailDocument, { id: 'short-0000doesnotexist' });
    expect(missing.errors).toBeUndefined();
    expect(missing.data!.job).toBeNull();
    h.sim.stats.reset();
    expectUserInputError(await h.gql(JobDetailDocument, { id: 'rm -rf' }), /"id" must start with "short-", "long-" or "ems-custom-"/);
    expectUserInputError(await h.gql(JobPageDocument, { clusterId: 'x' }), /"clusterId" must be a UUID/);
    expect(h.sim.stats.count()).toBe(0);
  });
});

describe('releases, features, labels, credentials', () => {
  it('pages releases with EMS totals and marks the preferred one', async () => {
    const all = (await h.gql(ReleasePageDocument, { first: 100 })).data!.releases;
    expect(all.totalCount).toBe(all.edges.length);
    expect(all.edges.filter((e) => e.node!.preferred).map((e) => e.node!.tag)).toEqual(['PREFERRED_VERSION']);
    // id: the version, a stable cache key.
    for (const { node } of all.edges) expect(node!.id).toBe(node!.version);
    const { items } = await walk(async (after) => (await h.gql(ReleasePageDocument, { first: 1, after })).data!.releases);
    expect(items.map((r) => r.version)).toEqual(all.edges.map((e) => e.node!.version));
  });

  it('pages features with the enabled flag and the project id', async () => {
    const all = (await h.gql(FeaturePageDocument, { first: 100 })).data!.features;
    expect(all.totalCount).toBe(all.edges.length);
    expect(all.projectId).toBe(h.sim.credentials.projectId);
    expect(all.edges.some((e) => e.node!.enabled)).toBe(true);
    expect(all.edges.some((e) => !e.node!.enabled)).toBe(true);
    for (const { node } of all.edges) expect(node!.id).toBe(node!.name);
    const { items } = await walk(async (after) => (await h.gql(FeaturePageDocument, { first: 3, after })).data!.features);
    expect(items.map((f) => f.name)).toEqual(all.edges.map((e) => e.node!.name));
  });

  it('lists the labels of a CCE cluster and rejects a malformed id without calling EMS', async () => {
    const cluster = (await h.gql(ClusterDetailDocument, { id: (await h.gql(ClusterPageDocument, { first: 1 })).data!.clusters.edges[0]!.node!.id })).data!.cluster!;
    const labels = await h.gql(ClusterLabelsDocument, { k8sClusterId: cluster.k8s.k8sClusterId });
    expect(labels.data!.clusterLabels).toEqual(cluster.labels);
    h.sim.stats.reset();
    expectUserInputError(await h.gql(ClusterLabelsDocument, { k8sClusterId: 'cce-prod' }), /"k8sClusterId" must be a UUID/);
    expect(h.sim.stats.count()).toBe(0);
  });

  it("lists the credentials of the gateway's project by default, with createdAt from epoch ms", async () => {
    const result = await h.gql(CredentialsDocument, {});
    expect(result.errors).toBeUndefined();
    expect(result.data!.credentials.length).toBeGreaterThan(0);
    for (const c of result.data!.credentials) {
      expect(c!.projectId).toBe(h.sim.credentials.projectId);
      expect(c!.createdAt).toMatch(DATE_TIME);
      // A stable cache key that reveals nothing of the cdKey.
      expect(c!.id).toMatch(new RegExp(`^${c!.projectId}:[0-9a-f]{16}$`));
      expect(c!.id).not.toContain(c!.cdKey);
    }
    const ids = result.data!.credentials.map((c) => c!.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect((await h.gql(CredentialsDocument, {})).data!.credentials.map((c) => c!.id)).toEqual(ids);
    h.sim.stats.reset();
    expectUserInputError(await h.gql(CredentialsDocument, { projectId: 'no/slashes' }), /"projectId" must be 1–255 letters or digits/);
    expect(h.sim.stats.count()).toBe(0);
  });
});
