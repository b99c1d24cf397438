import type { EmsApi } from '../ems/api.js';
import { EMS_CODES, EmsBadResponseError, EmsHttpError } from '../ems/errors.js';
import { isUnreadable, type ClusterRecord, type Listed } from '../ems/read/index.js';
import { walkUntilShort } from './walk.js';

/**
 * Batches of at most this many cluster ids are fetched with one ShowCluster each, concurrently;
 * larger batches with one walk of ListClusters (1 call per 1,000 clusters of the project), which
 * is cheaper from 4 ids on for a project of up to 3,000 clusters.
 */
export const SHOW_CLUSTER_MAX_BATCH = 3;

/** Every cluster of the caller's project, walking ListClusters in pages of 1,000. */
export function listAllClusters(ems: EmsApi): Promise<Listed<ClusterRecord>[]> {
  return walkUntilShort(async (offset, limit) => (await ems.listClusters({ offset, limit })).clusters);
}

/** The error a missing cluster gets: the same as EMS's ShowCluster 404. */
export function clusterNotFound(id: string): EmsHttpError {
  return new EmsHttpError({
    operation: 'ShowCluster',
    status: 404,
    upstreamCode: EMS_CODES.clusterNotFound,
    upstreamMessage: `Cluster not found: [${id}].`,
  });
}

export interface LoadClustersByIdsOptions {
  /** The per-request memoized ListClusters walk. */
  allClusters: () => Promise<readonly Listed<ClusterRecord>[]>;
  /** Whether that walk has already been started in this request (then it costs nothing more). */
  allClustersStarted: () => boolean;
}

/**
 * Batch function of `clusterById`: one result per id, in order; a missing id gets the
 * ShowCluster 404 error. Uses the walk when it is already under way or the batch is larger than
 * SHOW_CLUSTER_MAX_BATCH; then the list is authoritative (an id it lacks is not found), unless it
 * cannot be read: a list EMS sent unreadable, or one with elements that cannot be read, costs a
 * ShowCluster for each id it cannot answer (within the request's call budget).
 */
export async function loadClustersByIds(
  ems: EmsApi,
  ids: readonly string[],
  options: LoadClustersByIdsOptions,
): Promise<(ClusterRecord | Error)[]> {
  const show = (id: string) => ems.showCluster(id).catch((error: unknown) => toError(error));
  if (ids.length <= SHOW_CLUSTER_MAX_BATCH && !options.allClustersStarted()) return Promise.all(ids.map(show));
  let all: readonly Listed<ClusterRecord>[];
  try {
    all = await options.allClusters();
  } catch (error) {
    if (error instanceof EmsBadResponseError) return Promise.all(ids.map(show));
    return ids.map(() => toError(error));
  }
  const byId = new Map<string, ClusterRecord>();
  let complete = true;
  for (const cluster of all) {
    if (isUnreadable(cluster)) complete = false;
    else byId.set(cluster.id.toLowerCase(), cluster);
  }
  return Promise.all(ids.map((id) => byId.get(id.toLowerCase()) ?? (complete ? clusterNotFound(id) : show(id))));
}

export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
