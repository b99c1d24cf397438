import { describe, expect, it } from 'vitest';
import type { EmsApi } from '../../src/ems/api.js';
import { EmsHttpError } from '../../src/ems/errors.js';
import type { ClusterRecord, JobRecord } from '../../src/ems/read/index.js';
import { LABELS_CONCURRENCY, createLoaders } from '../../src/loaders/index.js';

/** A fake EmsApi that counts calls and answers from fixed data. */
function fakeEms(options: { clusters?: number; jobs?: number; delayMs?: number } = {}) {
  const counts: Record<string, number> = {};
  let inFlight = 0;
  let maxInFlight = 0;
  const clusters: ClusterRecord[] = Array.from({ length: options.clusters ?? 0 }, (_, i) => cluster(i));
  const jobs: JobRecord[] = Array.from({ length: options.jobs ?? 0 }, (_, i) => ({
    id: `short-${i}`,
    type: 'short',
    clusterId: clusters[i % Math.max(1, clusters.length)]?.id ?? null,
    name: 'ExpandCluster',
    status: 'COMPLETED',
    statusText: 'COMPLETED',
    progress: 100,
    message: null,
    createdAt: null,
    beginAt: null,
    endAt: null,
    tasks: [],
    source,
  }));
  const call = async <T>(op: string, answer: () => T): Promise<T> => {
    counts[op] = (counts[op] ?? 0) + 1;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 1));
    inFlight--;
    return answer();
  };
  const notFound = (op: string) => new EmsHttpError({ operation: op, status: 404, upstreamCode: 'ems.00030005' });
  const ems = {
    listClusters: (page = {}) => call('ListClusters', () => ({ clusters: clusters.slice(page.offset ?? 0, (page.offset ?? 0) + (page.limit ?? 1000)) })),
    showCluster: (id: string) =>
      call('ShowCluster', () => {
        const found = clusters.find((c) => c.id === id);
        if (!found) throw notFound('ShowCluster');
        return found;
      }),
    listJobs: (q = {}) =>
      call('ListJobs', () => ({ jobs: q.jobType === 'long' ? [] : jobs.slice(q.offset ?? 0, (q.offset ?? 0) + (q.limit ?? 1000)) })),
    showJob: (id: string) =>
      call('ShowJob', () => {
        const found = jobs.find((j) => j.id === id);
        if (!found) throw new EmsHttpError({ operation: 'ShowJob', status: 404 });
        return found;
      }),
    listReleases: () => call('ListReleases', () => ({ total: 1, releases: [{ version: '1.0', tag: 'PREFERRED_VERSION', description: null, preferred: true }] })),
    listClusterLabels: (q: { k8sClusterId: string }) => call('ListClustersLabels', () => ({ total: 1, labels: [{ key: 'k8s', value: q.k8sClusterId }] })),
  } as Partial<EmsApi> as EmsApi;
  return { ems, counts, maxInFlight: () => maxInFlight };
}

const source = { operation: 'fake', requestId: null };

function cluster(i: number): ClusterRecord {
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const none = { description: null, reason: null, projectId: null, createdAt: null, updatedAt: null, k8sName: null, availableNodeCount: null, chargeMode: null, memory: null };
  const k8s = { k8sClusterId: id, namespace: null, label: null, nodeCount: null, flavor: null, version: '1.0', ltsEnabled: null, ltsConnectType: null, monitorEnabled: null, nodeType: null };
  return { id, name: `cluster-${i}`, status: 'RUNNING', statusText: 'RUNNING', k8s, source, ...none };
}


describe('createLoaders', () => {
  it('keeps the DataLoader contract: one result per key, in order, an Error for a missing one', async () => {
    const { ems, counts } = fakeEms({ clusters: 10 });
    const loaders = createLoaders(ems);
    const ids = [5, 1, 9, 3, 7].map((i) => cluster(i).id);
    const missing = '00000000-0000-4000-8000-999999999999';
    const results = await loaders.clusterById.loadMany([...ids, missing]);
    expect(results.slice(0, 5).map((c) => (c as ClusterRecord).id)).toEqual(ids);
    expect(results[5]).toBeInstanceOf(EmsHttpError);
    expect(results[5]).toMatchObject({ code: 'NOT_FOUND', status: 404, upstreamCode: 'ems.00030005' });
    expect(counts).toEqual({ ListClusters: 1 });
  });

  it('walks 2,500 clusters in 3 pages of 1,000 and serves later ids from the walk', async () => {
    const { ems, counts } = fakeEms({ clusters: 2500 });
    const loaders = createLoaders(ems);
    expect(await loaders.allClusters()).toHaveLength(2500);
    await loaders.clusterById.load(cluster(2499).id);
    await loaders.clusterById.loadMany([cluster(1).id, cluster(2).id]);
    expect(counts).toEqual({ ListClusters: 3 });
  });

  it('serves every cluster of a request from one ListJobs walk per type', async () => {
    const { ems, counts } = fakeEms({ clusters: 30, jobs: 90 });
    const loaders = createLoaders(ems);
    const lists = await Promise.all(
      Array.from({ length: 30 }, (_, i) => loaders.jobsByClusterId.load({ clusterId: cluster(i).id, type: null })),
    );
    expect(lists.map((l) => l.length)).toEqual(Array(30).fill(3));
    expect(counts).toEqual({ ListJobs: 2 });
    // Listed jobs are primed: looking them up by id costs nothing.
    await loaders.jobById.loadMany(['short-0', 'short-89']);
    expect(counts).toEqual({ ListJobs: 2 });
  });

  it(`caps concurrent ListClustersLabels calls at ${LABELS_CONCURRENCY}`, async () => {
    const { ems, counts, maxInFlight } = fakeEms({ delayMs: 10 });
    const loaders = createLoaders(ems);
    const ids = Array.from({ length: 20 }, (_, i) => cluster(i).id);
    const labels = await loaders.labelsByK8sClusterId.loadMany([...ids, ...ids.map((id) => id.toUpperCase())]);
    expect(labels).toHaveLength(40);
    expect(counts).toEqual({ ListClustersLabels: 20 });
    expect(maxInFlight()).toBe(LABELS_CONCURRENCY);
  });

  it('drops cached jobs and clusters on invalidate', async () => {
    const { ems, counts } = fakeEms({ clusters: 2, jobs: 2 });
    const loaders = createLoaders(ems);
    await loaders.allJobs('short');
    await loaders.allClusters();
    loaders.invalidateJobs();
    loaders.invalidateClusters();
    await loaders.jobById.load('short-1');
    await loaders.clusterById.load(cluster(1).id);
    expect(counts).toEqual({ ListJobs: 1, ShowJob: 1, ListClusters: 1, ShowCluster: 1 });
  });
});
