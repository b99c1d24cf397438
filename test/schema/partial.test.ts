import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../fixtures/harness.js';
import { ClustersWithReleaseDocument, JobDetailDocument, JobIdsPageDocument } from '../generated/graphql.js';

describe('partial results', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ env: { EMS_MAX_RETRIES: '0' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('nulls Cluster.release when ListReleases fails and still sends every cluster, with upstream details', async () => {
    h.sim.setFaults({ errorRate: 1, operations: ['ListReleases'] });
    try {
      const result = await h.gql(ClustersWithReleaseDocument, { first: 5 });
      const edges = result.data!.clusters.edges;
      expect(edges).toHaveLength(5);
      for (const { node } of edges) {
        expect(node!.name).toBeTruthy();
        expect(node!.release).toBeNull();
      }
      expect(result.errors).toHaveLength(5);
      const paths = result.errors!.map((error) => error.path);
      expect(paths).toEqual(expect.arrayContaining(edges.map((_, i) => ['clusters', 'edges', i, 'node', 'release'])));
      result.errors!.forEach((error) => {
        expect(error.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstreamCode: 'APIGW.0201', retryable: true });
        expect(error.extensions!.requestId).toEqual(expect.any(String));
        expect(JSON.stringify(error)).not.toMatch(/stack|token/i);
      });
    } finally {
      h.sim.resetFaults();
    }
  });

  it('nulls Job.cluster when ShowCluster fails and keeps the job', async () => {
    const id = (await h.gql(JobIdsPageDocument, { type: 'SHORT', first: 1 })).data!.jobs.edges[0]!.node!.id;
    h.sim.setFaults({ errorRate: 1, operations: ['ShowCluster'] });
    try {
      const result = await h.gql(JobDetailDocument, { id });
      expect(result.data!.job).toMatchObject({ id, cluster: null });
      expect(result.data!.job!.tasks.length).toBeGreaterThan(0);
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]!.path).toEqual(['job', 'cluster']);
      expect(result.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstreamCode: 'APIGW.0201', retryable: true });
    } finally {
      h.sim.resetFaults();
    }
  });
});
