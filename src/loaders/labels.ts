import pLimit from 'p-limit';
import type { EmsApi } from '../ems/api.js';
import { LABELS_MAX_LIMIT } from '../ems/models/index.js';
import type { LabelRecord, Listed } from '../ems/read/index.js';
import { toError } from './clusters.js';
import { walkWithTotal } from './walk.js';

/** At most this many ListClustersLabels calls of one request are in flight at once. */
export const LABELS_CONCURRENCY = 8;

/** ListClustersLabels accepts offsets up to 2000. */
const LABELS_MAX_OFFSET = 2000;

/** The node labels of one CCE cluster: one call (two when it has more than 2,000 labels). */
export function listLabels(ems: EmsApi, k8sClusterId: string): Promise<Listed<LabelRecord>[]> {
  return walkWithTotal(
    async (offset, limit) => {
      const page = await ems.listClusterLabels({ k8sClusterId, offset, limit });
      return { total: page.total, items: page.labels };
    },
    LABELS_MAX_LIMIT,
    LABELS_MAX_OFFSET,
  );
}

/**
 * Batch function of `labelsByK8sClusterId`: one ListClustersLabels call per distinct CCE cluster,
 * all issued together, at most `concurrency` at a time. A failure is that key's alone.
 */
export function loadLabelsByK8sClusterIds(
  ems: EmsApi,
  k8sClusterIds: readonly string[],
  concurrency = LABELS_CONCURRENCY,
): Promise<(Listed<LabelRecord>[] | Error)[]> {
  const limit = pLimit(concurrency);
  return Promise.all(
    k8sClusterIds.map((id) => limit(() => listLabels(ems, id)).catch((error: unknown) => toError(error))),
  );
}
