import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmsOperation } from '../../src/ems/api.js';
import { SHOW_CLUSTER_MAX_BATCH } from '../../src/loaders/index.js';
import { startHarness, type Harness } from '../fixtures/harness.js';
import {
  ClustersNestedDocument,
  ClustersNestedWithLabelsDocument,
  JobClusterJobsDocument,
  JobIdsPageDocument,
} from '../generated/graphql.js';

/** Upstream calls per operation since the last reset, without the zeros. */
function calls(h: Harness): Partial<Record<EmsOperation, number>> {
  return Object.fromEntries(Object.entries(h.sim.stats.calls).filter(([, n]) => n > 0));
}

/** Long jobs (CreateCluster + UpgradeCluster) and short ones (ExpandCluster) that seedClusters makes. */
function seededJobs(clusters: number, jobsPerCluster: number) {
  const long = jobsPerCluster === 0 ? 0 : 1 + Math.floor((jobsPerCluster - 1) / 2);
  return { long: clusters * long, short: clusters * (jobsPerCluster - long) };
}

/** ListJobs calls of one walk: pages of 1,000 until a short one. */
const walkCalls = (items: number) => Math.floor(items / 1000) + 1;

describe('batched nested reads', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  describe.each([
    { clusters: 10, jobsPerCluster: 3 },
    { clusters: 100, jobsPerCluster: 3 },
    { clusters: 1000, jobsPerCluster: 0 },
  ])('clusters(first: 100) with jobs { tasks, cluster } and release, $clusters clusters', ({ clusters, jobsPerCluster }) => {
    beforeAll(() => {
      h.sim.seedClusters(clusters, { jobsPerCluster });
    });

    it('costs 4 upstream calls: 1 ListClusters, 1 ListJobs per type, 1 ListReleases', async () => {
      h.sim.stats.reset();
      const result = await h.gql(ClustersNestedDocument, { first: 100 });
      expect(result.errors).toBeUndefined();
      const edges = result.data!.clusters.edges;
      expect(edges).toHaveLength(Math.min(clusters, 100));
      for (const { node } of edges) {
        expect(node!.jobs!.totalCount).toBe(jobsPerCluster);
        expect(node!.release?.version).toMatch(/^25\./);
        for (const job of node!.jobs!.edges) expect(job.node!.cluster?.id).toBe(node!.id);
      }
      expect(calls(h)).toEqual({ ListClusters: 1, ListJobs: 2, ListReleases: 1 });
      expect(h.sim.stats.count()).toBe(4);
    });

    // How many of those calls are in flight at once (all of them, up to LABELS_CONCURRENCY) is
    // asserted in loaders.test.ts, where the fake EMS controls when each call answers: over real
    // HTTP, overlap would depend on how fast this machine issues them.
    it('adds exactly one ListClustersLabels per distinct CCE cluster', async () => {
      h.sim.stats.reset();
      const result = await h.gql(ClustersNestedWithLabelsDocument, { first: 100 });
      expect(result.errors).toBeUndefined();
      const edges = result.data!.clusters.edges;
      const distinct = new Set(edges.map((e) => e.node!.k8s.k8sClusterId.toLowerCase())).size;
      expect(distinct).toBeGreaterThan(1);
      for (const { node } of edges) expect(node!.labels!.length).toBeGreaterThan(0);
      expect(calls(h)).toEqual({ ListClusters: 1, ListJobs: 2, ListReleases: 1, ListClustersLabels: distinct });
    });
  });

  it('walks every ListJobs page: the jobs of 1,000 clusters with 2 jobs each cost 2 pages per type', async () => {
    h.sim.seedClusters(1000, { jobsPerCluster: 2 });
    const jobs = seededJobs(1000, 2);
    h.sim.stats.reset();
    const result = await h.gql(ClustersNestedDocument, { first: 100 });
    expect(result.errors).toBeUndefined();
    for (const { node } of result.data!.clusters.edges) expect(node!.jobs!.totalCount).toBe(2);
    expect(calls(h)).toEqual({
      ListClusters: 1,
      ListJobs: walkCalls(jobs.long) + walkCalls(jobs.short),
      ListReleases: 1,
    });
  });

  // The README's table of call counts quotes these numbers.
  it.each([
    { jobsPerCluster: 0, listJobs: 2, total: 5 },
    { jobsPerCluster: 3, listJobs: 5, total: 8 },
  ])(
    'a page of 1,000 clusters with $jobsPerCluster jobs each costs $total calls: 2 ListClusters (a full page, then the end), $listJobs ListJobs, 1 ListReleases',
    async ({ jobsPerCluster, listJobs, total }) => {
      h.sim.seedClusters(1000, { jobsPerCluster });
      const jobs = seededJobs(1000, jobsPerCluster);
      h.sim.stats.reset();
      const result = await h.gql(ClustersNestedDocument, { first: 1000 });
      expect(result.errors).toBeUndefined();
      expect(result.data!.clusters.edges).toHaveLength(1000);
      for (const { node } of result.data!.clusters.edges) expect(node?.jobs?.totalCount).toBe(jobsPerCluster);
      expect(walkCalls(jobs.long) + walkCalls(jobs.short)).toBe(listJobs);
      expect(calls(h)).toEqual({ ListClusters: 2, ListJobs: listJobs, ListReleases: 1 });
      expect(h.sim.stats.count()).toBe(total);
    },
  );

  describe('on 20 clusters with 3 jobs each', () => {
    beforeAll(() => {
      h.sim.seedClusters(20, { jobsPerCluster: 3 });
    });

    it('fetches nothing twice for job(id) { cluster { jobs { edges { node { cluster { id } } } } } }', async () => {
      const someJob = (await h.gql(JobIdsPageDocument, { type: 'SHORT', first: 1 })).data!.jobs.edges[0]!.node!;
      h.sim.stats.reset();
      const result = await h.gql(JobClusterJobsDocument, { id: someJob.id });
      expect(result.errors).toBeUndefined();
      const cluster = result.data!.job!.cluster!;
      expect(cluster.jobs!.edges.map((e) => e.node!.id)).toContain(someJob.id);
      for (const { node } of cluster.jobs!.edges) expect(node!.cluster?.id).toBe(cluster.id);
      expect(calls(h)).toEqual({ ShowJob: 1, ShowCluster: 1, ListJobs: 2 });
      const paths = h.sim.stats.log.map((entry) => `${entry.method} ${entry.path}`);
      expect(new Set(paths).size).toBe(paths.length);
    });

    it(`loads up to ${SHOW_CLUSTER_MAX_BATCH} clusters by id with concurrent ShowCluster calls`, async () => {
      const ids = await clusterIds(h, SHOW_CLUSTER_MAX_BATCH);
      h.sim.stats.reset();
      const result = await h.gql(aliasedClusters(ids));
      expect(result.errors).toBeUndefined();
      expect(Object.values(result.data!).map((c: any) => c.id)).toEqual(ids);
      expect(calls(h)).toEqual({ ShowCluster: ids.length });
    });

    it('loads more clusters by id in one tick with one ListClusters walk instead of a ShowCluster each', async () => {
      const ids = await clusterIds(h, 10);
      h.sim.stats.reset();
      const result = await h.gql(aliasedClusters(ids));
      expect(result.errors).toBeUndefined();
      expect(Object.values(result.data!).map((c: any) => c.id)).toEqual(ids);
      expect(calls(h)).toEqual({ ListClusters: 1 });
    });

    it('resolves the clusters of a page of jobs with one ListClusters walk', async () => {
      h.sim.stats.reset();
      const result = await h.gql(`{ jobs(type: SHORT, first: 40) { edges { node { id cluster { id name } } } } }`);
      expect(result.errors).toBeUndefined();
      const edges = result.data!.jobs.edges as { node: { cluster: { id: string } | null } }[];
      expect(new Set(edges.map((e) => e.node!.cluster?.id)).size).toBeGreaterThan(SHOW_CLUSTER_MAX_BATCH);
      expect(calls(h)).toEqual({ ListJobs: 1, ListClusters: 1 });
    });
  });
});

async function clusterIds(h: Harness, n: number): Promise<string[]> {
  const result = await h.gql(`query ($n: Int) { clusters(first: $n) { edges { node { id } } } }`, { n });
  return (result.data!.clusters.edges as { node: { id: string } }[]).map((e) => e.node!.id);
}

function aliasedClusters(ids: readonly string[]): string {
  return `{ ${ids.map((id, i) => `c${i}: cluster(id: "${id}") { id name }`).join(' ')} }`;
}
