/**
 * Per-request DataLoaders and memoized EMS lists.
 *
 * `createLoaders(ems)` is called by createContext for every request with the EMS API bound
 * to that caller's credentials, so nothing cached here outlives the request or crosses callers.
 *
 * API (stable; mutations and subscriptions rely on it):
 *
 * Everything here holds records as src/ems/read reads them; lists hold `Listed<T>` elements (a
 * record, or an `Unreadable` for an element EMS sent that cannot be read).
 *
 * - `clusterById: DataLoader<string, ClusterRecord>`: ShowCluster semantics. A missing cluster
 *   rejects with an `EmsHttpError` whose `code` is `NOT_FOUND` (status 404, `ems.00030005`).
 *   Up to SHOW_CLUSTER_MAX_BATCH (3) ids in one tick cost one concurrent ShowCluster each; more
 *   ids cost one ListClusters walk; ids requested after a list was loaded cost nothing. When the
 *   list cannot be read, the ids it cannot answer cost a ShowCluster each.
 * - `jobById: DataLoader<string, JobRecord>`: ShowJob semantics (missing → the ShowJob error).
 * - `jobsByClusterId: DataLoader<JobsByClusterKey, JobRecord[]>`: the jobs of one cluster of one
 *   type (`type: null` = both, short first), served by one ListJobs walk per type for the request.
 * - `releaseByVersion: DataLoader<string, ReleaseRecord | null>`: null when EMS lists no such release.
 * - `labelsByK8sClusterId: DataLoader<string, Listed<LabelRecord>[]>`: one ListClustersLabels per
 *   distinct CCE cluster, all issued together, at most LABELS_CONCURRENCY at a time.
 * - `allClusters()`, `allJobs(type)`, `allReleases()`: the memoized full lists (they prime the
 *   by-id loaders); `clusterPage`/`jobPage`: one upstream page, or a slice of the full list
 *   when that is loaded anyway.
 * - After a write: `loaders.clusterById.clear(id).prime(id, fresh)` for one cluster,
 *   `loaders.invalidateClusters()` to drop every cached cluster and the cluster list,
 *   `loaders.invalidateJobs()` to drop every cached job and job list.
 */
import DataLoader from 'dataloader';
import type { EmsApi } from '../ems/api.js';
import type { EmsJobType } from '../ems/models/index.js';
import { isUnreadable, type ClusterRecord, type JobRecord, type LabelRecord, type Listed, type ReleaseRecord } from '../ems/read/index.js';
import { listAllClusters, loadClustersByIds } from './clusters.js';
import { listAllJobs, loadJobsByClusterIds, loadJobsByIds, type JobsByClusterKey } from './jobs.js';
import { loadLabelsByK8sClusterIds } from './labels.js';
import { listAllReleases, loadReleasesByVersions } from './releases.js';
import { EMS_MAX_PAGE } from './walk.js';

export { SHOW_CLUSTER_MAX_BATCH, clusterNotFound } from './clusters.js';
export { SHOW_JOB_MAX_BATCH, type JobsByClusterKey } from './jobs.js';
export { LABELS_CONCURRENCY } from './labels.js';

/** One page of a list: its items, and whether more follow. */
export interface Page<T> {
  items: readonly T[];
  hasMore: boolean;
}

export interface Loaders {
  clusterById: DataLoader<string, ClusterRecord, string>;
  jobById: DataLoader<string, JobRecord, string>;
  jobsByClusterId: DataLoader<JobsByClusterKey, JobRecord[], string>;
  releaseByVersion: DataLoader<string, ReleaseRecord | null, string>;
  labelsByK8sClusterId: DataLoader<string, Listed<LabelRecord>[], string>;
  /** Every cluster of the project, walking ListClusters once per request. */
  allClusters(): Promise<readonly Listed<ClusterRecord>[]>;
  /** Whether allClusters() was called in this request (and so costs nothing more). */
  allClustersStarted(): boolean;
  /** Clusters [offset, offset + limit): one ListClusters page unless allClusters() is under way. */
  clusterPage(offset: number, limit: number): Promise<Page<Listed<ClusterRecord>>>;
  /** Every job of one type, walking ListJobs once per request and type. */
  allJobs(type: EmsJobType): Promise<readonly Listed<JobRecord>[]>;
  allJobsStarted(type: EmsJobType): boolean;
  /** Jobs of one type [offset, offset + limit): one ListJobs page unless allJobs(type) is under way. */
  jobPage(type: EmsJobType, offset: number, limit: number): Promise<Page<Listed<JobRecord>>>;
  /** Every release, one ListReleases per request. */
  allReleases(): Promise<readonly Listed<ReleaseRecord>[]>;
  /** Drops every cached cluster and the cluster list (after a write that changed clusters). */
  invalidateClusters(): void;
  /** Drops every cached job and job list (after a write that created or changed jobs). */
  invalidateJobs(): void;
}

export function createLoaders(ems: EmsApi): Loaders {
  let clusters: Promise<readonly Listed<ClusterRecord>[]> | null = null;
  const jobs = new Map<EmsJobType, Promise<readonly Listed<JobRecord>[]>>();
  let releases: Promise<readonly Listed<ReleaseRecord>[]> | null = null;

  const primeClusters = (list: readonly Listed<ClusterRecord>[]) => {
    for (const cluster of list) if (!isUnreadable(cluster)) clusterById.prime(cluster.id, cluster);
  };
  const primeJobs = (list: readonly Listed<JobRecord>[]) => {
    for (const job of list) if (!isUnreadable(job)) jobById.prime(job.id, job);
  };

  const allClusters = () => {
    clusters ??= listAllClusters(ems).then((list) => {
      primeClusters(list);
      return list;
    });
    return clusters;
  };
  const allJobs = (type: EmsJobType) => {
    let list = jobs.get(type);
    if (!list) {
      list = listAllJobs(ems, type).then((all) => {
        primeJobs(all);
        return all;
      });
      jobs.set(type, list);
    }
    return list;
  };
  const allReleases = () => (releases ??= listAllReleases(ems));

  const clusterById: DataLoader<string, ClusterRecord, string> = new DataLoader(
    (ids) => loadClustersByIds(ems, ids, { allClusters, allClustersStarted: () => clusters !== null }),
    { cacheKeyFn: (id) => id.toLowerCase() },
  );
  const jobById: DataLoader<string, JobRecord, string> = new DataLoader((ids) =>
    loadJobsByIds(ems, ids, { allJobs, allJobsStarted: (type) => jobs.has(type) }),
  );
  const jobsByClusterId = new DataLoader<JobsByClusterKey, JobRecord[], string>(
    (keys) => loadJobsByClusterIds(keys, allJobs),
    { cacheKeyFn: (key) => `${key.type ?? '*'}:${key.clusterId.toLowerCase()}` },
  );
  const releaseByVersion = new DataLoader<string, ReleaseRecord | null, string>((versions) =>
    loadReleasesByVersions(versions, allReleases),
  );
  const labelsByK8sClusterId = new DataLoader<string, Listed<LabelRecord>[], string>(
    (ids) => loadLabelsByK8sClusterIds(ems, ids),
    { cacheKeyFn: (id) => id.toLowerCase() },
  );

  return {
    clusterById,
    jobById,
    jobsByClusterId,
    releaseByVersion,
    labelsByK8sClusterId,
    allClusters,
    allClustersStarted: () => clusters !== null,
    async clusterPage(offset, limit) {
      if (clusters) return slice(await clusters, offset, limit);
      const page = await fetchPage((o, l) => ems.listClusters({ offset: o, limit: l }).then((r) => r.clusters), offset, limit);
      primeClusters(page.items);
      return page;
    },
    allJobs,
    allJobsStarted: (type) => jobs.has(type),
    async jobPage(type, offset, limit) {
      const all = jobs.get(type);
      if (all) return slice(await all, offset, limit);
      const page = await fetchPage((o, l) => ems.listJobs({ jobType: type, offset: o, limit: l }).then((r) => r.jobs), offset, limit);
      primeJobs(page.items);
      return page;
    },
    allReleases,
    invalidateClusters() {
      clusters = null;
      clusterById.clearAll();
    },
    invalidateJobs() {
      jobs.clear();
      jobById.clearAll();
      jobsByClusterId.clearAll();
    },
  };
}

function slice<T>(all: readonly T[], offset: number, limit: number): Page<T> {
  return { items: all.slice(offset, offset + limit), hasMore: all.length > offset + limit };
}

/**
 * One page of a list without a total, and whether more follow: asks for one item more than
 * wanted; when that would exceed the EMS page cap, probes the next item with a second call.
 */
async function fetchPage<T>(
  list: (offset: number, limit: number) => Promise<readonly T[]>,
  offset: number,
  limit: number,
): Promise<Page<T>> {
  if (limit + 1 <= EMS_MAX_PAGE) {
    const items = await list(offset, limit + 1);
    return { items: items.slice(0, limit), hasMore: items.length > limit };
  }
  const items = await list(offset, limit);
  if (items.length < limit) return { items, hasMore: false };
  const next = await list(offset + limit, 1);
  return { items, hasMore: next.length > 0 };
}
