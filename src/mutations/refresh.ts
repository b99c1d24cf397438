import type { Context } from '../context.js';
import { isEmsError } from '../ems/errors.js';
import type { ClusterRecord } from '../ems/read/index.js';

/**
 * Reading state right after a write. The request's loaders may hold what was read before the
 * write (or lists that no longer match); a write drops them, so every later read of the request
 * (`job.cluster`, `cluster.jobs`, another root field) fetches fresh state.
 */

/** Drops every cached cluster and job (and their lists) of this request: a write changed them. */
export function invalidateAfterWrite(ctx: Context): void {
  ctx.loaders.invalidateClusters();
  ctx.loaders.invalidateJobs();
}

/**
 * The cluster through `clusterById` (one ShowCluster after invalidateAfterWrite, shared with
 * `job.cluster`); null when EMS no longer knows it (e.g. deleted).
 */
export function loadCluster(ctx: Context, clusterId: string, region?: string): Promise<ClusterRecord | null> {
  const loaders = region === undefined ? ctx.loaders : ctx.regions.scope(region).loaders;
  return loaders.clusterById.load(clusterId).catch((error: unknown) => {
    if (isEmsError(error) && error.code === 'NOT_FOUND') return null;
    throw error;
  });
}
