import type { EmsApi } from '../ems/api.js';
import { EmsHttpError } from '../ems/errors.js';
import type { EmsCluster } from '../ems/models/index.js';
import { walkUntilShort } from './walk.js';

/**
 * Batches of at most this many cluster ids are fetched with one ShowCluster each, concurrently;
 * larger batches with one walk of ListClusters (1 call per 1,000 clusters of the project), which
 * is cheaper from 4 ids on for a project of up to 3,000 clusters.
 */
export const SHOW_CLUSTER_MAX_BATCH = 3;

/** Every cluster of the caller's project, walking ListClusters in pages of 1,000. */
export function listAllClusters(ems: EmsApi): Promise<EmsCluster[]> {
  return walkUntilShort(async (offset, limit) => (await ems.listClusters({ offset, limit })).clusters);
}

/** The error a missing cluster gets: the same as EMS's ShowCluster 404. */
export function clusterNotFound(id: string): EmsHttpError {
  return new EmsHttpError({
    operation: 'ShowCluster',
    status: 404,
    upstreamCode: 'ems.00030005',
    upstreamMessage: `Cluster not found: [${id}].`,
  });
}

export interface LoadClustersByIdsOptions {
  /** The per-request memoized ListClusters walk. */
  allClusters: () => Promise<readonly EmsCluster[]>;
  /** Whether that walk has already been started in this request (then it costs nothing more). */
  allClustersStarted: () => boolean;
}

/**
 * Batch function of `clusterById`: one result per id, in order; a missing id gets the
 * ShowCluster 404 error. Uses the walk when it is already under way or the batch is larger than
 * SHOW_CLUSTER_MAX_BATCH; then the list is authoritative (an id it lacks is not found).
 */
export async function loadClustersByIds(
  ems: EmsApi,
  ids: readonly string[],
  options: LoadClustersByIdsOptions,
): Promise<(EmsCluster | Error)[]> {
  if (ids.length <= SHOW_CLUSTER_MAX_BATCH && !options.allClustersStarted()) {
    return Promise.all(ids.map((id) => ems.showCluster(id).catch((error: unknown) => toError(error))));
  }
  const byId = new Map<string, EmsCluster>();
  for (const cluster of await options.allClusters()) byId.set(cluster.cluster_metadata.id.toLowerCase(), cluster);
  return ids.map((id) => byId.get(id.toLowerCase()) ?? clusterNotFound(id));
}

export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
